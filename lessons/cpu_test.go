package lessons_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// fibIter is Fib computed another way, to check it against.
func fibIter(n int) int {
	a, b := 0, 1
	for range n {
		a, b = b, a+b
	}
	return a
}

func TestFib(t *testing.T) {
	for n := range 25 {
		if got, want := lessons.Fib(n), fibIter(n); got != want {
			t.Errorf("Fib(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestSumOfSquares(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 1000, 3_000_000, 5_000_000} {
		// The closed form, (n-1)n(2n-1)/6, in big integers, then wrapped to
		// 64 bits as Go's int wraps (past n of about 3 million).
		b := big.NewInt(int64(n))
		sum := new(big.Int).Mul(new(big.Int).Sub(b, big.NewInt(1)), b)
		sum.Mul(sum, new(big.Int).Sub(new(big.Int).Mul(b, big.NewInt(2)), big.NewInt(1)))
		sum.Div(sum, big.NewInt(6))
		want := int(new(big.Int).And(sum, new(big.Int).SetUint64(math.MaxUint64)).Uint64())
		if got := lessons.SumOfSquares(n); got != want {
			t.Errorf("SumOfSquares(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestCPUInputs(t *testing.T) {
	fib := lessons.CPUOptions{Job: "fib", N: 35, Tasks: 3}.Inputs()
	squares := lessons.CPUOptions{Job: "squares", N: 5_000_000, Tasks: 3}.Inputs()
	if len(fib) != 3 || fib[0] != 35 || fib[2] != 35 {
		t.Errorf("fib inputs %v, want 35 three times", fib)
	}
	if len(squares) != 3 || squares[0] != 5_000_000 || squares[2] != 5_000_002 {
		t.Errorf("squares inputs %v, want 5000000+x for x in 0..2", squares)
	}
}

func TestCPUVersionsComputeTheSameResults(t *testing.T) {
	ctx := context.Background()
	inputs := []int{20, 21, 22, 23, 24, 25}
	want, err := lessons.ComputeSequential(ctx, lessons.Fib, inputs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range inputs {
		if want[i] != fibIter(x) {
			t.Fatalf("sequential Fib(%d) = %d, want %d", x, want[i], fibIter(x))
		}
	}
	pooled, err := lessons.ComputePooled(ctx, lessons.Fib, inputs, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	multi, err := lessons.ComputeMultiProcess(ctx, "fib", inputs, 2, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range inputs {
		if pooled[i] != want[i] || multi[i] != want[i] {
			t.Errorf("input %d: pooled %d, multi-process %d, want %d (in input order)", inputs[i], pooled[i], multi[i], want[i])
		}
	}
}

func TestRunCPUEveryVersionAndJob(t *testing.T) {
	for _, version := range lessons.CPUVersions {
		for _, job := range lessons.CPUJobs {
			n := 22
			if job == "squares" {
				n = 100_000
			}
			done := 0
			res, err := lessons.RunCPU(context.Background(), lessons.CPUOptions{
				Version: version, Workers: 2, Job: job, N: n, Tasks: 6,
				Progress: func(d, total int) {
					if d != done+1 || total != 6 {
						t.Errorf("progress(%d, %d) after %d, want (%d, 6)", d, total, done, done+1)
					}
					done = d
				},
			})
			if err != nil {
				t.Fatalf("%s %s: %v", version, job, err)
			}
			wantWorkers := 2
			if version == "sequential" {
				wantWorkers = 1
			}
			if res.Job != "cpu" || res.Version != version || res.Tasks != 6 || res.Workers != wantWorkers || res.Seconds <= 0 {
				t.Errorf("%s %s: result %+v", version, job, res)
			}
			if done != 6 {
				t.Errorf("%s %s: progress reached %d of 6", version, job, done)
			}
		}
	}
}

func TestRunCPUSetsAndRestoresGOMAXPROCS(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	res, err := lessons.RunCPU(context.Background(), lessons.CPUOptions{Version: "pooled", Workers: 2, N: 15, Tasks: 4, GOMAXPROCS: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.GOMAXPROCS != 1 {
		t.Errorf("result GOMAXPROCS %d, want 1", res.GOMAXPROCS)
	}
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Errorf("GOMAXPROCS %d after the run, want %d restored", after, before)
	}
}

func TestRunCPURejectsBadOptions(t *testing.T) {
	for _, opt := range []lessons.CPUOptions{
		{Version: "threads"},
		{Version: "pooled", Job: "primes"},
		{Version: "pooled", Workers: -1},
		{Version: "pooled", N: -1},
		{Version: "pooled", Tasks: -1},
		{Version: "pooled", GOMAXPROCS: -1},
	} {
		if err := lessons.CheckCPU(opt); err == nil {
			t.Errorf("CheckCPU(%+v) = nil, want an error", opt)
		}
		if _, err := lessons.RunCPU(context.Background(), opt); err == nil {
			t.Errorf("RunCPU(%+v) succeeded, want an error", opt)
		}
	}
	for _, version := range lessons.CPUVersions {
		for _, job := range lessons.CPUJobs {
			if err := lessons.CheckCPU(lessons.CPUOptions{Version: version, Job: job}); err != nil {
				t.Errorf("CheckCPU rejects version %q with job %q: %v", version, job, err)
			}
		}
	}
}

func TestRunCPUStopsOnCancel(t *testing.T) {
	for _, version := range lessons.CPUVersions {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := lessons.RunCPU(ctx, lessons.CPUOptions{Version: version, Workers: 2, N: 30, Tasks: 100})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", version, err)
		}
	}
}

// bestOf runs each option set rounds times, interleaved so that all see the
// same load, and returns the fastest time of each: on a shared machine the
// minimum is the measurement least disturbed by others.
func bestOf(t *testing.T, rounds int, opts ...lessons.CPUOptions) []float64 {
	t.Helper()
	best := make([]float64, len(opts))
	for range rounds {
		for i, opt := range opts {
			res, err := lessons.RunCPU(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			if best[i] == 0 || res.Seconds < best[i] {
				best[i] = res.Seconds
			}
		}
	}
	return best
}

// TestPooledUsesBothCores: the article's "threads" version, stopped by
// Python's GIL, runs in parallel in Go. With 2 workers on 2 cores it should be
// at least 1.7x faster than sequential; under GOMAXPROCS=1 it cannot be.
func TestPooledUsesBothCores(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs 2 CPUs")
	}
	if raceEnabled {
		t.Skip("-race build: the race detector distorts timings; the plain test run checks this ratio")
	}
	const n = 29
	opt := lessons.CPUOptions{Job: "fib", N: n, Tasks: 20}
	seqOpt, pooledOpt, gilOpt := opt, opt, opt
	seqOpt.Version = "sequential"
	pooledOpt.Version, pooledOpt.Workers = "pooled", 2
	gilOpt.Version, gilOpt.Workers, gilOpt.GOMAXPROCS = "pooled", 2, 1
	// Other work on the machine slows some rounds; keep the best of each
	// version until the ratio shows, or 20 rounds have not shown it.
	var seq, pooled, gil, bare float64
	for round := 1; round <= 20; round++ {
		best := bestOf(t, 1, seqOpt, pooledOpt, gilOpt)
		b := bareParallel(n, 20)
		if round == 1 {
			seq, pooled, gil, bare = best[0], best[1], best[2], b
		}
		seq, pooled, gil, bare = min(seq, best[0]), min(pooled, best[1]), min(gil, best[2]), min(bare, b)
		if round >= 3 && seq/pooled >= 1.7 && seq/gil <= 1.3 {
			break
		}
	}
	if (seq/pooled < 1.7 || seq/gil > 1.3) && seq/bare < 1.7 {
		t.Skipf("the machine is too busy to show it: two bare goroutines were only %.2fx faster than sequential (pooled %.2fx)", seq/bare, seq/pooled)
	}
	t.Logf("fib(%d) x 20: sequential %.4fs, pooled(2) %.4fs (%.2fx), pooled(2) with GOMAXPROCS=1 %.4fs (%.2fx)",
		n, seq, pooled, seq/pooled, gil, seq/gil)
	if seq/pooled < 1.7 {
		t.Errorf("pooled with 2 workers is %.2fx faster than sequential at best, want at least 1.7x (is the machine busy?)", seq/pooled)
	}
	if seq/gil > 1.3 {
		t.Errorf("pooled under GOMAXPROCS=1 is %.2fx faster than sequential; one core cannot do that", seq/gil)
	}
}

// bareParallel is the time two plain goroutines take to compute Fib(n)
// tasks times between them: how much parallelism the machine offers now.
func bareParallel(n, tasks int) float64 {
	start := time.Now()
	sums := make(chan int)
	for range 2 {
		go func() {
			sum := 0
			for range tasks / 2 {
				sum += lessons.Fib(n)
			}
			sums <- sum
		}()
	}
	a, b := <-sums, <-sums
	if a != b {
		panic("two goroutines computed different sums of the same numbers")
	}
	return time.Since(start).Seconds()
}

// TestGoBeatsCPythonMultiprocessing runs testdata/cpu_job.py, the article's
// multiprocessing.Pool version, with the same job and as many processes as
// Go's pooled version has workers, and compares the times of this one run.
// fib(30) rather than fib(35) keeps it to about a second; the ratio is the
// same as both do the same calls.
func TestGoBeatsCPythonMultiprocessing(t *testing.T) {
	if raceEnabled {
		t.Skip("-race build: the race detector slows Go several times over, so the comparison would mean nothing")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: cannot compare with CPython's multiprocessing version")
	}
	const n, tasks = 30, 20
	workers := runtime.GOMAXPROCS(0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "testdata/cpu_job.py", itoa(n), itoa(tasks), itoa(workers)).Output()
	if err != nil {
		t.Fatalf("python3 testdata/cpu_job.py: %v", err)
	}
	var py struct {
		Seconds float64 `json:"seconds"`
		Result  int     `json:"result"`
	}
	if err := json.Unmarshal(out, &py); err != nil {
		t.Fatalf("python3 said %q: %v", out, err)
	}
	if py.Result != lessons.Fib(n) {
		t.Fatalf("CPython's fib(%d) = %d, Go's %d: not the same job", n, py.Result, lessons.Fib(n))
	}
	goSeconds := bestOf(t, 3, lessons.CPUOptions{Version: "pooled", Workers: workers, Job: "fib", N: n, Tasks: tasks})[0]
	ratio := py.Seconds / goSeconds
	t.Logf("fib(%d) x %d on %d workers: CPython multiprocessing %.3fs, Go pooled %.3fs: Go %.1fx faster", n, tasks, workers, py.Seconds, goSeconds, ratio)
	if ratio < 15 {
		t.Errorf("Go pooled is %.1fx faster than CPython's multiprocessing, want at least 15x", ratio)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestSweepCPU(t *testing.T) {
	rs, err := lessons.SweepCPU(context.Background(), lessons.CPUOptions{Version: "pooled", N: 20, Tasks: 4}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Workers != 1 || rs[1].Workers != 2 || rs[1].Tasks != 4 {
		t.Errorf("sweep %+v: want pooled with 1, then 2 workers", rs)
	}
	if _, err := lessons.SweepCPU(context.Background(), lessons.CPUOptions{Version: "pooled"}, []int{0}); err == nil {
		t.Error("SweepCPU with 0 workers succeeded")
	}
	if _, err := lessons.SweepCPU(context.Background(), lessons.CPUOptions{Version: "pooled"}, nil); err == nil {
		t.Error("SweepCPU with no worker counts succeeded")
	}
}
