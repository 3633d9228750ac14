package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// call runs gospeed with args in this process, as main would.
func call(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = dispatch(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// callJSON runs gospeed with args and decodes the one JSON object it prints.
func callJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, _, err := call(t, args...)
	if err != nil {
		t.Fatalf("gospeed %s: %v", strings.Join(args, " "), err)
	}
	var v map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("gospeed %s printed %q: %v", strings.Join(args, " "), out, err)
	}
	if dec.More() {
		t.Errorf("gospeed %s printed more than one JSON object: %q", strings.Join(args, " "), out)
	}
	return v
}

// need checks that v has the keys, and returns v for number lookups.
func need(t *testing.T, v map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := v[k]; !ok {
			t.Errorf("JSON %v lacks %q", v, k)
		}
	}
}

func TestIOJSON(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, version := range []string{"sequential", "pooled", "thread-local", "racy", "goroutines", "client-per-request"} {
		v := callJSON(t, "io", "--version", version, "--workers", "4", "--requests", "8", "--latency", "10ms", "--json")
		need(t, v, "version", "workers", "tasks", "seconds", "connections", "bytes")
		if v["version"] != version || v["tasks"] != 8.0 {
			t.Errorf("%s: %v, want version %s and 8 tasks", version, v, version)
		}
		conns, secs := v["connections"].(float64), v["seconds"].(float64)
		if conns < 1 || conns > 8 || (version == "client-per-request") != (conns == 8) {
			t.Errorf("%s: %v connections", version, conns)
		}
		if version != "sequential" && v["workers"] != 4.0 {
			t.Errorf("%s: %v workers, want 4", version, v["workers"])
		}
		if secs < 0.01 {
			t.Errorf("%s: %v seconds, less than one latency", version, secs)
		}
	}
}

func TestIOTable(t *testing.T) {
	out, errOut, err := call(t, "io", "--version", "pooled", "--requests", "4", "--latency", "0")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "connections") || !strings.Contains(lines[1], "pooled") {
		t.Errorf("want a table of one result, got:\n%s", out)
	}
	if errOut != "" {
		t.Errorf("stderr is not a terminal, yet something was written there: %q", errOut)
	}
}

func TestIOBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"--workers", "-1"},
		{"--workers", "-3"},
		{"--requests", "-1"},
		{"--latency", "-1s"},
		{"--jitter", "-1ms"},
		{"--version", "threads"},
		{"--page-size", "0"},
		{"--url", "ftp://example.com/"},
		{"--workers", "many"},
		{"--frobnicate"},
		{"extra"},
	} {
		_, _, err := call(t, append([]string{"io"}, args...)...)
		var u usageError
		if !errors.As(err, &u) || exitCode(err) != 2 {
			t.Errorf("gospeed io %s: err = %v, want a usage error (exit 2)", strings.Join(args, " "), err)
		}
	}
	_, _, err := call(t, "io", "--url", "http://127.0.0.1:1/", "--requests", "2")
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "refused") {
		t.Errorf("unreachable site: err = %v, want connection refused (exit 1)", err)
	}
}
