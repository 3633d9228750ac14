//go:build !race

// Excluded from race builds: the callbacks run interpreted function literals
// on the widget goroutine, where yaegi v0.16.1 itself races (interp/run.go
// getFunc).

package repl

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/symbols"
	"github.com/gospeed/gospeed/kernel/widgets"
)

// comms records the comm messages a session sends.
type comms struct {
	mu   sync.Mutex
	msgs []commMsg
	cond *sync.Cond
}

type commMsg struct {
	typ     string
	content map[string]any
}

func (c *comms) send(typ string, content map[string]any, _ [][]byte) {
	// Through JSON, as the kernel sends it: the test sees what the frontend would.
	b, err := json.Marshal(content)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.msgs = append(c.msgs, commMsg{typ, m})
	c.cond.Broadcast()
	c.mu.Unlock()
}

// wait returns the first message from index from on that ok accepts.
func (c *comms) wait(t *testing.T, from int, ok func(commMsg) bool) (commMsg, int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	go func() { time.Sleep(20 * time.Second); c.cond.Broadcast() }()
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := from; ; i++ {
		for i >= len(c.msgs) {
			if time.Now().After(deadline) {
				t.Fatalf("no such comm message after %d: %v", from, c.msgs[from:])
			}
			c.cond.Wait()
		}
		if ok(c.msgs[i]) {
			return c.msgs[i], i + 1
		}
	}
}

func (c *comms) len() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.msgs) }

// models returns the ids of the models opened so far, by model name.
func (c *comms) models() map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]string{}
	for _, m := range c.msgs {
		if m.typ == "comm_open" {
			state := m.content["data"].(map[string]any)["state"].(map[string]any)
			name := state["_model_name"].(string)
			out[name] = append(out[name], m.content["comm_id"].(string))
		}
	}
	return out
}

func newWidgetSession(t *testing.T) (*Session, *outputs, *comms) {
	t.Helper()
	o := &outputs{}
	c := &comms{}
	c.cond = sync.NewCond(&c.mu)
	cfg := o.config()
	cfg.Comm = c.send
	return start(t, cfg), o, c
}

// outputsText is the text of an Output update's outputs, or "" when m is
// not one for id.
func outputsText(m commMsg, id string) (string, bool) {
	data, _ := m.content["data"].(map[string]any)
	state, _ := data["state"].(map[string]any)
	outs, ok := state["outputs"].([]any)
	if m.typ != "comm_msg" || m.content["comm_id"] != id || data["method"] != "update" || !ok {
		return "", false
	}
	b, _ := json.Marshal(outs)
	return string(b), true
}

func update(id string, state map[string]any) map[string]any {
	return map[string]any{"comm_id": id, "data": map[string]any{"method": "update", "state": state, "buffer_paths": []any{}}}
}

