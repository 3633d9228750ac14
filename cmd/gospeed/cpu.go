package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gospeed/gospeed/lessons"
)

// runCPU runs the CPU-bound job one way:
// gospeed cpu --version V --workers N [--job fib|squares] [--gomaxprocs N] [--json].
func runCPU(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("cpu", "gospeed cpu [--version V] [--workers N] [--job fib|squares] [--gomaxprocs N] [--json]", stderr)
	version := fs.String("version", lessons.Sequential, "how to compute: "+strings.Join(lessons.CPUVersions, ", "))
	workers := fs.Int("workers", 0, "goroutines or processes (default: the number of CPUs)")
	job := fs.String("job", "fib", "what to compute: fib (fib(N) Tasks times) or squares (sum of squares below N+x)")
	n := fs.Int("n", 0, fmt.Sprintf("fib's argument (default %d) or the squares' base (default %d)", lessons.DefaultFibN, lessons.DefaultSquaresN))
	tasks := fs.Int("tasks", lessons.DefaultTasks, "how many numbers to compute")
	gomaxprocs := fs.Int("gomaxprocs", 0, "run with this GOMAXPROCS (1: the world of Python's GIL; default: leave as is)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	set := setFlags(fs)
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("cpu: unexpected arguments %q", fs.Args())}
	case set["n"] && *n < 1:
		return usageError{fmt.Errorf("cpu: --n must be at least 1, got %d", *n)}
	case *tasks < 1:
		return usageError{fmt.Errorf("cpu: --tasks must be at least 1, got %d", *tasks)}
	case set["gomaxprocs"] && *gomaxprocs < 1:
		return usageError{fmt.Errorf("cpu: --gomaxprocs must be at least 1, got %d", *gomaxprocs)}
	}
	opt := lessons.CPUOptions{
		Version:    *version,
		Workers:    *workers,
		Job:        *job,
		N:          *n,
		Tasks:      *tasks,
		GOMAXPROCS: *gomaxprocs,
	}
	if err := lessons.CheckCPU(opt); err != nil {
		return usageError{err}
	}
	bar := newBar(stderr, "computing")
	opt.Progress = bar.progress
	res, err := lessons.RunCPU(ctx, opt)
	bar.finish()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, cpuJSON{
			Job: res.Job, Version: res.Version, Workers: res.Workers, Tasks: res.Tasks,
			Seconds: res.Seconds, GOMAXPROCS: res.GOMAXPROCS,
		})
	}
	_, err = fmt.Fprintln(stdout, res)
	return err
}

// cpuJSON is what `gospeed cpu --json` prints.
type cpuJSON struct {
	Job        string  `json:"job"`
	Version    string  `json:"version"`
	Workers    int     `json:"workers"`
	Tasks      int     `json:"tasks"`
	Seconds    float64 `json:"seconds"`
	GOMAXPROCS int     `json:"gomaxprocs"`
}
