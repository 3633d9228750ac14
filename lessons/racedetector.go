package lessons

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// racyProgram is the smallest data race: two goroutines increment one
// variable with nothing to order their reads and writes.
const racyProgram = `package main

import (
	"fmt"
	"sync"
)

func main() {
	counter := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counter++ // read, add, write: unsynchronized
		}()
	}
	wg.Wait()
	fmt.Println("counter:", counter)
}
`

// RaceDetectorReport builds and runs a tiny racy program with the race
// detector (go run -race) and returns the detector's report: which
// goroutines touched which variable, and where. It needs the go command and
// a C compiler (-race needs cgo); without them it says so.
func RaceDetectorReport(ctx context.Context) (string, error) {
	goCmd, err := findGo()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "gospeed-race-")
	if err != nil {
		return "", fmt.Errorf("race detector: %w", err)
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"go.mod":  "module racy\n\ngo 1.22\n",
		"main.go": racyProgram,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return "", fmt.Errorf("race detector: %w", err)
		}
	}

	cmd := exec.CommandContext(ctx, goCmd, "run", "-race", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GOTOOLCHAIN=local", // never download a toolchain
		"GOFLAGS=",          // no -mod=vendor or the like from outside
		"GOWORK=off",
		"CGO_ENABLED=1", // -race needs cgo
	)
	if os.Getenv("GOCACHE") == "" && os.Getenv("HOME") == "" && os.Getenv("XDG_CACHE_HOME") == "" {
		cmd.Env = append(cmd.Env, "GOCACHE="+filepath.Join(dir, "cache"))
	}
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	if report, ok := raceReport(out.String()); ok {
		return report, nil
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("race detector: %w", ctx.Err())
	}
	if runErr != nil {
		return "", fmt.Errorf("race detector: go run -race failed (%v; it needs a C compiler for cgo): %s", runErr, strings.TrimSpace(out.String()))
	}
	return "", fmt.Errorf("race detector: the racy program ran without a report: %s", strings.TrimSpace(out.String()))
}

// findGo is the go command: on PATH, or in $GOROOT/bin.
func findGo() (string, error) {
	if path, err := exec.LookPath("go"); err == nil {
		return path, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		path := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
	}
	return "", errors.New("race detector: no Go toolchain here (the go command is not on PATH), so no -race build; the race lesson's counts still show the lost updates")
}

// raceReport cuts the first "WARNING: DATA RACE" report, between its lines
// of equals signs, out of the program's output.
func raceReport(out string) (string, bool) {
	const rule = "=================="
	at := strings.Index(out, "WARNING: DATA RACE")
	if at < 0 {
		return "", false
	}
	start := strings.LastIndex(out[:at], rule)
	if start < 0 {
		start = at
	}
	end := strings.Index(out[at:], rule)
	if end < 0 {
		return out[start:], true
	}
	return out[start : at+end+len(rule)], true
}
