package widgets

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"maps"
	"strings"
	"sync"

	"github.com/gospeed/gospeed/kernel/display"
)

// OutputArea is an output area, made by Output: what a function prints and
// displays, charts included, shown in place of what it showed before.
type OutputArea struct{ *model }

// Output is an empty output area.
func (m *Manager) Output() *OutputArea {
	return &OutputArea{m.open(state(outputModule, outputVer, "Output", map[string]any{
		"msg_id": "", "outputs": []any{}, "layout": nil,
	}), "")}
}

// Render shows the output area.
func (w *OutputArea) Render() display.Data { return w.render("Output") }

// Clear empties the output area.
func (w *OutputArea) Clear() { w.set(map[string]any{"outputs": []any{}}) }

// Capture runs f, and shows what it prints and displays in the output
// area, in place of what the area showed before. The area changes as f
// displays; what f prints shows when f displays something or returns.
func (w *OutputArea) Capture(f func()) { w.capture(w.m.host.Context(), func(*capture) { f() }) }

// capture runs f with its output going into a new capture, which then
// replaces the area's outputs.
func (w *OutputArea) capture(ctx context.Context, f func(c *capture)) {
	c := &capture{out: w}
	defer c.flush()
	w.m.host.Capture(ctx, streamWriter{c, "stdout"}, streamWriter{c, "stderr"}, c.show, func() { f(c) })
}

// A capture collects the outputs of one run, as the Output model's outputs
// state lists them (nbformat output dicts).
type capture struct {
	out *OutputArea

	mu      sync.Mutex
	outputs []map[string]any
	ids     []string // the display_id of each output, or ""
}

type streamWriter struct {
	c    *capture
	name string
}

func (s streamWriter) Write(p []byte) (int, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if n := len(s.c.outputs); n > 0 && s.c.outputs[n-1]["output_type"] == "stream" && s.c.outputs[n-1]["name"] == s.name {
		s.c.outputs[n-1]["text"] = s.c.outputs[n-1]["text"].(string) + string(p)
		return len(p), nil
	}
	s.c.outputs = append(s.c.outputs, map[string]any{"output_type": "stream", "name": s.name, "text": string(p)})
	s.c.ids = append(s.c.ids, "")
	return len(p), nil
}

// show takes a display: a new output, or the update of an earlier one with
// the same display_id (a progress bar). Each run starts with a cleared
// Output, so a callback has no need of display.Clear.
func (c *capture) show(d display.Data, update bool) {
	c.mu.Lock()
	o := map[string]any{"output_type": "display_data", "data": mimeMap(d.Data), "metadata": mimeMap(d.Metadata)}
	id, _ := d.Transient["display_id"].(string)
	replaced := false
	for i := range c.ids {
		if id != "" && c.ids[i] == id {
			c.outputs[i], replaced = o, true
		}
	}
	if !replaced && !update {
		c.outputs = append(c.outputs, o)
		c.ids = append(c.ids, id)
	}
	c.mu.Unlock()
	c.flush()
}

// result shows the values a function returned: an error as text on
// stderr, anything else as a cell shows its value.
func (c *capture) result(v any) {
	if err, ok := v.(error); ok {
		fmt.Fprintf(streamWriter{c, "stderr"}, "error: %v\n", err)
		return
	}
	c.show(display.Render(v), false)
}

// flush sends the outputs so far as the Output's state.
func (c *capture) flush() {
	c.mu.Lock()
	list := make([]any, len(c.outputs))
	for i, o := range c.outputs {
		list[i] = maps.Clone(o)
	}
	c.mu.Unlock()
	c.out.set(map[string]any{"outputs": list})
}

func mimeMap(m display.MIMEMap) display.MIMEMap {
	if m == nil {
		return display.MIMEMap{}
	}
	return m
}

// fallbackHTML is the outputs as one HTML fragment, for frontends without
// widgets (a notebook viewer, a saved notebook's text).
func (w *OutputArea) fallbackHTML() string {
	outs, _ := w.get("outputs").([]any)
	var b strings.Builder
	for _, x := range outs {
		o, _ := x.(map[string]any)
		if o["output_type"] == "stream" {
			fmt.Fprintf(&b, "<pre>%s</pre>", html.EscapeString(fmt.Sprint(o["text"])))
			continue
		}
		data, _ := o["data"].(display.MIMEMap)
		switch {
		case data[display.MIMETypeHTML] != nil:
			b.WriteString(text(data[display.MIMETypeHTML]))
		case data[display.MIMETypeSVG] != nil:
			b.WriteString(text(data[display.MIMETypeSVG]))
		case data[display.MIMETypePNG] != nil:
			fmt.Fprintf(&b, `<img src="data:image/png;base64,%s">`, base64Text(data[display.MIMETypePNG]))
		case data[display.MIMETypeText] != nil:
			fmt.Fprintf(&b, "<pre>%s</pre>", html.EscapeString(text(data[display.MIMETypeText])))
		}
	}
	return b.String()
}

func text(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

func base64Text(v any) string {
	if b, ok := v.([]byte); ok {
		return base64.StdEncoding.EncodeToString(b)
	}
	return string(bytes.TrimSpace([]byte(fmt.Sprint(v))))
}
