package lessons

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// SVG is a chart of the results: seconds against workers, one line per
// version, when some version was run with several worker counts (a sweep);
// otherwise one bar per run. It is a standalone SVG document; HTML embeds
// it after the table.
func (r Results) SVG() string {
	f, err := r.figure()
	if err != nil {
		return emptySVG(err.Error())
	}
	return f.chartSVG()
}

// The chart is laid out with gonum's metrics of Liberation Sans, but the
// SVG only names the font: the browser draws with whatever it has.
// Arial and Helvetica share Liberation Sans' metrics; the usual Linux
// fallback, DejaVu Sans, is up to a fifth wider. gonum places text by its
// own measure of the width (SVG's text-anchor is not used), so wider text
// spills to the right: every label gets room for that, and the SVG lists
// the metric-compatible fonts as fallbacks.
const (
	fontSlack    = 1.2
	svgFontName  = "font-family:Liberation Sans;"
	svgFontNames = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"
)

// Sizes, in points.
const (
	margin       vg.Length = 8
	chartHeight            = 3.5 * vg.Inch
	minWidth               = 4.5 * vg.Inch
	maxWidth               = 9 * vg.Inch // wider, and long versions break at a hyphen
	minBarSlot   vg.Length = 56
	sweepWidth             = 6 * vg.Inch
	labelSpacing vg.Length = 12
)

// figure is a plot, the size of canvas it needs, and the legend drawn to
// the right of it (nil for bar charts, whose bars are labelled).
type figure struct {
	plot          *plot.Plot
	legend        *plot.Legend
	legendWidth   vg.Length
	width, height vg.Length
}

func (r Results) figure() (figure, error) {
	if len(r) == 0 {
		return figure{}, errors.New("no results")
	}
	p := newPlot(r.title())
	p.Y.Label.Text = "seconds"
	if r.isSweep() {
		return r.lineFigure(p)
	}
	return r.barFigure(p)
}

// svg draws the figure on a canvas of its size.
func (f figure) svg() (string, error) {
	c := vgsvg.New(f.width, f.height)
	whole := draw.New(c)
	// The margins too: transparent ones would take a dark theme's colour.
	whole.SetColor(color.White)
	whole.Fill(whole.Rectangle.Path())
	area := draw.Crop(whole, margin, -margin-f.legendWidth, margin, -margin)
	f.plot.Draw(area)
	if f.legend != nil {
		data := f.plot.DataCanvas(area)
		beside := area
		beside.Min.X = area.Max.X + margin
		beside.Max.X = beside.Min.X + f.legendWidth
		beside.Max.Y = data.Max.Y
		f.legend.Draw(beside)
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", fmt.Errorf("chart: %w", err)
	}
	return strings.ReplaceAll(b.String(), svgFontName, svgFontNames), nil
}

// chartSVG is the figure's SVG, at least as wide as its title needs, or,
// when it cannot be drawn, a small SVG that says why.
func (f figure) chartSVG() string {
	f.width = max(f.width, f.titleWidth())
	svg, err := f.svg()
	if err != nil {
		return emptySVG(err.Error())
	}
	return svg
}

// newPlot is a plot with its title, in the lessons' style: every text in
// Liberation Sans, and the title a margin clear of what is drawn below it
// (the time above the tallest bar).
func newPlot(title string) *plot.Plot {
	p := plot.New()
	useSans(p)
	p.Title.Text = title
	p.Title.Padding = margin
	return p
}

// useSans sets every text of the plot in Liberation Sans: see fontSlack.
func useSans(p *plot.Plot) {
	for _, sty := range []*text.Style{
		&p.Title.TextStyle, &p.Legend.TextStyle,
		&p.X.Label.TextStyle, &p.X.Tick.Label,
		&p.Y.Label.TextStyle, &p.Y.Tick.Label,
	} {
		sty.Font = sans(sty.Font.Size)
	}
}

func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// spill is how far a text of the given measured width may reach past
// where gonum thinks it ends, when the browser's font is wider.
func spill(w vg.Length) vg.Length { return vg.Length(fontSlack-1) * w }

