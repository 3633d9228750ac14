package notebook

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The course's notebooks are stored executed, in Jupyter's own layout, so
// they read well unrendered and a re-run shows as a clean diff.
func TestStoredNotebooks(t *testing.T) {
	paths, err := filepath.Glob("../notebooks/*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Skip("no notebooks in ../notebooks")
	}
	named := regexp.MustCompile(`^[0-9][0-9]-[a-z0-9-]+\.ipynb$`)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if !named.MatchString(filepath.Base(path)) {
				t.Errorf("name does not follow NN-name.ipynb")
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			nb, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if again, err := nb.Marshal(); err != nil || !bytes.Equal(again, data) {
				t.Errorf("not stored in Jupyter's layout (gospeed run --inplace rewrites it): %v", err)
			}
			spec, _ := nb.Metadata["kernelspec"].(map[string]any)
			if spec["name"] != "gospeed" || spec["language"] != "go" {
				t.Errorf("kernelspec %v, want gospeed for go", spec)
			}
			if lang, _ := nb.Metadata["language_info"].(map[string]any); lang["name"] != "go" {
				t.Errorf("language_info %v, want go", lang)
			}
			last := 0
			for i, c := range nb.Cells {
				if c.Type != Code {
					continue
				}
				if c.ExecutionCount == nil || *c.ExecutionCount <= last {
					t.Errorf("cell %d not executed in order (execution count %v after %d)", i, c.ExecutionCount, last)
					continue
				}
				last = *c.ExecutionCount
				if o := firstError(c); o != nil && !RaisesException(c) {
					t.Errorf("cell %d stored with an error: %s: %s", i, o.EName, o.EValue)
				}
				// A verdict cell checks a claim of the text against the
				// numbers above it (lessons.Verdict).
				for _, o := range c.Outputs {
					text := o.Text + fmt.Sprint(o.Data["text/plain"])
					if strings.Contains(text, "DOES NOT HOLD") {
						t.Errorf("cell %d: a claim does not hold against the stored run: %s", i, text)
					}
				}
			}
		})
	}
}
