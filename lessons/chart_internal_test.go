package lessons

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/plotter"
)

// The ideal line never promises what no number of workers can do.
func TestIdealSeconds(t *testing.T) {
	io := Result{Job: "io", Tasks: 64, Latency: 50 * time.Millisecond}
	cpu := Result{Job: "cpu", Tasks: 20, GOMAXPROCS: 2}
	for _, row := range []struct {
		name  string
		from  plotter.XY
		w     float64
		first Result
		want  float64
	}{
		{"io: half the time with twice the workers", plotter.XY{X: 1, Y: 3.2}, 2, io, 1.6},
		{"io: never below one latency", plotter.XY{X: 1, Y: 3.2}, 128, io, 0.05},
		{"io: two rounds of pages", plotter.XY{X: 1, Y: 3.2}, 48, io, 0.1},
		{"io without a latency: plain scaling", plotter.XY{X: 1, Y: 3.2}, 128, Result{Job: "io", Tasks: 64}, 0.025},
		{"cpu: no faster beyond GOMAXPROCS", plotter.XY{X: 1, Y: 2}, 8, cpu, 1},
		{"cpu: 3 workers on 2 cores", plotter.XY{X: 1, Y: 2}, 3, cpu, 1},
		{"cpu: tasks do not split", plotter.XY{X: 1, Y: 3}, 2, Result{Job: "cpu", Tasks: 3}, 2},
	} {
		if got := idealSeconds(row.from, row.w, row.first); math.Abs(got-row.want) > 1e-9 {
			t.Errorf("%s: %v, want %v", row.name, got, row.want)
		}
	}
}

// Repeated runs get error bars, in bar charts and in sweeps: three more
// strokes (the bar and its two caps) per run than the same chart of single
// runs.
func TestRepeatedRunsHaveErrorBars(t *testing.T) {
	bars := Results{
		{Job: "io", Version: "sequential", Workers: 1, Tasks: 8, Seconds: 0.4, Runs: 3, Min: 0.39, Max: 0.45},
		{Job: "io", Version: "pooled", Workers: 8, Tasks: 8, Seconds: 0.05, Runs: 3, Min: 0.05, Max: 0.06},
	}
	sweep := slices.Clone(bars)
	sweep[0].Version = "pooled"
	for _, rs := range []Results{bars, sweep} {
		once := slices.Clone(rs)
		for i := range once {
			once[i].Runs, once[i].Min, once[i].Max = 0, 0, 0
		}
		with, without := strings.Count(rs.SVG(), "<path"), strings.Count(once.SVG(), "<path")
		if with != without+3*len(rs) {
			t.Errorf("%s: %d strokes with repeated runs, %d without; want %d more", rs.title(), with, without, 3*len(rs))
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, row := range []struct {
		hi   float64
		want string
	}{
		{0.26, "0 0.05 0.1 0.15 0.2 0.25"},
		{25.8, "0 5 10 15 20 25"},
		{1.7, "0 0.5 1 1.5"},
		{0, "0"},
	} {
		var labels []string
		for _, tick := range niceTicks(row.hi) {
			labels = append(labels, tick.Label)
		}
		if got := strings.Join(labels, " "); got != row.want {
			t.Errorf("niceTicks(%v) = %q, want %q", row.hi, got, row.want)
		}
	}
}
