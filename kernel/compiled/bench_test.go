package compiled

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The benchmarks time what a learner waits for, and what the same work
// takes without the kernel, in the same run. Each reports medians and
// spreads (min-max) as metrics; run them with -benchtime=20x:
//
//	go test -run '^$' -bench . -benchtime 20x ./kernel/compiled

const hello = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n"

// BenchmarkHello: a warm %%go run of hello world, round trip, against go
// build plus running the same file in a plain module of its own, in the
// same run, two ways: re-run unchanged (go build finds the program up to
// date) and edited each time (a new comment: compile and link again; the
// cell leaves out its import, which goimports adds).
func BenchmarkHello(b *testing.B) {
	benchHello(b, "")
}

// BenchmarkHelloRace is BenchmarkHello with -race.
func BenchmarkHelloRace(b *testing.B) {
	benchHello(b, "-race")
}

func benchHello(b *testing.B, flag string) {
	rerun, edited := newHarness(b, Config{}), newHarness(b, Config{})
	plainRerun, plainEdited := plainModule(b), plainModule(b)
	magic := strings.TrimSpace("%%go run " + flag)
	execute := func(h *harness, cell string) {
		if _, _, err := h.Execute(context.Background(), cell); err != nil {
			b.Fatal(err)
		}
	}
	bare := func(i int) string {
		return fmt.Sprintf("%s\nfunc main() { fmt.Println(\"hello, world\") }\n\n// edit %d\n", magic, i)
	}
	edit := func(i int) string { return fmt.Sprintf("%s\n// edit %d\n", hello, i) }
	execute(rerun, magic+"\n"+hello)
	execute(edited, bare(-1))
	plainRerun(flag, hello)
	plainEdited(flag, edit(-1))

	var cells, builds, editedCells, editedBuilds []time.Duration
	timed := func(into *[]time.Duration, f func()) {
		start := time.Now()
		f()
		*into = append(*into, time.Since(start))
	}
	for i := 0; b.Loop(); i++ {
		timed(&builds, func() { plainRerun(flag, hello) })
		timed(&cells, func() { execute(rerun, magic+"\n"+hello) })
		timed(&editedBuilds, func() { plainEdited(flag, edit(i)) })
		timed(&editedCells, func() { execute(edited, bare(i)) })
	}
	for _, h := range []*harness{rerun, edited} {
		if got := h.stdout.String(); !strings.HasPrefix(got, "hello, world\n") {
			b.Fatalf("the cell printed %q", got)
		}
	}
	report(b, "rerun-cell", cells)
	report(b, "rerun-build+run", builds)
	b.ReportMetric(median(cells).Seconds()/median(builds).Seconds(), "rerun-cell/build+run")
	report(b, "edited-cell", editedCells)
	report(b, "edited-build+run", editedBuilds)
	b.ReportMetric(median(editedCells).Seconds()/median(editedBuilds).Seconds(), "edited-cell/build+run")
}

// plainModule returns a function that writes a file into a module of its
// own, builds it and runs it, as a learner would with go build.
func plainModule(b *testing.B) func(flag, file string) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	goBin, err := findGo()
	if err != nil {
		b.Fatal(err)
	}
	return func(flag, file string) {
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(file), 0o644); err != nil {
			b.Fatal(err)
		}
		args := []string{"build", "-o", "hello"}
		if flag != "" {
			args = append(args, flag)
		}
		build := exec.Command(goBin, append(args, ".")...)
		build.Dir, build.Env = dir, goEnv()
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
		if out, err := exec.Command(filepath.Join(dir, "hello")).Output(); err != nil || string(out) != "hello, world\n" {
			b.Fatalf("hello: %q %v", out, err)
		}
	}
}

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// BenchmarkFib32: fib(32) timed inside a %%go run cell against the same
// function compiled into this test binary; each side takes the median of
// five calls per iteration, as one call (about 10 ms) is at the mercy of a
// busy machine.
func BenchmarkFib32(b *testing.B) {
	h := newHarness(b, Config{})
	cell := `%%go run
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	var times []time.Duration
	for range 5 {
		start := time.Now()
		if fib(32) != 2178309 {
			panic("fib(32)")
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	fmt.Println(times[2].Nanoseconds())
}
`
	var cells, natives []time.Duration
	for b.Loop() {
		h.reset()
		if _, _, err := h.Execute(context.Background(), cell); err != nil {
			b.Fatal(err)
		}
		var ns int64
		if _, err := fmt.Sscan(h.stdout.String(), &ns); err != nil {
			b.Fatalf("the cell printed %q: %v", h.stdout.String(), err)
		}
		cells = append(cells, time.Duration(ns))

		var times []time.Duration
		for range 5 {
			start := time.Now()
			if fib(32) != 2178309 {
				b.Fatal("fib(32)")
			}
			times = append(times, time.Since(start))
		}
		natives = append(natives, median(times))
	}
	report(b, "cell-fib", cells)
	report(b, "test-fib", natives)
	b.ReportMetric(median(cells).Seconds()/median(natives).Seconds(), "cell/test")
}

// BenchmarkInterrupt: from cancelling a running cell to Execute returning.
func BenchmarkInterrupt(b *testing.B) {
	h := newHarness(b, Config{})
	cell := "%%go run\nfunc main() {\n\tfmt.Println(\"running\")\n\tfor {\n\t}\n}\n"
	var waits []time.Duration
	for b.Loop() {
		h.reset()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, _, err := h.Execute(ctx, cell); done <- err }()
		for !strings.Contains(h.stdout.String(), "running") {
			time.Sleep(time.Millisecond)
		}
		start := time.Now()
		cancel()
		if err := <-done; err == nil || !strings.Contains(err.Error(), "interrupted") {
			b.Fatalf("err = %v", err)
		}
		waits = append(waits, time.Since(start))
	}
	report(b, "interrupt", waits)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// report reports the median and the spread (min and max) of ds in seconds.
func report(b *testing.B, name string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	b.ReportMetric(median(ds).Seconds(), name+"-median-s")
	b.ReportMetric(slices.Min(ds).Seconds(), name+"-min-s")
	b.ReportMetric(slices.Max(ds).Seconds(), name+"-max-s")
}

// BenchmarkFirstCell: the first cell of a new kernel, with the build cache
// warm (as `gospeed warm` leaves it in the image): a new Runner, its
// temporary module, goimports and a build and link from scratch.
func BenchmarkFirstCell(b *testing.B) {
	var firsts []time.Duration
	for b.Loop() {
		start := time.Now()
		h := newHarness(b, Config{})
		if _, _, err := h.Execute(context.Background(), "%%go run\nfunc main() { fmt.Println(\"hello, world\") }\n"); err != nil {
			b.Fatal(err)
		}
		firsts = append(firsts, time.Since(start))
	}
	report(b, "first-cell", firsts)
}
