package lessons_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

func TestRunRaceLosesUpdatesWithoutAFix(t *testing.T) {
	res := lessons.RunRace(lessons.RaceOptions{Goroutines: 50, Increments: 200})
	if res.Version != "racy" || res.Expected != 50*200 {
		t.Errorf("result %+v: want version racy, expected %d", res, 50*200)
	}
	if res.Got >= res.Expected || res.Got < 1 {
		t.Errorf("racy counter got %d of %d: want some updates lost", res.Got, res.Expected)
	}
	if res.Lost() != res.Expected-res.Got || !strings.Contains(res.String(), "lost") {
		t.Errorf("Lost() = %d, String() = %q", res.Lost(), res)
	}
}

func TestRunRaceFixesCountExactly(t *testing.T) {
	for _, fix := range lessons.RaceFixes {
		res := lessons.RunRace(lessons.RaceOptions{Fix: fix, Goroutines: 50, Increments: 200})
		if res.Version != fix || res.Got != 50*200 || res.Expected != 50*200 {
			t.Errorf("fix %s: %+v, want exactly %d", fix, res, 50*200)
		}
	}
	// The defaults: 100 goroutines, 1000 increments each.
	if res := lessons.RunRace(lessons.RaceOptions{Fix: "atomic"}); res.Got != 100_000 || res.String() != "atomic: expected 100000, got 100000" {
		t.Errorf("defaults: %v", res)
	}
}

func TestRunRaceRejectsUnknownFix(t *testing.T) {
	if err := lessons.CheckRace(lessons.RaceOptions{Fix: "lock"}); err == nil || !strings.Contains(err.Error(), "mutex") {
		t.Errorf("CheckRace(lock) = %v, want an error listing the fixes", err)
	}
	if err := lessons.CheckRace(lessons.RaceOptions{Goroutines: -1}); err == nil {
		t.Error("CheckRace accepted -1 goroutines")
	}
	defer func() {
		if recover() == nil {
			t.Error("RunRace with an unknown fix did not panic")
		}
	}()
	lessons.RunRace(lessons.RaceOptions{Fix: "lock"})
}

// TestRaceDetectorReport builds a racy program with -race: it needs the go
// command and a C compiler, and a few seconds the first time.
func TestRaceDetectorReport(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no C compiler: -race needs cgo")
	}
	if testing.Short() {
		t.Skip("builds a program with -race")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	report, err := lessons.RaceDetectorReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"WARNING: DATA RACE", "main.go:", "Previous write at"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestRaceDetectorReportWithoutGo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("GOROOT", "")
	_, err := lessons.RaceDetectorReport(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no Go toolchain") {
		t.Errorf("err = %v, want one saying there is no Go toolchain", err)
	}
}
