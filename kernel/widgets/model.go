package widgets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"strings"

	"github.com/gospeed/gospeed/kernel/display"
)

// A model is the kernel's half of one widget: its state, as the frontend
// model has it, and what to do when its value changes.
type model struct {
	m        *Manager
	id       string
	valueKey string // the state key observers watch ("value", "index"), or ""

	// Guarded by m.mu.
	state    map[string]any
	jobs     []*job               // callbacks run on the widget goroutine
	links    []func()             // run at once: they only copy a value
	onCustom func(map[string]any) // custom messages (a Button's click)
}

// ModelID is the widget's model id, the id of its comm.
func (w *model) ModelID() string { return w.id }

func (w *model) base() *model { return w }

// render is the display of the widget: its view, and text for frontends
// without widgets.
func (w *model) render(text string) display.Data {
	return display.Data{Data: display.MIMEMap{
		ViewMIME:             map[string]any{"model_id": w.id, "version_major": 2, "version_minor": 0},
		display.MIMETypeText: text,
	}}
}

func (w *model) get(key string) any {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	return w.state[key]
}

// SetAttr sets any attribute of the widget's model, as ipywidgets names it
// ("continuous_update", "readout", "interval", "disabled"...); the
// frontend ignores names it does not know.
func (w *model) SetAttr(name string, value any) error {
	if strings.HasPrefix(name, "_") {
		return fmt.Errorf("widgets: %s is not an attribute a cell may change", name)
	}
	if name == w.valueKey {
		return fmt.Errorf("widgets: set %s with the widget's Set method", name)
	}
	w.set(map[string]any{name: value})
	return nil
}

// set changes state from the kernel's side: the frontend gets an update,
// and a changed value runs the links and callbacks.
func (w *model) set(changes map[string]any) {
	changed := w.apply(changes)
	w.m.host.Send("comm_msg", map[string]any{"comm_id": w.id, "data": map[string]any{
		"method": "update", "state": changes, "buffer_paths": []any{},
	}}, nil)
	if changed {
		w.changed()
	}
}

// apply stores changes and reports whether the value changed.
func (w *model) apply(changes map[string]any) bool {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	changed := false
	for k, v := range changes {
		if k == w.valueKey && !reflect.DeepEqual(w.state[k], v) {
			changed = true
		}
		w.state[k] = v
	}
	return changed
}

// changed runs the links at once and queues the callbacks.
func (w *model) changed() {
	w.m.mu.Lock()
	links, jobs := w.links, w.jobs
	w.m.mu.Unlock()
	for _, l := range links {
		l()
	}
	w.m.enqueue(jobs)
}

func (w *model) observe(j *job) {
	w.m.mu.Lock()
	w.jobs = append(w.jobs, j)
	w.m.mu.Unlock()
}

// handle takes a comm_msg's data from the frontend.
func (w *model) handle(data map[string]any, buffers [][]byte) {
	switch data["method"] {
	case "update":
		state, _ := data["state"].(map[string]any)
		if state == nil {
			return
		}
		state = maps.Clone(state)
		putBuffers(state, data["buffer_paths"], buffers)
		w.update(state)
	case "request_state":
		w.m.mu.Lock()
		state := maps.Clone(w.state)
		w.m.mu.Unlock()
		w.m.host.Send("comm_msg", map[string]any{"comm_id": w.id, "data": map[string]any{
			"method": "update", "state": state, "buffer_paths": []any{},
		}}, nil)
	case "custom":
		content, _ := data["content"].(map[string]any)
		w.m.mu.Lock()
		f := w.onCustom
		w.m.mu.Unlock()
		if f != nil && content != nil {
			f(content)
		}
	}
}

