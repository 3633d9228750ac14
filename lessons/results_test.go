package lessons_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"

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
	if strings.Contains(text, "<") {
		t.Errorf("the text table has markup:\n%s", text)
	}
	if cpu := (lessons.Result{Job: "cpu", Version: "pooled", Workers: 2}).String(); strings.Contains(cpu, "connections") {
		t.Errorf("a CPU result's table has I/O columns:\n%s", cpu)
	}
	if lost := (lessons.Result{Job: "io", Version: "racy", Lost: 3}).String(); !strings.Contains(lost, "lost") {
		t.Errorf("a racy result's table does not show what was lost:\n%s", lost)
	}
}

// Jupyter shows only the richest type of a value, HTML, so the HTML must
// carry the chart as well as the table.
func TestResultsHTMLHasTableThenChart(t *testing.T) {
	rs := append(lessons.Results{}, sample...)
	rs[0].Version = "<script>"
	html := string(rs.HTML())
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("HTML does not escape a version:\n%.2000s", html)
	}
	if strings.Count(html, "<tr>") != 4 {
		t.Errorf("want a heading row and 3 rows:\n%.2000s", html)
	}
	table, svg := strings.Index(html, "<table"), strings.Index(html, "<svg")
	if table < 0 || svg < table || strings.Count(html, "<svg") != 1 {
		t.Errorf("want a <table> followed by one <svg>:\n%.2000s", html)
	}
	if strings.Contains(html, "<?xml") || strings.Contains(html, "<!") {
		t.Errorf("HTML embeds the chart with its XML prolog or a comment or doctype:\n%.2000s", html)
	}
	checkXML(t, "<div>"+html+"</div>")
	chart := parseChart(t, html[svg:strings.Index(html, "</svg>")+len("</svg>")])
	for _, want := range []string{"pooled", "8 workers", "unbounded"} {
		if !slices.Contains(chart.lines(), want) {
			t.Errorf("the chart in the HTML lacks the label %q: %q", want, chart.lines())
		}
	}

	one := string(sample[1].HTML())
	if !strings.Contains(one, "<table") || !strings.Contains(one, "<svg") {
		t.Errorf("a single result's HTML lacks the table or the chart:\n%.2000s", one)
	}
}

func TestResultsSVGIsStandalone(t *testing.T) {
	svg := sample.SVG()
	checkXML(t, svg)
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no root element: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			if el.Name.Local != "svg" || el.Name.Space != "http://www.w3.org/2000/svg" {
				t.Errorf("root element is %v, want svg in the SVG namespace", el.Name)
			}
			break
		}
	}
	if strings.Contains(svg, "<table") {
		t.Error("SVG carries the table")
	}
	if strings.Contains(svg, "font-family:Liberation Sans;") || !strings.Contains(svg, "Arial") {
		t.Error("SVG names no metric-compatible fallback for Liberation Sans")
	}
	for _, r := range []lessons.Results{nil, {}} {
		checkXML(t, r.SVG())
		if !strings.Contains(r.SVG(), "no results") {
			t.Errorf("an empty chart does not say so: %s", r.SVG())
		}
	}
}

func TestBarLabelsAreWhole(t *testing.T) {
	svg := sample.SVG()
	chart := parseChart(t, svg)
	for _, want := range []string{"sequential", "pooled", "goroutines", "1 worker", "8 workers", "unbounded"} {
		if !slices.Contains(chart.lines(), want) {
			t.Errorf("bar chart lacks the text %q: %q", want, chart.lines())
		}
	}
	if !strings.Contains(svg, ">seconds</text>") {
		t.Error("bar chart's axis is not labelled in seconds")
	}
	if strings.Contains(svg, "ideal") {
		t.Error("a bar chart of versions has an ideal line")
	}
}

// longRuns are n results with the longest versions and labels, as the
// notebooks show them, GOMAXPROCS alternating when mixed.
func longRuns(n int, mixed bool) lessons.Results {
	versions := []string{"client-per-request", "multi-process", "thread-local", "sequential", "goroutines", "pooled", "racy"}
	var rs lessons.Results
	for i := range n {
		x := lessons.Result{Job: "io", Version: versions[i%len(versions)], Workers: 8 + i, Tasks: 80, Seconds: 0.5 + float64(i)/10, GOMAXPROCS: 2}
		if mixed && i%2 == 1 {
			x.GOMAXPROCS = 1
		}
		rs = append(rs, x)
	}
	return rs
}

