package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBinary builds gospeed and runs what needs a real gospeed executable:
// the multi-process versions start their workers as `gospeed worker`.
func TestBinary(t *testing.T) {
	bin := buildGospeed(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(t *testing.T, stdin string, args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gospeed %s: %v", strings.Join(args, " "), err)
		}
		return out
	}

	t.Run("io multi-process", func(t *testing.T) {
		var v struct {
			Version     string
			Workers     int
			Tasks       int
			Seconds     float64
			Connections int
		}
		out := run(t, "", "io", "--version", "multi-process", "--workers", "2", "--requests", "8", "--latency", "20ms", "--json")
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if v.Version != "multi-process" || v.Workers != 2 || v.Tasks != 8 || v.Connections < 1 || v.Connections > 2 {
			t.Errorf("%+v: want 8 pages by 2 processes over at most 2 connections", v)
		}
		if v.Seconds < 4*0.020 {
			t.Errorf("%.3fs for 4 rounds of 20ms: faster than physics", v.Seconds)
		}
	})

	t.Run("cpu multi-process", func(t *testing.T) {
		var v struct {
			Version string
			Workers int
			Tasks   int
		}
		out := run(t, "", "cpu", "--version", "multi-process", "--workers", "2", "--n", "25", "--json")
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if v.Version != "multi-process" || v.Workers != 2 || v.Tasks != 20 {
			t.Errorf("%+v: want 20 tasks by 2 processes", v)
		}
	})

	t.Run("worker", func(t *testing.T) {
		out := run(t, `{"kind":"fib","n":10}`+"\n", "worker")
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], `"ready":true`) || lines[1] != `{"value":55}` {
			t.Errorf("worker said %q, want ready, then fib(10) = 55", out)
		}
	})
}
