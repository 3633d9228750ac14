//go:build !race

// Excluded from race builds: the widget callbacks run interpreted function
// literals on the widget goroutine, where yaegi v0.16.1 itself races
// (interp/run.go getFunc).

package kernel

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gospeed/gospeed/kernel/client"
	"github.com/gospeed/gospeed/kernel/wire"
)

// frontend is the widget side of JupyterLab, as far as the tests need: it
// sends on shell and sees every iopub message.
type frontend struct {
	tb      testing.TB
	signer  *wire.Signer
	session string
	shell   zmq4.Socket
	iopub   zmq4.Socket

	mu   sync.Mutex
	cond *sync.Cond
	msgs []wire.Message // iopub, in order
}

func newFrontend(tb testing.TB, info wire.ConnectionInfo) *frontend {
	tb.Helper()
	signer, err := wire.NewSigner(info.Key, info.SignatureScheme)
	if err != nil {
		tb.Fatal(err)
	}
	f := &frontend{tb: tb, signer: signer, session: wire.NewID()}
	f.cond = sync.NewCond(&f.mu)
	ctx, cancel := context.WithCancel(context.Background())
	f.shell = zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity(f.session)))
	f.iopub = zmq4.NewSub(ctx)
	if err := f.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		tb.Fatal(err)
	}
	for _, d := range []struct {
		s    zmq4.Socket
		port int
	}{{f.iopub, info.IOPubPort}, {f.shell, info.ShellPort}} {
		if err := d.s.Dial(info.Endpoint(d.port)); err != nil {
			tb.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			raw, err := f.iopub.Recv()
			if err != nil {
				return
			}
			if m, err := signer.Decode(raw.Frames); err == nil {
				f.mu.Lock()
				f.msgs = append(f.msgs, m)
				f.cond.Broadcast()
				f.mu.Unlock()
			}
		}
	}()
	go func() { // wakes waiters at their deadline
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
				f.cond.Broadcast()
			}
		}
	}()
	tb.Cleanup(func() {
		f.shell.Close()
		f.iopub.Close()
		cancel()
		<-done
	})
	// The subscription takes a moment: ask until the iopub answer arrives.
	for deadline := time.Now().Add(10 * time.Second); ; {
		id := f.send("kernel_info_request", map[string]any{})
		if _, ok := f.waitUntil(0, time.Now().Add(200*time.Millisecond), isStatus(id, "idle")); ok {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatal("the frontend sees no iopub message")
		}
	}
	return f
}

// send sends msgType with content on shell and returns its msg_id.
func (f *frontend) send(msgType string, content any) string {
	f.tb.Helper()
	m, err := wire.NewMessage(f.session, msgType, nil, content)
	if err != nil {
		f.tb.Fatal(err)
	}
	frames, err := f.signer.Encode(m)
	if err != nil {
		f.tb.Fatal(err)
	}
	if err := f.shell.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		f.tb.Fatal(err)
	}
	return m.Header.MsgID
}

func (f *frontend) len() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.msgs) }

// wait returns the first iopub message from index from on that ok accepts,
// and the index after it.
func (f *frontend) wait(from int, ok func(wire.Message) bool) (wire.Message, int) {
	f.tb.Helper()
	f.mu.Lock()
	n := len(f.msgs)
	f.mu.Unlock()
	i, found := f.waitUntil(from, time.Now().Add(20*time.Second), ok)
	if !found {
		f.tb.Fatalf("no such iopub message among the %d after %d", n-from, from)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msgs[i], i + 1
}

func (f *frontend) waitUntil(from int, deadline time.Time, ok func(wire.Message) bool) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := from; ; i++ {
		for i >= len(f.msgs) {
			if time.Now().After(deadline) {
				return 0, false
			}
			f.cond.Wait()
		}
		if ok(f.msgs[i]) {
			return i, true
		}
	}
}

func isStatus(parent, state string) func(wire.Message) bool {
	return func(m wire.Message) bool {
		var c struct {
			State string `json:"execution_state"`
		}
		return m.Type() == "status" && m.ParentHeader.MsgID == parent && m.Decode(&c) == nil && c.State == state
	}
}

// commData is a comm message's comm_id and data.
func commData(m wire.Message) (id string, data map[string]any) {
	var c struct {
		ID   string         `json:"comm_id"`
		Data map[string]any `json:"data"`
	}
	if m.Decode(&c) != nil {
		return "", nil
	}
	return c.ID, c.Data
}

