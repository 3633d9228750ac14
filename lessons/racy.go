//go:build !race

// The intentionally racy code of the lessons lives in this file, which is
// left out of -race builds: there racy_race.go stands in for it with the same
// lost updates made of atomic loads and stores, so `go test -race ./...`
// checks the rest of the package without tripping on the lesson itself.

package lessons

import (
	"runtime"
	"sync"
)

// RacyStats counts pages and bytes for workers that share it, without any
// synchronization: the bug of the "racy" version.
type RacyStats struct {
	Pages int64
	Bytes int64
}

// Record counts one page of n bytes. It reads, yields (as a goroutine may at
// any moment), then writes back: whatever another worker recorded in
// between is overwritten and lost.
func (s *RacyStats) Record(n int64) {
	pages, bytes := s.Pages, s.Bytes
	runtime.Gosched()
	s.Pages, s.Bytes = pages+1, bytes+n
}

// CountRacy has goroutines each add 1 to a shared counter increments times,
// with no synchronization. A read, a yield, a write: two goroutines that
// read the same value both write value+1, and one update is lost.
func CountRacy(goroutines, increments int) int64 {
	var counter int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range increments {
				v := counter      // read
				runtime.Gosched() // let another goroutine run in between
				counter = v + 1   // write back, over whatever it did
			}
		})
	}
	wg.Wait()
	return counter
}