// title names the job when all results ran the same one.
func (r Results) title() string {
	first, sameWork := r[0], true
	for _, x := range r[1:] {
		sameWork = sameWork && x.Tasks == first.Tasks && x.Work == first.Work
	}
	switch {
	case r.mixedJobs():
		return "Runs of several jobs"
	case first.Job == "io" && sameWork && first.Tasks > 0:
		return fmt.Sprintf("I/O-bound: %s", plural(first.Tasks, "page", "pages"))
	case first.Job == "cpu" && sameWork && first.Work != "":
		return "CPU-bound: " + first.Work
	case first.Job == "cpu" && sameWork && first.Tasks > 0:
		return fmt.Sprintf("CPU-bound: %s", plural(first.Tasks, "task", "tasks"))
	case first.Job == "race" && sameWork && first.Tasks > 0:
		return fmt.Sprintf("A counter shared by goroutines: %d increments", first.Tasks)
	case first.Job == "io" || first.Job == "cpu":
		return jobName(first.Job) + " job"
	}
	return "Runs"
}

// mixedGOMAXPROCS reports whether the runs had different GOMAXPROCS, which
// then labels every bar or line: otherwise pooled with GOMAXPROCS=1 looks
// like pooled.
func (r Results) mixedGOMAXPROCS() bool {
	return r.vary(func(x Result) any { return x.GOMAXPROCS })
}

// vary reports whether the runs differ in what key picks out of each.
func (r Results) vary(key func(Result) any) bool {
	for _, x := range r[1:] {
		if key(x) != key(r[0]) {
			return true
		}
	}
	return false
}

// isSweep reports whether some version (at one GOMAXPROCS) appears with two
// worker counts. Unbounded goroutines have no place on a workers axis, and
// different jobs no place on one time axis, so such sets are drawn as bars.
func (r Results) isSweep() bool {
	seen := map[string]int{}
	sweep := false
	for _, x := range r {
		if x.Workers <= 0 || x.Job != r[0].Job {
			return false
		}
		key := fmt.Sprint(x.Version, x.GOMAXPROCS)
		if w, ok := seen[key]; ok && w != x.Workers {
			sweep = true
		}
		seen[key] = x.Workers
	}
	return sweep
}

// workersLabel says how many ran at once, in the version's own terms.
func workersLabel(x Result) string {
	switch {
	case x.Workers <= 0:
		return "unbounded"
	case x.Version == Goroutines:
		return fmt.Sprintf("at most %d", x.Workers)
	case x.Version == MultiProcess:
		return plural(x.Workers, "process", "processes")
	case x.Job == "race":
		return plural(x.Workers, "goroutine", "goroutines")
	}
	return plural(x.Workers, "worker", "workers")
}

// workersNoun is what the workers axis counts for a version.
func workersNoun(version string) string {
	switch version {
	case Goroutines:
		return "goroutines at once"
	case MultiProcess:
		return "processes"
	}
	return "workers"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// barFigure draws one bar per run, each in a slot wide enough for its
// label; the canvas grows with the number of bars, and when it would grow
// too wide for a notebook, long versions break at a hyphen.
func (r Results) barFigure(p *plot.Plot) (figure, error) {
	values := make(plotter.Values, len(r))
	for i, x := range r {
		values[i] = x.Seconds
	}
	bars, err := plotter.NewBarChart(values, vg.Points(30))
	if err != nil {
		return figure{}, fmt.Errorf("bar chart: %w", err)
	}
	bars.Color = plotutil.Color(0)
	// Each bar's time written above it (and above its error bar): the
	// short bars are the point.
	tops := plotter.XYLabels{XYs: make(plotter.XYs, len(r)), Labels: make([]string, len(r))}
	for i, x := range r {
		_, hi := x.spread()
		tops.XYs[i] = plotter.XY{X: float64(i), Y: hi}
		tops.Labels[i] = fmt.Sprintf("%.3gs", x.Seconds)
	}
	labels, err := plotter.NewLabels(tops)
	if err != nil {
		return figure{}, fmt.Errorf("bar labels: %w", err)
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].Font = sans(labels.TextStyle[i].Font.Size)
		labels.TextStyle[i].XAlign = draw.XCenter
	}
	labels.Offset.Y = vg.Points(3)
	p.Add(plotter.NewGrid(), bars, labels)
	if r.anyRepeated() {
		xys := make(plotter.XYs, len(r))
		for i, x := range r {
			xys[i] = plotter.XY{X: float64(i), Y: x.Seconds}
		}
		if err := addErrorBars(p, xys, r); err != nil {
			return figure{}, err
		}
	}
	p.Y.Min = 0
	// Bar i sits mid-slot in [i-0.5, i+0.5]: its label may spread over the
	// slot, no further, so none reaches a neighbour or past the canvas.
	p.X.Min, p.X.Max = -0.5, float64(len(r))-0.5

	f := figure{plot: p}
	f.layOutBars(r.barLabels(false))
	if f.width > maxWidth {
		f.layOutBars(r.barLabels(true))
	}
	return f, nil
}

