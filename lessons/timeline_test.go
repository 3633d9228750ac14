package lessons_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// The timeline shows each version's overlap as the site saw it: one lane
// per connection, every page once, and pages on one lane never overlapping.
func TestRunTimeline(t *testing.T) {
	for _, row := range []struct {
		version string
		workers int
		lanes   int
		atOnce  int // the most pages in flight together, at most
	}{
		{"sequential", 1, 1, 1},
		{"thread-local", 4, 4, 4},
		{"goroutines", 0, 12, 12},
		{"multi-process", 2, 2, 2},
	} {
		t.Run(row.version, func(t *testing.T) {
			tl, err := lessons.RunTimeline(context.Background(), lessons.IOOptions{
				Version: row.version, Workers: row.workers, Requests: 12, Latency: 10 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(tl.Spans) != 12 || tl.Lanes != row.lanes {
				t.Fatalf("%d spans over %d lanes, want 12 over %d:\n%s", len(tl.Spans), tl.Lanes, row.lanes, tl)
			}
			pages := map[string]bool{}
			lastEnd := make([]time.Duration, tl.Lanes)
			for _, s := range tl.Spans {
				pages[s.Page] = true
				if s.End-s.Start < 10*time.Millisecond || s.Start < 0 || s.End.Seconds() > tl.Result.Seconds {
					t.Errorf("span %+v is shorter than the latency or outside the run's %.3f s", s, tl.Result.Seconds)
				}
				if s.Start < lastEnd[s.Lane] {
					t.Errorf("span %+v starts before the lane's previous page ended (%v)", s, lastEnd[s.Lane])
				}
				lastEnd[s.Lane] = s.End
			}
			if len(pages) != 12 {
				t.Errorf("%d distinct pages, want 12", len(pages))
			}
			if most := mostAtOnce(tl.Spans); most > row.atOnce || (row.atOnce > 1) != (most > 1) {
				t.Errorf("at most %d pages in flight together, want %d or fewer, and more than 1 if %d is:\n%s", most, row.atOnce, row.atOnce, tl)
			}
			text := tl.String()
			if lines := strings.Count(text, "\nconn "); lines != row.lanes {
				t.Errorf("the text has %d lanes, want %d:\n%s", lines, row.lanes, text)
			}
			svg := tl.SVG()
			checkXML(t, svg)
			chart := parseChart(t, svg)
			if !strings.Contains(strings.Join(chart.lines(), "|"), "12 pages over") {
				t.Errorf("the chart is not titled with its pages: %q", chart.lines())
			}
			if !strings.Contains(string(tl.HTML()), "<svg") {
				t.Errorf("the HTML has no chart")
			}
		})
	}
}

func TestRunTimelineRejects(t *testing.T) {
	for _, opt := range []lessons.IOOptions{
		{Version: "pooled", URLs: []string{"http://example.com/"}},
		{Version: "pooled", Runs: 3},
		{Version: "nonsense"},
	} {
		if _, err := lessons.RunTimeline(context.Background(), opt); err == nil {
			t.Errorf("RunTimeline(%+v) did not fail", opt)
		}
	}
}

// mostAtOnce is the most spans that overlap at one moment.
func mostAtOnce(spans []lessons.Span) int {
	most := 0
	for _, s := range spans {
		n := 0
		for _, o := range spans {
			if o.Start <= s.Start && s.Start < o.End {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}