func TestInteractRerunsIntoOutput(t *testing.T) {
	s, o, c := newWidgetSession(t)
	mustRun(t, s, `type run struct {
	Workers int `+"`widget:\"min=1,max=64\"`"+`
	Version string `+"`widget:\"options=pooled|goroutines\"`"+`
}
err := widgets.Interact(func(r run) string {
	fmt.Println("ran", r.Workers, r.Version)
	return "done"
}, run{Workers: 4})
if err != nil {
	panic(err)
}`)
	models := c.models()
	if len(models["IntSliderModel"]) != 1 || len(models["DropdownModel"]) != 1 || len(models["OutputModel"]) != 1 || len(models["VBoxModel"]) != 1 {
		t.Fatalf("models opened: %v", models)
	}
	slider, out := models["IntSliderModel"][0], models["OutputModel"][0]
	got, _ := c.wait(t, 0, func(m commMsg) bool {
		txt, ok := outputsText(m, out)
		return ok && strings.Contains(txt, "ran 4 pooled")
	})
	if txt, _ := outputsText(got, out); !strings.Contains(txt, `\"done\"`) {
		t.Errorf("the Output lacks the function's result: %s", txt)
	}
	if strings.Contains(o.Stdout(), "ran") {
		t.Errorf("the run printed to the cell, not the Output: %q", o.Stdout())
	}

	from := c.len()
	s.HandleComm("comm_msg", update(slider, map[string]any{"value": 8.0}), nil)
	echo, _ := c.wait(t, from, func(m commMsg) bool { return m.content["comm_id"] == slider })
	if d := echo.content["data"].(map[string]any); d["method"] != "echo_update" || d["state"].(map[string]any)["value"] != 8.0 {
		t.Errorf("first message after the update: %v, want echo_update of value 8", echo.content)
	}
	c.wait(t, from, func(m commMsg) bool {
		txt, ok := outputsText(m, out)
		return ok && strings.Contains(txt, "ran 8 pooled")
	})

	// A value beyond max is echoed, then kept at max by an update.
	from = c.len()
	s.HandleComm("comm_msg", update(slider, map[string]any{"value": 1000.0}), nil)
	c.wait(t, from, func(m commMsg) bool {
		d := m.content["data"].(map[string]any)
		return m.content["comm_id"] == slider && d["method"] == "update" && d["state"].(map[string]any)["value"] == 64.0
	})
	c.wait(t, from, func(m commMsg) bool {
		txt, ok := outputsText(m, out)
		return ok && strings.Contains(txt, "ran 64 pooled")
	})
}

func TestWidgetValuesInCells(t *testing.T) {
	s, _, c := newWidgetSession(t)
	mustRun(t, s, `a := widgets.IntSlider("a", 3, 0, 10)
b := widgets.Play("b", 0, 0, 10, 100)
if err := widgets.Link(a, b); err != nil {
	panic(err)
}`)
	if d, _, err := execute(t, s, `b.Value()`); err != nil || d.Data[display.MIMETypeText] != "3" {
		t.Fatalf("b after Link = %v, %v; want 3", d.Data, err)
	}
	play := c.models()["PlayModel"][0]
	s.HandleComm("comm_msg", update(play, map[string]any{"value": 7.0}), nil)
	if d, _, err := execute(t, s, `a.Value()`); err != nil || d.Data[display.MIMETypeText] != "7" {
		t.Fatalf("a after the frontend set b to 7 = %v, %v", d.Data, err)
	}
	d, _, err := execute(t, s, `a`)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := d.Data["application/vnd.jupyter.widget-view+json"].(map[string]any); !ok || v["model_id"] == "" {
		t.Errorf("a widget as a cell's value shows %v, want its view", d.Data)
	}
	if _, _, err := execute(t, s, `widgets.Dropdown("v", []string{"x"}, "y")`); err == nil || !strings.Contains(err.Error(), `"y" is not one of the options`) {
		t.Errorf("a Dropdown of a value not in its options: %v", err)
	}
	mustRun(t, s, `var out *widgets.OutputArea = widgets.Output()
var go_ *widgets.PushButton = widgets.Button("go")
row := widgets.HBox(a, b, out, go_)
_ = row`)
	for _, name := range []string{"Manager", "NewManager", "Host", "HandleComm"} {
		if _, _, err := execute(t, s, `_ = widgets.`+name); err == nil {
			t.Errorf("widgets.%s is visible in a cell", name)
		}
	}
}

// A constructor bound to the session must not hide a type of the same
// name (it would: the bound function replaces the symbol).
func TestWidgetNamesUnique(t *testing.T) {
	types := symbols.Symbols[widgetsPath+"/widgets"]
	mgr := reflect.TypeFor[*widgets.Manager]()
	for i := range mgr.NumMethod() {
		name := mgr.Method(i).Name
		if _, clash := types[name]; clash && !hostOnly[name] {
			t.Errorf("widgets.%s is both a Manager method and a package name: a cell would see only the method", name)
		}
	}
}

