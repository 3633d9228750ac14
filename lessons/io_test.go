package lessons_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// Small runs keep the tests quick; the full 80 x 50ms runs are benchmarks.
const (
	testRequests = 16
	testLatency  = 20 * time.Millisecond
	testWorkers  = 4
)

func TestIOVersionsDownloadEveryPage(t *testing.T) {
	versions := append(slices.Clone(lessons.IOVersions), lessons.ClientPerRequest)
	for _, version := range versions {
		for _, workers := range []int{testWorkers, 0} {
			if workers == 0 && version != "goroutines" {
				continue // 0 is the default pool size, tested by the CLI
			}
			name := fmt.Sprintf("%s/%d", version, workers)
			if workers == 0 {
				name = version + "/unbounded"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var calls []int
				res, err := lessons.RunIO(context.Background(), lessons.IOOptions{
					Version:  version,
					Workers:  workers,
					Requests: testRequests,
					Latency:  testLatency,
					PageSize: 100,
					Progress: func(done, total int) {
						if total != testRequests {
							t.Errorf("progress total %d, want %d", total, testRequests)
						}
						calls = append(calls, done)
					},
				})
				if err != nil {
					t.Fatal(err)
				}
				if res.Job != "io" || res.Version != version || res.Tasks != testRequests || res.Bytes != 100*testRequests {
					t.Errorf("result %+v: want job io, version %s, %d tasks of 100 bytes", res, version, testRequests)
				}
				for i, done := range calls {
					if done != i+1 {
						t.Fatalf("progress calls %v, want 1..%d in order", calls, testRequests)
					}
				}
				if len(calls) != testRequests {
					t.Errorf("progress called %d times, want %d", len(calls), testRequests)
				}

				// Physics: with w pages in flight at once, at least
				// ceil(requests/w) latencies pass.
				inFlight := res.Workers
				if inFlight == 0 {
					inFlight = testRequests
				}
				rounds := (testRequests + inFlight - 1) / inFlight
				if min := time.Duration(rounds) * testLatency; res.Seconds < min.Seconds() {
					t.Errorf("%s took %.3fs, faster than physics allows (%v)", version, res.Seconds, min)
				}

				conns := res.Connections
				switch version {
				case "sequential":
					if conns != 1 {
						t.Errorf("sequential opened %d connections, want 1", conns)
					}
				case lessons.ClientPerRequest:
					if conns != testRequests {
						t.Errorf("client per request opened %d connections, want one per request (%d)", conns, testRequests)
					}
				default:
					if conns < 1 || conns > int64(inFlight) {
						t.Errorf("%s with %d in flight opened %d connections, want 1..%d", version, inFlight, conns, inFlight)
					}
				}
			})
		}
	}
}

// TestConcurrencyBeatsSequential compares versions within one run: four
// workers should come close to four times faster than one, and one
// goroutine per page faster still.
func TestConcurrencyBeatsSequential(t *testing.T) {
	ctx := context.Background()
	run := func(version string, workers int) float64 {
		res, err := lessons.RunIO(ctx, lessons.IOOptions{Version: version, Workers: workers, Requests: testRequests, Latency: testLatency})
		if err != nil {
			t.Fatal(err)
		}
		return res.Seconds
	}
	// The best of three, interleaved: a busy machine slows some runs.
	seq, pooled, local, gor := math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)
	for range 3 {
		seq = min(seq, run("sequential", 1))
		pooled = min(pooled, run("pooled", testWorkers))
		local = min(local, run("thread-local", testWorkers))
		gor = min(gor, run("goroutines", 0))
	}
	t.Logf("sequential %.3fs, pooled %.3fs, thread-local %.3fs, goroutines %.3fs", seq, pooled, local, gor)
	if seq < 2.5*pooled || seq < 2.5*local {
		t.Errorf("%d workers are less than 2.5x faster than sequential (ideal %dx)", testWorkers, testWorkers)
	}
	if pooled < 2*gor {
		t.Errorf("one goroutine per page is less than 2x faster than %d workers (ideal %dx)", testWorkers, testRequests/testWorkers)
	}
}

func TestRacyStatsLoseUpdates(t *testing.T) {
	const goroutines, records = 50, 200
	stats := &lessons.RacyStats{}
	done := make(chan struct{})
	for range goroutines {
		go func() {
			defer func() { done <- struct{}{} }()
			for range records {
				stats.Record(10)
			}
		}()
	}
	for range goroutines {
		<-done
	}
	if stats.Pages >= goroutines*records {
		t.Errorf("the racy recorder counted all %d pages; it should lose some", stats.Pages)
	}
	if stats.Pages < 1 || stats.Bytes < 10 || stats.Bytes > 10*goroutines*records {
		t.Errorf("stats %+v: want some pages and bytes counted, and no more than there were", *stats)
	}
}

