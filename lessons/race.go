package lessons

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// RaceFixes are the fixes RunRace knows; "" is no fix at all.
var RaceFixes = []string{"mutex", "atomic", "channel"}

// RaceOptions choose one run of the race lesson.
type RaceOptions struct {
	Fix        string // "" (no fix: updates are lost), "mutex", "atomic" or "channel"
	Goroutines int    // goroutines incrementing the counter (default 100)
	Increments int    // increments per goroutine (default 1000)
}

// RaceResult is what the counter should be and what it was.
type RaceResult struct {
	Version  string // "racy", or the fix
	Expected int64
	Got      int64
}

// Lost is how many updates went missing.
func (r RaceResult) Lost() int64 { return r.Expected - r.Got }

// String reads like "racy: expected 100000, got 51234 (48766 updates lost)".
func (r RaceResult) String() string {
	s := fmt.Sprintf("%s: expected %d, got %d", r.Version, r.Expected, r.Got)
	if r.Lost() != 0 {
		s += fmt.Sprintf(" (%d updates lost)", r.Lost())
	}
	return s
}

// CheckRace reports whether RunRace accepts the options.
func CheckRace(opt RaceOptions) error {
	if opt.Fix != "" && !slices.Contains(RaceFixes, opt.Fix) {
		return fmt.Errorf("race: unknown fix %q (want none, or one of %s)", opt.Fix, strings.Join(RaceFixes, ", "))
	}
	if opt.Goroutines < 0 || opt.Increments < 0 {
		return fmt.Errorf("race: goroutines and increments must not be negative, got %d and %d", opt.Goroutines, opt.Increments)
	}
	return nil
}

// RunRace has many goroutines increment one counter, without a fix (losing
// updates) or with one (counting exactly). It panics on options CheckRace
// rejects.
func RunRace(opt RaceOptions) RaceResult {
	if err := CheckRace(opt); err != nil {
		panic(err)
	}
	if opt.Goroutines == 0 {
		opt.Goroutines = 100
	}
	if opt.Increments == 0 {
		opt.Increments = 1000
	}
	res := RaceResult{Version: opt.Fix, Expected: int64(opt.Goroutines) * int64(opt.Increments)}
	switch opt.Fix {
	case "":
		res.Version = Racy
		res.Got = CountRacy(opt.Goroutines, opt.Increments)
	case "mutex":
		res.Got = CountWithMutex(opt.Goroutines, opt.Increments)
	case "atomic":
		res.Got = CountWithAtomic(opt.Goroutines, opt.Increments)
	case "channel":
		res.Got = CountWithChannel(opt.Goroutines, opt.Increments)
	}
	return res
}

// CountWithMutex is CountRacy with the read-yield-write made a critical
// section: while one goroutine holds the lock, no other can read the
// counter, so nothing is lost, even though it still yields in between.
func CountWithMutex(goroutines, increments int) int64 {
	var (
		mu      sync.Mutex
		counter int64
		wg      sync.WaitGroup
	)
	for range goroutines {
		wg.Go(func() {
			for range increments {
				mu.Lock()
				v := counter
				runtime.Gosched()
				counter = v + 1
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return counter
}

// CountWithAtomic makes read-add-write one indivisible step of the
// processor: no lock, no lost update.
func CountWithAtomic(goroutines, increments int) int64 {
	var (
		counter atomic.Int64
		wg      sync.WaitGroup
	)
	for range goroutines {
		wg.Go(func() {
			for range increments {
				counter.Add(1)
			}
		})
	}
	wg.Wait()
	return counter.Load()
}

// CountWithChannel confines the counter to one goroutine: the others send it
// increments and it alone adds them up. "Do not communicate by sharing
// memory; share memory by communicating."
func CountWithChannel(goroutines, increments int) int64 {
	adds := make(chan int64)
	total := make(chan int64)
	go func() { // the counter's owner
		var counter int64
		for n := range adds {
			counter += n
		}
		total <- counter
	}()
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range increments {
				adds <- 1
			}
		})
	}
	wg.Wait()
	close(adds)
	return <-total
}
