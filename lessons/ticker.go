package lessons

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"runtime"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// TickerOptions choose one run of the pre-emption experiment.
type TickerOptions struct {
	// Busy is how long a CPU-bound goroutine runs beside the ticker: one
	// loop with no function call in it (SumOfSquares). 0: the ticker runs
	// alone, for comparison. At most 10 s.
	Busy time.Duration

	// NoPreemption runs the experiment in a worker process started with
	// GODEBUG=asyncpreemptoff=1: Go as it was before 1.14, when a
	// goroutine gave up its thread only where it called a function, so a
	// loop without calls kept it to the end, like a coroutine that never
	// awaits.
	NoPreemption bool
}

// Ticks are what a 10 ms ticker saw while a CPU-bound goroutine ran beside
// it, both under GOMAXPROCS=1: one thread for Go code, as asyncio has one
// thread for its event loop.
type Ticks struct {
	Every      time.Duration   // the ticker's period: 10 ms
	Busy       time.Duration   // how long the CPU-bound goroutine ran (0: none)
	Preemptive bool            // whether Go could pre-empt it (see NoPreemption)
	Late       []time.Duration // how late each tick arrived, in order
	During     int             // how many ticks arrived while the busy goroutine still ran
}

// tickEvery is the ticker's period.
const tickEvery = 10 * time.Millisecond

