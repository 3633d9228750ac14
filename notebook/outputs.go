package notebook

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Message is one message a kernel published on iopub while running a cell:
// its msg_type and its content, still JSON.
type Message struct {
	Type    string
	Content json.RawMessage
}

// recorder turns a cell's iopub messages into its outputs, the way Jupyter's
// frontends do: consecutive stream text of one name is merged, a display
// with a display_id can be updated later (from any later cell), and
// clear_output empties the cell, at once or just before the next output.
type recorder struct {
	displays map[string][]*Output // display_id -> every output showing it, across the notebook
	widgets  widgetState          // the widgets the cells opened, for the notebook's metadata

	cell         *Cell
	clearPending bool // clear_output with wait=true: clear before the next output
	executionCnt *int // from execute_input, when the Kernel passes it on; else the reply's
}

func newRecorder() *recorder {
	return &recorder{displays: map[string][]*Output{}}
}

// start begins recording the outputs of c, replacing the old ones.
func (r *recorder) start(c *Cell) {
	r.cell = c
	r.clearPending = false
	r.executionCnt = nil
	c.Outputs = nil
}

type bundle struct {
	Data      map[string]any `json:"data"`
	Metadata  map[string]any `json:"metadata"`
	Transient struct {
		DisplayID string `json:"display_id"`
	} `json:"transient"`
	ExecutionCount *int `json:"execution_count"`
}

// add records one message. Messages that carry no output (status,
// execute_input, ...) change nothing but the execution count; comm
// messages feed the widget state.
func (r *recorder) add(m Message) error {
	if err := r.widgets.add(m); err != nil {
		return err
	}
	switch m.Type {
	case "stream":
		var c struct{ Name, Text string }
		if err := decode(m, &c); err != nil {
			return err
		}
		r.clearIfPending()
		outs := r.cell.Outputs
		if n := len(outs); n > 0 && outs[n-1].Type == Stream && outs[n-1].Name == c.Name {
			outs[n-1].Text += c.Text
			return nil
		}
		r.append(&Output{Type: Stream, Name: c.Name, Text: c.Text})
	case "display_data", "execute_result", "update_display_data":
		var c bundle
		if err := decode(m, &c); err != nil {
			return err
		}
		if c.Data == nil {
			c.Data = map[string]any{}
		}
		if c.Metadata == nil {
			c.Metadata = map[string]any{}
		}
		id := c.Transient.DisplayID
		if id != "" {
			for _, o := range r.displays[id] {
				o.Data, o.Metadata = c.Data, c.Metadata
			}
		}
		if m.Type == "update_display_data" {
			return nil // an update only changes what is already shown
		}
		r.clearIfPending()
		o := &Output{Type: DisplayData, Data: c.Data, Metadata: c.Metadata}
		if m.Type == "execute_result" {
			o.Type = ExecuteResult
			o.ExecutionCount = c.ExecutionCount
		}
		r.append(o)
		if id != "" {
			r.displays[id] = append(r.displays[id], o)
		}
	case "error":
		var c struct {
			EName     string   `json:"ename"`
			EValue    string   `json:"evalue"`
			Traceback []string `json:"traceback"`
		}
		if err := decode(m, &c); err != nil {
			return err
		}
		r.clearIfPending()
		r.append(&Output{Type: ErrorOutput, EName: c.EName, EValue: c.EValue, Traceback: c.Traceback})
	case "clear_output":
		var c struct{ Wait bool }
		if err := decode(m, &c); err != nil {
			return err
		}
		if c.Wait {
			r.clearPending = true
			return nil
		}
		r.clear()
	case "execute_input":
		var c struct {
			ExecutionCount *int `json:"execution_count"`
		}
		if err := decode(m, &c); err != nil {
			return err
		}
		r.executionCnt = c.ExecutionCount
	}
	return nil
}

func decode(m Message, v any) error {
	// Numbers stay as their JSON text, so an integer stays an integer
	// when the notebook is written.
	dec := json.NewDecoder(bytes.NewReader(m.Content))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s message: %w", m.Type, err)
	}
	return nil
}

func (r *recorder) append(o *Output) {
	r.cell.Outputs = append(r.cell.Outputs, o)
}

func (r *recorder) clearIfPending() {
	if r.clearPending {
		r.clear()
		r.clearPending = false
	}
}

// clear empties the cell; its displays can no longer be updated.
func (r *recorder) clear() {
	gone := map[*Output]bool{}
	for _, o := range r.cell.Outputs {
		gone[o] = true
	}
	for id, outs := range r.displays {
		kept := outs[:0]
		for _, o := range outs {
			if !gone[o] {
				kept = append(kept, o)
			}
		}
		if len(kept) == 0 {
			delete(r.displays, id)
		} else {
			r.displays[id] = kept
		}
	}
	r.cell.Outputs = nil
}

// firstError is the cell's first error output, if any.
func firstError(c *Cell) *Output {
	for _, o := range c.Outputs {
		if o.Type == ErrorOutput {
			return o
		}
	}
	return nil
}
