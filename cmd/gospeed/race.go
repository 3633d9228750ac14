package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gospeed/gospeed/lessons"
)

// runRace shows a data race losing updates, and its fixes:
// gospeed race [--fix mutex|atomic|channel] [--report] [--json].
func runRace(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("race", "gospeed race [--fix mutex|atomic|channel] [--report] [--json]", stderr)
	fix := fs.String("fix", "", "count with a fix: mutex, atomic or channel (default: none, and lose updates)")
	goroutines := fs.Int("goroutines", 100, "goroutines incrementing the counter")
	increments := fs.Int("increments", 1000, "increments per goroutine")
	report := fs.Bool("report", false, "also build a tiny racy program with -race and show the race detector's report")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	opt := lessons.RaceOptions{Fix: *fix, Goroutines: *goroutines, Increments: *increments}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("race: unexpected arguments %q", fs.Args())}
	case *goroutines < 1 || *increments < 1:
		return usageError{fmt.Errorf("race: --goroutines and --increments must be at least 1, got %d and %d", *goroutines, *increments)}
	}
	if err := lessons.CheckRace(opt); err != nil {
		return usageError{err}
	}
	res := lessons.RunRace(opt)
	if *asJSON {
		if err := writeJSON(stdout, raceJSON{Version: res.Version, Expected: res.Expected, Got: res.Got, Lost: res.Lost()}); err != nil {
			return err
		}
	} else if _, err := fmt.Fprintln(stdout, res); err != nil {
		return err
	}
	if *report {
		text, err := lessons.RaceDetectorReport(ctx)
		if err != nil {
			return err
		}
		// The report goes to stderr, like the race detector's own, so
		// stdout stays one JSON object with --json.
		fmt.Fprintln(stderr, text)
	}
	return nil
}

// raceJSON is what `gospeed race --json` prints.
type raceJSON struct {
	Version  string `json:"version"`
	Expected int64  `json:"expected"`
	Got      int64  `json:"got"`
	Lost     int64  `json:"lost"`
}
