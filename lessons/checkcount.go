package lessons

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The counter exercise's size: RunRace's, enough goroutines and increments
// that an unprotected counter loses updates on any machine with two cores.
const (
	checkGoroutines = 100
	checkIncrements = 1000
)

// CheckCounter checks a counter that many goroutines increment (100
// goroutines, 1000 increments each, 3 runs): it must count exactly every
// time. It compares the time with CountWithAtomic's. Counting exactly
// proves no lost update in these runs, not the absence of a race: only the
// race detector (go run -race) can tell that.
func CheckCounter(count CountFunc) Report {
	rep := Report{Exercise: "a counter shared by goroutines"}
	if count == nil {
		rep.Problems = append(rep.Problems, "there is no function to check (nil)")
		return rep
	}
	want := int64(checkGoroutines * checkIncrements)
	var yours, ref []float64
	for run := 1; run <= checkRuns; run++ {
		start := time.Now()
		CountWithAtomic(checkGoroutines, checkIncrements)
		ref = append(ref, time.Since(start).Seconds())

		got, took, err := call(context.Background(), checkTimeout, func(context.Context) (int64, error) {
			return count(checkGoroutines, checkIncrements), nil
		})
		yours = append(yours, took.Seconds())
		if p := countProblem(got, want, run, err); p != "" {
			rep.Problems = append(rep.Problems, p)
			break
		}
	}
	rep.Yours = countResult("yours", yours)
	rep.Reference = countResult("atomic", ref)
	rep.Passed = len(rep.Problems) == 0
	if rep.Passed {
		rep.Notes = append(rep.Notes,
			fmt.Sprintf("It counted %d exactly in all %d runs. That shows no update was lost this time, not that there is no race: run it with the race detector (%%%%go run -race) to know.", want, checkRuns),
			timingNote(rep.Yours, rep.Reference, "CountWithAtomic",
				"An interpreted cell runs a tight loop about a hundred times slower than compiled Go; in a %%go run cell, a mutex costs a few times an atomic add, and a channel send more."))
	}
	return rep
}

// countProblem says what is wrong with one run's count, or "".
func countProblem(got, want int64, run int, err error) string {
	switch {
	case errors.Is(err, errHung):
		return fmt.Sprintf("it did not return within %v. Does it wait for a goroutine that never finishes, or a WaitGroup whose Done is never called?", checkTimeout)
	case err != nil:
		return err.Error()
	case got < want:
		return fmt.Sprintf("run %d: expected %d, got %d: %d updates were lost. Two goroutines read the same value and both wrote value+1. Protect the counter: a sync.Mutex around the increment, an atomic.Int64, or one goroutine that owns it.", run, want, got, want-got)
	case got > want:
		return fmt.Sprintf("run %d: expected %d, got %d: %d more than were added. Does every goroutine add exactly increments times, and is the count read only after all of them are done?", run, want, got, got-want)
	}
	return ""
}

