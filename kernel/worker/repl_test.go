//go:build !race

// These tests run learner cells in the real interpreter in the worker. yaegi
// v0.16.1 has a data race of its own (interp/run.go, getFunc) when cells run
// function literals on goroutines, which the race detector would report in
// the worker; the kernel's side of the same paths is race-tested with the
// scripted evaluator (worker_test.go).

package worker

import (
	"strings"
	"testing"
	"time"
)

func TestLearnerCellsThatKillTheProcess(t *testing.T) {
	h := startKernel(t, "repl", Config{})
	h.execute(t, `import ("context"; "sync"; "time")`)
	for _, tc := range []struct{ name, cell, reason string }{
		{"map written by 8 goroutines", `m := map[int]int{}
var wg sync.WaitGroup
for g := 0; g < 8; g++ {
	wg.Add(1)
	go func(g int) { defer wg.Done(); for i := 0; i < 20000; i++ { m[i] = g } }(g)
}
wg.Wait()`, "concurrent map"},
		{"unlock of an unlocked mutex", "var mu sync.Mutex\nmu.Unlock()", "fatal error: sync: unlock of unlocked mutex"},
		{"RUnlock of an RWMutex", "var rw sync.RWMutex\nrw.RUnlock()", "fatal error: sync: RUnlock of unlocked RWMutex"},
		{"panic in time.AfterFunc", "time.AfterFunc(10*time.Millisecond, func() { panic(\"boom\") })\ntime.Sleep(2 * time.Second)", "panic: boom"},
		{"panic in context.AfterFunc", "ctx, cancel := context.WithCancel(context.Background())\ncontext.AfterFunc(ctx, func() { panic(\"boom\") })\ncancel()\ntime.Sleep(2 * time.Second)", "panic: boom"},
		{"30 GB", "b := make([]byte, 30<<30)\n_ = b", "out of memory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.execute(t, "x := 41")
			r, _ := h.execute(t, tc.cell)
			all := r.EValue + "\n" + strings.Join(r.Traceback, "\n")
			if r.Status != "error" || !strings.Contains(all, tc.reason) {
				t.Fatalf("reply %s %s %q; want an error with %q\n%s\nlog:\n%s", r.Status, r.EName, r.EValue, tc.reason, all, h.log)
			}
			r, out := h.execute(t, "x + 1")
			if r.Status != "ok" || result(t, out) != "42" {
				t.Fatalf("after the crash: %+v %q, want 42", r, result(t, out))
			}
		})
	}
}

func TestInterruptingWaitGroupWaitGivesASessionBack(t *testing.T) {
	h := startKernel(t, "repl", Config{})
	h.execute(t, "import \"sync\"\nx := 41")
	_, begin := h.interrupted(t, "var wg sync.WaitGroup\nwg.Add(1)\nwg.Wait()", 300*time.Millisecond)
	r, out := h.execute(t, "x + 1")
	took := time.Since(begin)
	t.Logf("interrupt of wg.Wait to a working session: %v", took)
	if r.Status != "ok" || result(t, out) != "42" {
		t.Fatalf("after interrupting wg.Wait: %+v %q", r, result(t, out))
	}
}
