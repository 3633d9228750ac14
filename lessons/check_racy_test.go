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

// racyPool runs work(i) for every i below n on workers goroutines that
// share the next index with no lock: each reads it, yields, and writes it
// back plus one, so two can take the same index.
func racyPool(n, workers int, work func(i int)) {
	next := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := next
				runtime.Gosched()
				next = i + 1
				if i >= n {
					return
				}
				work(i)
			}
		})
	}
	wg.Wait()
}

// sharedIndex is the classic racy pool, on racyPool.
func sharedIndex(ctx context.Context, urls []string, workers int) ([]int64, error) {
	client := lessons.NewClient(workers)
	defer client.CloseIdleConnections()
	sizes := make([]int64, len(urls))
	racyPool(len(urls), workers, func(i int) {
		sizes[i], _ = lessons.Fetch(ctx, client, urls[i])
	})
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

// racySquares is the racy CPU pool, on racyPool.
func racySquares(f func(int) int, inputs []int, workers int) []int {
	results := make([]int, len(inputs))
	racyPool(len(inputs), workers, func(i int) {
		results[i] = f(inputs[i])
	})
	return results
}

func TestChecksFindRaces(t *testing.T) {
	runCheckRows(t, []checkRow{
		{"racy pool", func() lessons.Report { return lessons.CheckPooled(context.Background(), sharedIndex, 8) }, false, []string{"fetched more than once: /page/", "a race"}},
		{"racy counter", func() lessons.Report { return lessons.CheckCounter(racyCounter) }, false, []string{"updates were lost", "sync.Mutex"}},
		{"racy CPU pool", func() lessons.Report { return lessons.CheckComputePooled(racySquares, 4) }, false, []string{"f was called more than once", "(a race)"}},
	})
}
