package lessons_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// BenchmarkIO runs every I/O version on the article's numbers: 80 pages of
// 50ms each, with 8 workers (4 processes for multi-process). "ideal-x" is
// the time over the ideal (latency x rounds of pages in flight): the targets
// are within 1.2 (multi-process: plus 0.25s of start-up).
func BenchmarkIO(b *testing.B) {
	versions := append(slices.Clone(lessons.IOVersions), lessons.ClientPerRequest)
	for _, version := range versions {
		b.Run(version, func(b *testing.B) {
			opt := lessons.IOOptions{Version: version, Workers: 8}
			switch version {
			case "multi-process":
				opt.Workers = 4
			case "goroutines":
				opt.Workers = 0
			}
			var res lessons.Result
			for b.Loop() {
				var err error
				res, err = lessons.RunIO(context.Background(), opt)
				if err != nil {
					b.Fatal(err)
				}
			}
			inFlight := max(res.Workers, 1)
			if res.Workers == 0 {
				inFlight = res.Tasks
			}
			ideal := time.Duration((res.Tasks+inFlight-1)/inFlight) * lessons.DefaultLatency
			b.ReportMetric(res.Seconds/ideal.Seconds(), "ideal-x")
			b.ReportMetric(float64(res.Connections), "conns")
			if version == "racy" {
				b.ReportMetric(float64(res.Lost), "lost")
			}
		})
	}
}

// BenchmarkCPU runs every CPU version on the article's job, fib(35) x 20,
// with 2 workers, and pooled under GOMAXPROCS=1 (the GIL's world).
func BenchmarkCPU(b *testing.B) {
	for _, c := range []struct {
		name string
		opt  lessons.CPUOptions
	}{
		{"sequential", lessons.CPUOptions{Version: "sequential"}},
		{"pooled", lessons.CPUOptions{Version: "pooled", Workers: 2}},
		{"pooled-GOMAXPROCS-1", lessons.CPUOptions{Version: "pooled", Workers: 2, GOMAXPROCS: 1}},
		{"multi-process", lessons.CPUOptions{Version: "multi-process", Workers: 2}},
		{"squares-sequential", lessons.CPUOptions{Version: "sequential", Job: "squares"}},
		{"squares-pooled", lessons.CPUOptions{Version: "pooled", Workers: 2, Job: "squares"}},
		{"squares-multi-process", lessons.CPUOptions{Version: "multi-process", Workers: 2, Job: "squares"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := lessons.RunCPU(context.Background(), c.opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFib35(b *testing.B) {
	for b.Loop() {
		lessons.Fib(35)
	}
}

// BenchmarkRace runs the counter lesson without a fix and with each.
func BenchmarkRace(b *testing.B) {
	for _, fix := range append([]string{""}, lessons.RaceFixes...) {
		name := fix
		if name == "" {
			name = "racy"
		}
		b.Run(name, func(b *testing.B) {
			var res lessons.RaceResult
			for b.Loop() {
				res = lessons.RunRace(lessons.RaceOptions{Fix: fix})
			}
			b.ReportMetric(float64(res.Lost()), "lost")
		})
	}
}