// Browsers draw the chart's text in whatever font they have; gonum placed
// it by Liberation Sans' widths. No text may reach past the canvas or into
// its neighbour's, even in a font a fifth wider, or in DejaVu Sans (the
// usual fallback on Linux) when it is installed.
func TestChartTextFitsInWiderFonts(t *testing.T) {
	measures := map[string]func(string, vg.Length) vg.Length{
		"Liberation Sans x 1.2": func(s string, size vg.Length) vg.Length {
			face := font.DefaultCache.Lookup(font.Font{Typeface: "Liberation", Variant: "Sans"}, size)
			return 1.2 * face.Width(s)
		},
	}
	if b, err := os.ReadFile("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"); err == nil {
		dejavu, err := opentype.Parse(b)
		if err != nil {
			t.Fatalf("DejaVu Sans: %v", err)
		}
		measures["DejaVu Sans"] = func(s string, size vg.Length) vg.Length {
			face := font.Face{Font: font.Font{Typeface: "DejaVu", Size: size}, Face: dejavu}
			return face.Width(s)
		}
	}
	for n := 1; n <= 10; n++ {
		for _, mixed := range []bool{false, true} {
			rs := longRuns(n, mixed)
			chart := parseChart(t, rs.SVG())
			for name, width := range measures {
				checkFits(t, fmt.Sprintf("%d bars, mixed GOMAXPROCS %v, %s", n, mixed, name), chart, width)
			}
			checkVersionsWhole(t, chart, rs)
		}
	}
	var sweep lessons.Results
	for _, w := range []int{1, 2, 4, 8, 16, 32, 64, 128} {
		sweep = append(sweep, lessons.Result{Job: "io", Version: "client-per-request", Workers: w, Tasks: 80, Seconds: 4 / float64(w)})
	}
	for name, width := range measures {
		checkFits(t, "sweep, "+name, parseChart(t, sweep.SVG()), width)
	}
}

// checkFits fails when a text, measured by width, reaches past the canvas
// or overlaps another on its line.
func checkFits(t *testing.T, what string, c chart, width func(string, vg.Length) vg.Length) {
	t.Helper()
	byLine := map[float64][]text{}
	for _, x := range c.texts {
		end := x.x + float64(width(x.s, vg.Length(x.size)))
		if x.x < 0 || end > c.width {
			t.Errorf("%s: %q spans %.1f to %.1f, past the canvas' 0 to %.1f", what, x.s, x.x, end, c.width)
		}
		byLine[x.y] = append(byLine[x.y], x)
	}
	for _, line := range byLine {
		slices.SortFunc(line, func(a, b text) int { return int(a.x - b.x) })
		for i := 1; i < len(line); i++ {
			a, b := line[i-1], line[i]
			if end := a.x + float64(width(a.s, vg.Length(a.size))); end > b.x {
				t.Errorf("%s: %q (to %.1f) runs into %q (from %.1f)", what, a.s, end, b.s, b.x)
			}
		}
	}
}

// checkVersionsWhole fails unless every version is written whole, or, in
// charts too wide for that, broken after a hyphen onto two lines.
func checkVersionsWhole(t *testing.T, c chart, rs lessons.Results) {
	t.Helper()
	lines := c.lines()
	for _, x := range rs {
		if slices.Contains(lines, x.Version) {
			continue
		}
		broken := false
		for i := 1; i < len(lines); i++ {
			broken = broken || (strings.HasSuffix(lines[i-1], "-") && lines[i-1]+lines[i] == x.Version)
		}
		if !broken {
			t.Errorf("%d bars: version %q is not written whole: %q", len(rs), x.Version, lines)
		}
	}
}

func TestMultiProcessCountsProcesses(t *testing.T) {
	rs := lessons.Results{
		{Job: "cpu", Version: "pooled", Workers: 1, Tasks: 20, Seconds: 2},
		{Job: "cpu", Version: "multi-process", Workers: 4, Tasks: 20, Seconds: 1},
	}
	lines := parseChart(t, rs.SVG()).lines()
	if !slices.Contains(lines, "4 processes") || slices.Contains(lines, "4 workers") {
		t.Errorf("multi-process bar is not labelled in processes: %q", lines)
	}
	if !slices.Contains(lines, "1 worker") {
		t.Errorf("pooled bar is not labelled in workers: %q", lines)
	}
	sweep := lessons.Results{
		{Job: "cpu", Version: "multi-process", Workers: 1, Tasks: 20, Seconds: 2},
		{Job: "cpu", Version: "multi-process", Workers: 2, Tasks: 20, Seconds: 1},
	}
	if lines := parseChart(t, sweep.SVG()).lines(); !slices.Contains(lines, "processes") {
		t.Errorf("a multi-process sweep's axis is not in processes: %q", lines)
	}
}

