//go:build !race

// Tests that run interpreted goroutines in this process. yaegi v0.16.1 races
// with itself (interp/run.go, getFunc: an unguarded read of a closure slot
// against its guarded write) when cells run function literals on goroutines,
// and the race detector cannot be told to ignore it; the kernel's own
// concurrency is race-tested with the scripted evaluator.

package kernel

import "testing"

func TestSurvivesGoroutinePanicAndExit(t *testing.T) {
	h := startKernel(t, Options{})
	for _, code := range []string{
		"import \"time\"\ngo func() { panic(\"boom in a goroutine\") }()\ntime.Sleep(100 * time.Millisecond)",
		"import \"os\"\nos.Exit(3)",
		"panic(\"boom in the cell\")",
	} {
		r, out := execute(t, h, code)
		t.Logf("%q: %s %s: %s", code, r.Status, r.EName, r.EValue)
		if r2, _ := execute(t, h, "1 + 1"); r2.Status != "ok" {
			t.Fatalf("kernel unusable after %q (%+v, %v): %+v\nlog:\n%s", code, r, out, r2, h.log)
		}
	}
}
