package notebook

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scriptKernel answers each cell with the messages scripted for its source.
type scriptKernel struct {
	cells      map[string][]Message
	count      int
	interrupts atomic.Int32
}

const hang = "hang forever"

func (k *scriptKernel) Execute(ctx context.Context, code string, onMessage func(Message)) (Reply, error) {
	if code == hang {
		<-ctx.Done()
		return Reply{}, ctx.Err()
	}
	k.count++
	status := "ok"
	onMessage(msg("status", `{"execution_state": "busy"}`))
	onMessage(msg("execute_input", `{"code": "", "execution_count": `+itoa(k.count)+`}`))
	for _, m := range k.cells[code] {
		onMessage(m)
		if m.Type == "error" {
			status = "error"
		}
	}
	onMessage(msg("status", `{"execution_state": "idle"}`))
	return Reply{Status: status, ExecutionCount: k.count}, nil
}

func (k *scriptKernel) Interrupt(ctx context.Context) error {
	k.interrupts.Add(1)
	return nil
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func msg(typ, content string) Message { return Message{Type: typ, Content: json.RawMessage(content)} }

func codeNotebook(sources ...string) *Notebook {
	nb := &Notebook{Format: 4, FormatMinor: 5, Metadata: map[string]any{}}
	nb.Cells = append(nb.Cells, &Cell{Type: Markdown, Source: "# title", Metadata: map[string]any{}})
	for _, s := range sources {
		nb.Cells = append(nb.Cells, &Cell{Type: Code, Source: s, Metadata: map[string]any{},
			Outputs: []*Output{{Type: Stream, Name: "stdout", Text: "stale output\n"}}})
	}
	return nb
}

func TestRunMapsMessagesToOutputs(t *testing.T) {
	k := &scriptKernel{cells: map[string][]Message{
		"streams": {
			msg("stream", `{"name": "stdout", "text": "a\n"}`),
			msg("stream", `{"name": "stdout", "text": "b\n"}`),
			msg("stream", `{"name": "stderr", "text": "oops\n"}`),
			msg("stream", `{"name": "stdout", "text": "c\n"}`),
		},
		"progress": {
			msg("display_data", `{"data": {"text/plain": "0/10"}, "metadata": {}, "transient": {"display_id": "p1"}}`),
			msg("update_display_data", `{"data": {"text/plain": "5/10"}, "metadata": {}, "transient": {"display_id": "p1"}}`),
			msg("update_display_data", `{"data": {"text/plain": "10/10", "text/html": "<b>done</b>"}, "metadata": {"n": 640}, "transient": {"display_id": "p1"}}`),
			msg("execute_result", `{"data": {"text/plain": "42"}, "metadata": {}, "execution_count": 2}`),
		},
		"update from a later cell": {
			msg("update_display_data", `{"data": {"text/plain": "redone"}, "metadata": {}, "transient": {"display_id": "p1"}}`),
		},
		"clears": {
			msg("stream", `{"name": "stdout", "text": "gone\n"}`),
			msg("clear_output", `{"wait": false}`),
			msg("stream", `{"name": "stdout", "text": "kept until next\n"}`),
			msg("clear_output", `{"wait": true}`),
			msg("display_data", `{"data": {"image/svg+xml": "<svg/>"}, "metadata": {}}`),
		},
		"no output": nil,
	}}
	nb := codeNotebook("streams", "progress", "update from a later cell", "clears", "no output", "  \n")
	if err := Run(context.Background(), nb, k, Options{}); err != nil {
		t.Fatal(err)
	}
	streams, progress, clears, none, empty := nb.Cells[1], nb.Cells[2], nb.Cells[4], nb.Cells[5], nb.Cells[6]

	if got := outputSummary(streams); got != `stdout:"a\nb\n" stderr:"oops\n" stdout:"c\n"` {
		t.Errorf("streams: %s", got)
	}
	if len(progress.Outputs) != 2 {
		t.Fatalf("progress outputs: %s", outputSummary(progress))
	}
	p := progress.Outputs[0]
	if p.Type != DisplayData || p.Data["text/plain"] != "redone" {
		t.Errorf("display not updated by id (from this and a later cell): %+v", p)
	}
	r := progress.Outputs[1]
	if r.Type != ExecuteResult || r.ExecutionCount == nil || *r.ExecutionCount != 2 || r.Data["text/plain"] != "42" {
		t.Errorf("execute_result: %+v", r)
	}
	if got := outputSummary(clears); got != `display_data:[image/svg+xml]` {
		t.Errorf("clear_output: %s", got)
	}
	if len(none.Outputs) != 0 {
		t.Errorf("a cell with no output kept its stale output: %s", outputSummary(none))
	}
	for i, c := range []*Cell{streams, progress, nb.Cells[3], clears, none} {
		if c.ExecutionCount == nil || *c.ExecutionCount != i+1 {
			t.Errorf("cell %d execution count %v, want %d", i+1, c.ExecutionCount, i+1)
		}
	}
	if empty.ExecutionCount != nil || len(empty.Outputs) != 1 {
		t.Errorf("a blank cell was run: %+v", empty)
	}

	// Numbers from the kernel stay integers when written.
	k2 := &scriptKernel{cells: map[string][]Message{"n": {
		msg("display_data", `{"data": {"text/plain": "x"}, "metadata": {"width": 640, "ratio": 0.5}}`)}}}
	nb2 := codeNotebook("n")
	if err := Run(context.Background(), nb2, k2, Options{}); err != nil {
		t.Fatal(err)
	}
	out, err := nb2.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"width": 640`) || !strings.Contains(string(out), `"ratio": 0.5`) {
		t.Errorf("numbers changed on the way through:\n%s", out)
	}
}

func outputSummary(c *Cell) string {
	var parts []string
	for _, o := range c.Outputs {
		switch o.Type {
		case Stream:
			b, _ := json.Marshal(o.Text)
			parts = append(parts, o.Name+":"+string(b))
		default:
			var mimes []string
			for m := range o.Data {
				mimes = append(mimes, m)
			}
			parts = append(parts, o.Type+":["+strings.Join(mimes, ",")+"]")
		}
	}
	return strings.Join(parts, " ")
}

func TestRunStopsAtTheFirstErrorNamingTheCell(t *testing.T) {
	k := &scriptKernel{cells: map[string][]Message{
		"fails()": {
			msg("stream", `{"name": "stdout", "text": "before\n"}`),
			msg("error", `{"ename": "panic", "evalue": "boom", "traceback": ["panic: boom", "goroutine 1"]}`),
		},
	}}
	nb := codeNotebook("fine := 1", "fails()", "never()")
	err := Run(context.Background(), nb, k, Options{})
	var cerr *CellError
	if !errors.As(err, &cerr) {
		t.Fatalf("error %v, want a *CellError", err)
	}
	if cerr.Index != 2 || !strings.Contains(err.Error(), "cell 2") || !strings.Contains(err.Error(), "panic: boom") || !strings.Contains(err.Error(), "fails()") {
		t.Errorf("error %q does not name cell 2 and its error", err)
	}
	if o := nb.Cells[2].Outputs; len(o) != 2 || o[1].Type != ErrorOutput || o[1].Traceback[1] != "goroutine 1" {
		t.Errorf("error output not recorded: %s", outputSummary(nb.Cells[2]))
	}
	if nb.Cells[3].ExecutionCount != nil || nb.Cells[3].Outputs[0].Text != "stale output\n" {
		t.Error("a cell after the failing one was run")
	}

	nb = codeNotebook("fine := 1", "fails()", "never()")
	if err := Run(context.Background(), nb, k, Options{AllowErrors: true}); err != nil {
		t.Fatalf("with AllowErrors: %v", err)
	}
	if nb.Cells[3].ExecutionCount == nil {
		t.Error("with AllowErrors, the cell after the failing one did not run")
	}
}

func TestRunTimesOutAndInterrupts(t *testing.T) {
	k := &scriptKernel{}
	nb := codeNotebook("ok := 1", hang, "after()")
	start := time.Now()
	err := Run(context.Background(), nb, k, Options{Timeout: 50 * time.Millisecond, AllowErrors: true})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("error %v, want ErrTimeout", err)
	}
	var cerr *CellError
	if !errors.As(err, &cerr) || cerr.Index != 2 {
		t.Errorf("error %v does not name cell 2", err)
	}
	if k.interrupts.Load() != 1 {
		t.Errorf("%d interrupts sent, want 1", k.interrupts.Load())
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("took %v to time out a 50ms cell", elapsed)
	}
	if nb.Cells[3].ExecutionCount != nil {
		t.Error("ran on after a timeout")
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	k := &scriptKernel{}
	err := Run(ctx, codeNotebook(hang), k, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if k.interrupts.Load() != 0 {
		t.Error("interrupted on the caller's cancel: that is the caller's job")
	}
}

// TestRunSavesWidgetState: the widgets a run opens are saved in the
// notebook's metadata with their last state, as JupyterLab saves them, so
// a static viewer draws them; a run without widgets drops a stale state.
func TestRunSavesWidgetState(t *testing.T) {
	k := &scriptKernel{cells: map[string][]Message{
		"slider": {
			msg("comm_open", `{"comm_id": "s1", "target_name": "jupyter.widget", "data": {"state": {"_model_name": "IntSliderModel", "_model_module": "@jupyter-widgets/controls", "_model_module_version": "2.0.0", "value": 4}, "buffer_paths": []}}`),
			msg("comm_open", `{"comm_id": "o1", "target_name": "jupyter.widget", "data": {"state": {"_model_name": "OutputModel", "_model_module": "@jupyter-widgets/output", "_model_module_version": "1.0.0", "outputs": []}}}`),
			msg("comm_msg", `{"comm_id": "o1", "data": {"method": "update", "state": {"outputs": [{"output_type": "stream", "name": "stdout", "text": "ran with 4"}]}}}`),
			msg("comm_open", `{"comm_id": "gone", "target_name": "jupyter.widget", "data": {"state": {"_model_name": "LabelModel"}}}`),
			msg("comm_close", `{"comm_id": "gone", "data": {}}`),
			msg("comm_open", `{"comm_id": "c1", "target_name": "other.target", "data": {}}`),
		},
	}}
	nb := codeNotebook("slider")
	if err := Run(context.Background(), nb, k, Options{}); err != nil {
		t.Fatal(err)
	}
	saved, _ := nb.Metadata["widgets"].(map[string]any)[WidgetStateMIME].(map[string]any)
	state, _ := saved["state"].(map[string]any)
	if len(state) != 2 || saved["version_major"] != 2 {
		t.Fatalf("saved widget state: %v", nb.Metadata["widgets"])
	}
	slider := state["s1"].(map[string]any)
	if slider["model_name"] != "IntSliderModel" || slider["model_module_version"] != "2.0.0" {
		t.Errorf("slider: %v", slider)
	}
	outputs, _ := json.Marshal(state["o1"].(map[string]any)["state"].(map[string]any)["outputs"])
	if !strings.Contains(string(outputs), "ran with 4") {
		t.Errorf("the Output's last outputs are not saved: %s", outputs)
	}

	plain := codeNotebook("nothing")
	plain.Metadata["widgets"] = nb.Metadata["widgets"]
	if err := Run(context.Background(), plain, k, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, stale := plain.Metadata["widgets"]; stale {
		t.Errorf("a run without widgets kept the old widget state")
	}
}

// TestRunGoesPastACellTaggedToFail: a cell tagged raises-exception keeps its
// error and the run goes on, as with nbclient; an untagged one still stops it.
func TestRunGoesPastACellTaggedToFail(t *testing.T) {
	k := &scriptKernel{cells: map[string][]Message{
		"race": {msg("error", `{"ename": "DataRace", "evalue": "exit status 66", "traceback": []}`)},
		"next": {msg("stream", `{"name": "stdout", "text": "ran"}`)},
	}}
	nb := codeNotebook("race", "next")
	nb.Cells[1].Metadata["tags"] = []any{"raises-exception"}
	if err := Run(context.Background(), nb, k, Options{}); err != nil {
		t.Fatalf("a tagged failing cell stopped the run: %v", err)
	}
	if firstError(nb.Cells[1]) == nil || nb.Cells[2].Outputs[0].Text != "ran" {
		t.Errorf("outputs: %+v %+v", nb.Cells[1].Outputs, nb.Cells[2].Outputs)
	}
	if err := Run(context.Background(), codeNotebook("race", "next"), k, Options{}); err == nil {
		t.Error("an untagged failing cell did not stop the run")
	}
}
