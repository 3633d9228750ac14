package repl

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

func TestMain(m *testing.M) {
	if lessons.IsWorker() {
		if err := lessons.ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestZZNotebooks(t *testing.T) {
	if os.Getenv("NB") == "" {
		t.Skip()
	}
	files, _ := filepath.Glob("../../notebooks/*.ipynb")
	for _, f := range files {
		var nb struct {
			Cells []struct {
				CellType string      `json:"cell_type"`
				Source   interface{} `json:"source"`
			} `json:"cells"`
		}
		b, _ := os.ReadFile(f)
		json.Unmarshal(b, &nb)
		s, o := newSession(t)
		for i, c := range nb.Cells {
			if c.CellType != "code" {
				continue
			}
			var src string
			switch x := c.Source.(type) {
			case string:
				src = x
			case []interface{}:
				for _, l := range x {
					src += l.(string)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			start := time.Now()
			d, ok, err := s.Execute(ctx, src)
			cancel()
			text, _ := d.Data["text/plain"].(string)
			if len(text) > 80 {
				text = text[:80]
			}
			first := strings.SplitN(src, "\n", 2)[0]
			t.Logf("%s #%d %-40.40q %6.2fs ok=%v err=%v %q", filepath.Base(f), i, first, time.Since(start).Seconds(), ok, err, text)
		}
		se := o.Stderr()
		if len(se) > 500 {
			se = se[:500]
		}
		t.Logf("stderr: %q", se)
	}
}
