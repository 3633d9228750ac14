package main

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestCPUJSON(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, c := range []struct {
		args    []string
		version string
		workers float64
	}{
		{[]string{"--version", "sequential"}, "sequential", 1},
		{[]string{"--version", "pooled", "--workers", "3"}, "pooled", 3},
		{[]string{"--version", "pooled", "--workers", "2", "--gomaxprocs", "1"}, "pooled", 2},
		{[]string{"--version", "pooled", "--job", "squares", "--n", "1000"}, "pooled", float64(runtime.NumCPU())},
	} {
		args := append([]string{"cpu", "--n", "20", "--tasks", "5", "--json"}, c.args...)
		v := callJSON(t, args...)
		need(t, v, "version", "workers", "tasks", "seconds")
		if v["version"] != c.version || v["workers"] != c.workers || v["tasks"] != 5.0 {
			t.Errorf("gospeed %s: %v, want %s with %v workers and 5 tasks", strings.Join(args, " "), v, c.version, c.workers)
		}
		if strings.Contains(strings.Join(c.args, " "), "gomaxprocs") && v["gomaxprocs"] != 1.0 {
			t.Errorf("--gomaxprocs 1 ran with GOMAXPROCS %v", v["gomaxprocs"])
		}
	}
	if runtime.GOMAXPROCS(0) != runtime.NumCPU() {
		t.Errorf("GOMAXPROCS %d after the runs, want it restored", runtime.GOMAXPROCS(0))
	}
}

func TestCPUBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"--workers", "-1"},
		{"--version", "threads"},
		{"--job", "primes"},
		{"--gomaxprocs", "0"},
		{"--tasks", "0"},
		{"--n", "-1"},
		{"extra"},
	} {
		_, _, err := call(t, append([]string{"cpu"}, args...)...)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("gospeed cpu %s: err = %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}
