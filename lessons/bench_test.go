package lessons_test

import (
	"context"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// BenchmarkIO runs every I/O version on the article's numbers: 80 pages of
// 50ms each, with 8 workers (4 processes for multi-process). "ideal-x" is
// the mean time over the ideal (latency x rounds of pages in flight): the
// targets are within 1.2 (multi-process: plus 0.25s of start-up).
// "cpu-ms" is the CPU time of the whole process per run, client and site
// together, to compare with BenchmarkTCPFloor's.
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
			var seconds float64 // measured by RunIO, so without the site's start and stop
			cpu0, measured := processCPU()
			for b.Loop() {
				var err error
				res, err = lessons.RunIO(context.Background(), opt)
				if err != nil {
					b.Fatal(err)
				}
				seconds += res.Seconds
			}
			inFlight := max(res.Workers, 1)
			if res.Workers == 0 {
				inFlight = res.Tasks
			}
			ideal := time.Duration((res.Tasks+inFlight-1)/inFlight) * lessons.DefaultLatency
			b.ReportMetric(seconds/float64(b.N)/ideal.Seconds(), "ideal-x")
			b.ReportMetric(float64(res.Connections), "conns")
			reportCPU(b, cpu0, measured)
			if version == "racy" {
				b.ReportMetric(float64(res.Lost), "lost")
			}
		})
	}
}

// BenchmarkTCPFloor is what BenchmarkIO/goroutines would take with no HTTP
// at all, on the same machine: 80 raw TCP connections at once, each sending
// one request line and reading a page back after the server has waited one
// latency. Its "ideal-x" is the part of the goroutines version's excess over
// one latency that belongs to TCP on loopback (connect, accept, read, write,
// close, all on the same cores), not to Go's HTTP client or to concurrency.
// Run both in one go to compare: go test -bench 'IO/goroutines|TCPFloor'.
// Their "cpu-ms" tell how much more work HTTP does than bare TCP: on two
// cores that work cannot all hide behind the one latency the pages wait.
func BenchmarkTCPFloor(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	page := make([]byte, lessons.DefaultPageSize)
	go serveAfterLatency(ln, page, lessons.DefaultLatency)

	cpu0, measured := processCPU()
	for b.Loop() {
		var wg sync.WaitGroup
		for range lessons.DefaultRequests {
			wg.Go(func() {
				if err := requestRaw(ln.Addr().String(), len(page)); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/lessons.DefaultLatency.Seconds(), "ideal-x")
	reportCPU(b, cpu0, measured)
}

// reportCPU reports the process's CPU time per run since cpu0, where it
// can be measured.
func reportCPU(b *testing.B, cpu0 time.Duration, measured bool) {
	if cpu, ok := processCPU(); ok && measured {
		b.ReportMetric((cpu-cpu0).Seconds()*1000/float64(b.N), "cpu-ms")
	}
}

// serveAfterLatency answers every connection's first read with page, one
// latency later, then closes it.
func serveAfterLatency(ln net.Listener, page []byte, latency time.Duration) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return // the listener is closed
		}
		go func() {
			defer conn.Close()
			if _, err := conn.Read(make([]byte, 512)); err != nil {
				return
			}
			time.Sleep(latency)
			conn.Write(page)
		}()
	}
}

// requestRaw dials addr, sends one request line and reads size bytes back.
func requestRaw(addr string, size int) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /page/0 HTTP/1.1\r\n\r\n"); err != nil {
		return err
	}
	_, err = io.ReadFull(conn, make([]byte, size))
	return err
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
