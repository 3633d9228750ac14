package lessons

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"text/tabwriter"
	"time"
)

// ProgressFunc is told how many of the run's tasks are done. The lessons call
// it from one goroutine at a time, with done increasing from 1 to total, so
// it needs no locking of its own.
type ProgressFunc func(done, total int)

// Result is one measured run of a job in one version.
type Result struct {
	Job         string  // "io" or "cpu"
	Version     string  // one of IOVersions or CPUVersions
	Workers     int     // workers, processes, or goroutine bound (0: unbounded)
	Tasks       int     // pages downloaded or numbers computed
	Seconds     float64 // wall-clock time of the whole run
	Connections int64   // I/O: new TCP connections the built-in site saw (0 for real URLs)
	Bytes       int64   // I/O: bytes downloaded
	GOMAXPROCS  int     // the GOMAXPROCS the run had
	Lost        int64   // racy: pages the unsynchronized stats recorder failed to count
	Work        string  // CPU: the job in words, e.g. "fib(35) x 20"; charts are titled with it

	// Runs is how many runs Seconds is the median of (0 or 1: one run).
	// Min and Max are the fastest and the slowest of them, in seconds: a
	// claim that two versions differ holds only beyond this spread. The
	// other fields are those of the run nearest the median.
	Runs     int
	Min, Max float64

	Latency time.Duration // I/O: the built-in site's latency per page (0 for real URLs)
}

// Results are several runs, shown together.
type Results []Result

// String is the result as a one-row text table.
func (r Result) String() string { return Results{r}.String() }

// HTML is the result as a one-row HTML table and its one-bar chart.
func (r Result) HTML() template.HTML { return Results{r}.HTML() }

// SVG is the result as a one-bar chart.
func (r Result) SVG() string { return Results{r}.SVG() }

// columns are the table's headings; I/O results have two more, and
// repeated runs their spread beside the median.
func (r Results) columns() []string {
	cols := []string{"job", "version", "workers", "tasks", "seconds", "GOMAXPROCS"}
	if r.anyRepeated() {
		cols = []string{"job", "version", "workers", "tasks", "runs", "seconds (median)", "min–max", "GOMAXPROCS"}
	}
	if r.anyIO() {
		cols = append(cols, "connections", "bytes")
	}
	if r.anyLost() {
		cols = append(cols, "lost")
	}
	return cols
}

func (r Results) anyIO() bool {
	for _, x := range r {
		if x.Job == "io" {
			return true
		}
	}
	return false
}

func (r Results) anyRepeated() bool {
	for _, x := range r {
		if x.Runs > 1 {
			return true
		}
	}
	return false
}

func (r Results) anyLost() bool {
	for _, x := range r {
		if x.Lost != 0 {
			return true
		}
	}
	return false
}

// cells are one result's values, in the order of columns.
func (r Results) cells(x Result) []string {
	workers := fmt.Sprint(x.Workers)
	if x.Workers == 0 {
		workers = "unbounded"
	}
	row := []string{x.Job, x.Version, workers, fmt.Sprint(x.Tasks),
		fmt.Sprintf("%.3f", x.Seconds), fmt.Sprint(x.GOMAXPROCS)}
	if r.anyRepeated() {
		lo, hi := x.spread()
		row = []string{x.Job, x.Version, workers, fmt.Sprint(x.Tasks), fmt.Sprint(max(x.Runs, 1)),
			fmt.Sprintf("%.3f", x.Seconds), fmt.Sprintf("%.3f–%.3f", lo, hi), fmt.Sprint(x.GOMAXPROCS)}
	}
	if r.anyIO() && x.Job == "io" {
		row = append(row, fmt.Sprint(x.Connections), fmt.Sprint(x.Bytes))
	} else if r.anyIO() {
		row = append(row, "-", "-")
	}
	if r.anyLost() {
		row = append(row, fmt.Sprint(x.Lost))
	}
	return row
}

// String is a text table, one row per result (no newline at the end).
func (r Results) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(r.columns(), "\t"))
	for _, x := range r {
		fmt.Fprintln(w, strings.Join(r.cells(x), "\t"))
	}
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

var tableHTML = template.Must(template.New("table").Parse(
	`<table class="gospeed-results"><thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>` +
		`<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>`))

// HTML is an HTML table, one row per result, followed by the chart (SVG's)
// inline. The chart is here too because Jupyter shows only the richest
// representation of a value: HTML, when a value offers HTML and SVG.
func (r Results) HTML() template.HTML {
	return r.tableHTML() + template.HTML("\n<div>"+inlineSVG(r.SVG())+"</div>")
}

// tableHTML is the table alone.
func (r Results) tableHTML() template.HTML {
	data := struct {
		Head []string
		Rows [][]string
	}{Head: r.columns()}
	for _, x := range r {
		data.Rows = append(data.Rows, r.cells(x))
	}
	var b bytes.Buffer
	if err := tableHTML.Execute(&b, data); err != nil {
		// Only strings go in, so this cannot happen; show it rather than hide it.
		return template.HTML(template.HTMLEscapeString(err.Error()))
	}
	return template.HTML(b.String())
}
