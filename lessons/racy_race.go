//go:build race

// In -race builds this file replaces racy.go: the same lessons, with every
// access to the shared counters made an atomic load or store. The read and
// the write are still separate steps, so updates are lost exactly as in
// racy.go (a race condition), but there is no data race for the detector to
// report: `go test -race ./...` stays quiet about the lesson it is meant to
// show. Source() shows racy.go, the version a learner should read.

package lessons

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// RacyStats counts pages and bytes for workers that share it, without
// locking (race build: see the file comment).
type RacyStats struct {
	Pages int64
	Bytes int64
}

// Record counts one page of n bytes, losing updates like racy.go's.
func (s *RacyStats) Record(n int64) {
	pages, bytes := atomic.LoadInt64(&s.Pages), atomic.LoadInt64(&s.Bytes)
	runtime.Gosched()
	atomic.StoreInt64(&s.Pages, pages+1)
	atomic.StoreInt64(&s.Bytes, bytes+n)
}

// CountRacy loses updates like racy.go's (race build: see the file comment).
func CountRacy(goroutines, increments int) int64 {
	var counter int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range increments {
				v := atomic.LoadInt64(&counter)
				runtime.Gosched()
				atomic.StoreInt64(&counter, v+1)
			}
		})
	}
	wg.Wait()
	return counter
}
