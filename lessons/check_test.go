package lessons_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gospeed/gospeed/lessons"
)

// The solutions a learner might write, right and wrong. The racy ones are
// in check_racy_test.go, out of -race builds.

// pool runs worker on workers goroutines that share the indexes 0 to n-1
// from one channel, and waits for them all: the pools below differ only in
// their workers.
func pool(n, workers int, worker func(next <-chan int)) {
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { worker(next) })
	}
	wg.Wait()
}

// poolOf is a right worker pool: one shared client sized to the workers,
// each size in its own slot.
func poolOf(ctx context.Context, urls []string, workers int) ([]int64, error) {
	client := lessons.NewClient(workers)
	defer client.CloseIdleConnections()
	sizes := make([]int64, len(urls))
	errs := make(chan error, workers)
	pool(len(urls), workers, func(next <-chan int) {
		for i := range next {
			n, err := lessons.Fetch(ctx, client, urls[i])
			if err != nil {
				errs <- err
				return
			}
			sizes[i] = n
		}
	})
	close(errs)
	return sizes, <-errs
}

// perWorker is a right pool whose workers each own a client.
func perWorker(ctx context.Context, urls []string, workers int) ([]int64, error) {
	sizes := make([]int64, len(urls))
	pool(len(urls), workers, func(next <-chan int) {
		client := lessons.NewClient(1)
		defer client.CloseIdleConnections()
		for i := range next {
			sizes[i], _ = lessons.Fetch(ctx, client, urls[i])
		}
	})
	return sizes, nil
}

// clientPerPage makes a new client for every page: right, but every page
// opens a connection.
func clientPerPage(ctx context.Context, urls []string, workers int) ([]int64, error) {
	sizes := make([]int64, len(urls))
	pool(len(urls), workers, func(next <-chan int) {
		for i := range next {
			client := lessons.NewClient(1)
			sizes[i], _ = lessons.Fetch(ctx, client, urls[i])
			client.CloseIdleConnections()
		}
	})
	return sizes, nil
}

// bounded is a right goroutine per page, at most limit at once through a
// semaphore channel.
func bounded(ctx context.Context, urls []string, limit int) ([]int64, error) {
	client := lessons.NewClient(limit)
	defer client.CloseIdleConnections()
	sizes := make([]int64, len(urls))
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			sizes[i], _ = lessons.Fetch(ctx, client, url)
		}()
	}
	wg.Wait()
	return sizes, nil
}

// unbounded starts a goroutine per page with no bound.
func unbounded(ctx context.Context, urls []string, _ int) ([]int64, error) {
	return bounded(ctx, urls, len(urls))
}

// lockedPool holds a lock while it downloads: right, one page at a time.
func lockedPool(ctx context.Context, urls []string, workers int) ([]int64, error) {
	client := lessons.NewClient(workers)
	defer client.CloseIdleConnections()
	sizes := make([]int64, len(urls))
	var mu sync.Mutex
	pool(len(urls), workers, func(next <-chan int) {
		for i := range next {
			mu.Lock()
			sizes[i], _ = lessons.Fetch(ctx, client, urls[i])
			mu.Unlock()
		}
	})
	return sizes, nil
}

// allButLast forgets the last page.
func allButLast(ctx context.Context, urls []string, workers int) ([]int64, error) {
	sizes, err := poolOf(ctx, urls[:len(urls)-1], workers)
	return append(sizes, 0), err
}

// appended appends each size as it comes, under a lock: no race, but the
// sizes come back in the order the pages finished.
func appended(ctx context.Context, urls []string, workers int) ([]int64, error) {
	client := lessons.NewClient(workers)
	defer client.CloseIdleConnections()
	var sizes []int64
	var mu sync.Mutex
	pool(len(urls), workers, func(next <-chan int) {
		for i := range next {
			n, _ := lessons.Fetch(ctx, client, urls[len(urls)-1-i]) // backwards, so the order is surely wrong
			mu.Lock()
			sizes = append(sizes, n)
			mu.Unlock()
		}
	})
	return sizes, nil
}

func panics(context.Context, []string, int) ([]int64, error) {
	var sizes []int64
	sizes[3] = 1 // index out of range
	return sizes, nil
}

// checkSays runs a check and tests what it tells the learner.
type checkRow struct {
	name   string
	check  func() lessons.Report
	passed bool
	says   []string // each must appear in the report's text
}

func runCheckRows(t *testing.T, rows []checkRow) {
	t.Helper()
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			rep := row.check()
			text := rep.String()
			if rep.Passed != row.passed {
				t.Errorf("Passed = %v, want %v:\n%s", rep.Passed, row.passed, text)
			}
			if rep.Passed != (len(rep.Problems) == 0) {
				t.Errorf("Passed = %v with %d problems:\n%s", rep.Passed, len(rep.Problems), text)
			}
			for _, want := range row.says {
				if !strings.Contains(text, want) {
					t.Errorf("the report does not say %q:\n%s", want, text)
				}
			}
			if !strings.HasPrefix(text, map[bool]string{true: "✓ ", false: "✗ "}[row.passed]) {
				t.Errorf("the report does not start with its verdict:\n%s", text)
			}
		})
	}
}