func TestInterruptStopsCallback(t *testing.T) {
	s, o, c := newWidgetSession(t)
	mustRun(t, s, `started := make(chan int, 10)
x := widgets.IntSlider("x", 1, 0, 10)
x.OnChange(func(v int) {
	started <- v
	<-display.Context().Done()
	fmt.Println("stopped", v, display.Context().Err())
})`)
	slider := c.models()["IntSliderModel"][0]
	s.HandleComm("comm_msg", update(slider, map[string]any{"value": 2.0}), nil)
	if d, _, err := execute(t, s, `<-started`); err != nil || d.Data[display.MIMETypeText] != "2" {
		t.Fatalf("callback start: %v %v", d.Data, err)
	}
	// While it runs, two more changes: coalesced into one run, of the last.
	s.HandleComm("comm_msg", update(slider, map[string]any{"value": 3.0}), nil)
	s.HandleComm("comm_msg", update(slider, map[string]any{"value": 4.0}), nil)
	time.Sleep(50 * time.Millisecond)
	s.Interrupt() // stops the run of 2, drops the one waiting
	waitFor(t, func() bool { return strings.Contains(o.Stdout(), "stopped 2 context canceled") })
	s.HandleComm("comm_msg", update(slider, map[string]any{"value": 5.0}), nil)
	if d, _, err := execute(t, s, `<-started`); err != nil || d.Data[display.MIMETypeText] != "5" {
		t.Fatalf("next run after the interrupt got %v %v, want 5 (the waiting 4 was dropped)", d.Data, err)
	}
	s.Interrupt()
}

func TestCoalescedRuns(t *testing.T) {
	s, _, c := newWidgetSession(t)
	mustRun(t, s, `release := make(chan bool)
runs := make(chan int, 10)
y := widgets.IntSlider("y", 1, 0, 10)
y.OnChange(func(v int) {
	runs <- v
	<-release
})`)
	slider := c.models()["IntSliderModel"][0]
	s.HandleComm("comm_msg", update(slider, map[string]any{"value": 2.0}), nil)
	mustRun(t, s, `if v := <-runs; v != 2 { panic(v) }`)
	for _, v := range []float64{3, 4, 5, 6} {
		s.HandleComm("comm_msg", update(slider, map[string]any{"value": v}), nil)
	}
	mustRun(t, s, `release <- true
if v := <-runs; v != 6 { panic(v) }
release <- true
select {
case v := <-runs:
	panic(v)
case <-time.After(100 * time.Millisecond):
}`)
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

func mustRun(t *testing.T, s *Session, code string) {
	t.Helper()
	if _, _, err := execute(t, s, code); err != nil {
		t.Fatalf("cell %q: %v", code, err)
	}
}

// A re-run's output is what a cell would show: the lessons result as its
// table and chart, a progress display updated in place, and nothing in the
// cell's own output.
func TestInteractCapturesChartsAndProgress(t *testing.T) {
	s, o, c := newWidgetSession(t)
	mustRun(t, s, `err := widgets.Interact(func(n int) (lessons.Result, error) {
	return lessons.RunIO(display.Context(), lessons.IOOptions{Version: "pooled", Workers: n, Requests: 4, Latency: time.Millisecond, Progress: display.Progress("pages")})
}, widgets.IntSlider("workers", 2, 1, 8))
if err != nil {
	panic(err)
}`)
	out := c.models()["OutputModel"][0]
	last, _ := c.wait(t, 0, func(m commMsg) bool {
		txt, ok := outputsText(m, out)
		return ok && strings.Contains(txt, "image/svg+xml")
	})
	txt, _ := outputsText(last, out)
	for _, want := range []string{"text/html", `\u003csvg`, "pages: 4/4"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the Output lacks %q: %.300s", want, txt)
		}
	}
	if n := strings.Count(txt, "pages:"); n != 2 { // text/plain and text/html of one display
		t.Errorf("the progress display shows %d times, want once (updated in place): %.500s", n/2, txt)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.displays) != 2 {
		t.Errorf("the cell shows %d displays, want the widgets and their update", len(o.displays))
	}
	for i, d := range o.displays {
		if _, ok := d.Data["application/vnd.jupyter.widget-view+json"]; !ok {
			t.Errorf("display %d in the cell is not the widget view: %v", i, d.Data)
		}
		if html, _ := d.Data["text/html"].(string); i == 1 && (!o.updates[1] || !strings.Contains(html, "<svg")) {
			t.Errorf("the second display should update the first with the first run's chart as HTML: %v", d.Data["text/html"])
		}
	}
}

