package repl

// Widgets in cells: the session's widgets.Manager, bound to the session as
// display.Display is, with a callback's output routed to its Output widget
// (package capture) while a cell prints to its own output.
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
	"maps"
	"reflect"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/internal/capture"
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

// startWidgets routes the session's outputs by goroutine (a callback's
// capture, or the cell) and starts its Manager; it runs in New, before the
// interpreter takes cfg's writers.
func (s *Session) startWidgets() {
	r := &s.routes
	s.cfg.Stdout, s.cfg.Stderr = r.Stdout(s.cfg.Stdout), r.Stderr(s.cfg.Stderr)
	show := s.cfg.Display
	s.cfg.Display = func(d display.Data, update bool) { r.Show(show)(d, update) }
	s.widgets = widgets.NewManager(widgets.Host{
		Send:    s.cfg.Comm,
		Display: s.cfg.Display,
		Context: s.context,
		Capture: func(ctx context.Context, stdout, stderr io.Writer, show func(display.Data, bool), f func()) {
			r.Run(&capture.Route{Ctx: ctx, Stdout: stdout, Stderr: stderr, Show: show}, func() {
				// Reported as a cell's goroutine's panic is, on the capture's stderr.
				defer func() {
					if p := recover(); p != nil {
						fmt.Fprintf(s.cfg.Stderr, "panic in a widget callback: %s\n", panicText(p))
					}
				}()
				f()
			})
		},
	})
}

// HandleComm takes a comm message from the frontend (comm_open, comm_msg,
// comm_close, content as in the Jupyter message); it returns at once.
func (s *Session) HandleComm(msgType string, content map[string]any, buffers [][]byte) {
	s.widgets.HandleComm(msgType, content, buffers)
}

// Interrupt cancels the running widget callback and drops the waiting ones;
// the running cell, if any, is interrupted through its context.
func (s *Session) Interrupt() { s.widgets.Interrupt() }

// widgetSymbols is package widgets as a cell sees it: its types, and the
// Manager's constructors as package functions of this session.
func (s *Session) widgetSymbols() map[string]reflect.Value {
	syms := maps.Clone(symbols.Symbols[widgetsPath+"/widgets"])
	maps.DeleteFunc(syms, func(name string, _ reflect.Value) bool { return hostOnly[name] })
	mgr := reflect.ValueOf(s.widgets)
	for i := range mgr.NumMethod() {
		if name := mgr.Type().Method(i).Name; !hostOnly[name] {
			syms[name] = mgr.Method(i)
		}
	}
	return syms
}
