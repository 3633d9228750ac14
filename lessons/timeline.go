package lessons

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A Timeline is one run of the I/O-bound job as the site saw it: when each
// page's request arrived, when its answer left, and over which connection.
// The site records this, not the version, so every version is seen the same
// way and none needs extra code. A worker, goroutine or process that keeps
// its connection keeps its lane: with a client per worker (or per process)
// a lane is a worker; with one shared client, a lane is one of its
// connections, which the workers take turns on.
type Timeline struct {
	Result Result // the run
	Spans  []Span // one per page, in the order they were answered
	Lanes  int    // connections used, numbered 0 to Lanes-1
}

// A Span is one page's request as the site saw it.
type Span struct {
	Lane  int           // the connection it came over, numbered in the order they were first used
	Page  string        // its path, such as /page/3
	Start time.Duration // when the request arrived, since the run began
	End   time.Duration // when the answer left
}

// RunTimeline runs the I/O-bound job once on the built-in site, like
// RunIO, and returns what the site saw of each page. It needs the built-in
// site (no URLs) and makes one run (Runs must be 0 or 1).
func RunTimeline(ctx context.Context, opt IOOptions) (Timeline, error) {
	switch {
	case len(opt.URLs) > 0:
		return Timeline{}, errors.New("timeline: only the built-in site records when it answers; leave URLs empty")
	case opt.Runs > 1:
		return Timeline{}, fmt.Errorf("timeline: one run at a time, not %d", opt.Runs)
	}
	opt, err := opt.withDefaults()
	if err != nil {
		return Timeline{}, err
	}
	run, err := runIO(ctx, opt)
	if err != nil {
		return Timeline{}, err
	}
	return timelineOf(run.Result, run.start, run.spans), nil
}

// timelineOf numbers the site's connections by their first request and
// measures times from start.
func timelineOf(res Result, start time.Time, seen []siteSpan) Timeline {
	sort.SliceStable(seen, func(i, j int) bool { return seen[i].start.Before(seen[j].start) })
	lanes := map[int64]int{}
	t := Timeline{Result: res, Spans: make([]Span, len(seen))}
	for i, s := range seen {
		lane, ok := lanes[s.conn]
		if !ok {
			lane = len(lanes)
			lanes[s.conn] = lane
		}
		t.Spans[i] = Span{Lane: lane, Page: s.path, Start: s.start.Sub(start), End: s.end.Sub(start)}
	}
	t.Lanes = len(lanes)
	return t
}

// end is when the last answer left.
func (t Timeline) end() time.Duration {
	var end time.Duration
	for _, s := range t.Spans {
		end = max(end, s.End)
	}
	return end
}

// title reads like "pooled, 8 workers: 40 pages over 8 connections".
func (t Timeline) title() string {
	return fmt.Sprintf("%s: %s over %s", describe(t.Result), plural(len(t.Spans), "page", "pages"), plural(t.Lanes, "connection", "connections"))
}

// timelineColumns is how wide the text timeline draws the run.
const timelineColumns = 60

// String draws the timeline in text: one line per connection, each page a
// run of # or = (taking turns, so that pages next to each other show), and
// . where the connection was idle.
func (t Timeline) String() string {
	end := t.end()
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %.3f s in all", t.title(), t.Result.Seconds)
	if end <= 0 || len(t.Spans) == 0 {
		return b.String()
	}
	step := end / timelineColumns
	fmt.Fprintf(&b, " (each column is %v)", step.Round(time.Microsecond))
	rows := make([][]byte, t.Lanes)
	pages := make([]int, t.Lanes)
	for i := range rows {
		rows[i] = []byte(strings.Repeat(".", timelineColumns))
	}
	for _, s := range t.Spans {
		from := min(int(s.Start/step), timelineColumns-1)
		to := max(from+1, min(int(math.Ceil(float64(s.End)/float64(step))), timelineColumns))
		mark := "#="[pages[s.Lane]%2]
		pages[s.Lane]++
		for c := from; c < to; c++ {
			rows[s.Lane][c] = mark
		}
	}
	width := len(fmt.Sprint(t.Lanes))
	for i, row := range rows {
		fmt.Fprintf(&b, "\nconn %*d |%s| %s", width, i+1, row, plural(pages[i], "page", "pages"))
	}
	return b.String()
}

// HTML is the text's first line and the chart.
func (t Timeline) HTML() template.HTML {
	return template.HTML("<p>"+template.HTMLEscapeString(strings.SplitN(t.String(), "\n", 2)[0])+"</p>\n") +
		template.HTML("<div>"+inlineSVG(t.SVG())+"</div>")
}

// SVG charts the timeline: time across, one row per connection, one bar
// per page from its request's arrival to its answer.
func (t Timeline) SVG() string {
	if len(t.Spans) == 0 {
		return emptySVG("no pages on the timeline")
	}
	p := newPlot(t.title())
	p.X.Label.Text = "seconds since the run began"
	p.Y.Label.Text = "connection"
	p.Add(plotter.NewGrid(), spanBars{t})
	p.X.Min, p.Y.Min, p.Y.Max = 0, 0.5, float64(t.Lanes)+0.5
	p.Y.Tick.Marker = laneTicks(t.Lanes)
	p.X.Max = t.end().Seconds()
	p.X.Tick.Marker = niceTicks(p.X.Max)
	rowHeight := vg.Length(8)
	if t.Lanes <= 16 {
		rowHeight = 18
	}
	f := figure{plot: p, width: 7 * vg.Inch}
	f.height = min(max(chartHeight, vg.Length(t.Lanes)*rowHeight+1.3*vg.Inch), 10*vg.Inch)
	return f.chartSVG()
}

// laneTicks label every lane when there are few, else every tenth.
func laneTicks(lanes int) plot.ConstantTicks {
	every := 1
	if lanes > 16 {
		every = 10
	}
	var ticks plot.ConstantTicks
	for l := 1; l <= lanes; l++ {
		if l == 1 || l%every == 0 {
			ticks = append(ticks, plot.Tick{Value: float64(l), Label: fmt.Sprint(l)})
		}
	}
	return ticks
}

// spanBars draws a timeline's spans as bars, a lane's pages in turns of
// two shades so that pages back to back stay apart.
type spanBars struct{ t Timeline }

func (b spanBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	row := trY(2) - trY(1)
	pages := make([]int, b.t.Lanes)
	shades := [2]color.Color{plotutil.Color(0), plotutil.DarkColors[0]}
	for _, s := range b.t.Spans {
		y := trY(float64(s.Lane + 1))
		x0, x1 := trX(s.Start.Seconds()), trX(s.End.Seconds())
		bar := vg.Rectangle{
			Min: vg.Point{X: x0, Y: y - row*0.35},
			Max: vg.Point{X: max(x1, x0+1), Y: y + row*0.35},
		}
		c.SetColor(shades[pages[s.Lane]%2])
		pages[s.Lane]++
		c.Fill(bar.Path())
	}
}

func (b spanBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, b.t.end().Seconds(), 0.5, float64(b.t.Lanes) + 0.5
}
