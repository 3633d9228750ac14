package repl

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/gospeed/gospeed/kernel/internal/goroutine"
)

// When a cell is interrupted, yaegi's EvalWithContext returns at once, while
// its evaluation goroutine stops only at its next step, or, inside a compiled
// call (a lessons run given context.Background(), a network read), when that
// call returns. Worse, the next Eval resets yaegi's global frame, so a
// top-level statement that had not yet seen the interrupt would go on running
// next to the new cell, and both would share the interpreter's memory. So the
// next cell waits until the interrupted evaluation has really ended. yaegi
// gives no handle on that goroutine; the runtime's stack dump names it, as
// created by EvalWithContext in the goroutine that called it.

// evalRunning reports whether the evaluation goroutine that the goroutine
// caller started is still alive.
func evalRunning(caller int64) bool {
	return bytes.Contains(goroutine.Stacks(), []byte(fmt.Sprintf("interp.(*Interpreter).EvalWithContext in goroutine %d\n", caller)))
}

// waitIdle waits for the end of an interrupted cell's evaluation.
func (s *Session) waitIdle(ctx context.Context) error {
	z := s.zombie.Load()
	if z == 0 {
		return nil
	}
	start, told := time.Now(), false
	for delay := time.Millisecond; evalRunning(z); delay = min(2*delay, 100*time.Millisecond) {
		if !told && time.Since(start) > time.Second {
			fmt.Fprintln(s.cfg.Stderr, "(waiting for the interrupted cell to stop: it is inside a call that does not watch display.Context())")
			told = true
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return interrupted("the previous, interrupted cell is still running inside a compiled call; it stops when that call returns (pass display.Context() to long calls so that they stop on interrupt)")
		}
	}
	s.zombie.Store(0)
	return nil
}
