//go:build !race

// The racy solutions race on purpose, so -race builds leave them out.

package lessons_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/gospeed/gospeed/lessons"
)

// sharedIndex is the classic racy pool: the workers share the number of the
// next page with no lock, read it, yield, and write it back plus one.
func sharedIndex(ctx context.Context, urls []string, workers int) ([]int64, error) {
	client := lessons.NewClient(workers)
	defer client.CloseIdleConnections()
	sizes := make([]int64, len(urls))
	next := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next
				runtime.Gosched()
				next = i + 1
				if i >= len(urls) {
					return
				}
				sizes[i], _ = lessons.Fetch(ctx, client, urls[i])
			}
		}()
	}
	wg.Wait()
	return sizes, nil
}

// racyCounter is the racy counter, with the yield that makes it lose
// updates on any machine.
func racyCounter(goroutines, increments int) int64 {
	var counter int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range increments {
				v := counter
				runtime.Gosched()
				counter = v + 1
			}
		}()
	}
	wg.Wait()
	return counter
}

// racySquares shares the next input's index the same way.
func racySquares(f func(int) int, inputs []int, workers int) []int {
	results := make([]int, len(inputs))
	next := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next
				runtime.Gosched()
				next = i + 1
				if i >= len(inputs) {
					return
				}
				results[i] = f(inputs[i])
			}
		}()
	}
	wg.Wait()
	return results
}

func TestChecksFindRaces(t *testing.T) {
	runCheckRows(t, []checkRow{
		{"racy pool", func() lessons.Report { return lessons.CheckPooled(context.Background(), sharedIndex, 8) }, false, []string{"fetched more than once: /page/", "a race"}},
		{"racy counter", func() lessons.Report { return lessons.CheckCounter(racyCounter) }, false, []string{"updates were lost", "sync.Mutex"}},
		{"racy CPU pool", func() lessons.Report { return lessons.CheckComputePooled(racySquares, 4) }, false, []string{"f was called more than once", "(a race)"}},
	})
}
