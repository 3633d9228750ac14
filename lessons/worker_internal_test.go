package lessons

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeWorker(t *testing.T) {
	in := strings.NewReader(`{"kind":"fib","n":20}` + "\n" + `{"kind":"squares","n":10}` + "\n" + `not json` + "\n" + `{"kind":"primes","n":3}` + "\n")
	var out bytes.Buffer
	if err := ServeWorker(context.Background(), in, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want ready and 4 replies:\n%s", len(lines), out.String())
	}
	var hello ready
	if err := json.Unmarshal([]byte(lines[0]), &hello); err != nil || !hello.Ready || hello.PID != os.Getpid() {
		t.Errorf("first line %q, want ready with this pid", lines[0])
	}
	replies := make([]Reply, 4)
	for i := range replies {
		if err := json.Unmarshal([]byte(lines[i+1]), &replies[i]); err != nil {
			t.Fatal(err)
		}
	}
	if replies[0].Value != 6765 || replies[1].Value != 285 {
		t.Errorf("fib(20) = %d, squares(10) = %d; want 6765 and 285", replies[0].Value, replies[1].Value)
	}
	if !strings.Contains(replies[2].Err, "bad task") || !strings.Contains(replies[3].Err, "unknown job") {
		t.Errorf("bad tasks got replies %+v and %+v, want errors", replies[2], replies[3])
	}
}

func TestProcessPoolReportsADeadWorker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := StartProcessPool(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pool.procs[0].kill()
	tasks := make([]Task, 10)
	for i := range tasks {
		tasks[i] = Task{Kind: "fib", N: 25}
	}
	_, err = pool.Map(ctx, tasks, nil)
	if err == nil || !strings.Contains(err.Error(), "died") || !strings.Contains(err.Error(), "killed") {
		t.Errorf("err = %v, want one saying the worker died, killed", err)
	}
	if ctx.Err() != nil {
		t.Error("Map hung until the test's deadline")
	}
}

func TestProcessPoolReportsAWorkerThatExits(t *testing.T) {
	pool, err := StartProcessPool(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pool.procs[0].stdin.Close() // the worker sees the end of its input and exits
	_, err = pool.Map(context.Background(), []Task{{Kind: "fib", N: 3}}, nil)
	if err == nil || !strings.Contains(err.Error(), "died") {
		t.Errorf("err = %v, want one saying the worker died", err)
	}
}

func TestStartProcessNeedsAWorker(t *testing.T) {
	// echo is no worker: it prints its arguments instead of ready.
	_, err := startProcess(context.Background(), "/bin/echo", nil)
	if err == nil || !strings.Contains(err.Error(), "ServeWorker") {
		t.Errorf("err = %v, want one pointing at lessons.ServeWorker", err)
	}
	// cat fails on its argument and exits without a word.
	if _, err := startProcess(context.Background(), "/bin/cat", nil); err == nil || !strings.Contains(err.Error(), "died") {
		t.Errorf("err = %v, want one saying the process died", err)
	}
	// This one says nothing at all: the context ends the wait, quickly.
	silent := filepath.Join(t.TempDir(), "silent")
	if err := os.WriteFile(silent, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := startProcess(ctx, silent, nil); err == nil {
		t.Error("a silent process was taken for a worker")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up on a silent process after %v", d)
	}
}

func TestWorkerMayNotStartWorkers(t *testing.T) {
	t.Setenv(WorkerEnv, "1")
	if _, err := StartProcessPool(context.Background(), 1); err == nil {
		t.Error("a worker started workers of its own")
	}
}