func TestRunIORacyReportsLostCounts(t *testing.T) {
	res, err := lessons.RunIO(context.Background(), lessons.IOOptions{Version: "racy", Workers: 8, Requests: 64, Latency: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("racy lost %d of %d", res.Lost, res.Tasks)
	if res.Lost < 0 || res.Lost >= int64(res.Tasks) {
		t.Errorf("lost %d of %d: the recorder counts at least one page and never more than there are", res.Lost, res.Tasks)
	}
	if res.Bytes != 64*lessons.DefaultPageSize {
		t.Errorf("bytes %d, want %d: the sizes themselves are not racy", res.Bytes, 64*lessons.DefaultPageSize)
	}
}

// Every version stops when its context ends, even with pages that would take
// an hour.
func TestIOVersionsStopOnCancel(t *testing.T) {
	for _, version := range append(slices.Clone(lessons.IOVersions), lessons.ClientPerRequest) {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := lessons.RunIO(ctx, lessons.IOOptions{Version: version, Workers: 2, Requests: 4, Latency: time.Hour})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want context.DeadlineExceeded", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v to stop", d)
			}
		})
	}
}

func TestRunIORejectsBadOptions(t *testing.T) {
	for _, opt := range []lessons.IOOptions{
		{},
		{Version: "threads"},
		{Version: "pooled", Workers: -1},
		{Version: "pooled", Requests: -1},
		{Version: "pooled", Latency: -time.Millisecond},
		{Version: "pooled", PageSize: -1},
		{Version: "pooled", Jitter: -1},
	} {
		if err := lessons.CheckIO(opt); err == nil {
			t.Errorf("CheckIO(%+v) = nil, want an error", opt)
		}
		if _, err := lessons.RunIO(context.Background(), opt); err == nil {
			t.Errorf("RunIO(%+v) succeeded, want an error", opt)
		}
	}
	for _, version := range append(slices.Clone(lessons.IOVersions), lessons.ClientPerRequest) {
		if err := lessons.CheckIO(lessons.IOOptions{Version: version}); err != nil {
			t.Errorf("CheckIO rejects version %q: %v", version, err)
		}
	}
}

func TestRunIOUnreachableSite(t *testing.T) {
	site, err := lessons.StartSite(lessons.SiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	url := site.URL() + "/page/0"
	site.Close() // nothing listens there now
	for _, version := range []string{"sequential", "pooled", "goroutines", "multi-process"} {
		_, err := lessons.RunIO(context.Background(), lessons.IOOptions{Version: version, Workers: 2, URLs: []string{url}, Requests: 4})
		if err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: err = %v, want connection refused", version, err)
		}
	}
}

func TestRunIORealURLs(t *testing.T) {
	site := startSite(t, lessons.SiteOptions{PageSize: 10})
	res, err := lessons.RunIO(context.Background(), lessons.IOOptions{Version: "pooled", Workers: 2, URLs: site.URLs(2), Requests: 6})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tasks != 6 || res.Bytes != 60 || site.Requests() != 6 {
		t.Errorf("result %+v with %d requests at the site: want 6 pages of 10 bytes", res, site.Requests())
	}
	if res.Connections != 0 {
		t.Errorf("connections %d for real URLs, want 0 (not counted)", res.Connections)
	}
}

func TestSweepIO(t *testing.T) {
	workers := []int{1, 2, 4}
	rs, err := lessons.SweepIO(context.Background(), lessons.IOOptions{Version: "pooled", Requests: 8, Latency: testLatency}, workers)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(workers) {
		t.Fatalf("%d results, want %d", len(rs), len(workers))
	}
	for i, r := range rs {
		if r.Workers != workers[i] || r.Version != "pooled" {
			t.Errorf("result %d: %+v, want pooled with %d workers", i, r, workers[i])
		}
	}
	// How much faster is the benchmarks' business (a busy machine moves it);
	// that 4 workers overlap their waits at all is behaviour.
	if rs[2].Seconds >= rs[0].Seconds {
		t.Errorf("4 workers (%.3fs) are not faster than 1 (%.3fs)", rs[2].Seconds, rs[0].Seconds)
	}
	if _, err := lessons.SweepIO(context.Background(), lessons.IOOptions{Version: "pooled"}, nil); err == nil {
		t.Error("SweepIO with no worker counts succeeded")
	}
	if _, err := lessons.SweepIO(context.Background(), lessons.IOOptions{Version: "pooled"}, []int{0}); err == nil {
		t.Error("SweepIO with 0 workers succeeded")
	}
}
