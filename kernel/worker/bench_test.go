//go:build !race

package worker

import (
	"context"
	"log"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/gospeed/gospeed/kernel"
	"github.com/gospeed/gospeed/kernel/client"
	"github.com/gospeed/gospeed/kernel/repl"
	"github.com/gospeed/gospeed/kernel/wire"
)

// reportMedian reports the median of times, in ms, beside Go's mean.
func reportMedian(b *testing.B, times []time.Duration, unit string) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, unit)
}

// BenchmarkRoundTrip is a trivial cell's round trip over ZeroMQ, with the
// interpreter in a worker process and, for comparison in the same run, in
// the kernel's own process (the kernel before workers); "worker-protocol"
// is a worker whose evaluator costs nothing (the scripted one), the pipe's
// share alone. Run it 200 times: -bench RoundTrip -benchtime 200x.
func BenchmarkRoundTrip(b *testing.B) {
	for _, tc := range []struct {
		name, cell string
		eval       func(kernel.Outputs) (kernel.Evaluator, error)
	}{
		{"worker", "1", New(Config{Command: []string{os.Args[0]}, Env: []string{"GOSPEED_TEST_WORKER=repl"}})},
		{"worker-protocol", "get", New(Config{Command: []string{os.Args[0]}, Env: []string{"GOSPEED_TEST_WORKER=script"}})},
		{"in-process", "1", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := startBenchKernel(b, tc.eval)
			ctx := context.Background()
			var times []time.Duration
			for b.Loop() {
				begin := time.Now()
				r, _, err := c.Execute(ctx, tc.cell)
				if err != nil || r.Status != "ok" {
					b.Fatalf("%+v %v", r, err)
				}
				times = append(times, time.Since(begin))
			}
			reportMedian(b, times, "ms-median")
		})
	}
}

// BenchmarkCall is the worker boundary alone, without ZeroMQ: a trivial
// cell's Execute through the pipe to a worker (scripted, or the
// interpreter), and the interpreter in this process.
func BenchmarkCall(b *testing.B) {
	quiet := log.New(discardLog{}, "", 0)
	for _, tc := range []struct {
		name, cell string
		eval       func(kernel.Outputs) (kernel.Evaluator, error)
	}{
		{"script-worker", "get", New(Config{Command: []string{os.Args[0]}, Env: []string{"GOSPEED_TEST_WORKER=script"}, Log: quiet})},
		{"repl-worker", "1", New(Config{Command: []string{os.Args[0]}, Env: []string{"GOSPEED_TEST_WORKER=repl"}, Log: quiet})},
		{"repl-in-process", "1", func(o kernel.Outputs) (kernel.Evaluator, error) {
			return repl.New(repl.Config{Stdout: o.Stdout, Stderr: o.Stderr})
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ev, err := tc.eval(kernel.Outputs{Stdout: discardLog{}, Stderr: discardLog{}})
			if err != nil {
				b.Fatal(err)
			}
			defer ev.Close()
			var times []time.Duration
			for b.Loop() {
				begin := time.Now()
				if _, ok, err := ev.Execute(context.Background(), tc.cell); err != nil || !ok {
					b.Fatal(ok, err)
				}
				times = append(times, time.Since(begin))
			}
			reportMedian(b, times, "ms-median")
		})
	}
}

func startBenchKernel(b *testing.B, eval func(kernel.Outputs) (kernel.Evaluator, error)) *client.Client {
	info, err := wire.NewLocalConnection()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- kernel.Serve(ctx, info, kernel.Options{Log: discardLog{}, NewEvaluator: eval}) }()
	c, err := client.Connect(ctx, info)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close(); cancel(); <-done })
	return c
}

type discardLog struct{}

func (discardLog) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkStart is the time from starting a kernel (and its worker) to its
// kernel_info_reply, and to the reply of a first cell (which waits for the
// worker to be up).
func BenchmarkStart(b *testing.B) {
	var times, firstCell []time.Duration
	for b.Loop() {
		begin := time.Now()
		info, err := wire.NewLocalConnection()
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- kernel.Serve(ctx, info, kernel.Options{Log: discardLog{}, NewEvaluator: New(Config{Command: []string{os.Args[0]}, Env: []string{"GOSPEED_TEST_WORKER=repl"}, Log: log.New(discardLog{}, "", 0)})})
		}()
		c, err := client.Connect(ctx, info)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Request(ctx, client.Shell, "kernel_info_request", map[string]any{}); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(begin))
		if r, _, err := c.Execute(ctx, "1"); err != nil || r.Status != "ok" {
			b.Fatalf("first cell: %+v %v", r, err)
		}
		firstCell = append(firstCell, time.Since(begin))
		c.Close()
		cancel()
		<-done
	}
	reportMedian(b, times, "ms-to-kernel_info")
	reportMedian(b, firstCell, "ms-to-first-cell")
}

// BenchmarkRestore is the round trip of a cell that kills the worker after
// ten cells of declarations and small statements: the crash, a new worker,
// the ten cells re-run.
func BenchmarkRestore(b *testing.B) {
	session := []string{
		`import ("fmt"; "strings"; "sync")`,
		"x := 41",
		"type point struct{ x, y int }",
		"func (p point) sum() int { return p.x + p.y }",
		"p := point{1, 2}",
		"words := strings.Fields(\"a b c\")",
		"var mu sync.Mutex",
		"func double(n int) int { return 2 * n }",
		"y := double(x)",
		"fmt.Println(p.sum(), len(words), y)",
	}
	c := startBenchKernel(b, New(Config{Command: []string{os.Args[0]}, Env: []string{"GOSPEED_TEST_WORKER=repl"}, Log: log.New(discardLog{}, "", 0)}))
	ctx := context.Background()
	var times []time.Duration
	first := true
	for b.Loop() {
		if first { // later rounds restore the same ten cells
			for _, cell := range session {
				if r, _, err := c.Execute(ctx, cell); err != nil || r.Status != "ok" {
					b.Fatalf("%q: %+v %v", cell, r, err)
				}
			}
			first = false
		}
		begin := time.Now()
		r, _, err := c.Execute(ctx, "var m sync.Mutex\nm.Unlock()")
		if err != nil || r.Status != "error" {
			b.Fatalf("crash cell: %+v %v", r, err)
		}
		times = append(times, time.Since(begin))
	}
	reportMedian(b, times, "ms-crash-and-restore")
}