// barLabels name each run: version, workers, and the number of tasks, the
// job and GOMAXPROCS when they vary.
func (r Results) barLabels(wrap bool) []string {
	withTasks, withGOMAXPROCS, withJob := r.mixedTasks(), r.mixedGOMAXPROCS(), r.mixedJobs()
	names := make([]string, len(r))
	for i, x := range r {
		version := x.Version
		if wrap {
			version = breakAtHyphen(version)
		}
		names[i] = version + "\n" + workersLabel(x)
		if withTasks {
			names[i] += "\n" + tasksLabel(x)
		}
		if withGOMAXPROCS {
			names[i] += fmt.Sprintf("\nGOMAXPROCS=%d", x.GOMAXPROCS)
		}
		if withJob {
			names[i] += "\n" + jobName(x.Job)
		}
	}
	return names
}

// mixedTasks reports whether the runs did different numbers of tasks: the
// same version with 10 pages and with 80 would otherwise look alike.
func (r Results) mixedTasks() bool {
	return r.vary(func(x Result) any { return x.Tasks })
}

// tasksLabel counts a run's tasks in its job's own terms.
func tasksLabel(x Result) string {
	if x.Job == "io" {
		return plural(x.Tasks, "page", "pages")
	}
	return plural(x.Tasks, "task", "tasks")
}

// mixedJobs reports whether the runs did different jobs: the chart then
// names the job on every bar and no longer in its title.
func (r Results) mixedJobs() bool {
	return r.vary(func(x Result) any { return x.Job })
}

// jobName is how titles and labels call a job.
func jobName(job string) string {
	switch job {
	case "io":
		return "I/O-bound"
	case "cpu":
		return "CPU-bound"
	}
	return job
}

// layOutBars sizes the canvas for bars with these labels. A label centred
// in its slot reaches half its width left and half plus its spill right;
// the last one's spill goes into the right margin.
func (f *figure) layOutBars(names []string) {
	f.plot.NominalX(names...)
	f.plot.Y.Padding = 0 // NominalX's room for the first label: the slot has it
	sty := f.plot.X.Tick.Label
	var widest vg.Length
	lines := 0
	for _, name := range names {
		widest = max(widest, sty.Width(name))
		lines = max(lines, strings.Count(name, "\n")+1)
	}
	slot := max(minBarSlot, widest+spill(widest)+labelSpacing)
	f.height = chartHeight + vg.Length(lines-2)*sty.Font.Size
	around := aroundData(f.plot, f.height) + spill(widest)
	f.width = max(minWidth, f.titleWidth(), around+vg.Length(len(names))*slot)
	// A wide chart is scaled down to fit the page: keep it tall enough
	// that its text stays legible.
	f.height = max(f.height, f.width*0.4)
}

