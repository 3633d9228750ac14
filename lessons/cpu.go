package lessons

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// CPUVersions are the CPU-bound versions, in the article's order.
var CPUVersions = []string{Sequential, Pooled, MultiProcess}

// CPUJobs are the CPU-bound jobs: the article's fib(35) x 20, and its first
// edition's sum of squares below 5_000_000+x for x in 0..19.
var CPUJobs = []string{"fib", "squares"}

// Defaults of the CPU-bound job: the article computes fib(35) twenty times.
const (
	DefaultFibN     = 35
	DefaultSquaresN = 5_000_000
	DefaultTasks    = 20
)

// CPUOptions choose one run of the CPU-bound job.
type CPUOptions struct {
	Version string // one of CPUVersions
	Workers int    // goroutines ("pooled") or processes ("multi-process"); default runtime.GOMAXPROCS(0)
	Job     string // "fib" (default) or "squares"
	N       int    // fib's argument (default 35), or the squares' base (default 5_000_000)
	Tasks   int    // how many numbers to compute (default 20)

	// GOMAXPROCS, when > 0, limits how many goroutines run Go code at once
	// during the run (and in each worker process). 1 is the world of
	// Python's GIL: goroutines take turns on one core.
	GOMAXPROCS int

	// Runs is how many times to run (default 1): with 3 or more,
	// Result.Seconds is their median and Result.Min and Result.Max their
	// spread.
	Runs int

	Progress ProgressFunc // told as tasks finish; may be nil
}

// CheckCPU reports whether RunCPU accepts the options, without running
// anything: a caller taking options from a user can tell a mistake in them
// from a run that failed.
func CheckCPU(opt CPUOptions) error {
	_, err := opt.withDefaults()
	return err
}

// withDefaults checks the options and fills in what is left zero.
func (o CPUOptions) withDefaults() (CPUOptions, error) {
	if !slices.Contains(CPUVersions, o.Version) {
		return o, fmt.Errorf("cpu: unknown version %q (want one of %s)", o.Version, strings.Join(CPUVersions, ", "))
	}
	if o.Job == "" {
		o.Job = "fib"
	}
	if _, err := jobFunc(o.Job); err != nil {
		return o, err
	}
	switch {
	case o.Workers < 0:
		return o, fmt.Errorf("cpu: workers must not be negative, got %d", o.Workers)
	case o.N < 0:
		return o, fmt.Errorf("cpu: n must not be negative, got %d", o.N)
	case o.Tasks < 0:
		return o, fmt.Errorf("cpu: tasks must not be negative, got %d", o.Tasks)
	case o.GOMAXPROCS < 0:
		return o, fmt.Errorf("cpu: GOMAXPROCS must not be negative, got %d", o.GOMAXPROCS)
	case o.Runs < 0:
		return o, fmt.Errorf("cpu: runs must not be negative, got %d", o.Runs)
	}
	o.Runs = max(o.Runs, 1)
	if o.Workers == 0 {
		// Not runtime.NumCPU(): since Go 1.25 GOMAXPROCS defaults to the
		// container's CPU limit, when lower than the machine's cores, and
		// goroutines beyond it only take turns.
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Version == Sequential {
		o.Workers = 1
	}
	if o.N == 0 {
		o.N = DefaultFibN
		if o.Job == "squares" {
			o.N = DefaultSquaresN
		}
	}
	if o.Tasks == 0 {
		o.Tasks = DefaultTasks
	}
	return o, nil
}

// Inputs are the numbers a job computes: N, Tasks times, for fib; N+x for x
// in 0..Tasks-1 for squares.
func (o CPUOptions) Inputs() []int {
	inputs := make([]int, o.Tasks)
	for x := range inputs {
		inputs[x] = o.N
		if o.Job == "squares" {
			inputs[x] = o.N + x
		}
	}
	return inputs
}

// jobFunc is the function a job computes, by name: a name can be sent to a
// worker process, a func cannot.
func jobFunc(job string) (func(int) int, error) {
	switch job {
	case "fib":
		return Fib, nil
	case "squares":
		return SumOfSquares, nil
	}
	return nil, fmt.Errorf("cpu: unknown job %q (want one of %s)", job, strings.Join(CPUJobs, ", "))
}

// RunCPU runs the CPU-bound job in one version and measures it, once or
// opt.Runs times. GOMAXPROCS, when set, is the whole process's setting for
// the run and restored after it: do not run two RunCPU at once with
// different limits.
func RunCPU(ctx context.Context, opt CPUOptions) (Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Result{}, err
	}
	return repeat(opt.Runs, opt.Progress, func(progress ProgressFunc) (Result, error) {
		opt.Progress = progress
		return runCPU(ctx, opt)
	})
}

