package repl

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"time"

	"github.com/gospeed/gospeed/kernel/repl/cell"
)

// A function that calls itself without end grows its goroutine's stack to
// Go's limit (1 GB), where the runtime ends the process: no recover catches a
// stack overflow. So a session samples the memory of all goroutine stacks,
// and before that limit stops the running cell, as an interrupt does, or,
// between cells, the goroutines earlier cells left running.

// stackLimit is the stack memory at which the session steps in.
const stackLimit = 384 << 20

// errStackOverflow is the cause of a cell's context when the watchdog stops it.
var errStackOverflow = errors.New("stack overflow")

const stackMetric = "/memory/classes/heap/stacks:bytes"

// watchStacks runs until done is closed.
func (s *Session) watchStacks(done <-chan struct{}) {
	sample := []metrics.Sample{{Name: stackMetric}}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 || sample[0].Value.Uint64() <= stackLimit {
			continue
		}
		if c := s.cell.Load(); c != nil {
			c.cancel(errStackOverflow)
			continue
		}
		if s.run.TryLock() {
			fmt.Fprintf(s.cfg.Stderr, "a goroutine left running by an earlier cell used over %d MB of stack (a function that calls itself without end?): the session's goroutines were stopped\n", stackLimit>>20)
			s.stopAll()
			s.run.Unlock()
		}
		// Let the stacks unwind and shrink before sampling again.
		select {
		case <-done:
			return
		case <-time.After(time.Second):
		}
	}
}

// stopAll stops every goroutine running interpreted code, at its next step:
// yaegi stops all frames of an interpreter when an evaluation is cancelled,
// and an evaluation with a cancelled context does just that, provided it is
// still running when EvalWithContext sees the context done: so it waits for
// the stop (see goroutines.go).
func (s *Session) stopAll() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = s.eval(ctx, cell.Helper+".AwaitStop()")
}

func stackOverflow() *Error {
	v := fmt.Sprintf("the cell's goroutines used over %d MB of stack, so it was stopped: a function that calls itself without end?", stackLimit>>20)
	return newError("StackOverflow", v)
}
