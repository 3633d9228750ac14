package widgets

import (
	"encoding/json"
	"io"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gospeed/gospeed/kernel/display"
)

func TestCoerce(t *testing.T) {
	for _, c := range []struct {
		old, sent, want any
		ok              bool
	}{
		{3, 8.0, 8, true},
		{3, 8.6, 9, true},
		{3, "8", nil, false},
		{3, math.Inf(1), nil, false},
		{3, 1e300, nil, false},
		{3, nil, nil, false},
		{0.5, 2.0, 2.0, true},
		{0.5, true, nil, false},
		{false, true, true, true},
		{"a", "b", "b", true},
		{"a", 1.0, nil, false},
		{nil, 2.0, 2, true}, // an index not set yet
		{nil, -1.0, nil, false},
		{[]string{}, []any{"x"}, nil, false},
	} {
		got, ok := coerce(c.old, c.sent)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("coerce(%#v, %#v) = %#v, %v; want %#v, %v", c.old, c.sent, got, ok, c.want, c.ok)
		}
	}
}

func TestPutBuffers(t *testing.T) {
	state := map[string]any{"y": []any{nil, 1.0}, "z": map[string]any{}}
	putBuffers(state, []any{[]any{"x"}, []any{"y", 0.0}, []any{"z", "w"}, []any{"y", 5.0}, "junk", []any{}}, [][]byte{{1}, {2}, {3}, {4}, {5}, {6}})
	if b, _ := state["x"].([]byte); len(b) != 1 || b[0] != 1 {
		t.Errorf("x = %v", state["x"])
	}
	if b, _ := state["y"].([]any)[0].([]byte); len(b) != 1 || b[0] != 2 {
		t.Errorf("y[0] = %v", state["y"])
	}
	if b, _ := state["z"].(map[string]any)["w"].([]byte); len(b) != 1 || b[0] != 3 {
		t.Errorf("z.w = %v", state["z"])
	}
	putBuffers(state, []any{[]any{"x", "deeper"}}, nil) // more paths than buffers: nothing
}

func TestInteractErrors(t *testing.T) {
	m := NewManager(Host{})
	defer m.Close()
	type bad struct{ C chan int }
	type tagged struct {
		N int `widget:"min=5,max=1"`
	}
	type unknownKey struct {
		N int `widget:"maxi=3"`
	}
	for _, c := range []struct {
		f    any
		args []any
		want string
	}{
		{42, nil, "not a function"},
		{func(int) {}, nil, "takes 1 parameter(s) but 0"},
		{func(...int) {}, []any{m.IntSlider("", 0, 0, 1)}, "takes"},
		{func(string) {}, []any{m.IntSlider("", 0, 0, 1)}, "gives a int, not a string"},
		{func(int) {}, []any{m.Button("b")}, "has no value"},
		{func(int) {}, []any{7}, "neither a widget"},
		{func(bad) {}, []any{bad{}}, "chan int has no control"},
		{func(tagged) {}, []any{tagged{}}, "min 5 is above max 1"},
		{func(unknownKey) {}, []any{unknownKey{}}, `unknown key "maxi"`},
		{func(tagged) {}, []any{bad{}}, "is given for a parameter of type"},
	} {
		err := m.Interact(c.f, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Interact(%T, %v) = %v; want an error with %q", c.f, c.args, err, c.want)
		}
	}
}

// recordingHost records what the Manager sends.
func recordingHost(sent *[]map[string]any, mu *sync.Mutex) Host {
	return Host{Send: func(_ string, c map[string]any, _ [][]byte) {
		mu.Lock()
		*sent = append(*sent, c)
		mu.Unlock()
	}}
}

