package repl

// Widgets in cells: the session's widgets.Manager, bound to the session as
// display.Display is, and the routing that lets a widget callback's output
// go to an Output widget while a cell prints to its own output at the same
// time.
//
// Comm messages cross the kernel.Evaluator boundary as plain calls:
// Config.Comm sends, HandleComm receives. HandleComm never waits for a cell
// or a callback: a value from the frontend is applied and echoed at once,
// and callbacks run on the Manager's widget goroutine (see package widgets).
// Interrupt cancels the running callback, as a cell's context is cancelled.

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/symbols"
	"github.com/gospeed/gospeed/kernel/widgets"
)

const widgetsPath = "github.com/gospeed/gospeed/kernel/widgets"

// hostOnly are the names of package widgets that serve the kernel, not a
// cell: a cell does not see them.
var hostOnly = map[string]bool{
	"Manager": true, "Host": true, "NewManager": true,
	"ProtocolVersion": true, "Target": true, "ControlTarget": true, "ViewMIME": true,
	// Manager methods that are the kernel's, not constructors.
	"HandleComm": true, "Interrupt": true, "Close": true,
}

// widgetHost routes output by goroutine: a goroutine in a callback's
// capture writes to the capture, all others to the cell.
type widgetHost struct {
	mgr    *widgets.Manager
	active atomic.Int32 // captures running: when 0, nothing is looked up
	mu     sync.Mutex
	routes map[int64]*route // by goroutine id
}

// A route is where one goroutine's output goes while it runs a callback; a
// nil writer or show leaves that output to the cell.
type route struct {
	ctx            context.Context
	stdout, stderr io.Writer
	show           func(display.Data, bool)
}

// startWidgets wraps the session's outputs with the routing and starts its
// Manager; it runs in New, before the interpreter takes cfg's writers.
func (s *Session) startWidgets() {
	h := &widgetHost{routes: map[int64]*route{}}
	stdout, stderr, show := s.cfg.Stdout, s.cfg.Stderr, s.cfg.Display
	s.cfg.Stdout = routedWriter{h, stdout, func(r *route) io.Writer { return r.stdout }}
	s.cfg.Stderr = routedWriter{h, stderr, func(r *route) io.Writer { return r.stderr }}
	s.cfg.Display = func(d display.Data, update bool) {
		if r := h.current(); r != nil && r.show != nil {
			r.show(d, update)
			return
		}
		show(d, update)
	}
	send := s.cfg.Comm
	if send == nil {
		send = func(string, map[string]any, [][]byte) {}
	}
	h.mgr = widgets.NewManager(widgets.Host{
		Send:    send,
		Display: s.cfg.Display,
		Context: s.context,
		Capture: func(ctx context.Context, stdout, stderr io.Writer, show func(display.Data, bool), f func()) {
			h.capture(s, &route{ctx, stdout, stderr, show}, f)
		},
	})
	s.widgets = h
}

// HandleComm takes a comm message from the frontend (comm_open, comm_msg,
// comm_close, content as in the Jupyter message); it returns at once.
func (s *Session) HandleComm(msgType string, content map[string]any, buffers [][]byte) {
	s.widgets.mgr.HandleComm(msgType, content, buffers)
}

// Interrupt cancels the running widget callback and drops the waiting ones;
// the running cell, if any, is interrupted through its context.
func (s *Session) Interrupt() { s.widgets.mgr.Interrupt() }

// widgetSymbols is package widgets as a cell sees it: its types, and the
// Manager's constructors as package functions of this session.
func (s *Session) widgetSymbols() map[string]reflect.Value {
	syms := map[string]reflect.Value{}
	for name, v := range symbols.Symbols[widgetsPath+"/widgets"] {
		if !hostOnly[name] {
			syms[name] = v
		}
	}
	mgr := reflect.ValueOf(s.widgets.mgr)
	for i := range mgr.NumMethod() {
		if name := mgr.Type().Method(i).Name; !hostOnly[name] {
			syms[name] = mgr.Method(i)
		}
	}
	return syms
}

// capture runs f with r as the calling goroutine's route, and reports its
// panic on r's stderr (or the cell's), as a cell's goroutine's panic is.
func (h *widgetHost) capture(s *Session, r *route, f func()) {
	id := goroutineID()
	h.mu.Lock()
	prev := h.routes[id]
	h.routes[id] = r
	h.mu.Unlock()
	h.active.Add(1)
	defer func() {
		h.active.Add(-1)
		h.mu.Lock()
		if prev != nil {
			h.routes[id] = prev
		} else {
			delete(h.routes, id)
		}
		h.mu.Unlock()
	}()
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(s.cfg.Stderr, "panic in a widget callback: %s\n", panicText(p))
		}
	}()
	f()
}

// current is the calling goroutine's route, or nil.
func (h *widgetHost) current() *route {
	if h.active.Load() == 0 {
		return nil
	}
	id := goroutineID()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.routes[id]
}

// callbackContext is the context of the callback the calling goroutine
// runs, if it runs one: display.Context() in a callback.
func (h *widgetHost) callbackContext() (context.Context, bool) {
	if r := h.current(); r != nil && r.ctx != nil {
		return r.ctx, true
	}
	return nil, false
}

// displayHere returns where the calling goroutine's displays go, for a
// display that outlives the call (a progress bar that compiled goroutines
// report to): the capture's show, or cell, the cell's display.
func (h *widgetHost) displayHere(cell func(display.Data, bool)) func(display.Data, bool) {
	if r := h.current(); r != nil && r.show != nil {
		return r.show
	}
	return cell
}

type routedWriter struct {
	h     *widgetHost
	cell  io.Writer
	route func(*route) io.Writer
}

func (w routedWriter) Write(p []byte) (int, error) {
	if r := w.h.current(); r != nil {
		if to := w.route(r); to != nil {
			return to.Write(p)
		}
	}
	return w.cell.Write(p)
}
