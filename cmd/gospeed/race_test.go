package main

import (
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestRaceJSON(t *testing.T) {
	defer goleak.VerifyNone(t)
	v := callJSON(t, "race", "--json")
	need(t, v, "version", "expected", "got")
	if v["version"] != "racy" || v["expected"] != 100000.0 || v["got"].(float64) >= 100000 {
		t.Errorf("no fix: %v, want racy losing some of 100000", v)
	}
	for _, fix := range []string{"mutex", "atomic", "channel"} {
		v := callJSON(t, "race", "--fix", fix, "--goroutines", "10", "--increments", "50", "--json")
		if v["version"] != fix || v["expected"] != 500.0 || v["got"] != 500.0 {
			t.Errorf("--fix %s: %v, want exactly 500", fix, v)
		}
	}
}

func TestRaceText(t *testing.T) {
	out, _, err := call(t, "race", "--fix", "mutex")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != "mutex: expected 100000, got 100000" {
		t.Errorf("got %q", out)
	}
}

func TestRaceBadInput(t *testing.T) {
	for _, args := range [][]string{{"--fix", "lock"}, {"--goroutines", "0"}, {"--increments", "-1"}, {"extra"}} {
		_, _, err := call(t, append([]string{"race"}, args...)...)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("gospeed race %s: err = %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}