// breakAtHyphen splits a long name at the hyphen nearest its middle:
// "client-per-request" becomes "client-per-" and "request".
func breakAtHyphen(name string) string {
	if len(name) < 10 {
		return name
	}
	best := -1
	for i, c := range name {
		if c == '-' && (best < 0 || abs(len(name)/2-i) < abs(len(name)/2-best)) {
			best = i
		}
	}
	if best < 0 {
		return name
	}
	return name[:best+1] + "\n" + name[best+1:]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// titleWidth is the canvas width the centred title needs.
func (f figure) titleWidth() vg.Length {
	w := f.plot.Title.TextStyle.Width(f.plot.Title.Text)
	return w + 2*spill(w) + 2*margin
}

// aroundData is how much of a canvas' width is not the data area: the y
// axis and the margins (it does not depend on the canvas' width).
func aroundData(p *plot.Plot, height vg.Length) vg.Length {
	trial := 10 * vg.Inch
	area := draw.Crop(draw.New(vgsvg.New(trial, height)), margin, -margin, margin, -margin)
	data := p.DataCanvas(area)
	return trial - (data.Max.X - data.Min.X)
}

// lineFigure draws seconds against workers, one line per version, and
// each version's ideal: the time of its fewest workers divided evenly among
// more. Sweeps double the workers, so when they span a wide range both
// axes are logarithmic and perfect scaling is a straight line.
func (r Results) lineFigure(p *plot.Plot) (figure, error) {
	withGOMAXPROCS := r.mixedGOMAXPROCS()
	var order, nouns []string
	byName := map[string]plotter.XYs{}
	runs := map[string]Results{}
	counts := map[int]bool{}
	for _, x := range r {
		name := x.Version
		if withGOMAXPROCS {
			name += fmt.Sprintf(", GOMAXPROCS=%d", x.GOMAXPROCS)
		}
		if _, ok := byName[name]; !ok {
			order = append(order, name)
		}
		byName[name] = append(byName[name], plotter.XY{X: float64(x.Workers), Y: x.Seconds})
		runs[name] = append(runs[name], x)
		counts[x.Workers] = true
		if n := workersNoun(x.Version); !slices.Contains(nouns, n) {
			nouns = append(nouns, n)
		}
	}
	p.X.Label.Text = strings.Join(nouns, " / ")
	p.Add(plotter.NewGrid())

	legend := plot.NewLegend()
	legend.TextStyle.Font = sans(legend.TextStyle.Font.Size)
	legend.Top, legend.Left = true, true
	var widest, tall vg.Length
	var ys []float64 // every plotted time, ideals too, for the log scale's range
	add := func(name string, thumbs ...plot.Thumbnailer) {
		legend.Add(name, thumbs...)
		widest = max(widest, legend.TextStyle.Width(" "+name))
		tall += legend.TextStyle.Height(name)
	}
	for i, name := range order {
		xys, rs := byName[name], runs[name]
		sort.Sort(byWorkers{xys, rs})
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return figure{}, fmt.Errorf("line for %s: %w", name, err)
		}
		line.Color = plotutil.Color(i)
		points.Color = plotutil.Color(i)
		p.Add(line, points)
		add(name, line, points)
		for _, x := range rs {
			lo, hi := x.spread()
			ys = append(ys, lo, hi)
		}
		if rs.anyRepeated() {
			if err := addErrorBars(p, xys, rs); err != nil {
				return figure{}, err
			}
		}
		if ideal := idealLine(xys, rs[0]); ideal != nil {
			for _, xy := range ideal.XYs {
				ys = append(ys, xy.Y)
			}
			ideal.Color = plotutil.Color(i)
			ideal.Dashes = plotutil.Dashes(1)
			p.Add(ideal)
			add(name+" ideal", ideal)
		}
	}
	scaleAxes(p, counts, ys)
	// The legend hangs from the top of the data: leave room below it for
	// the workers axis, which it must not run into.
	f := figure{plot: p, legend: &legend, height: max(chartHeight, tall+2*chartHeight/5)}
	f.legendWidth = legend.ThumbnailWidth + widest + spill(widest)
	f.width = max(sweepWidth+f.legendWidth, f.titleWidth())
	return f, nil
}

// scaleAxes makes both axes logarithmic when the worker counts span 8x
// or more (and every time is positive, as a log scale needs), with a tick
// at each worker count when there are few.
func scaleAxes(p *plot.Plot, counts map[int]bool, ys []float64) {
	ws := make([]int, 0, len(counts))
	for w := range counts {
		ws = append(ws, w)
	}
	sort.Ints(ws)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range ys {
		lo, hi = min(lo, y), max(hi, y)
	}
	if lo > 0 && ws[len(ws)-1] >= 8*ws[0] {
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.Y.Tick.Marker = oneTwoFive{}
		// Room above and below the data, as a linear axis has above 0.
		p.Y.Min, p.Y.Max = lo/1.5, hi*1.5
	} else {
		p.X.Min, p.Y.Min = 0, 0
	}
	if len(ws) <= 12 {
		var ticks plot.ConstantTicks
		for _, w := range ws {
			ticks = append(ticks, plot.Tick{Value: float64(w), Label: fmt.Sprint(w)})
		}
		p.X.Tick.Marker = ticks
	}
}

