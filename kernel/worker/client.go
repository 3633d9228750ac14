// Package worker runs a kernel's cells in a worker process, so that what a
// cell does to its process ends the worker and not the kernel: the Go
// runtime's fatal errors (concurrent map writes, unlock of an unlocked
// mutex, out of memory, a panic in a callback the runtime starts) cannot be
// recovered where they happen.
//
// New gives the kernel an Evaluator (kernel.Options.NewEvaluator) that
// passes every call to a worker process across a pipe: the kernel.Evaluator
// boundary, stretched between two processes. The worker is this same
// program, re-run (Config.Command); it calls Main with the evaluator it
// runs, the yaegi session.
//
// The kernel's side supervises: when the worker dies, the cell's error shows
// the runtime's own reason, the frames a learner can read and what it means;
// then a new worker restores the session by re-running, with their output
// hidden, the cells that succeeded. When an interrupt does not stop a cell
// within a second (blocked in wg.Wait or mu.Lock), the worker is ended and
// the session restored the same way. A worker that grows over its memory
// limit is ended before it can take the machine's memory.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gospeed/gospeed/kernel"
	"github.com/gospeed/gospeed/kernel/display"
)

// Config says how to start and watch a worker.
type Config struct {
	// Command starts a worker: a program that calls Main. Default: this
	// executable, with the argument "kernel-worker".
	Command []string
	// Env is added to the worker's environment.
	Env []string
	// MemoryLimit is the most resident memory a worker may use, in bytes.
	// Default: half the memory of the machine, or of the container when
	// its cgroup says less.
	MemoryLimit int64
	// RestoreBudget: a cell that took longer is not re-run by a restore
	// (the learner is told which). Default 10 s.
	RestoreBudget time.Duration
	// Log receives what the learner is not shown: whole runtime reports.
	// Default: os.Stderr.
	Log *log.Logger
}

// interruptGrace is how long an interrupted cell has to stop (the worker
// checks within a second) before the worker is ended.
const interruptGrace = 1500 * time.Millisecond

// New returns a constructor for kernel.Options.NewEvaluator that starts a
// worker process.
func New(cfg Config) func(kernel.Outputs) (kernel.Evaluator, error) {
	return func(out kernel.Outputs) (kernel.Evaluator, error) {
		if len(cfg.Command) == 0 {
			exe, err := os.Executable()
			if err != nil {
				return nil, fmt.Errorf("worker: finding this executable: %w", err)
			}
			cfg.Command = []string{exe, "kernel-worker"}
		}
		if cfg.MemoryLimit <= 0 {
			cfg.MemoryLimit = DefaultMemoryLimit()
		}
		if cfg.RestoreBudget <= 0 {
			cfg.RestoreBudget = 10 * time.Second
		}
		if cfg.Log == nil {
			cfg.Log = log.New(os.Stderr, "gospeed worker: ", log.LstdFlags)
		}
		c := &Client{cfg: cfg, out: out}
		p, err := c.start(true)
		if err != nil {
			return nil, err
		}
		c.p = p
		return c, nil
	}
}

// Client is the kernel's side of a worker: a kernel.Evaluator.
type Client struct {
	cfg Config
	out kernel.Outputs

	run sync.Mutex // held while a cell runs or the session is restored

	mu      sync.Mutex // guards the fields below
	p       *proc      // the current worker
	history []cell     // the cells that succeeded, in order: what a restore re-runs
	notes   []string   // to tell at the start of the next cell
}

type cell struct {
	code string
	took time.Duration
}

// start starts a worker; its output goes to the cell's streams unless hidden.
func (c *Client) start(shown bool) (*proc, error) {
	p, err := startProc(c.cfg, nil, nil, c.event)
	if err != nil {
		return nil, err
	}
	if shown {
		c.show(p)
	}
	return p, nil
}

// show lets p's output reach the notebook.
func (c *Client) show(p *proc) {
	p.stdout.setSink(c.out.Stdout)
	p.stderr.setSink(c.out.Stderr)
	p.shown.Store(true)
}

// event passes rich output on, unless it comes from a worker being
// restored (a restored cell's widgets are not shown again: the learner
// re-runs their cell).
func (c *Client) event(p *proc, m message) {
	if !p.shown.Load() {
		return
	}
	switch {
	case m.Event == evDisplay && m.Data != nil && c.out.Display != nil:
		c.out.Display(*m.Data, m.Update)
	case m.Event == evClear && c.out.Clear != nil:
		c.out.Clear(m.Update)
	case m.Event == evComm && c.out.Comm != nil:
		c.out.Comm(m.MsgType, m.Content, m.Buffers)
	}
}

func (c *Client) current() *proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.p
}

