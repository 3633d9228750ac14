// Package capture routes output by goroutine: while a goroutine runs a
// function under Router.Run, what it writes through the Router's writers
// and displays goes to that capture, while every other goroutine's goes to
// the cell. A widget callback's output thus reaches its Output widget while a
// cell prints to its own output at the same time.
package capture

import (
	"context"
	"io"
	"sync"
	"sync/atomic"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/internal/goroutine"
)

// A Route is where one goroutine's output goes while it runs a capture; a
// nil writer or Show leaves that output to the cell, a nil Ctx the context.
type Route struct {
	Ctx            context.Context
	Stdout, Stderr io.Writer
	Show           func(display.Data, bool)
}

// Router holds the routes of the goroutines running a capture. Its zero
// value routes nothing.
type Router struct {
	active atomic.Int32 // captures running: when 0, nothing is looked up
	mu     sync.Mutex
	routes map[int64]*Route // by goroutine id
}

// Run runs f with r as the calling goroutine's route, then restores the
// route it had (a capture may run inside another).
func (t *Router) Run(r *Route, f func()) {
	id := goroutine.ID()
	t.mu.Lock()
	if t.routes == nil {
		t.routes = map[int64]*Route{}
	}
	prev := t.routes[id]
	t.routes[id] = r
	t.mu.Unlock()
	t.active.Add(1)
	defer func() {
		t.active.Add(-1)
		t.mu.Lock()
		defer t.mu.Unlock()
		if prev != nil {
			t.routes[id] = prev
		} else {
			delete(t.routes, id)
		}
	}()
	f()
}

// Current is the calling goroutine's route, or nil.
func (t *Router) Current() *Route {
	if t.active.Load() == 0 {
		return nil
	}
	id := goroutine.ID()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.routes[id]
}

// Stdout writes to the writing goroutine's route's Stdout, or to cell.
func (t *Router) Stdout(cell io.Writer) io.Writer {
	return writer{t, cell, func(r *Route) io.Writer { return r.Stdout }}
}

// Stderr writes to the writing goroutine's route's Stderr, or to cell.
func (t *Router) Stderr(cell io.Writer) io.Writer {
	return writer{t, cell, func(r *Route) io.Writer { return r.Stderr }}
}

// Show is where the calling goroutine's displays go: its route's Show, or
// cell. Taken once, it serves a display that outlives the call (a progress
// bar that compiled goroutines update).
func (t *Router) Show(cell func(display.Data, bool)) func(display.Data, bool) {
	if r := t.Current(); r != nil && r.Show != nil {
		return r.Show
	}
	return cell
}

type writer struct {
	t     *Router
	cell  io.Writer
	route func(*Route) io.Writer
}

func (w writer) Write(p []byte) (int, error) {
	if r := w.t.Current(); r != nil && w.route(r) != nil {
		return w.route(r).Write(p)
	}
	return w.cell.Write(p)
}
