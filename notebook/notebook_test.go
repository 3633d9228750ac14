package notebook

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testdata/jupyter.ipynb was written by Jupyter's own nbformat (5.5) from a
// notebook full of awkward content: non-ASCII, control characters, every
// line break Python knows, floats, attachments, unknown fields, every output
// type.
func TestRoundTripIsByteForByte(t *testing.T) {
	want, err := os.ReadFile("testdata/jupyter.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Parse(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("round trip changed the notebook:\n%s", firstDifference(got, want))
	}
}

func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + g[i] + "\nwant: " + w[i]
		}
	}
	return "lengths differ: got " + strconv.Itoa(len(g)) + " lines, want " + strconv.Itoa(len(w))
}

func TestParseJoinsLinesAndKeepsUnknownFields(t *testing.T) {
	nb, err := ReadFile("testdata/jupyter.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if nb.Format != 4 || nb.FormatMinor != 5 {
		t.Errorf("nbformat %d.%d, want 4.5", nb.Format, nb.FormatMinor)
	}
	if got := nb.Metadata["kernelspec"].(map[string]any)["name"]; got != "gospeed" {
		t.Errorf("kernelspec name %v", got)
	}
	if _, ok := nb.Extra["unknown_top"]; !ok {
		t.Errorf("unknown top-level field lost: %v", nb.Extra)
	}
	if len(nb.Cells) != 4 {
		t.Fatalf("%d cells, want 4", len(nb.Cells))
	}
	md, code := nb.Cells[0], nb.Cells[1]
	if !strings.HasSuffix(md.Source, "no newline at end") || !strings.Contains(md.Source, "windows line\rold mac") {
		t.Errorf("markdown source not joined: %q", md.Source)
	}
	if _, ok := md.Extra["attachments"]; !ok {
		t.Error("attachments lost")
	}
	if code.ExecutionCount == nil || *code.ExecutionCount != 3 {
		t.Errorf("execution count %v", code.ExecutionCount)
	}
	if code.Source != "workers := 8\nfmt.Println(\"hi \\u00e9\", workers)\n" {
		t.Errorf("code source %q", code.Source)
	}
	if len(code.Outputs) != 5 {
		t.Fatalf("%d outputs, want 5", len(code.Outputs))
	}
	if o := code.Outputs[0]; o.Type != Stream || o.Name != "stdout" || o.Text != "hi é 8\nsecond line\n" {
		t.Errorf("stream output %+v", o)
	}
	d := code.Outputs[2]
	if d.Data["text/html"] != "<table>\n<tr><td>1</td></tr>\n</table>" {
		t.Errorf("HTML not joined: %q", d.Data["text/html"])
	}
	if _, ok := d.Data["application/json"].(map[string]any); !ok {
		t.Errorf("JSON content changed: %#v", d.Data["application/json"])
	}
	if e := code.Outputs[4]; e.EName != "panic" || len(e.Traceback) != 2 {
		t.Errorf("error output %+v", e)
	}
	if empty := nb.Cells[2]; empty.Source != "" || empty.ExecutionCount != nil {
		t.Errorf("empty cell %+v", empty)
	}
}

func TestMarshalNormalizesLikeJupyter(t *testing.T) {
	// A hand-written notebook: source as one string, keys unsorted, a
	// transient field Jupyter drops.
	in := `{"nbformat": 4, "nbformat_minor": 5, "metadata": {"orig_nbformat": 3},
	"cells": [{"id": "a1", "cell_type": "code", "source": "x := 1\nx", "metadata": {"trusted": true},
	"execution_count": null, "outputs": []}]}`
	nb, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": null,
   "id": "a1",
   "metadata": {},
   "outputs": [],
   "source": [
    "x := 1\n",
    "x"
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestParseRejectsWhatIsNotANotebook(t *testing.T) {
	for name, in := range map[string]string{
		"not JSON":        `{"cells": [`,
		"not an object":   `[1, 2]`,
		"nbformat 3":      `{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}`,
		"no nbformat":     `{"cells": []}`,
		"cell not object": `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [1]}`,
		"bad source":      `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 7}]}`,
		"trailing data":   `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []} {}`,
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}

func TestWriteFileReplacesWholeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.ipynb")
	nb, err := ReadFile("testdata/jupyter.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want, _ := os.ReadFile("testdata/jupyter.ipynb")
	if !bytes.Equal(got, want) {
		t.Error("written file differs from the original")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the old file's 0600", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestPythonFloat(t *testing.T) {
	for f, want := range map[float64]string{
		0.1: "0.1", 1: "1.0", 1e16: "1e+16", 1.5e16: "1.5e+16", 1e-05: "1e-05", 0.0001: "0.0001",
		-2.5: "-2.5", 123456789012345.0: "123456789012345.0", 1e100: "1e+100",
	} {
		if got, _ := pythonFloat(f); got != want {
			t.Errorf("pythonFloat(%v) = %s, want %s", f, got, want)
		}
	}
}
