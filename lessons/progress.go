package lessons

import "sync"

// counter returns a function that each version calls once per finished task,
// from any goroutine. It tells progress (if any) how many are done, holding a
// lock so that progress sees one call at a time, in order.
func counter(total int, progress ProgressFunc) func() {
	var mu sync.Mutex
	done := 0
	return func() {
		mu.Lock()
		defer mu.Unlock()
		done++
		if progress != nil {
			progress(done, total)
		}
	}
}
