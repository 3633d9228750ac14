package notebook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kernel runs code for a notebook: a Jupyter kernel behind a client.
type Kernel interface {
	// Execute runs code as one cell and hands the iopub messages of the
	// request to onMessage, in order (a Kernel may leave out status and
	// execute_input, as kernel/client does), returning once the kernel has replied
	// and published all of the cell's output. The reply's status is "ok",
	// "error" or "aborted". When ctx ends first, Execute returns ctx's error
	// and the kernel may still be running the cell.
	Execute(ctx context.Context, code string, onMessage func(Message)) (Reply, error)
	// Interrupt asks the kernel to stop the cell it is running.
	Interrupt(ctx context.Context) error
}

// Reply is the kernel's execute_reply.
type Reply struct {
	Status         string
	ExecutionCount int
}

// DefaultTimeout is how long one cell may run unless Options say otherwise.
const DefaultTimeout = 120 * time.Second

// Options change how Run runs a notebook.
type Options struct {
	// Timeout bounds each cell; the kernel is interrupted and the run fails
	// when a cell takes longer. Zero means DefaultTimeout.
	Timeout time.Duration
	// AllowErrors runs on past cells that fail, keeping their error output.
	AllowErrors bool
	// Cell, when not nil, is told before each code cell runs.
	Cell func(index int, c *Cell)
}

// CellError is a cell that failed: it raised an error, or ran out of time.
type CellError struct {
	Index  int    // the cell's index in Notebook.Cells, from 0
	Source string // the cell's first line, to find it by
	Err    error
}

func (e *CellError) Error() string {
	return fmt.Sprintf("cell %d (%q): %v", e.Index, e.Source, e.Err)
}

func (e *CellError) Unwrap() error { return e.Err }

// ErrTimeout is the error of a cell that ran out of time.
var ErrTimeout = errors.New("timed out")

// Run runs nb's code cells in order on k, replacing their outputs and
// execution counts with what the kernel produces now. It stops at the first
// cell that fails, with a *CellError, unless opt.AllowErrors is set or the
// cell is tagged to fail (RaisesException), as nbclient does. After a
// timeout the kernel has been sent an interrupt but may still be busy: the
// caller should not use it again.
func Run(ctx context.Context, nb *Notebook, k Kernel, opt Options) error {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	rec := newRecorder()
	defer rec.widgets.save(nb)
	for i, c := range nb.Cells {
		if c.Type != Code || strings.TrimSpace(c.Source) == "" {
			continue
		}
		if opt.Cell != nil {
			opt.Cell(i, c)
		}
		if err := runCell(ctx, k, rec, c, opt.Timeout); err != nil {
			cerr := &CellError{Index: i, Source: firstLine(c.Source), Err: err}
			if (opt.AllowErrors || RaisesException(c)) && !errors.Is(err, ErrTimeout) && ctx.Err() == nil {
				continue
			}
			return cerr
		}
	}
	return nil
}

// RaisesException reports whether a cell is tagged "raises-exception": its
// error is the lesson (a data race, a deadlock), so a run goes on past it,
// as nbclient and JupyterLab's Run All do.
func RaisesException(c *Cell) bool {
	tags, _ := c.Metadata["tags"].([]any)
	for _, t := range tags {
		if t == "raises-exception" {
			return true
		}
	}
	return false
}

func runCell(ctx context.Context, k Kernel, rec *recorder, c *Cell, timeout time.Duration) error {
	rec.start(c)
	c.ExecutionCount = nil
	var recErr error
	cellCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	reply, err := k.Execute(cellCtx, c.Source, func(m Message) {
		if err := rec.add(m); err != nil && recErr == nil {
			recErr = err
		}
	})
	switch {
	case err != nil && ctx.Err() == nil && cellCtx.Err() != nil:
		ictx, icancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer icancel()
		if ierr := k.Interrupt(ictx); ierr != nil {
			return fmt.Errorf("%w after %v (and the interrupt failed: %v)", ErrTimeout, timeout, ierr)
		}
		return fmt.Errorf("%w after %v: the kernel was interrupted", ErrTimeout, timeout)
	case err != nil:
		return err
	case recErr != nil:
		return recErr
	}
	if reply.ExecutionCount > 0 {
		n := reply.ExecutionCount
		c.ExecutionCount = &n
	} else {
		c.ExecutionCount = rec.executionCnt
	}
	if o := firstError(c); o != nil {
		return fmt.Errorf("%s: %s", o.EName, o.EValue)
	}
	if reply.Status != "ok" {
		return fmt.Errorf("the kernel replied %q", reply.Status)
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}