func TestCaptureReplacesProgressAndClears(t *testing.T) {
	var mu sync.Mutex
	var sent []map[string]any
	m := NewManager(recordingHost(&sent, &mu))
	defer m.Close()
	out := m.Output()
	c := &capture{out: out}
	io.WriteString(streamWriter{c, "stdout"}, "a")
	io.WriteString(streamWriter{c, "stdout"}, "b")
	bar := func(text string) display.Data {
		return display.Data{Data: display.MIMEMap{"text/plain": text}, Transient: display.MIMEMap{"display_id": "p"}}
	}
	c.show(bar("1/2"), false)
	c.show(bar("2/2"), true)
	c.result(io.EOF)
	c.result(display.HTML("<b>chart</b>"))
	if len(c.outputs) != 4 || c.outputs[0]["text"] != "ab" || c.outputs[1]["data"].(display.MIMEMap)["text/plain"] != "2/2" {
		t.Fatalf("outputs: %v", c.outputs)
	}
	if !strings.Contains(c.outputs[2]["text"].(string), "error: EOF") {
		t.Errorf("an error result shows as %v", c.outputs[2])
	}
	html := out.fallbackHTML()
	if !strings.Contains(html, "<pre>ab</pre>") || !strings.Contains(html, "<b>chart</b>") {
		t.Errorf("fallback HTML: %s", html)
	}
}

func TestUpdateStatesAndRequestState(t *testing.T) {
	var mu sync.Mutex
	var sent []map[string]any
	m := NewManager(recordingHost(&sent, &mu))
	defer m.Close()
	s := m.IntSlider("s", 5, 0, 10)
	m.HandleComm("comm_open", map[string]any{"comm_id": "ctl", "target_name": ControlTarget}, nil)
	m.HandleComm("comm_msg", map[string]any{"comm_id": "ctl", "data": map[string]any{"method": "request_states"}}, nil)
	m.HandleComm("comm_msg", map[string]any{"comm_id": s.ModelID(), "data": map[string]any{"method": "request_state"}}, nil)
	m.HandleComm("comm_close", map[string]any{"comm_id": "ctl"}, nil)
	m.HandleComm("comm_msg", map[string]any{"comm_id": "ctl", "data": map[string]any{"method": "request_states"}}, nil)
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 3 {
		t.Fatalf("sent %d messages, want comm_open, update_states, update: %v", len(sent), sent)
	}
	states := sent[1]["data"].(map[string]any)["states"].(map[string]any)
	if st := states[s.ModelID()].(map[string]any); st["model_name"] != "IntSliderModel" || st["state"].(map[string]any)["value"] != 5 {
		t.Errorf("update_states: %v", states)
	}
	if d := sent[2]["data"].(map[string]any); d["method"] != "update" || d["state"].(map[string]any)["max"] != 10 {
		t.Errorf("request_state answered with %v", d)
	}
}

func TestButtonClicksCoalesce(t *testing.T) {
	m := NewManager(Host{})
	defer m.Close()
	b := m.Button("go")
	clicks := make(chan bool, 10)
	release := make(chan bool)
	b.OnClick(func() { clicks <- true; <-release })
	click := map[string]any{"comm_id": b.ModelID(), "data": map[string]any{"method": "custom", "content": map[string]any{"event": "click"}}}
	m.HandleComm("comm_msg", click, nil)
	<-clicks
	for range 3 {
		m.HandleComm("comm_msg", click, nil)
	}
	release <- true
	<-clicks // the three clicks made during the first run: one more run
	release <- true
	select {
	case <-clicks:
		t.Error("a third run")
	case <-time.After(50 * time.Millisecond):
	}
}

// FuzzHandleComm: no comm message, however malformed, panics the Manager.
func FuzzHandleComm(f *testing.F) {
	for _, seed := range []string{
		`{"comm_id":"S","data":{"method":"update","state":{"value":3}}}`,
		`{"comm_id":"S","data":{"method":"update","state":{"value":1e999}}}`,
		`{"comm_id":"D","data":{"method":"update","state":{"index":-1}}}`,
		`{"comm_id":"D","data":{"method":"update","state":{"index":1.5,"_options_labels":[]}}}`,
		`{"comm_id":"S","data":{"method":"update","state":{},"buffer_paths":[["value"],["x",0,"y"]]}}`,
		`{"comm_id":"B","data":{"method":"custom","content":{"event":"click"}}}`,
		`{"comm_id":"O","data":{"method":"update","state":{"outputs":"x"}}}`,
		`{"comm_id":"C","data":{"method":"request_states"}}`,
		`{"comm_id":"S","data":{"method":"request_state"}}`,
		`{"comm_id":7,"data":null}`,
	} {
		f.Add("comm_msg", seed, 2)
	}
	f.Add("comm_open", `{"comm_id":"C","target_name":"jupyter.widget.control"}`, 0)
	f.Add("comm_close", `{"comm_id":"S"}`, 0)
	f.Fuzz(func(t *testing.T, msgType, content string, buffers int) {
		var c map[string]any
		if json.Unmarshal([]byte(content), &c) != nil {
			return
		}
		m := NewManager(Host{})
		defer m.Close()
		ids := map[string]string{
			"S": m.IntSlider("s", 1, 0, 10).ModelID(),
			"D": m.Dropdown("d", []string{"a", "b"}, "a").ModelID(),
			"B": m.Button("b").ModelID(),
			"O": m.Output().ModelID(),
			"F": m.FloatSlider("f", 0.5, 0, 1).ModelID(),
		}
		m.HandleComm("comm_open", map[string]any{"comm_id": "C", "target_name": ControlTarget}, nil)
		if id, ok := c["comm_id"].(string); ok && ids[id] != "" {
			c["comm_id"] = ids[id]
		}
		bufs := make([][]byte, max(0, min(buffers, 4)))
		m.HandleComm(msgType, c, bufs)
	})
}