// update applies a frontend's state: the attributes it may set, as the
// types the model has, then echoes what it accepted (echo_update); when a
// value had to change (a slider's value out of its range), an update
// follows with the value kept.
func (w *model) update(sent map[string]any) {
	accepted, values, kept := map[string]any{}, map[string]any{}, map[string]any{}
	w.m.mu.Lock()
	for k, v := range sent {
		old, known := w.state[k]
		if !known || strings.HasPrefix(k, "_") {
			continue
		}
		nv, ok := coerce(old, v)
		if !ok {
			continue
		}
		nv, ok = w.check(k, nv)
		if !ok {
			continue
		}
		accepted[k], values[k] = v, nv
		if !sameJSON(nv, v) {
			kept[k] = nv
		}
	}
	w.m.mu.Unlock()
	if len(accepted) == 0 {
		return
	}
	w.m.host.Send("comm_msg", map[string]any{"comm_id": w.id, "data": map[string]any{
		"method": "echo_update", "state": accepted, "buffer_paths": []any{},
	}}, nil)
	if len(kept) > 0 {
		w.set(values)
		return
	}
	if w.apply(values) {
		w.changed()
	}
}

// sameJSON reports whether a and b are the same JSON value (16 and 16.0 are).
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// check keeps a numeric value within the model's min and max, and refuses
// an index out of the options (m.mu held).
func (w *model) check(key string, v any) (any, bool) {
	switch key {
	case "value":
		return w.clamp(v), true
	case "index":
		i, ok := v.(int)
		labels, _ := w.state["_options_labels"].([]string)
		return v, ok && i >= 0 && i < len(labels)
	}
	return v, true
}

// clamp keeps an int or float64 within the model's min and max (m.mu held).
func (w *model) clamp(v any) any {
	switch x := v.(type) {
	case int:
		return within(x, w.state["min"], w.state["max"])
	case float64:
		return within(x, w.state["min"], w.state["max"])
	}
	return v
}

// within is x kept between lo and hi, each a bound only when it is a T.
func within[T int | float64](x T, lo, hi any) T {
	if l, ok := lo.(T); ok && x < l {
		return l
	}
	if h, ok := hi.(T); ok && x > h {
		return h
	}
	return x
}

// coerce converts a JSON value to the Go type of the attribute's current
// value; ok is false when it cannot.
func coerce(old, v any) (any, bool) {
	switch old.(type) {
	case int:
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt32 || f < math.MinInt32 {
			return nil, false
		}
		return int(math.Round(f)), true
	case float64:
		f, ok := v.(float64)
		return f, ok && !math.IsNaN(f) && !math.IsInf(f, 0)
	case bool:
		b, ok := v.(bool)
		return b, ok
	case string:
		s, ok := v.(string)
		return s, ok
	case nil: // an index that selects nothing yet
		if f, ok := v.(float64); ok && f == math.Trunc(f) && f >= 0 && f < math.MaxInt32 {
			return int(f), true
		}
		return nil, v == nil
	}
	if reflect.TypeOf(old) == reflect.TypeOf(v) {
		return v, true
	}
	return nil, false
}

// putBuffers puts binary buffers into state at their paths, as the widget
// protocol sends them: [["x"], ["y", 0]] says buffer 0 is state["x"] and
// buffer 1 state["y"][0]. Paths that do not fit are skipped.
func putBuffers(state map[string]any, paths any, buffers [][]byte) {
	list, _ := paths.([]any)
	for i, p := range list {
		path, _ := p.([]any)
		if i >= len(buffers) || len(path) == 0 {
			continue
		}
		var at any = state
		for j, step := range path {
			last := j == len(path)-1
			switch c := at.(type) {
			case map[string]any:
				key, ok := step.(string)
				if !ok {
					at = nil
					continue
				}
				if last {
					c[key] = buffers[i]
				}
				at = c[key]
			case []any:
				f, ok := step.(float64)
				if !ok || f < 0 || int(f) >= len(c) {
					at = nil
					continue
				}
				if last {
					c[int(f)] = buffers[i]
				}
				at = c[int(f)]
			default:
				at = nil
			}
		}
	}
}