// The cells the notebooks use (smaller runs): each first run shows its
// results in the Output, with no frontend.
func TestCourseCells(t *testing.T) {
	prelude := `import "github.com/gospeed/gospeed/lessons"

func showAll(r lessons.Results) { Display(display.Render(r)) }`
	for _, c := range []struct{ name, cell, want string }{
		{"02 pooled", `requests := 8
seq, _ := lessons.RunIO(display.Context(), lessons.IOOptions{Version: "sequential", Requests: requests, Latency: time.Millisecond})

type pooledRun struct {
	Workers int           ` + "`widget:\"min=1,max=64\"`" + `
	Latency time.Duration ` + "`widget:\"min=1,max=200\"`" + `
}
err := widgets.Interact(func(r pooledRun) error {
	pooled, err := lessons.RunIO(display.Context(), lessons.IOOptions{
		Version:  "pooled",
		Workers:  r.Workers,
		Requests: requests,
		Latency:  r.Latency,
		Progress: display.Progress("pooled"),
	})
	if err != nil {
		return err
	}
	showAll(lessons.Results{seq, pooled})
	return nil
}, pooledRun{Workers: 8, Latency: time.Millisecond})
if err != nil {
	panic(err)
}`, "image/svg+xml"},
		{"05 goroutines", `type goRun struct {
	Pages int ` + "`widget:\"min=10,max=1000,step=10\"`" + `
	Limit int ` + "`widget:\"min=0,max=256,label=at most (0: no limit)\"`" + `
}
err := widgets.Interact(func(r goRun) (lessons.Result, error) {
	return lessons.RunIO(display.Context(), lessons.IOOptions{Version: "goroutines", Workers: r.Limit, Requests: r.Pages, Latency: time.Millisecond})
}, goRun{Pages: 20})
if err != nil {
	panic(err)
}`, "image/svg+xml"},
		{"07 cpu", `type cpuRun struct {
	Workers    int ` + "`widget:\"min=1,max=16\"`" + `
	GOMAXPROCS int ` + "`widget:\"min=1,max=8\"`" + `
}
err := widgets.Interact(func(r cpuRun) (lessons.Result, error) {
	return lessons.RunCPU(display.Context(), lessons.CPUOptions{Version: "pooled", Workers: r.Workers, GOMAXPROCS: r.GOMAXPROCS, N: 20, Progress: display.Progress("fib")})
}, cpuRun{Workers: 2, GOMAXPROCS: 1})
if err != nil {
	panic(err)
}`, "image/svg+xml"},
		{"08 play", `counts := []int{1, 2, 4, 8}
done := map[int]lessons.Result{}
step := widgets.Play("sweep", 0, 0, len(counts)-1, 1000)
err := widgets.Interact(func(i int) error {
	r, err := lessons.RunIO(display.Context(), lessons.IOOptions{Version: "pooled", Workers: counts[i], Requests: 8, Latency: time.Millisecond})
	if err != nil {
		return err
	}
	done[counts[i]] = r
	var sweep lessons.Results
	for _, n := range counts[:i+1] {
		if r, ok := done[n]; ok {
			sweep = append(sweep, r)
		}
	}
	showAll(sweep)
	return nil
}, step)
if err != nil {
	panic(err)
}`, "image/svg+xml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, o, cm := newWidgetSession(t)
			mustRun(t, s, prelude)
			mustRun(t, s, c.cell)
			out := cm.models()["OutputModel"][0]
			cm.wait(t, 0, func(m commMsg) bool { txt, ok := outputsText(m, out); return ok && strings.Contains(txt, c.want) })
			if strings.Contains(o.Stderr(), "panic") {
				t.Errorf("stderr: %s", o.Stderr())
			}
		})
	}
}