func TestGOMAXPROCSLabelledOnlyWhenItDiffers(t *testing.T) {
	pooled := lessons.Result{Job: "cpu", Version: "pooled", Workers: 2, Tasks: 20, Seconds: 1, GOMAXPROCS: 2}
	gil := pooled
	gil.GOMAXPROCS, gil.Seconds = 1, 2
	same := lessons.Results{pooled, pooled}
	if svg := same.SVG(); strings.Contains(svg, "GOMAXPROCS") {
		t.Errorf("runs with one GOMAXPROCS are labelled with it: %q", parseChart(t, svg).lines())
	}
	lines := parseChart(t, lessons.Results{pooled, gil}.SVG()).lines()
	for _, want := range []string{"GOMAXPROCS=2", "GOMAXPROCS=1"} {
		if !slices.Contains(lines, want) {
			t.Errorf("runs of different GOMAXPROCS lack the label %q: %q", want, lines)
		}
	}

	// In a sweep the lines are told apart by their legend.
	var sweep lessons.Results
	for _, g := range []int{1, 2} {
		for _, w := range []int{1, 2, 4} {
			sweep = append(sweep, lessons.Result{Job: "cpu", Version: "pooled", Workers: w, Tasks: 20, Seconds: 4 / float64(w*g), GOMAXPROCS: g})
		}
	}
	lines = parseChart(t, sweep.SVG()).lines()
	for _, want := range []string{"pooled, GOMAXPROCS=1", "pooled, GOMAXPROCS=2"} {
		if !slices.Contains(lines, want) {
			t.Errorf("sweep lacks the legend entry %q: %q", want, lines)
		}
	}
}

func TestTasksLabelledOnlyWhenTheyDiffer(t *testing.T) {
	one := lessons.Result{Job: "io", Version: "goroutines", Tasks: 1, Seconds: 0.05}
	many := one
	many.Tasks, many.Seconds = 80, 0.06
	if lines := parseChart(t, lessons.Results{many, many}.SVG()).lines(); slices.Contains(lines, "80 pages") {
		t.Errorf("runs of the same size are labelled with it: %q", lines)
	}
	lines := parseChart(t, lessons.Results{one, many}.SVG()).lines()
	for _, want := range []string{"1 page", "80 pages"} {
		if !slices.Contains(lines, want) {
			t.Errorf("runs of different sizes lack the label %q: %q", want, lines)
		}
	}
	fib := lessons.Result{Job: "cpu", Version: "pooled", Workers: 2, Tasks: 20, Seconds: 1}
	fewer := fib
	fewer.Tasks = 10
	lines = parseChart(t, lessons.Results{fib, fewer}.SVG()).lines()
	for _, want := range []string{"20 tasks", "10 tasks"} {
		if !slices.Contains(lines, want) {
			t.Errorf("CPU runs of different sizes lack the label %q: %q", want, lines)
		}
	}
}

func TestChartTitleFitsTheSet(t *testing.T) {
	fib := lessons.Result{Job: "cpu", Version: "pooled", Workers: 2, Tasks: 20, Seconds: 1, Work: "fib(35) x 20"}
	squares := fib
	squares.Work = "sums of squares below 5000000+x, x < 20"
	pages := lessons.Result{Job: "io", Version: "pooled", Workers: 8, Tasks: 80, Seconds: 0.5}
	fewer := pages
	fewer.Tasks = 40
	for _, c := range []struct {
		rs   lessons.Results
		want string
	}{
		{lessons.Results{pages, pages}, "I/O-bound: 80 pages"},
		{lessons.Results{fib, fib}, "CPU-bound: fib(35) x 20"},
		{lessons.Results{fib, squares}, "CPU-bound job"},
		{lessons.Results{pages, fewer}, "I/O-bound job"},
		{lessons.Results{fib, pages}, "Runs of several jobs"},
		{lessons.Results{pages, fib}, "Runs of several jobs"},
	} {
		if got := parseChart(t, c.rs.SVG()).texts[0].s; got != c.want {
			t.Errorf("title of %v is %q, want %q", c.rs, got, c.want)
		}
	}
}