// Execute runs a cell in the worker. When the worker dies of it, the error
// is the runtime's reason and the session is restored in a new worker.
func (c *Client) Execute(ctx context.Context, code string) (display.Data, bool, error) {
	c.run.Lock()
	defer c.run.Unlock()
	p := c.ready()
	c.tellNotes()
	if p == nil {
		return display.Data{}, false, &Error{Name: "WorkerDied", Value: "no worker process could be started: the kernel's log says why; restart the kernel"}
	}
	begin := time.Now()
	a, err := p.send(ctx, message{Op: opExecute, Code: code})
	var r message
	if err == nil {
		r, err = a.wait(ctx)
		if err != nil && ctx.Err() != nil {
			r, err = c.interrupt(p, a)
		}
		a.forget()
	}
	took := time.Since(begin)
	switch {
	case errors.Is(err, errDied):
		return display.Data{}, false, c.died(p)
	case err != nil:
		return display.Data{}, false, &Error{Name: "WorkerError", Value: err.Error(), Traceback: []string{err.Error()}}
	case r.Stuck:
		p.kill()
		c.crash(p)
		c.restore(p)
		c.tellNotes()
		return display.Data{}, false, stuckError()
	case r.Err != nil:
		return display.Data{}, false, r.Err
	}
	if code != "" {
		c.mu.Lock()
		c.history = append(c.history, cell{code, took})
		c.mu.Unlock()
	}
	if r.OK && r.Data != nil {
		return *r.Data, true, nil
	}
	return display.Data{}, false, nil
}

// interrupt stops the worker's running cell and waits for the cell's
// answer; when it does not come in time, the worker is ended.
func (c *Client) interrupt(p *proc, cellAnswer *answer) (message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), interruptGrace)
	defer cancel()
	if _, err := p.call(ctx, message{Op: opInterrupt}); err != nil && !errors.Is(err, errDied) {
		c.cfg.Log.Printf("interrupting the worker: %v", err)
	}
	r, err := cellAnswer.wait(ctx)
	if err != nil && ctx.Err() != nil {
		return message{Stuck: true}, nil
	}
	return r, err
}

func stuckError() *Error {
	v := "the cell did not stop within a second of the interrupt (blocked in wg.Wait, mu.Lock or a channel operation?), so the worker process was ended and the session restored"
	return &Error{Name: "KeyboardInterrupt", Value: v, Traceback: []string{"KeyboardInterrupt: " + v}}
}

// died restores the session and returns the cell's error: how the worker died.
func (c *Client) died(p *proc) error {
	cr := c.crash(p)
	c.restore(p)
	c.tellNotes()
	tb := strings.Split(strings.TrimRight(cr.text(), "\n"), "\n")
	return &Error{Name: cr.ename(), Value: cr.value(), Traceback: tb}
}

// crash reads how p died and logs the whole report.
func (c *Client) crash(p *proc) crash {
	cr, report := p.crash()
	if report != "" {
		c.cfg.Log.Printf("the worker (pid %d) died: %s\n%s", p.cmd.Process.Pid, cr.reason, report)
	} else {
		c.cfg.Log.Printf("the worker (pid %d) ended: %s", p.cmd.Process.Pid, cr.reason)
	}
	return cr
}

// ready returns a live worker, restoring the session first when the last
// one died between cells (what it died of is told at the next cell).
func (c *Client) ready() *proc {
	p := c.current()
	if p == nil || p.alive() {
		return p
	}
	cr := c.crash(p)
	c.note("The worker process died after the last cell ended, of:\n" + cr.text())
	c.restore(p)
	return c.current()
}

func (c *Client) note(s string) {
	c.mu.Lock()
	c.notes = append(c.notes, s)
	c.mu.Unlock()
}

func (c *Client) tellNotes() {
	c.mu.Lock()
	notes := c.notes
	c.notes = nil
	c.mu.Unlock()
	for _, n := range notes {
		fmt.Fprintln(c.out.Stderr, n)
	}
}

// maxRestarts bounds how many workers one restore may start, when re-run
// cells kill them too.
const maxRestarts = 3

// restore starts a new worker in place of dead and re-runs the cells that
// succeeded, with their output hidden; it notes what it did.
func (c *Client) restore(dead *proc) {
	begin := time.Now()
	c.mu.Lock()
	history := c.history
	c.mu.Unlock()
	var kept []cell
	var lost []string
	var p *proc
	restarts := 0
	for i := 0; i <= len(history); i++ {
		if p == nil || !p.alive() {
			if restarts == maxRestarts {
				lost = append(lost, "the remaining cells: the re-run cells kept ending the worker")
				break
			}
			restarts++
			var err error
			if p, err = c.start(false); err != nil {
				c.cfg.Log.Printf("restoring the session: %v", err)
				c.note("The session could not be restored: " + err.Error())
				c.setProc(nil, nil)
				return
			}
			// Re-run what the last worker had restored before it died.
			for j := 0; j < len(kept); j++ {
				if !c.rerun(p, kept[j]) {
					lost = append(lost, describe(kept[j], "it failed when re-run"))
					kept = append(kept[:j], kept[j+1:]...)
					j--
				}
			}
		}
		if i == len(history) {
			break
		}
		h := history[i]
		if h.took > c.cfg.RestoreBudget {
			lost = append(lost, describe(h, fmt.Sprintf("it took %.1f s, over the %v budget for re-running; run it again", h.took.Seconds(), c.cfg.RestoreBudget)))
			continue
		}
		if c.rerun(p, h) {
			kept = append(kept, h)
		} else {
			lost = append(lost, describe(h, "it failed when re-run"))
		}
	}
	c.setProc(p, kept)
	c.show(p)
	var b strings.Builder
	fmt.Fprintf(&b, "A new worker restored the session: %d of %d cells re-run, in %.2f s.", len(kept), len(history), time.Since(begin).Seconds())
	for _, l := range lost {
		b.WriteString("\nNot restored: " + l)
	}
	c.note(b.String())
	c.cfg.Log.Printf("restored the session in a new worker (pid %d): %d of %d cells in %v", p.cmd.Process.Pid, len(kept), len(history), time.Since(begin).Round(time.Millisecond))
}