// isUpdate accepts a comm_msg on id whose method and state ok accepts.
func isUpdate(id, method string, ok func(state map[string]any) bool) func(wire.Message) bool {
	return func(m wire.Message) bool {
		got, data := commData(m)
		state, _ := data["state"].(map[string]any)
		return m.Type() == "comm_msg" && got == id && data["method"] == method && state != nil && ok(state)
	}
}

func updateMsg(id string, state map[string]any) map[string]any {
	return map[string]any{"comm_id": id, "data": map[string]any{"method": "update", "state": state, "buffer_paths": []any{}}}
}

// openedModels returns the model ids opened by msgs, by model name, and
// checks each comm_open says the widget protocol's version.
func openedModels(tb testing.TB, msgs []wire.Message) map[string][]string {
	out := map[string][]string{}
	for _, m := range msgs {
		if m.Type() != "comm_open" {
			continue
		}
		if m.Metadata["version"] != "2.1.0" {
			tb.Errorf("comm_open metadata %v, want version 2.1.0", m.Metadata)
		}
		id, data := commData(m)
		state, _ := data["state"].(map[string]any)
		name, _ := state["_model_name"].(string)
		out[name] = append(out[name], id)
	}
	return out
}

func outputsJSON(state map[string]any) string {
	b, _ := json.Marshal(state["outputs"])
	return string(b)
}

// interactCell shows a slider and re-runs a function into an Output.
const interactCell = `workers := widgets.IntSlider("workers", 4, 1, 64)
err := widgets.Interact(func(n int) string {
	fmt.Println("workers:", n)
	return "ran"
}, workers)
if err != nil {
	panic(err)
}`

func TestSliderUpdateRerunsIntoOutput(t *testing.T) {
	h := startKernel(t, Options{})
	f := newFrontend(t, h.info)
	r, out, err := h.c.Execute(testCtx(t), interactCell)
	if err != nil || r.Status != "ok" {
		t.Fatalf("cell: %+v %v", r, err)
	}
	models := openedModels(t, out)
	if len(models["IntSliderModel"]) != 1 || len(models["OutputModel"]) != 1 {
		t.Fatalf("models opened by the cell: %v", models)
	}
	slider, output := models["IntSliderModel"][0], models["OutputModel"][0]
	var view bool
	for _, m := range out {
		var c struct {
			Data map[string]any `json:"data"`
		}
		if (m.Type() == "display_data" || m.Type() == "update_display_data") && m.Decode(&c) == nil && c.Data["application/vnd.jupyter.widget-view+json"] != nil {
			view = true
		}
	}
	if !view {
		t.Errorf("the cell displayed no widget view: %v", out)
	}

	// comm_info_request lists the open widgets.
	reply, _, err := h.c.Request(testCtx(t), client.Shell, "comm_info_request", map[string]any{"target_name": "jupyter.widget"})
	if err != nil {
		t.Fatal(err)
	}
	comms, _ := content(t, reply)["comms"].(map[string]any)
	for _, id := range []string{slider, output} {
		if c, _ := comms[id].(map[string]any); c["target_name"] != "jupyter.widget" {
			t.Errorf("comm_info_reply lacks %s: %v", id, comms)
		}
	}

	from := f.len()
	id := f.send("comm_msg", updateMsg(slider, map[string]any{"value": 8}))
	_, next := f.wait(from, isStatus(id, "busy"))
	echo, _ := f.wait(from, isUpdate(slider, "echo_update", func(s map[string]any) bool { return s["value"] == 8.0 }))
	if echo.ParentHeader.MsgID != id {
		t.Errorf("echo_update's parent is %q, want the update %q", echo.ParentHeader.MsgID, id)
	}
	f.wait(next, isStatus(id, "idle"))
	redraw, _ := f.wait(from, isUpdate(output, "update", func(s map[string]any) bool { return strings.Contains(outputsJSON(s), "workers: 8") }))
	_, data := commData(redraw)
	if got := outputsJSON(data["state"].(map[string]any)); strings.Contains(got, "workers: 4") || !strings.Contains(got, `\"ran\"`) {
		t.Errorf("the Output's outputs after the update: %s; want the re-run's alone, with its result", got)
	}
}

