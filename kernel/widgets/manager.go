package widgets

import (
	"context"
	"crypto/rand"
	"io"
	"maps"
	"sync"

	"github.com/gospeed/gospeed/kernel/display"
)

// The widget message protocol and the model modules of ipywidgets 8.
const (
	ProtocolVersion = "2.1.0"
	// Target is the comm target of widget models; ControlTarget the one
	// the frontend opens to fetch every model's state at once.
	Target        = "jupyter.widget"
	ControlTarget = "jupyter.widget.control"
	// ViewMIME is the MIME type of a widget's display.
	ViewMIME = "application/vnd.jupyter.widget-view+json"

	controlsModule = "@jupyter-widgets/controls"
	baseModule     = "@jupyter-widgets/base"
	outputModule   = "@jupyter-widgets/output"
	controlsVer    = "2.0.0"
	baseVer        = "2.0.0"
	outputVer      = "1.0.0"
)

// Host connects a Manager to the interpreter session it serves.
type Host struct {
	// Send publishes comm_open, comm_msg or comm_close to the frontend;
	// content["metadata"], when present, is the message's metadata.
	Send func(msgType string, content map[string]any, buffers [][]byte)
	// Display shows d in the running cell; with update, it replaces the
	// display named by d.Transient["display_id"].
	Display func(d display.Data, update bool)
	// Context is the running cell's context (or callback's).
	Context func() context.Context
	// Capture runs f on the calling goroutine with ctx as the context its
	// cell code sees, and what f prints and displays sent to stdout, stderr
	// and show instead of the cell (a nil one: the cell's). It reports a
	// panic of f instead of passing it on.
	Capture func(ctx context.Context, stdout, stderr io.Writer, show func(d display.Data, update bool), f func())
}

// Manager holds one session's widgets and runs their callbacks.
type Manager struct {
	host Host

	mu      sync.Mutex
	models  map[string]*model
	control map[string]bool // open jupyter.widget.control comms
	queue   []*job          // callbacks waiting to run, each at most once
	running context.CancelFunc
	wake    chan struct{}

	ctx  context.Context // done when the Manager is closed
	stop context.CancelFunc
	done chan struct{} // closed when the runner has returned
}

// NewManager starts a Manager; Close stops it.
func NewManager(h Host) *Manager {
	if h.Send == nil {
		h.Send = func(string, map[string]any, [][]byte) {}
	}
	if h.Display == nil {
		h.Display = func(display.Data, bool) {}
	}
	if h.Context == nil {
		h.Context = context.Background
	}
	if h.Capture == nil {
		h.Capture = func(_ context.Context, _, _ io.Writer, _ func(display.Data, bool), f func()) { f() }
	}
	ctx, stop := context.WithCancel(context.Background())
	m := &Manager{host: h, models: map[string]*model{}, control: map[string]bool{}, wake: make(chan struct{}, 1), ctx: ctx, stop: stop, done: make(chan struct{})}
	go m.runJobs()
	return m
}

// Close cancels the running callback, drops the waiting ones and stops the
// runner; widgets keep their values but no longer call back.
func (m *Manager) Close() {
	m.Interrupt()
	m.stop()
	<-m.done
}

// Interrupt cancels the running callback's context and drops the callbacks
// waiting to run.
func (m *Manager) Interrupt() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running != nil {
		m.running()
	}
	for _, j := range m.queue {
		j.queued = false
	}
	m.queue = nil
}

// A job is a callback. It runs at most once at a time; queued again while it
// runs, it runs once more after, with the values of that time.
type job struct {
	run    func(ctx context.Context)
	mu     sync.Mutex // held while it runs
	queued bool       // guarded by Manager.mu
}

// do runs the job; a panic that Host.Capture let through ends only this run.
func (j *job) do(ctx context.Context) {
	j.mu.Lock()
	defer j.mu.Unlock()
	defer func() { _ = recover() }()
	j.run(ctx)
}

func (m *Manager) enqueue(jobs []*job) {
	if len(jobs) == 0 {
		return
	}
	m.mu.Lock()
	for _, j := range jobs {
		if !j.queued {
			j.queued = true
			m.queue = append(m.queue, j)
		}
	}
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// runJobs is the widget goroutine: it runs the queued callbacks in order.
func (m *Manager) runJobs() {
	defer close(m.done)
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-m.wake:
		}
		for {
			j, ctx := m.next()
			if j == nil {
				break
			}
			j.do(ctx)
			m.mu.Lock()
			m.running()
			m.running = nil
			m.mu.Unlock()
		}
	}
}

func (m *Manager) next() (*job, context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.queue) == 0 || m.ctx.Err() != nil {
		return nil, nil
	}
	j := m.queue[0]
	m.queue = m.queue[1:]
	j.queued = false
	ctx, cancel := context.WithCancel(m.ctx)
	m.running = cancel
	return j, ctx
}

// callback wraps a cell's func as a job run with the callback's context.
func (m *Manager) callback(f func()) *job {
	return &job{run: func(ctx context.Context) { m.host.Capture(ctx, nil, nil, nil, f) }}
}

// HandleComm takes a comm message from the frontend: comm_open,
// comm_msg or comm_close, with content as the Jupyter message has it.
// Anything it does not understand is ignored.
func (m *Manager) HandleComm(msgType string, content map[string]any, buffers [][]byte) {
	id, _ := content["comm_id"].(string)
	data, _ := content["data"].(map[string]any)
	switch msgType {
	case "comm_open":
		switch content["target_name"] {
		case ControlTarget:
			m.mu.Lock()
			m.control[id] = true
			m.mu.Unlock()
		default:
			// Models made by the frontend (target jupyter.widget) have
			// no Go side here: close them.
			m.host.Send("comm_close", map[string]any{"comm_id": id, "data": map[string]any{}}, nil)
		}
	case "comm_close":
		m.mu.Lock()
		delete(m.control, id)
		delete(m.models, id)
		m.mu.Unlock()
	case "comm_msg":
		m.mu.Lock()
		control, w := m.control[id], m.models[id]
		m.mu.Unlock()
		switch {
		case control:
			if data["method"] == "request_states" {
				m.sendStates(id)
			}
		case w != nil:
			w.handle(data, buffers)
		}
	}
}

// sendStates answers request_states with every model's state.
func (m *Manager) sendStates(controlID string) {
	m.mu.Lock()
	states := make(map[string]any, len(m.models))
	for id, w := range m.models {
		states[id] = map[string]any{
			"model_name":           w.state["_model_name"],
			"model_module":         w.state["_model_module"],
			"model_module_version": w.state["_model_module_version"],
			"state":                maps.Clone(w.state),
		}
	}
	m.mu.Unlock()
	m.host.Send("comm_msg", map[string]any{"comm_id": controlID, "data": map[string]any{
		"method": "update_states", "states": states, "buffer_paths": []any{},
	}}, nil)
}

// open registers a new model with its full state and opens its comm.
func (m *Manager) open(state map[string]any, valueKey string) *model {
	w := &model{m: m, id: newID(), state: state, valueKey: valueKey}
	m.mu.Lock()
	m.models[w.id] = w
	open := maps.Clone(state)
	m.mu.Unlock()
	m.host.Send("comm_open", map[string]any{
		"comm_id":     w.id,
		"target_name": Target,
		"data":        map[string]any{"state": open, "buffer_paths": []any{}},
		"metadata":    map[string]any{"version": ProtocolVersion},
	}, nil)
	return w
}

func newID() string { return rand.Text() }
