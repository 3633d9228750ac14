package compiled

import (
	"context"
	"errors"

	"github.com/gospeed/gospeed/kernel"
	"github.com/gospeed/gospeed/kernel/display"
)

// Route returns the kernel's evaluator for both kinds of cell: a %%go cell
// goes to the Runner, every other cell to the interpreter. Completion and
// inspection in a %%go cell ask the interpreter about the Go below the
// magic line, which knows the standard library and lessons too. What only
// the interpreter does (comms, interrupting its goroutines) goes to it.
func Route(interpreted kernel.Evaluator, r *Runner) kernel.Evaluator {
	return &router{interpreted, r}
}

type router struct {
	interpreted kernel.Evaluator
	compiled    *Runner
}

func (c *router) Execute(ctx context.Context, code string) (display.Data, bool, error) {
	if Is(code) {
		return c.compiled.Execute(ctx, code)
	}
	return c.interpreted.Execute(ctx, code)
}

// IsComplete: a %%go cell is a whole file, complete when the frontend sends it.
func (c *router) IsComplete(code string) (status, indent string) {
	if Is(code) {
		return "complete", ""
	}
	return c.interpreted.IsComplete(code)
}

func (c *router) Complete(code string, cursor int) ([]string, int, int) {
	if !Is(code) {
		return c.interpreted.Complete(code, cursor)
	}
	body, off := Body(code)
	if cursor < off {
		return nil, cursor, cursor
	}
	matches, start, end := c.interpreted.Complete(body, cursor-off)
	return matches, start + off, end + off
}

func (c *router) Inspect(code string, cursor int) (display.Data, bool) {
	if !Is(code) {
		return c.interpreted.Inspect(code, cursor)
	}
	body, off := Body(code)
	if cursor < off {
		return display.Data{}, false
	}
	return c.interpreted.Inspect(body, cursor-off)
}

func (c *router) Close() error {
	return errors.Join(c.compiled.Close(), c.interpreted.Close())
}

func (c *router) HandleComm(msgType string, content map[string]any, buffers [][]byte) {
	if h, ok := c.interpreted.(kernel.CommHandler); ok {
		h.HandleComm(msgType, content, buffers)
	}
}

func (c *router) Interrupt() {
	if i, ok := c.interpreted.(kernel.Interrupter); ok {
		i.Interrupt()
	}
}

func (c *router) StopGoroutines() int {
	if s, ok := c.interpreted.(kernel.GoroutineStopper); ok {
		return s.StopGoroutines()
	}
	return 0
}