func TestWidgetControlAndBadCommMessages(t *testing.T) {
	h := startKernel(t, Options{})
	f := newFrontend(t, h.info)
	slider := openedModels(t, executeOutputs(t, h, interactCell))["IntSliderModel"][0]

	// The frontend's first question on (re)load: every state at once.
	from := f.len()
	f.send("comm_open", map[string]any{"comm_id": "ctl", "target_name": "jupyter.widget.control", "data": map[string]any{}})
	f.send("comm_msg", map[string]any{"comm_id": "ctl", "data": map[string]any{"method": "request_states"}})
	states, _ := f.wait(from, func(m wire.Message) bool {
		id, data := commData(m)
		return id == "ctl" && data["method"] == "update_states"
	})
	_, data := commData(states)
	all, _ := data["states"].(map[string]any)
	if len(all) != 3 || all[slider] == nil {
		t.Errorf("update_states has %d models (want the slider, the Output and their VBox), or lacks %s: %v", len(all), slider, all)
	}
	for id, s := range all {
		st, _ := s.(map[string]any)
		if st["model_name"] == nil || st["model_module_version"] == nil || st["state"] == nil {
			t.Errorf("state of %s lacks model_name, model_module_version or state: %v", id, st)
		}
	}

	// Bad messages: each is answered busy, idle and nothing else fails.
	for _, c := range []struct {
		msgType string
		content any
	}{
		{"comm_msg", json.RawMessage(`[]`)},
		{"comm_msg", json.RawMessage(`"x"`)},
		{"comm_msg", map[string]any{"comm_id": 5}},
		{"comm_msg", map[string]any{"comm_id": "no-such-comm", "data": map[string]any{"method": "update", "state": map[string]any{"value": 3}}}},
		{"comm_close", map[string]any{"comm_id": "no-such-comm"}},
		{"comm_open", map[string]any{"comm_id": "x1", "target_name": 7}},
		{"comm_open", map[string]any{"target_name": "jupyter.widget"}},
		{"comm_msg", map[string]any{"comm_id": slider, "data": "update"}},
		{"comm_msg", map[string]any{"comm_id": slider, "data": map[string]any{"method": "update", "state": "value=3"}}},
		{"comm_msg", map[string]any{"comm_id": slider, "data": map[string]any{"method": "update", "state": map[string]any{"value": "eight"}}}},
		{"comm_msg", map[string]any{"comm_id": slider, "data": map[string]any{"method": "update", "state": map[string]any{"value": 1e300}}}},
		{"comm_msg", map[string]any{"comm_id": slider, "data": map[string]any{"method": "update", "state": map[string]any{"value": nil, "_model_name": "X"}}}},
		{"comm_msg", map[string]any{"comm_id": slider, "data": map[string]any{"method": "update", "state": map[string]any{}, "buffer_paths": []any{[]any{1.0, "x"}, "y", nil}}}},
		{"comm_msg", map[string]any{"comm_id": slider, "data": map[string]any{"method": "nonsense"}}},
		{"comm_msg", map[string]any{"comm_id": slider, "data": map[string]any{"method": "custom", "content": []any{1}}}},
		{"comm_info_request", map[string]any{"target_name": 3}},
	} {
		id := f.send(c.msgType, c.content)
		f.wait(0, isStatus(id, "idle"))
	}
	if !strings.Contains(h.log.String(), `comm_msg to unknown comm "no-such-comm": ignored`) {
		t.Errorf("the unknown comm id is not logged:\n%s", h.log)
	}
	r, _, err := h.c.Execute(testCtx(t), "workers.Value()")
	if err != nil || r.Status != "ok" {
		t.Fatalf("after bad messages: %+v %v", r, err)
	}
	if v := content(t, ofType(executeOutputs(t, h, "workers.Value()"), "execute_result")[0])["data"].(map[string]any)["text/plain"]; v != "4" {
		t.Errorf("the slider's value after bad updates is %v, want 4", v)
	}

	// A frontend's own model has no Go side: closed.
	from = f.len()
	f.send("comm_open", map[string]any{"comm_id": "fe", "target_name": "jupyter.widget", "data": map[string]any{"state": map[string]any{}}})
	f.wait(from, func(m wire.Message) bool { id, _ := commData(m); return m.Type() == "comm_close" && id == "fe" })
}

func executeOutputs(t *testing.T, h *harness, code string) []wire.Message {
	t.Helper()
	r, out, err := h.c.Execute(testCtx(t), code)
	if err != nil || r.Status != "ok" {
		t.Fatalf("cell %q: %+v %v", code, r, err)
	}
	return out
}