// niceTicks label about six round values from 0 to hi (1, 2 or 5 times a
// power of ten apart) on a linear axis: gonum's default may label only two.
func niceTicks(hi float64) plot.ConstantTicks {
	if hi <= 0 {
		return plot.ConstantTicks{{Value: 0, Label: "0"}}
	}
	step := math.Pow(10, math.Floor(math.Log10(hi/6)))
	for _, m := range []float64{1, 2, 5, 10} {
		if hi/(m*step) <= 7 {
			step *= m
			break
		}
	}
	var ticks plot.ConstantTicks
	for i := 0; float64(i)*step <= hi*(1+1e-9); i++ {
		v := float64(i) * step
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 4, 64)})
	}
	return ticks
}

// oneTwoFive ticks a log axis at every 1, 2 and 5 times a power of ten,
// labelled, and the digits between, not: gonum's LogTicks labels only the
// powers of ten, often one or none in a sweep's range.
type oneTwoFive struct{}

func (oneTwoFive) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for decade := math.Pow(10, math.Floor(math.Log10(lo))); decade <= hi; decade *= 10 {
		for d := 1; d < 10; d++ {
			v := float64(d) * decade
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if d == 1 || d == 2 || d == 5 {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// idealLine is perfect scaling from the run with the fewest workers:
// twice the workers, half the time, down to what no number of workers can
// beat. Pages cannot be split, so an I/O run takes at least
// ceil(pages/workers) latencies; a CPU run has no more than GOMAXPROCS
// workers running at once, and its tasks cannot be split either.
func idealLine(xys plotter.XYs, first Result) *plotter.Line {
	if len(xys) < 2 || xys[0].X <= 0 || xys[len(xys)-1].X == xys[0].X {
		return nil
	}
	ideal := make(plotter.XYs, len(xys))
	for i, xy := range xys {
		ideal[i] = plotter.XY{X: xy.X, Y: idealSeconds(xys[0], xy.X, first)}
	}
	line, err := plotter.NewLine(ideal)
	if err != nil {
		return nil
	}
	return line
}

// idealSeconds is the time w workers would take if from's run scaled
// perfectly, for a job like first.
func idealSeconds(from plotter.XY, w float64, first Result) float64 {
	tasks := float64(first.Tasks)
	switch {
	case first.Job == "cpu" && tasks > 0:
		running := func(w float64) float64 {
			if first.GOMAXPROCS > 0 {
				return min(w, float64(first.GOMAXPROCS))
			}
			return w
		}
		return from.Y * math.Ceil(tasks/running(w)) / math.Ceil(tasks/running(from.X))
	case first.Job == "io" && first.Latency > 0 && tasks > 0:
		return max(from.X*from.Y/w, math.Ceil(tasks/w)*first.Latency.Seconds())
	}
	return from.X * from.Y / w
}

// byWorkers sorts a line's points and their results together.
type byWorkers struct {
	xys plotter.XYs
	rs  Results
}

func (b byWorkers) Len() int           { return len(b.xys) }
func (b byWorkers) Less(i, j int) bool { return b.xys[i].X < b.xys[j].X }
func (b byWorkers) Swap(i, j int) {
	b.xys[i], b.xys[j] = b.xys[j], b.xys[i]
	b.rs[i], b.rs[j] = b.rs[j], b.rs[i]
}

// addErrorBars draws each run's spread, fastest to slowest, around its
// median at xys.
func addErrorBars(p *plot.Plot, xys plotter.XYs, rs Results) error {
	errs := make(plotter.YErrors, len(rs))
	for i, x := range rs {
		lo, hi := x.spread()
		errs[i].Low, errs[i].High = x.Seconds-lo, hi-x.Seconds
	}
	bars, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{xys, errs})
	if err != nil {
		return fmt.Errorf("error bars: %w", err)
	}
	bars.LineStyle.Width = vg.Points(1.2)
	bars.CapWidth = vg.Points(8)
	p.Add(bars)
	return nil
}

// emptySVG is a small valid SVG carrying a message, for when there is
// nothing to plot.
func emptySVG(msg string) string {
	return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40">` +
		`<text x="10" y="25">` + html.EscapeString(msg) + `</text></svg>`
}

// inlineSVG is an SVG document as an element to put in HTML: no XML
// prolog or comments before it, and scaled down to fit a narrow page.
func inlineSVG(svg string) string {
	if i := strings.Index(svg, "<svg"); i >= 0 {
		svg = svg[i:]
	}
	return strings.Replace(svg, "<svg", `<svg style="max-width:100%;height:auto"`, 1)
}
