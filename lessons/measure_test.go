package lessons_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// Repeated runs report their median and spread, and progress fills once
// over all of them.
func TestRunsReportMedianAndSpread(t *testing.T) {
	var calls, last, total int
	progress := func(done, all int) {
		calls++
		if done != last+1 {
			t.Errorf("progress went from %d to %d", last, done)
		}
		last, total = done, all
	}
	io, err := lessons.RunIO(context.Background(), lessons.IOOptions{Version: "pooled", Workers: 2, Requests: 4, Latency: time.Millisecond, Runs: 3, Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	if io.Runs != 3 || io.Min > io.Seconds || io.Seconds > io.Max || io.Min <= 0 {
		t.Errorf("runs %d, seconds %v, min %v, max %v: want 3 runs with the median within the spread", io.Runs, io.Seconds, io.Min, io.Max)
	}
	if calls != 12 || total != 12 || io.Latency != time.Millisecond || io.Connections != 2 {
		t.Errorf("progress %d calls of %d, latency %v, %d connections; want 12 of 12, 1ms, 2", calls, total, io.Latency, io.Connections)
	}
	cpu, err := lessons.RunCPU(context.Background(), lessons.CPUOptions{Version: "sequential", N: 15, Tasks: 2, Runs: 4})
	if err != nil {
		t.Fatal(err)
	}
	if cpu.Runs != 4 || cpu.Min > cpu.Seconds || cpu.Seconds > cpu.Max {
		t.Errorf("cpu: runs %d, seconds %v, min %v, max %v", cpu.Runs, cpu.Seconds, cpu.Min, cpu.Max)
	}
	one, err := lessons.RunIO(context.Background(), lessons.IOOptions{Version: "sequential", Requests: 2, Latency: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if one.Runs != 0 || one.Min != 0 || one.Max != 0 {
		t.Errorf("a single run says runs %d, min %v, max %v; want zeros as before", one.Runs, one.Min, one.Max)
	}
	if err := lessons.CheckIO(lessons.IOOptions{Version: "pooled", Runs: -1}); err == nil {
		t.Error("negative runs were accepted for io")
	}
	if err := lessons.CheckCPU(lessons.CPUOptions{Version: "pooled", Runs: -1}); err == nil {
		t.Error("negative runs were accepted for cpu")
	}
}

// The table shows a min–max column only when some result is a median.
func TestTableShowsSpreadOfRepeatedRuns(t *testing.T) {
	rs := lessons.Results{
		{Job: "io", Version: "sequential", Workers: 1, Tasks: 80, Seconds: 4.01, Runs: 3, Min: 4.0, Max: 4.2},
		{Job: "io", Version: "pooled", Workers: 8, Tasks: 80, Seconds: 0.51},
	}
	text := rs.String()
	for _, want := range []string{"seconds (median)", "min–max", "4.000–4.200", "0.510–0.510"} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(sample.String(), "min–max") {
		t.Errorf("single runs have a min–max column:\n%s", sample)
	}
	checkXML(t, rs.SVG())
}

func TestSpeedup(t *testing.T) {
	slow := lessons.Result{Version: "sequential", Seconds: 4, Runs: 3, Min: 3.8, Max: 4.4}
	fast := lessons.Result{Version: "pooled", Workers: 8, Seconds: 0.5, Runs: 3, Min: 0.4, Max: 0.55}
	s := lessons.SpeedupOf(fast, slow)
	for _, row := range []struct {
		claim string
		got   bool
		want  bool
	}{
		{"at least 6x", s.AtLeast(6), true},    // 3.8/0.55 = 6.9
		{"at least 7x", s.AtLeast(7), false},   // the median says 8x, the spread does not
		{"at most 11x", s.AtMost(11), true},    // 4.4/0.4 = 11
		{"at most 10x", s.AtMost(10), false},   //
		{"8x is within", s.Within(8), true},    //
		{"12x is within", s.Within(12), false}, //
	} {
		if row.got != row.want {
			t.Errorf("%s: %v, want %v (%s)", row.claim, row.got, row.want, s)
		}
	}
	if s.Times != 8 {
		t.Errorf("median ratio %v, want 8", s.Times)
	}
	single := lessons.SpeedupOf(lessons.Result{Version: "pooled", Workers: 2, Seconds: 1}, lessons.Result{Version: "sequential", Seconds: 2})
	if single.Least != 2 || single.Most != 2 || strings.Contains(single.String(), "spread") {
		t.Errorf("single runs: %+v, %q", single, single)
	}
}
