package repl

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// BenchmarkLessonsCallFromCell runs lessons.Fib(n) from a cell and the same
// call compiled, alternately in one run, and reports the ratio of their times
// (cell/compiled; the target is under 1.05) and the interpreter's overhead
// per call. The overhead is about constant (splitting, rewriting and yaegi
// compiling the cell: ~0.1 ms), so the ratio nears 1 as the call grows:
// Fib(27) takes about 1 ms compiled, Fib(32) about 10 ms, and a lessons run
// in a notebook takes seconds.
func BenchmarkLessonsCallFromCell(b *testing.B) {
	for _, n := range []int{27, 32} {
		b.Run(fmt.Sprintf("Fib%d", n), func(b *testing.B) { benchmarkFib(b, n) })
	}
}

func benchmarkFib(b *testing.B, n int) {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, _, err := s.Execute(ctx, `import "github.com/gospeed/gospeed/lessons"`); err != nil {
		b.Fatal(err)
	}
	code := fmt.Sprintf("lessons.Fib(%d)", n)
	want := fmt.Sprint(lessons.Fib(n))
	var cell, compiled time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		d, _, err := s.Execute(ctx, code)
		cell += time.Since(start)
		if err != nil || d.Data["text/plain"] != want {
			b.Fatal(d, err)
		}
		start = time.Now()
		if fmt.Sprint(lessons.Fib(n)) != want {
			b.Fatal("Fib changed")
		}
		compiled += time.Since(start)
	}
	b.ReportMetric(float64(cell)/float64(compiled), "cell/compiled")
	b.ReportMetric(float64(cell-compiled)/float64(b.N)/1e3, "µs-overhead/op")
}

// BenchmarkTrivialCell is the interpreter's part of a trivial cell's round trip.
func BenchmarkTrivialCell(b *testing.B) {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.Execute(ctx, "1 + 1"); err != nil {
			b.Fatal(err)
		}
	}
}