// runCPU runs the job once, with opt's defaults already filled in.
func runCPU(ctx context.Context, opt CPUOptions) (Result, error) {
	var err error
	if opt.GOMAXPROCS > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(opt.GOMAXPROCS))
	}
	f, _ := jobFunc(opt.Job)
	inputs := opt.Inputs()

	start := time.Now()
	switch opt.Version {
	case Sequential:
		_, err = ComputeSequential(ctx, f, inputs, opt.Progress)
	case Pooled:
		_, err = ComputePooled(ctx, f, inputs, opt.Workers, opt.Progress)
	case MultiProcess:
		_, err = ComputeMultiProcess(ctx, opt.Job, inputs, opt.Workers, opt.GOMAXPROCS, opt.Progress)
	}
	elapsed := time.Since(start)
	if err != nil {
		return Result{}, fmt.Errorf("cpu %s: %w", opt.Version, err)
	}
	return Result{
		Job:        "cpu",
		Version:    opt.Version,
		Workers:    opt.Workers,
		Tasks:      len(inputs),
		Seconds:    elapsed.Seconds(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Work:       opt.work(),
	}, nil
}

// work says what the run computed, to title its charts.
func (o CPUOptions) work() string {
	if o.Job == "squares" {
		return fmt.Sprintf("sums of squares below %d+x, x < %d", o.N, o.Tasks)
	}
	return fmt.Sprintf("fib(%d) x %d", o.N, o.Tasks)
}

// SweepCPU runs one version of the CPU-bound job once per worker count, to
// chart seconds against workers.
func SweepCPU(ctx context.Context, opt CPUOptions, workers []int) (Results, error) {
	if len(workers) == 0 {
		return nil, errors.New("cpu sweep: no worker counts given")
	}
	var all Results
	for _, w := range workers {
		if w < 1 {
			return all, fmt.Errorf("cpu sweep: workers must be at least 1, got %d", w)
		}
		opt.Workers = w
		res, err := RunCPU(ctx, opt)
		if err != nil {
			return all, fmt.Errorf("cpu sweep with %d workers: %w", w, err)
		}
		all = append(all, res)
	}
	return all, nil
}

// Fib is the article's CPU-bound function, recursive on purpose: fib(35)
// makes about 30 million calls.
func Fib(n int) int {
	if n < 2 {
		return n
	}
	return Fib(n-2) + Fib(n-1)
}

// SumOfSquares is the sum of i*i for i below n: the 2019 edition's job.
// Past n of about 3 million the sum outgrows int64 and wraps around, where
// Python's integers just grow; the work, which is what we time, is the same.
func SumOfSquares(n int) int {
	sum := 0
	for i := range n {
		sum += i * i
	}
	return sum
}

// ComputeSequential computes f of each input in turn, on one core.
func ComputeSequential(ctx context.Context, f func(int) int, inputs []int, progress ProgressFunc) ([]int, error) {
	count := counter(len(inputs), progress)
	results := make([]int, len(inputs))
	for i, x := range inputs {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		results[i] = f(x)
		count()
	}
	return results, nil
}

// ComputePooled is the "threads" version that Python's GIL stops: workers
// goroutines take inputs from a channel and compute them. Go runs goroutines
// on every core at once (up to GOMAXPROCS), so two workers on two cores
// take half the time.
func ComputePooled(ctx context.Context, f func(int) int, inputs []int, workers int, progress ProgressFunc) ([]int, error) {
	if workers < 1 {
		return nil, errors.New("cpu pooled: workers must be at least 1")
	}
	count := counter(len(inputs), progress)
	results := make([]int, len(inputs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				results[i] = f(inputs[i])
				count()
			}
		})
	}
	var err error
feed:
	for i := range inputs {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err() // stop handing out work; the workers finish theirs
			break feed
		}
	}
	close(next)
	wg.Wait()
	return results, err
}

// ComputeMultiProcess is the article's multiprocessing.Pool: processes
// worker processes compute the inputs, sent over pipes. In Python this is how
// to use every core; in Go it only adds the cost of starting processes and
// passing messages. A func cannot cross into another process, so the job
// goes by name. gomaxprocs > 0 limits each worker process (each has its own,
// as each Python process has its own GIL).
func ComputeMultiProcess(ctx context.Context, job string, inputs []int, processes, gomaxprocs int, progress ProgressFunc) ([]int, error) {
	var env []string
	if gomaxprocs > 0 {
		env = append(env, fmt.Sprintf("GOMAXPROCS=%d", gomaxprocs))
	}
	pool, err := StartProcessPool(ctx, processes, env...)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	tasks := make([]Task, len(inputs))
	for i, x := range inputs {
		tasks[i] = Task{Kind: job, N: x}
	}
	replies, err := pool.Map(ctx, tasks, progress)
	results := make([]int, len(replies))
	for i, r := range replies {
		results[i] = r.Value
	}
	return results, err
}