// rerun runs a cell again in p and reports whether it succeeded; a cell that
// does not end in twice its first time (and a second) is stopped.
func (c *Client) rerun(p *proc, h cell) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*h.took+time.Second)
	defer cancel()
	r, err := p.call(ctx, message{Op: opExecute, Code: h.code})
	if err != nil {
		p.kill()
		<-p.dead
		return false
	}
	return r.Err == nil && !r.Stuck
}

func (c *Client) setProc(p *proc, history []cell) {
	c.mu.Lock()
	c.p, c.history = p, history
	c.mu.Unlock()
}

// describe names a cell by its first line, for a learner.
func describe(h cell, why string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(h.code), "\n")
	if len(first) > 50 {
		first = first[:47] + "..."
	}
	return strconv.Quote(first) + ": " + why
}

// request runs a short request (completion, inspection) with a deadline, so
// the shell never hangs on a worker.
func (c *Client) request(m message) (message, bool) {
	c.run.Lock()
	p := c.ready()
	c.run.Unlock()
	if p == nil {
		return message{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := p.call(ctx, m)
	if err != nil {
		c.cfg.Log.Printf("%s: %v", m.Op, err)
		return message{}, false
	}
	return r, true
}

// IsComplete asks the worker.
func (c *Client) IsComplete(code string) (status, indent string) {
	r, ok := c.request(message{Op: opIsComplete, Code: code})
	if !ok {
		return "unknown", ""
	}
	return r.Status, r.Indent
}

// Complete asks the worker.
func (c *Client) Complete(code string, cursor int) (matches []string, start, end int) {
	r, ok := c.request(message{Op: opComplete, Code: code, Cursor: cursor})
	if !ok {
		return nil, cursor, cursor
	}
	return r.Matches, r.Start, r.End
}

// Inspect asks the worker.
func (c *Client) Inspect(code string, cursor int) (display.Data, bool) {
	r, ok := c.request(message{Op: opInspect, Code: code, Cursor: cursor})
	if !ok || !r.OK || r.Data == nil {
		return display.Data{}, false
	}
	return *r.Data, true
}

// StopGoroutines stops the goroutines that earlier cells left running (an
// interrupt while no cell runs) and returns how many it stopped; the next
// cell says so too.
func (c *Client) StopGoroutines() int {
	if !c.run.TryLock() {
		return 0 // a cell runs: the interrupt is for it
	}
	p := c.ready()
	c.run.Unlock()
	if p == nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := p.call(ctx, message{Op: opInterrupt})
	if err != nil {
		return 0
	}
	if r.Stopped > 0 {
		c.note(fmt.Sprintf("The interrupt stopped %d goroutines that earlier cells had left running.", r.Stopped))
	}
	return r.Stopped
}

// HandleComm passes a comm message from the frontend to the worker, and
// returns once the worker has handled it (what it sent on the comm
// meanwhile has reached the kernel). It never waits for a running cell.
func (c *Client) HandleComm(msgType string, content map[string]any, buffers [][]byte) {
	p := c.current()
	if p == nil || !p.alive() {
		c.cfg.Log.Printf("%s: no worker to take it (it is being restarted)", msgType)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := p.call(ctx, message{Op: opComm, MsgType: msgType, Content: content, Buffers: buffers}); err != nil {
		c.cfg.Log.Printf("%s: %v", msgType, err)
	}
}

// Interrupt stops the worker's work outside cells (widget callbacks).
func (c *Client) Interrupt() {
	p := c.current()
	if p == nil || !p.alive() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	a, err := p.send(ctx, message{Op: opStopComms})
	if err != nil {
		c.cfg.Log.Printf("stopping widget callbacks: %v", err)
		return
	}
	a.forget() // it has no answer

}

// Close ends the worker.
func (c *Client) Close() error {
	if p := c.current(); p != nil {
		p.close()
	}
	return nil
}
