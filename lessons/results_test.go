package lessons_test

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/gospeed/gospeed/lessons"
)

var sample = lessons.Results{
	{Job: "io", Version: "sequential", Workers: 1, Tasks: 80, Seconds: 4.01, Connections: 1, Bytes: 81920, GOMAXPROCS: 2},
	{Job: "io", Version: "pooled", Workers: 8, Tasks: 80, Seconds: 0.51, Connections: 8, Bytes: 81920, GOMAXPROCS: 2},
	{Job: "io", Version: "goroutines", Workers: 0, Tasks: 80, Seconds: 0.052, Connections: 80, Bytes: 81920, GOMAXPROCS: 2},
}

func TestResultsString(t *testing.T) {
	text := sample.String()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want a heading and 3 rows:\n%s", len(lines), text)
	}
	for _, want := range []string{"version", "connections", "seconds"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("heading %q lacks %q", lines[0], want)
		}
	}
	for _, want := range []string{"pooled", "0.510", "unbounded"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	if cpu := (lessons.Result{Job: "cpu", Version: "pooled", Workers: 2}).String(); strings.Contains(cpu, "connections") {
		t.Errorf("a CPU result's table has I/O columns:\n%s", cpu)
	}
	if lost := (lessons.Result{Job: "io", Version: "racy", Lost: 3}).String(); !strings.Contains(lost, "lost") {
		t.Errorf("a racy result's table does not show what was lost:\n%s", lost)
	}
}

func TestResultsHTML(t *testing.T) {
	rs := append(lessons.Results{}, sample...)
	rs[0].Version = "<script>"
	html := string(rs.HTML())
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("HTML does not escape a version:\n%s", html)
	}
	if strings.Count(html, "<tr>") != 4 {
		t.Errorf("want a heading row and 3 rows:\n%s", html)
	}
	checkXML(t, html)
}

func TestResultsSVGBars(t *testing.T) {
	svg := sample.SVG()
	checkSVG(t, svg)
	for _, want := range []string{"sequential", "pooled", "goroutines", "seconds"} {
		if !strings.Contains(svg, want) {
			t.Errorf("bar chart lacks %q", want)
		}
	}
	if strings.Contains(svg, "ideal") {
		t.Error("a bar chart of versions has an ideal line")
	}
}

func TestResultsSVGSweepIsALine(t *testing.T) {
	sweep := lessons.Results{
		{Job: "io", Version: "pooled", Workers: 1, Seconds: 4},
		{Job: "io", Version: "pooled", Workers: 2, Seconds: 2.1},
		{Job: "io", Version: "pooled", Workers: 4, Seconds: 1.1},
	}
	svg := sweep.SVG()
	checkSVG(t, svg)
	for _, want := range []string{"workers", "pooled ideal"} {
		if !strings.Contains(svg, want) {
			t.Errorf("sweep chart lacks %q", want)
		}
	}
	checkSVG(t, lessons.Results{}.SVG())
	checkSVG(t, sweep[0].SVG())
}

func checkSVG(t *testing.T, svg string) {
	t.Helper()
	if !strings.Contains(svg, "<svg") {
		t.Errorf("not an SVG: %.200s", svg)
	}
	checkXML(t, svg)
}

// checkXML fails unless s is well-formed XML.
func checkXML(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%.300s", err, s)
		}
	}
}