// RunCPU says what it computed, and that titles the chart.
func TestRunCPUTitlesItsChart(t *testing.T) {
	res, err := lessons.RunCPU(context.Background(), lessons.CPUOptions{Version: "sequential", N: 15, Tasks: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := "CPU-bound: fib(15) x 3"; parseChart(t, res.SVG()).texts[0].s != want {
		t.Errorf("title is %q, want %q", parseChart(t, res.SVG()).texts[0].s, want)
	}
	sq, err := lessons.RunCPU(context.Background(), lessons.CPUOptions{Version: "sequential", Job: "squares", N: 100, Tasks: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sq.Work, "squares") || !strings.Contains(sq.Work, "100") {
		t.Errorf("squares run's work is %q", sq.Work)
	}
}

func TestResultsSVGSweepIsALine(t *testing.T) {
	sweep := lessons.Results{
		{Job: "io", Version: "pooled", Workers: 1, Seconds: 4},
		{Job: "io", Version: "pooled", Workers: 2, Seconds: 2.1},
		{Job: "io", Version: "pooled", Workers: 4, Seconds: 1.1},
	}
	lines := parseChart(t, sweep.SVG()).lines()
	for _, want := range []string{"workers", "pooled", "pooled ideal", "1", "2", "4"} {
		if !slices.Contains(lines, want) {
			t.Errorf("sweep chart lacks %q: %q", want, lines)
		}
	}
	checkXML(t, sweep[0].SVG())

	// Unbounded goroutines have no place on a workers axis: bars.
	goroutines := lessons.Results{
		{Job: "io", Version: "goroutines", Workers: 0, Seconds: 0.05},
		{Job: "io", Version: "goroutines", Workers: 10, Seconds: 0.4},
	}
	lines = parseChart(t, goroutines.SVG()).lines()
	if slices.Contains(lines, "goroutines ideal") || !slices.Contains(lines, "unbounded") || !slices.Contains(lines, "at most 10") {
		t.Errorf("bounded against unbounded goroutines is not a bar chart: %q", lines)
	}
}

// A sweep doubling the workers from 1 to 128 has a tick at each count (on
// a log scale, or 1, 2 and 4 would be one blur).
func TestWideSweepTicksEveryCount(t *testing.T) {
	var sweep lessons.Results
	for _, w := range []int{1, 2, 4, 8, 16, 32, 64, 128} {
		sweep = append(sweep, lessons.Result{Job: "io", Version: "pooled", Workers: w, Tasks: 64, Seconds: 3.2 / float64(w)})
	}
	chart := parseChart(t, sweep.SVG())
	var axis float64 // the y of the workers' tick labels: 128 is no time
	for _, x := range chart.texts {
		if x.s == "128" {
			axis = x.y
		}
	}
	xs := map[string]float64{}
	for _, x := range chart.texts {
		if x.y == axis {
			xs[x.s] = x.x
		}
	}
	for _, w := range []string{"1", "2", "4", "8", "16", "32", "64", "128"} {
		if _, ok := xs[w]; !ok {
			t.Fatalf("sweep chart has no tick %q: %q", w, chart.lines())
		}
	}
	// Evenly spaced: doubling is one step.
	step1, step2 := xs["2"]-xs["1"], xs["128"]-xs["64"]
	if step1 < 0.8*step2 || step1 > 1.25*step2 {
		t.Errorf("ticks 1-2 are %.1f apart and 64-128 %.1f: the workers axis is not logarithmic", step1, step2)
	}
}

// chart is what a test can see of an SVG chart: its width and its texts.
type chart struct {
	width float64
	texts []text // in drawing order; rotated text left out
}

type text struct {
	x, y, size float64
	s          string
}

func (c chart) lines() []string {
	var ss []string
	for _, x := range c.texts {
		ss = append(ss, x.s)
	}
	return ss
}

var fontSize = regexp.MustCompile(`font-size:([0-9.]+)px`)

// parseChart reads gonum's SVG: a viewBox, and texts placed by their
// left end, some inside rotating groups.
func parseChart(t *testing.T, svg string) chart {
	t.Helper()
	checkXML(t, svg)
	var c chart
	var rotated []bool // per open element
	var cur *text
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range el.Attr {
				attr[a.Name.Local] = a.Value
			}
			rot := strings.Contains(attr["transform"], "rotate") || (len(rotated) > 0 && rotated[len(rotated)-1])
			rotated = append(rotated, rot)
			switch {
			case el.Name.Local == "svg":
				f := strings.Fields(attr["viewBox"])
				if len(f) != 4 {
					t.Fatalf("svg viewBox %q", attr["viewBox"])
				}
				c.width, _ = strconv.ParseFloat(f[2], 64)
			case el.Name.Local == "text" && !rot:
				cur = &text{}
				cur.x, _ = strconv.ParseFloat(attr["x"], 64)
				cur.y, _ = strconv.ParseFloat(attr["y"], 64)
				if m := fontSize.FindStringSubmatch(attr["style"]); m != nil {
					cur.size, _ = strconv.ParseFloat(m[1], 64)
				} else {
					t.Fatalf("text without a font size: %v", el)
				}
			}
		case xml.CharData:
			if cur != nil {
				cur.s += string(el)
			}
		case xml.EndElement:
			rotated = rotated[:len(rotated)-1]
			if el.Name.Local == "text" && cur != nil {
				c.texts = append(c.texts, *cur)
				cur = nil
			}
		}
	}
	if c.width <= 0 || len(c.texts) == 0 {
		t.Fatalf("no chart: width %v, %d texts", c.width, len(c.texts))
	}
	return c
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
