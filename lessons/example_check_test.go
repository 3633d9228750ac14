package lessons_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// A learner's worker pool, as a notebook cell would have it, and what the
// check makes of it.
func ExampleCheckPooled() {
	myPool := func(ctx context.Context, urls []string, workers int) ([]int64, error) {
		client := lessons.NewClient(workers)
		sizes := make([]int64, len(urls))
		next := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					sizes[i], _ = lessons.Fetch(ctx, client, urls[i])
				}
			}()
		}
		for i := range urls {
			next <- i
		}
		close(next)
		wg.Wait()
		return sizes, nil
	}
	report := lessons.CheckPooled(context.Background(), myPool, 8)
	fmt.Println(strings.Split(report.String(), "\n")[0])
	fmt.Println(report.Notes[0])
	// Output:
	// ✓ a worker pool: right.
	// The site saw every page once, at most 8 at a time, over 8 connections.
}

func ExampleCheckCounter() {
	// Each goroutine counts its own increments, then stores them over
	// the others': no race, but only one goroutine's count is left.
	forgetful := func(goroutines, increments int) int64 {
		var counter atomic.Int64
		var wg sync.WaitGroup
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := int64(0)
				for range increments {
					mine++
				}
				counter.Store(mine)
			}()
		}
		wg.Wait()
		return counter.Load()
	}
	fmt.Println(lessons.CheckCounter(forgetful))
	// Output:
	// ✗ a counter shared by goroutines: not yet.
	//   - run 1: expected 100000, got 1000: 99000 updates were lost. Two goroutines read the same value and both wrote value+1. Protect the counter: a sync.Mutex around the increment, an atomic.Int64, or one goroutine that owns it.
}

func ExampleSpeedupOf() {
	seq := lessons.Result{Job: "io", Version: "sequential", Workers: 1, Seconds: 4.0, Runs: 3, Min: 3.9, Max: 4.2}
	pooled := lessons.Result{Job: "io", Version: "pooled", Workers: 8, Seconds: 0.52, Runs: 3, Min: 0.50, Max: 0.65}
	s := lessons.SpeedupOf(pooled, seq)
	fmt.Println(s)
	fmt.Println(lessons.Verdict("pooled is at least 5x as fast as sequential", s.AtLeast(5)))
	fmt.Println(lessons.Verdict("pooled is at least 7x as fast as sequential", s.AtLeast(7)))
	// Output:
	// pooled (8 workers) ran 7.69x as fast as sequential (6.00x to 8.40x over the runs' spread)
	// ✓ holds: pooled is at least 5x as fast as sequential
	// ✗ DOES NOT HOLD: pooled is at least 7x as fast as sequential
}

func ExampleRunIO_runs() {
	res, err := lessons.RunIO(context.Background(), lessons.IOOptions{Version: "pooled", Workers: 4, Requests: 8, Latency: time.Millisecond, Runs: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Runs, "runs; median within their spread:", res.Min <= res.Seconds && res.Seconds <= res.Max)
	// Output: 3 runs; median within their spread: true
}

func ExampleRunTimeline() {
	tl, err := lessons.RunTimeline(context.Background(), lessons.IOOptions{Version: "thread-local", Workers: 2, Requests: 6, Latency: time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(tl.Spans), "pages over", tl.Lanes, "connections")
	// Output: 6 pages over 2 connections
}

func ExampleRunTicker() {
	ticks, err := lessons.RunTicker(context.Background(), lessons.TickerOptions{Busy: 200 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("pre-emptive:", ticks.Preemptive, "- ticked while the loop ran:", ticks.During > 0)
	// Output: pre-emptive: true - ticked while the loop ran: true
}

func ExampleCrawl() {
	site, err := lessons.StartSite(lessons.SiteOptions{Pages: 20, Latency: time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer site.Close()
	pages, err := lessons.Crawl(context.Background(), site.URLs(1)[0], 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(pages), "pages found with", site.Requests(), "requests; at most 4 at once:", site.MostAtOnce() <= 4)
	// Output: 20 pages found with 20 requests; at most 4 at once: true
}