func TestCheckDownloads(t *testing.T) {
	ctx := context.Background()
	pooled := func(fn lessons.DownloadFunc) func() lessons.Report {
		return func() lessons.Report { return lessons.CheckPooled(ctx, fn, 8) }
	}
	runCheckRows(t, []checkRow{
		{"right pool", pooled(poolOf), true, []string{"right", "every page once, at most 8 at a time, over 8 connections", "DownloadPooled", "median of 3"}},
		{"slow pool", pooled(lockedPool), false, []string{"never saw two requests at once"}},
		{"wrong pool", pooled(allButLast), false, []string{"1 of 40 pages was never fetched: /page/39", "sizes[39] is 0"}},
		{"sizes out of order", pooled(appended), false, []string{"sizes are wrong; sizes[0] is 10", "but page 0 has 1024 bytes", "own slot"}},
		{"panics", pooled(panics), false, []string{"it panicked: runtime error: index out of range"}},
		{"nil", pooled(nil), false, []string{"no function"}},
		{"no workers", func() lessons.Report { return lessons.CheckPooled(ctx, poolOf, 0) }, false, []string{"at least 1 worker"}},

		{"right per-worker client", func() lessons.Report { return lessons.CheckThreadLocal(ctx, perWorker, 4) }, true, []string{"over 4 connections", "DownloadThreadLocal"}},
		{"client per page", func() lessons.Report { return lessons.CheckThreadLocal(ctx, clientPerPage, 4) }, false, []string{"every page opened a connection of its own (40 connections for 40 pages)"}},

		{"right bounded goroutines", func() lessons.Report { return lessons.CheckGoroutines(ctx, bounded, 8) }, true, []string{"at most 8 at a time", "DownloadGoroutines"}},
		{"unbounded goroutines", func() lessons.Report { return lessons.CheckGoroutines(ctx, unbounded, 8) }, false, []string{"requests at once, more than the 8 allowed"}},
	})
}

// A report shows in a notebook as its text, then a table and a chart of
// both versions' runs.
func TestReportHTML(t *testing.T) {
	rep := lessons.CheckPooled(context.Background(), poolOf, 4)
	html := string(rep.HTML())
	for _, want := range []string{">✓ a worker pool", "<table", "min–max", "<svg", ">yours<"} {
		if !strings.Contains(html, want) {
			t.Errorf("the report's HTML lacks %q:\n%.3000s", want, html)
		}
	}
}

func TestCheckCounter(t *testing.T) {
	runCheckRows(t, []checkRow{
		{"atomic", func() lessons.Report { return lessons.CheckCounter(lessons.CountWithAtomic) }, true, []string{"counted 100000 exactly in all 3 runs", "-race", "CountWithAtomic"}},
		{"slow: a yield inside the lock", func() lessons.Report { return lessons.CheckCounter(lessons.CountWithMutex) }, true, []string{"slower even at best", "a mutex costs"}},
		{"wrong: one too many", func() lessons.Report {
			return lessons.CheckCounter(func(g, n int) int64 { return lessons.CountWithAtomic(g, n) + 1 })
		}, false, []string{"expected 100000, got 100001: 1 more than were added"}},
		{"wrong: goroutines not waited for", func() lessons.Report {
			return lessons.CheckCounter(func(g, n int) int64 { return 0 })
		}, false, []string{"expected 100000, got 0: 100000 updates were lost"}},
	})
}

// pooledSquares is a right CPU pool.
func pooledSquares(f func(int) int, inputs []int, workers int) []int {
	results := make([]int, len(inputs))
	pool(len(inputs), workers, func(next <-chan int) {
		for i := range next {
			results[i] = f(inputs[i])
		}
	})
	return results
}

func TestCheckComputePooled(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS of 2 or more: with 1, workers that take turns are all there is")
	}
	runCheckRows(t, []checkRow{
		{"right", func() lessons.Report { return lessons.CheckComputePooled(pooledSquares, 2) }, true, []string{"Every input was computed once, at most", "ComputePooled", "as fast as sequential"}},
		{"slow: one lock around f", func() lessons.Report {
			var mu sync.Mutex
			return lessons.CheckComputePooled(func(f func(int) int, inputs []int, workers int) []int {
				return pooledSquares(func(n int) int { mu.Lock(); defer mu.Unlock(); return f(n) }, inputs, workers)
			}, 2)
		}, false, []string{"f never ran twice at once"}},
		{"wrong: results appended", func() lessons.Report {
			return lessons.CheckComputePooled(func(f func(int) int, inputs []int, workers int) []int {
				var results []int
				for i := len(inputs) - 1; i >= 0; i-- {
					results = append(results, f(inputs[i]))
				}
				return results
			}, 2)
		}, false, []string{"results[0] is", "own slot"}},
		{"wrong: each computed twice", func() lessons.Report {
			return lessons.CheckComputePooled(func(f func(int) int, inputs []int, workers int) []int {
				pooledSquares(f, inputs, workers)
				return pooledSquares(f, inputs, workers)
			}, 2)
		}, false, []string{"f was called more than once for 24 of 24 inputs: 4000000 (2 times)"}},
	})
}
