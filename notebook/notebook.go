// Package notebook reads, writes and runs Jupyter notebooks (nbformat 4).
//
// A notebook read and written back is byte-for-byte what Jupyter itself
// would save: fields this package does not know are kept, and the JSON
// layout is Jupyter's (one-space indent, sorted keys, multi-line text as a
// list of lines, a trailing newline), so re-running a notebook changes only
// the lines whose outputs changed.
package notebook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Notebook is an nbformat 4 notebook.
type Notebook struct {
	Format      int            // nbformat; always 4
	FormatMinor int            // nbformat_minor
	Metadata    map[string]any // kernelspec, language_info, and whatever else a frontend stored
	Cells       []*Cell
	Extra       map[string]any // top-level fields this package does not know, kept as read
}

// Cell types.
const (
	Code     = "code"
	Markdown = "markdown"
	Raw      = "raw"
)

// Cell is one cell of a notebook.
type Cell struct {
	Type     string // Code, Markdown or Raw
	ID       string // since nbformat 4.5; empty in older notebooks
	Source   string
	Metadata map[string]any

	// Code cells only.
	ExecutionCount *int
	Outputs        []*Output

	Extra map[string]any // fields this package does not know (attachments, ...)
}

// Output types.
const (
	Stream        = "stream"
	DisplayData   = "display_data"
	ExecuteResult = "execute_result"
	ErrorOutput   = "error"
)

// Output is one output of a code cell. Which fields are used depends on Type.
type Output struct {
	Type string

	Name string // Stream: "stdout" or "stderr"
	Text string // Stream

	Data     map[string]any // DisplayData, ExecuteResult: MIME type to content
	Metadata map[string]any // DisplayData, ExecuteResult

	ExecutionCount *int // ExecuteResult

	EName     string   // ErrorOutput
	EValue    string   // ErrorOutput
	Traceback []string // ErrorOutput

	Extra map[string]any // fields this package does not know
}

// ReadFile reads the notebook stored at path.
func ReadFile(path string) (*Notebook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nb, nil
}

// WriteFile stores nb at path, replacing it whole: a reader never sees half
// a notebook, and a failed write leaves the old file as it was.
func WriteFile(path string, nb *Notebook) error {
	data, err := nb.Marshal()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dirOf(path), ".notebook-*.ipynb")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i+1]
	}
	return "."
}

// Parse reads a notebook from its JSON.
func Parse(data []byte) (*Notebook, error) {
	tree, err := decodeJSON(data)
	if err != nil {
		return nil, fmt.Errorf("not a notebook: %w", err)
	}
	top, ok := tree.(map[string]any)
	if !ok {
		return nil, errors.New("not a notebook: the JSON is not an object")
	}
	f := fields(top)
	nb := &Notebook{}
	if nb.Format, err = f.int("nbformat"); err != nil {
		return nil, err
	}
	if nb.Format != 4 {
		return nil, fmt.Errorf("nbformat %d: only nbformat 4 notebooks are supported", nb.Format)
	}
	if nb.FormatMinor, err = f.int("nbformat_minor"); err != nil {
		return nil, err
	}
	if nb.Metadata, err = f.object("metadata"); err != nil {
		return nil, err
	}
	cells, err := f.list("cells")
	if err != nil {
		return nil, err
	}
	for i, c := range cells {
		cell, err := parseCell(c)
		if err != nil {
			return nil, fmt.Errorf("cell %d: %w", i, err)
		}
		nb.Cells = append(nb.Cells, cell)
	}
	nb.Extra = f.rest()
	return nb, nil
}

func parseCell(v any) (*Cell, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	f := fields(m)
	c := &Cell{}
	var err error
	if c.Type, err = f.string("cell_type"); err != nil {
		return nil, err
	}
	if _, ok := m["id"]; ok {
		if c.ID, err = f.string("id"); err != nil {
			return nil, err
		}
	}
	if c.Source, err = f.text("source"); err != nil {
		return nil, err
	}
	if c.Metadata, err = f.object("metadata"); err != nil {
		return nil, err
	}
	if c.Type == Code {
		if c.ExecutionCount, err = f.count("execution_count"); err != nil {
			return nil, err
		}
		outs, err := f.list("outputs")
		if err != nil {
			return nil, err
		}
		for i, o := range outs {
			out, err := parseOutput(o)
			if err != nil {
				return nil, fmt.Errorf("output %d: %w", i, err)
			}
			c.Outputs = append(c.Outputs, out)
		}
	}
	c.Extra = f.rest()
	return c, nil
}

func parseOutput(v any) (*Output, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	f := fields(m)
	o := &Output{}
	var err error
	if o.Type, err = f.string("output_type"); err != nil {
		return nil, err
	}
	switch o.Type {
	case Stream:
		if o.Name, err = f.string("name"); err != nil {
			return nil, err
		}
		if o.Text, err = f.text("text"); err != nil {
			return nil, err
		}
	case DisplayData, ExecuteResult:
		if o.Data, err = f.object("data"); err != nil {
			return nil, err
		}
		joinBundle(o.Data)
		if o.Metadata, err = f.object("metadata"); err != nil {
			return nil, err
		}
		if o.Type == ExecuteResult {
			if o.ExecutionCount, err = f.count("execution_count"); err != nil {
				return nil, err
			}
		}
	case ErrorOutput:
		if o.EName, err = f.string("ename"); err != nil {
			return nil, err
		}
		if o.EValue, err = f.string("evalue"); err != nil {
			return nil, err
		}
		tb, err := f.list("traceback")
		if err != nil {
			return nil, err
		}
		for _, line := range tb {
			s, ok := line.(string)
			if !ok {
				return nil, errors.New("traceback: not a list of strings")
			}
			o.Traceback = append(o.Traceback, s)
		}
	}
	o.Extra = f.rest()
	return o, nil
}