// Linked widgets of each value type keep one value, both ways.
func TestLinkEachValueType(t *testing.T) {
	m := NewManager(Host{})
	defer m.Close()
	ia, ib := m.IntSlider("a", 1, 0, 10), m.IntSlider("b", 2, 0, 10)
	fa, fb := m.FloatSlider("a", 0.1, 0, 1), m.FloatSlider("b", 0.2, 0, 1)
	ba, bb := m.Checkbox("a", true), m.Checkbox("b", false)
	sa, sb := m.Text("a", "x"), m.Text("b", "y")
	options := []string{"p", "q", "r"}
	ca, cb := m.Dropdown("a", options, "p"), m.Dropdown("b", options, "q")
	for _, row := range []struct {
		name       string
		a, b       Widget
		setB       func() // to a new value
		values     func() (a, b any)
		linked, at any // both values after Link, and after setB
	}{
		{"int", ia, ib, func() { ib.Set(7) }, func() (any, any) { return ia.Value(), ib.Value() }, 1, 7},
		{"float", fa, fb, func() { fb.Set(0.7) }, func() (any, any) { return fa.Value(), fb.Value() }, 0.1, 0.7},
		{"bool", ba, bb, func() { bb.Set(false) }, func() (any, any) { return ba.Value(), bb.Value() }, true, false},
		{"string", sa, sb, func() { sb.Set("z") }, func() (any, any) { return sa.Value(), sb.Value() }, "x", "z"},
		{"choice", ca, cb, func() { _ = cb.Set("r") }, func() (any, any) { return ca.Value(), cb.Value() }, "p", "r"},
	} {
		t.Run(row.name, func(t *testing.T) {
			if err := m.Link(row.a, row.b); err != nil {
				t.Fatal(err)
			}
			if a, b := row.values(); a != row.linked || b != row.linked {
				t.Errorf("after Link: a = %v, b = %v, want both %v", a, b, row.linked)
			}
			row.setB()
			if a, b := row.values(); a != row.at || b != row.at {
				t.Errorf("after b's Set: a = %v, b = %v, want both %v", a, b, row.at)
			}
		})
	}
}

// Sliders keep what is set within their min and max.
func TestSetKeepsWithinMinMax(t *testing.T) {
	m := NewManager(Host{})
	defer m.Close()
	i := m.IntSlider("i", 5, 0, 10)
	f := m.FloatSlider("f", 0.5, 0, 1)
	for n, row := range []struct {
		set   func()
		value func() any
		want  any
	}{
		{func() { i.Set(11) }, func() any { return i.Value() }, 10},
		{func() { i.Set(-1) }, func() any { return i.Value() }, 0},
		{func() { i.Set(7) }, func() any { return i.Value() }, 7},
		{func() { f.Set(1.5) }, func() any { return f.Value() }, 1.0},
		{func() { f.Set(-0.5) }, func() any { return f.Value() }, 0.0},
		{func() { f.Set(0.25) }, func() any { return f.Value() }, 0.25},
	} {
		row.set()
		if got := row.value(); got != row.want {
			t.Errorf("row %d: the value is %v, want %v", n, got, row.want)
		}
	}
}