// countResult sums up a counter's runs, for the report's table.
func countResult(version string, seconds []float64) Result {
	res := Result{Job: "race", Version: version, Workers: checkGoroutines, Tasks: checkGoroutines * checkIncrements,
		Seconds: median(seconds), Runs: len(seconds), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	res.Min, res.Max = minMax(seconds)
	return res
}

// The CPU pool exercise's job: sums of squares below 4_000_000+x, 24 of
// them, all about the same work, each input its own, so the check can tell
// which were computed and how often.
const (
	checkSquares = 4_000_000
	checkTasks   = 24
)

// CheckComputePooled checks a pool of workers computing f of every input
// (24 sums of squares): every result right and in place, every input
// computed once, at most workers at once, and with several cores more than
// one at a time. It compares the time with ComputeSequential's and
// ComputePooled's, run by turns with it.
func CheckComputePooled(compute ComputeFunc, workers int) Report {
	rep := Report{Exercise: "a pool of CPU workers"}
	switch {
	case compute == nil:
		rep.Problems = append(rep.Problems, "there is no function to check (nil)")
		return rep
	case workers < 1:
		rep.Problems = append(rep.Problems, fmt.Sprintf("the check needs at least 1 worker, got %d", workers))
		return rep
	}
	inputs := make([]int, checkTasks)
	for i := range inputs {
		inputs[i] = checkSquares + i
	}
	var yours, seq, ref []float64
	var last *watchedFunc
	for range checkRuns {
		start := time.Now()
		ComputeSequential(context.Background(), SumOfSquares, inputs, nil)
		seq = append(seq, time.Since(start).Seconds())
		start = time.Now()
		ComputePooled(context.Background(), SumOfSquares, inputs, workers, nil)
		ref = append(ref, time.Since(start).Seconds())

		w := &watchedFunc{calls: map[int]int{}}
		results, took, err := call(context.Background(), checkTimeout, func(context.Context) ([]int, error) {
			return compute(w.f, slices.Clone(inputs), workers), nil
		})
		yours = append(yours, took.Seconds())
		last = w
		if ps := computeProblems(w, results, inputs, workers, err); len(ps) > 0 {
			rep.Problems = ps
			break
		}
	}
	rep.Yours = computeResult("yours", workers, yours)
	rep.Reference = computeResult("pooled", workers, ref)
	rep.Passed = len(rep.Problems) == 0
	if rep.Passed {
		sequential := computeResult("sequential", 1, seq)
		rep.Notes = append(rep.Notes,
			fmt.Sprintf("Every input was computed once, at most %d at a time, with GOMAXPROCS=%d.", last.most.Load(), runtime.GOMAXPROCS(0)),
			timingNote(rep.Yours, rep.Reference, "ComputePooled",
				"f is compiled, so the interpreter is not the cause: do the workers wait for each other, or start late?"),
			SpeedupOf(rep.Yours, sequential).String()+".")
	}
	return rep
}

// watchedFunc is SumOfSquares, counting its calls per input and the most
// that ran at once.
type watchedFunc struct {
	mu        sync.Mutex
	calls     map[int]int
	now, most atomic.Int64
}

func (w *watchedFunc) f(n int) int {
	now := w.now.Add(1)
	for most := w.most.Load(); now > most && !w.most.CompareAndSwap(most, now); most = w.most.Load() {
	}
	defer w.now.Add(-1)
	w.mu.Lock()
	w.calls[n]++
	w.mu.Unlock()
	return SumOfSquares(n)
}

// computeProblems say what is wrong with one run of a CPU pool.
func computeProblems(w *watchedFunc, results, inputs []int, workers int, err error) []string {
	switch {
	case errors.Is(err, errHung):
		return []string{fmt.Sprintf("it did not return within %v. Does it wait for something that never comes: a channel nobody closes, or a WaitGroup whose Done is never called?", checkTimeout)}
	case err != nil:
		return []string{err.Error()}
	}
	var ps []string
	var missed, twice []string
	for _, x := range inputs {
		switch n := w.calls[x]; {
		case n == 0:
			missed = append(missed, fmt.Sprint(x))
		case n > 1:
			twice = append(twice, fmt.Sprintf("%d (%d times)", x, n))
		}
	}
	if len(missed) > 0 {
		ps = append(ps, fmt.Sprintf("f was never called for %d of %d inputs: %s. Every input must be computed.", len(missed), len(inputs), list(missed)))
	}
	if len(twice) > 0 {
		ps = append(ps, fmt.Sprintf("f was called more than once for %d of %d inputs: %s. Hand each input to exactly one worker, through a channel: workers that share the next index without a lock can read the same one (a race).", len(twice), len(inputs), list(twice)))
	}
	if len(results) != len(inputs) {
		ps = append(ps, fmt.Sprintf("it returned %d results for %d inputs: return results[i] = f(inputs[i]) for each i.", len(results), len(inputs)))
	} else {
		for i, x := range inputs {
			if results[i] != SumOfSquares(x) {
				ps = append(ps, fmt.Sprintf("results[%d] is %d, want f(inputs[%d]) = %d. Each worker must put its result in the input's own slot, results[i].", i, results[i], i, SumOfSquares(x)))
				break
			}
		}
	}
	most := w.most.Load()
	if most > int64(workers) {
		ps = append(ps, fmt.Sprintf("f ran %d times at once, more than the %d workers asked for.", most, workers))
	}
	// Under GOMAXPROCS=1 the workers do take turns, and an f shorter than
	// a time slice may never be caught halfway: nothing to tell then.
	if len(ps) == 0 && most == 1 && workers > 1 && runtime.GOMAXPROCS(0) > 1 {
		ps = append(ps, "f never ran twice at once: the workers took turns. Do they run as goroutines, and does each compute outside any lock?")
	}
	return ps
}

// computeResult sums up a CPU pool's runs, for the report's table.
func computeResult(version string, workers int, seconds []float64) Result {
	res := Result{Job: "cpu", Version: version, Workers: workers, Tasks: checkTasks,
		Seconds: median(seconds), Runs: len(seconds), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Work: fmt.Sprintf("sums of squares below %d+x, x < %d", checkSquares, checkTasks)}
	res.Min, res.Max = minMax(seconds)
	return res
}
