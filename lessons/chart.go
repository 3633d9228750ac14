package lessons

import (
	"bytes"
	"fmt"
	"html"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// SVG is a chart of the results: seconds against workers, one line per
// version, when some version was run with several worker counts (a sweep);
// otherwise one bar per run. The kernel shows it as an image.
func (r Results) SVG() string {
	if len(r) == 0 {
		return emptySVG("no results")
	}
	p, err := r.plot()
	if err != nil {
		return emptySVG(err.Error())
	}
	c := vgsvg.New(6*vg.Inch, 3.5*vg.Inch)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return emptySVG(err.Error())
	}
	return b.String()
}

func (r Results) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Y.Label.Text = "seconds"
	p.Y.Min = 0
	if r.isSweep() {
		return p, r.addLines(p)
	}
	return p, r.addBars(p)
}

// isSweep reports whether some version appears with two worker counts.
func (r Results) isSweep() bool {
	seen := map[string]int{}
	for _, x := range r {
		if w, ok := seen[x.Version]; ok && w != x.Workers {
			return true
		}
		seen[x.Version] = x.Workers
	}
	return false
}

// addBars draws one bar per run, labelled by version and workers.
func (r Results) addBars(p *plot.Plot) error {
	p.Title.Text = fmt.Sprintf("%s job: seconds per version (lower is faster)", r[0].Job)
	values := make(plotter.Values, len(r))
	names := make([]string, len(r))
	for i, x := range r {
		values[i] = x.Seconds
		names[i] = fmt.Sprintf("%s\n%s", x.Version, workersLabel(x))
	}
	bars, err := plotter.NewBarChart(values, vg.Points(30))
	if err != nil {
		return fmt.Errorf("bar chart: %w", err)
	}
	bars.Color = plotutil.Color(0)
	// Each bar's time written above it: the short bars are the point.
	tops := plotter.XYLabels{XYs: make(plotter.XYs, len(r)), Labels: make([]string, len(r))}
	for i, x := range r {
		tops.XYs[i] = plotter.XY{X: float64(i), Y: x.Seconds}
		tops.Labels[i] = fmt.Sprintf("%.3gs", x.Seconds)
	}
	labels, err := plotter.NewLabels(tops)
	if err != nil {
		return fmt.Errorf("bar labels: %w", err)
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign = draw.XCenter
		labels.Offset.Y = vg.Points(3)
	}
	p.Add(plotter.NewGrid(), bars, labels)
	p.NominalX(names...)
	return nil
}

// addLines draws seconds against workers, one line per version, and the
// ideal: the first point's time divided evenly among the workers.
func (r Results) addLines(p *plot.Plot) error {
	p.Title.Text = fmt.Sprintf("%s job: seconds against workers", r[0].Job)
	p.X.Label.Text = "workers"
	p.X.Min = 0
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	var order []string
	byVersion := map[string]plotter.XYs{}
	for _, x := range r {
		if _, ok := byVersion[x.Version]; !ok {
			order = append(order, x.Version)
		}
		byVersion[x.Version] = append(byVersion[x.Version], plotter.XY{X: float64(x.Workers), Y: x.Seconds})
	}
	for i, v := range order {
		xys := byVersion[v]
		sort.Slice(xys, func(a, b int) bool { return xys[a].X < xys[b].X })
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return fmt.Errorf("line for %s: %w", v, err)
		}
		line.Color = plotutil.Color(i)
		points.Color = plotutil.Color(i)
		p.Add(line, points)
		p.Legend.Add(v, line, points)
		if ideal := idealLine(xys); ideal != nil {
			ideal.Color = plotutil.Color(i)
			ideal.Dashes = plotutil.Dashes(1)
			p.Add(ideal)
			p.Legend.Add(v+" ideal", ideal)
		}
	}
	return nil
}

// idealLine is perfect scaling from the run with the fewest workers:
// twice the workers, half the time.
func idealLine(xys plotter.XYs) *plotter.Line {
	if len(xys) < 2 || xys[0].X <= 0 {
		return nil
	}
	work := xys[0].X * xys[0].Y
	ideal := make(plotter.XYs, len(xys))
	for i, xy := range xys {
		ideal[i] = plotter.XY{X: xy.X, Y: work / xy.X}
	}
	line, err := plotter.NewLine(ideal)
	if err != nil {
		return nil
	}
	return line
}

func workersLabel(x Result) string {
	if x.Workers == 0 {
		return "unbounded"
	}
	if x.Workers == 1 {
		return "1 worker"
	}
	return fmt.Sprintf("%d workers", x.Workers)
}

// emptySVG is a small valid SVG carrying a message, for when there is
// nothing to plot.
func emptySVG(msg string) string {
	return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40">` +
		`<text x="10" y="25">` + html.EscapeString(msg) + `</text></svg>`
}