// Marshal returns the notebook's JSON in Jupyter's layout.
func (nb *Notebook) Marshal() ([]byte, error) {
	top := copyMap(nb.Extra)
	top["nbformat"] = nb.Format
	top["nbformat_minor"] = nb.FormatMinor
	meta := copyMap(nb.Metadata)
	// Jupyter drops these on every write (nbformat's strip_transient).
	delete(meta, "orig_nbformat")
	delete(meta, "orig_nbformat_minor")
	delete(meta, "signature")
	top["metadata"] = meta
	cells := make([]any, len(nb.Cells))
	for i, c := range nb.Cells {
		cells[i] = c.tree()
	}
	top["cells"] = cells
	var b bytes.Buffer
	if err := writeJSON(&b, top, 0); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func (c *Cell) tree() map[string]any {
	m := copyMap(c.Extra)
	m["cell_type"] = c.Type
	if c.ID != "" {
		m["id"] = c.ID
	}
	m["source"] = lines(c.Source)
	meta := copyMap(c.Metadata)
	delete(meta, "trusted")
	m["metadata"] = meta
	if c.Type == Code {
		m["execution_count"] = countValue(c.ExecutionCount)
		outs := make([]any, len(c.Outputs))
		for i, o := range c.Outputs {
			outs[i] = o.tree()
		}
		m["outputs"] = outs
	}
	if att, ok := m["attachments"].(map[string]any); ok {
		split := make(map[string]any, len(att))
		for name, bundle := range att {
			if b, ok := bundle.(map[string]any); ok {
				bundle = splitBundle(b)
			}
			split[name] = bundle
		}
		m["attachments"] = split
	}
	return m
}

func (o *Output) tree() map[string]any {
	m := copyMap(o.Extra)
	m["output_type"] = o.Type
	switch o.Type {
	case Stream:
		m["name"] = o.Name
		m["text"] = lines(o.Text)
	case DisplayData, ExecuteResult:
		m["data"] = splitBundle(o.Data)
		m["metadata"] = copyMap(o.Metadata)
		if o.Type == ExecuteResult {
			m["execution_count"] = countValue(o.ExecutionCount)
		}
	case ErrorOutput:
		m["ename"] = o.EName
		m["evalue"] = o.EValue
		m["traceback"] = append([]string{}, o.Traceback...)
	}
	return m
}

// lines is multi-line text as Jupyter stores it.
func lines(s string) []any {
	parts := splitLines(s)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}

// splitBundle stores a MIME bundle's text as lists of lines, where Jupyter
// does: text/* types, JavaScript and SVG.
func splitBundle(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for mime, v := range data {
		s, ok := v.(string)
		if ok && (strings.HasPrefix(mime, "text/") || mime == "application/javascript" || mime == "image/svg+xml") {
			out[mime] = lines(s)
			continue
		}
		out[mime] = v
	}
	return out
}

// joinBundle undoes splitBundle in place: every list of strings except JSON
// content becomes one string again.
func joinBundle(data map[string]any) {
	for mime, v := range data {
		if mime == "application/json" || strings.HasPrefix(mime, "application/") && strings.HasSuffix(mime, "+json") {
			continue
		}
		if s, ok := joinStrings(v); ok {
			data[mime] = s
		}
	}
}

func joinStrings(v any) (string, bool) {
	list, ok := v.([]any)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return "", false
		}
		b.WriteString(s)
	}
	return b.String(), true
}

func countValue(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+6)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// fields takes the known fields out of a JSON object one by one; rest is
// what is left, kept so that writing the notebook back loses nothing.
type fields map[string]any

func (f fields) take(key string) (any, bool) {
	v, ok := f[key]
	delete(f, key)
	return v, ok
}

func (f fields) rest() map[string]any {
	if len(f) == 0 {
		return nil
	}
	return map[string]any(f)
}

func (f fields) string(key string) (string, error) {
	v, ok := f.take(key)
	if !ok {
		return "", fmt.Errorf("missing %q", key)
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%q is not a string", key)
	}
	return s, nil
}

// text is a string stored either whole or as a list of lines.
func (f fields) text(key string) (string, error) {
	v, ok := f.take(key)
	if !ok {
		return "", fmt.Errorf("missing %q", key)
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	if s, ok := joinStrings(v); ok {
		return s, nil
	}
	return "", fmt.Errorf("%q is neither a string nor a list of strings", key)
}

func (f fields) int(key string) (int, error) {
	v, ok := f.take(key)
	if !ok {
		return 0, fmt.Errorf("missing %q", key)
	}
	return toInt(key, v)
}

func toInt(key string, v any) (int, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%q is not a number", key)
	}
	i, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer: %w", key, err)
	}
	return int(i), nil
}

// count is an execution count: an integer, or null for a cell never run.
func (f fields) count(key string) (*int, error) {
	v, ok := f.take(key)
	if !ok || v == nil {
		return nil, nil
	}
	n, err := toInt(key, v)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func (f fields) object(key string) (map[string]any, error) {
	v, ok := f.take(key)
	if !ok {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%q is not an object", key)
	}
	return m, nil
}

func (f fields) list(key string) ([]any, error) {
	v, ok := f.take(key)
	if !ok {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%q is not a list", key)
	}
	return l, nil
}