// A comm message is handled while a cell runs: the running cell sees the
// new value.
func TestCommDuringCell(t *testing.T) {
	h := startKernel(t, Options{})
	f := newFrontend(t, h.info)
	out := executeOutputs(t, h, `s := widgets.IntSlider("s", 1, 0, 10)`)
	slider := openedModels(t, out)["IntSliderModel"][0]
	done := make(chan []wire.Message, 1)
	go func() {
		_, out, _ := h.c.Execute(context.Background(), `for s.Value() == 1 {
	time.Sleep(time.Millisecond)
}
fmt.Println("saw", s.Value())`)
		done <- out
	}()
	time.Sleep(100 * time.Millisecond) // the cell is looping
	id := f.send("comm_msg", updateMsg(slider, map[string]any{"value": 6}))
	f.wait(0, isStatus(id, "idle"))
	select {
	case out := <-done:
		if got := streamText(t, out, "stdout"); got != "saw 6\n" {
			t.Errorf("the running cell printed %q, want saw 6", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the running cell never saw the update")
	}
}

// BenchmarkSliderToOutput measures, from a slider's update to the Output's
// new state, what the kernel adds to the experiment's own time: a pooled
// download of 8 pages at 1 ms latency, timed inside the function. Reported:
// the median of 20 updates, in ms.
func BenchmarkSliderToOutput(b *testing.B) {
	h := startKernelTB(b, Options{})
	f := newFrontend(b, h.info)
	r, out, err := h.c.Execute(context.Background(), `workers := widgets.IntSlider("workers", 1, 1, 64)
err := widgets.Interact(func(n int) error {
	start := time.Now()
	_, err := lessons.RunIO(display.Context(), lessons.IOOptions{Version: "pooled", Workers: n, Requests: 8, Latency: time.Millisecond})
	fmt.Printf("experiment-ns=%d;", time.Since(start).Nanoseconds())
	return err
}, workers)
if err != nil {
	panic(err)
}`)
	if err != nil || r.Status != "ok" {
		b.Fatalf("cell: %+v %v", r, err)
	}
	models := openedModels(b, out)
	slider, output := models["IntSliderModel"][0], models["OutputModel"][0]
	var overheads, experiments []float64
	value := 1
	for b.Loop() {
		for range 20 {
			value = value%8 + 1
			from := f.len()
			start := time.Now()
			f.send("comm_msg", updateMsg(slider, map[string]any{"value": value}))
			m, _ := f.wait(from, isUpdate(output, "update", func(s map[string]any) bool { return strings.Contains(outputsJSON(s), "experiment-ns=") }))
			total := time.Since(start)
			_, data := commData(m)
			text := outputsJSON(data["state"].(map[string]any))
			_, rest, _ := strings.Cut(text, "experiment-ns=")
			ns, err := strconv.ParseInt(rest[:strings.IndexByte(rest, ';')], 10, 64)
			if err != nil {
				b.Fatalf("output %s: %v", text, err)
			}
			experiments = append(experiments, float64(ns)/1e6)
			overheads = append(overheads, float64(total.Nanoseconds()-ns)/1e6)
		}
	}
	b.ReportMetric(median(overheads), "overhead-ms")
	b.ReportMetric(median(experiments), "experiment-ms")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// An interrupt stops a widget callback that runs outside any cell.
func TestInterruptStopsCallback(t *testing.T) {
	h := startKernel(t, Options{})
	f := newFrontend(t, h.info)
	out := executeOutputs(t, h, `err := widgets.Interact(func(wait bool) {
	if wait {
		<-display.Context().Done()
		fmt.Println("stopped:", display.Context().Err())
	}
}, widgets.Checkbox("wait", false))
if err != nil {
	panic(err)
}`)
	models := openedModels(t, out)
	box, output := models["CheckboxModel"][0], models["OutputModel"][0]
	id := f.send("comm_msg", updateMsg(box, map[string]any{"value": true}))
	f.wait(0, isStatus(id, "idle"))
	time.Sleep(100 * time.Millisecond) // the callback waits
	if err := h.c.Interrupt(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	f.wait(0, isUpdate(output, "update", func(s map[string]any) bool {
		return strings.Contains(outputsJSON(s), "stopped: context canceled")
	}))
}