// RunTicker runs a 10 ms ticker beside a CPU-bound goroutine under
// GOMAXPROCS(1), set for the run and restored after it (do not run it
// beside other timed work). Go pre-empts a goroutine that has run for
// about 10 ms, so the ticker still ticks, late by up to about that much:
// a goroutine has no known point where it gives way, and shared state
// always needs protection. With NoPreemption, as in asyncio's event loop,
// nothing else runs until the loop is done.
func RunTicker(ctx context.Context, opt TickerOptions) (Ticks, error) {
	if opt.Busy < 0 || opt.Busy > 10*time.Second {
		return Ticks{}, fmt.Errorf("ticker: busy must be between 0 and 10s, got %v", opt.Busy)
	}
	if opt.NoPreemption {
		return tickerInWorker(ctx, opt.Busy)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	t := tick(ctx, opt.Busy)
	t.Preemptive = true
	return t, ctx.Err()
}

// tick measures the ticker beside a loop of about busy, or alone for 20
// ticks when busy is 0, in this process as it is.
func tick(ctx context.Context, busy time.Duration) Ticks {
	t := Ticks{Every: tickEvery}
	n := loopFor(busy)
	type span struct{ start, end time.Time }
	done := make(chan span, 1)
	ticker := time.NewTicker(tickEvery)
	defer ticker.Stop()
	if busy > 0 {
		go func() {
			start := time.Now()
			runtime.KeepAlive(SumOfSquares(n)) // no call inside: only pre-emption can stop it
			done <- span{start, time.Now()}
		}()
	}
	var arrived []time.Time
	var loop span
wait:
	for {
		select {
		case due := <-ticker.C:
			// A ticker's value is when the tick was due.
			now := time.Now()
			t.Late = append(t.Late, max(now.Sub(due), 0))
			arrived = append(arrived, now)
			if busy == 0 && len(t.Late) == 20 {
				return t
			}
		case loop = <-done:
			break wait
		case <-ctx.Done():
			if busy > 0 {
				loop = <-done // the loop cannot be stopped: let it end
			}
			break wait
		}
	}
	t.Busy = loop.end.Sub(loop.start)
	// A tick that came while the loop ran came well before its end: the
	// loop's last moment is known only to within the few calls around it,
	// each a point where even a cooperative scheduler may switch, and on a
	// busy machine the switch back can take milliseconds: a tick counts
	// only if it came a whole period before the end.
	for _, a := range arrived {
		if a.Before(loop.end.Add(-tickEvery)) {
			t.During++
		}
	}
	return t
}

// loopFor is the argument of SumOfSquares that keeps a core busy for
// about d, measured on this machine.
func loopFor(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	const probe = 2_000_000
	best := time.Duration(1 << 62)
	for range 3 {
		start := time.Now()
		runtime.KeepAlive(SumOfSquares(probe))
		best = min(best, time.Since(start))
	}
	return int(float64(probe) * float64(d) / float64(max(best, time.Microsecond)))
}

// tickerInWorker runs tick in a worker process without asynchronous
// pre-emption.
func tickerInWorker(ctx context.Context, busy time.Duration) (Ticks, error) {
	pool, err := StartProcessPool(ctx, 1, "GODEBUG=asyncpreemptoff=1", "GOMAXPROCS=1")
	if err != nil {
		return Ticks{}, fmt.Errorf("ticker: %w", err)
	}
	defer pool.Close()
	replies, err := pool.Map(ctx, []Task{{Kind: "ticker", N: int(busy)}}, nil)
	if err != nil {
		return Ticks{}, fmt.Errorf("ticker: %w", err)
	}
	r := replies[0]
	if r.Ticks == nil {
		return Ticks{}, errors.New("ticker: the worker process sent no ticks")
	}
	return *r.Ticks, nil
}

// String is a summary line, then each tick's lateness.
func (t Ticks) String() string {
	var b strings.Builder
	b.WriteString(t.title())
	fmt.Fprintf(&b, "\n%d ticks", len(t.Late))
	if t.Busy > 0 {
		fmt.Fprintf(&b, ", %d of them while the loop ran (%v; a tick every %v would make %d)",
			t.During, t.Busy.Round(time.Millisecond), t.Every, int(t.Busy/t.Every))
	}
	if len(t.Late) > 0 {
		ms := t.lateMs()
		fmt.Fprintf(&b, "; late by %.1f ms (median), %.1f ms at most", median(ms), maxOf(ms))
	}
	b.WriteString("\ntick  late (ms)")
	for i, l := range t.Late {
		fmt.Fprintf(&b, "\n%4d  %9.1f", i+1, l.Seconds()*1000)
	}
	return b.String()
}

func (t Ticks) title() string {
	mode := "pre-emptive"
	if !t.Preemptive {
		mode = "no pre-emption (asyncpreemptoff=1)"
	}
	if t.Busy == 0 {
		return fmt.Sprintf("A %v ticker alone, GOMAXPROCS=1", t.Every)
	}
	return fmt.Sprintf("A %v ticker beside a busy goroutine, GOMAXPROCS=1, %s", t.Every, mode)
}

func (t Ticks) lateMs() []float64 {
	ms := make([]float64, len(t.Late))
	for i, l := range t.Late {
		ms[i] = l.Seconds() * 1000
	}
	return ms
}

func maxOf(xs []float64) float64 {
	_, hi := minMax(xs)
	return hi
}

// HTML is the summary and the chart.
func (t Ticks) HTML() template.HTML {
	lines := strings.SplitN(t.String(), "\n", 3)
	summary := strings.Join(lines[:min(2, len(lines))], "\n")
	return template.HTML(`<pre style="white-space:pre-wrap">`+template.HTMLEscapeString(summary)+"</pre>\n") +
		template.HTML("<div>"+inlineSVG(t.SVG())+"</div>")
}

// SVG charts each tick's lateness, in milliseconds, against its number.
func (t Ticks) SVG() string {
	if len(t.Late) == 0 {
		return emptySVG("no ticks")
	}
	p := newPlot(t.title())
	p.X.Label.Text = "tick"
	p.Y.Label.Text = "late by (ms)"
	bars, err := plotter.NewBarChart(plotter.Values(t.lateMs()), vg.Points(max(2, min(14, 400/float64(len(t.Late))))))
	if err != nil {
		return emptySVG(err.Error())
	}
	bars.Color = plotutil.Color(0)
	bars.LineStyle.Width = 0
	p.Add(plotter.NewGrid(), bars)
	p.Y.Min, p.Y.Max = 0, maxOf(t.lateMs())*1.05
	p.Y.Tick.Marker = niceTicks(p.Y.Max)
	p.X.Min, p.X.Max = -0.5, float64(len(t.Late))-0.5
	var ticks plot.ConstantTicks
	every := max(1, len(t.Late)/10)
	for i := range t.Late {
		if i%every == 0 {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: fmt.Sprint(i + 1)})
		}
	}
	p.X.Tick.Marker = ticks
	return figure{plot: p, width: 7 * vg.Inch, height: chartHeight}.chartSVG()
}
