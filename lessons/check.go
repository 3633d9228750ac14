package lessons

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"time"
)

// The functions a learner writes for the write-it-yourself exercises. Each
// is a plain func type, so a func declared in a notebook cell fits.
type (
	// DownloadFunc downloads every page of urls once, with at most
	// workers at a time, and returns each page's size in the order of
	// urls. DownloadPooled, DownloadThreadLocal and DownloadGoroutines are
	// such functions once their progress argument is left out.
	DownloadFunc func(ctx context.Context, urls []string, workers int) ([]int64, error)

	// CountFunc has goroutines each add 1 to one counter increments
	// times, and returns the count: CountWithMutex is one.
	CountFunc func(goroutines, increments int) int64

	// ComputeFunc computes f of every input with workers goroutines and
	// returns the results in the order of inputs.
	ComputeFunc func(f func(int) int, inputs []int, workers int) []int
)

// Fetch downloads one page with client and returns its size: what every
// download version does for each page, for a learner's own versions.
func Fetch(ctx context.Context, client *http.Client, url string) (int64, error) {
	return download(ctx, client, url)
}

// A Report is what a check found in a learner's function: whether it is
// right, what is wrong if not, and how its time compares with the lessons'
// own version, run by turns with it on the same machine. It prints as text
// and shows in a notebook as that text, a table and a chart.
type Report struct {
	Exercise  string   // what was checked, such as "a worker pool"
	Passed    bool     // right, and as concurrent as asked
	Problems  []string // what is wrong, one sentence each; empty when Passed
	Notes     []string // what the check saw besides, such as timings and hints
	Yours     Result   // your function's runs: Seconds is their median
	Reference Result   // the lessons' version, run the same number of times
}

// String is the verdict, then what is wrong and what was seen.
func (r Report) String() string {
	var b strings.Builder
	if r.Passed {
		fmt.Fprintf(&b, "✓ %s: right.", r.Exercise)
	} else {
		fmt.Fprintf(&b, "✗ %s: not yet.", r.Exercise)
	}
	for _, p := range r.Problems {
		b.WriteString("\n  - " + p)
	}
	for _, n := range r.Notes {
		b.WriteString("\n  " + n)
	}
	return b.String()
}

// results are the runs the report compares, for its table and chart.
func (r Report) results() Results {
	var rs Results
	for _, x := range []Result{r.Yours, r.Reference} {
		if x.Version != "" && x.Seconds > 0 {
			rs = append(rs, x)
		}
	}
	return rs
}

// HTML is the report's text, then your runs beside the lessons' in a
// table and a chart.
func (r Report) HTML() template.HTML {
	out := template.HTML(`<pre style="white-space:pre-wrap">` + template.HTMLEscapeString(r.String()) + "</pre>")
	if rs := r.results(); len(rs) > 0 {
		out += "\n" + rs.HTML()
	}
	return out
}

// checkRuns is how many times a check runs your function and the lessons'
// version, by turns: a median of 3 stands on a noisy machine where one run
// does not.
const checkRuns = 3

// The download exercises' site: enough pages for every worker to fetch
// several, and a latency long enough to dwarf the interpreter's overhead.
const (
	checkPages   = 40
	checkLatency = 20 * time.Millisecond
)

// checkTimeout is how long a check waits for a learner's function to
// return before it says the function hangs.
const checkTimeout = 20 * time.Second

// CheckPooled checks a worker pool written to download pages: every page
// fetched exactly once, its size returned in place, at most workers at a
// time, and faster than one at a time. It compares the time with
// DownloadPooled's. The site (40 pages, 20 ms each) gives each page a
// size of its own, so sizes out of order show.
func CheckPooled(ctx context.Context, download DownloadFunc, workers int) Report {
	return checkDownloads(ctx, downloadExercise{
		name:      "a worker pool",
		version:   "pooled",
		reference: DownloadPooled,
	}, download, workers)
}

// CheckThreadLocal checks a pool whose workers each own a client: what
// CheckPooled checks, and that each worker keeps to one connection, which
// the site counts. It compares the time with DownloadThreadLocal's.
func CheckThreadLocal(ctx context.Context, download DownloadFunc, workers int) Report {
	return checkDownloads(ctx, downloadExercise{
		name:       "a client per worker",
		version:    "thread-local",
		reference:  DownloadThreadLocal,
		connPerJob: true,
	}, download, workers)
}

// CheckGoroutines checks a goroutine per page with at most limit of them
// downloading at once: every page exactly once, sizes in place, and the
// site never seeing more than limit requests at a time. It compares the
// time with DownloadGoroutines'.
func CheckGoroutines(ctx context.Context, download DownloadFunc, limit int) Report {
	return checkDownloads(ctx, downloadExercise{
		name:      "a goroutine per page, at most " + fmt.Sprint(limit) + " at once",
		version:   "goroutines",
		reference: DownloadGoroutines,
	}, download, limit)
}

// downloadExercise is what differs between the download checks.
type downloadExercise struct {
	name       string
	version    string        // the lessons' version to compare with
	connPerJob bool          // each worker must keep to one connection
	timeout    time.Duration // for the learner's function (default checkTimeout)

	// reference is that version: DownloadPooled, DownloadThreadLocal or
	// DownloadGoroutines.
	reference func(context.Context, []string, int, ProgressFunc) ([]int64, error)
}

// downloadRun is one run of a download function, as the site saw it.
type downloadRun struct {
	seconds     float64
	sizes       []int64
	err         error
	hits        map[string]int
	mostAtOnce  int64
	connections int64
}

// runDownload runs fn once against a fresh site whose page N has
// DefaultPageSize+N bytes.
func runDownload(ctx context.Context, fn DownloadFunc, workers int, timeout time.Duration) (downloadRun, []string, error) {
	site, err := StartSite(SiteOptions{PageSize: DefaultPageSize, Latency: checkLatency})
	if err != nil {
		return downloadRun{}, nil, err
	}
	defer site.Close()
	site.sized = true
	urls := site.URLs(checkPages)
	var run downloadRun
	var took time.Duration
	run.sizes, took, run.err = call(ctx, timeout, func(ctx context.Context) ([]int64, error) {
		return fn(ctx, urls, workers)
	})
	run.seconds = took.Seconds()
	run.hits, run.mostAtOnce, run.connections = site.hitsOf(), site.MostAtOnce(), site.Connections()
	return run, urls, nil
}

// errHung is a learner's function that did not return in time.
var errHung = errors.New("hung")

// call runs fn and times it. A panic comes back as an error, so a mistake
// in a learner's code is reported, not fatal; a function that does not
// return within timeout is told to stop through ctx and left behind, and
// whatever it does later touches nothing of the caller's: its results
// come back over a channel.
func call[T any](ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error)) (T, time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		v   T
		err error
	}
	done := make(chan outcome, 1)
	start := time.Now()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: fmt.Errorf("it panicked: %v", p)}
			}
		}()
		v, err := fn(ctx)
		done <- outcome{v, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var zero T
	select {
	case o := <-done:
		return o.v, time.Since(start), o.err
	case <-timer.C:
		return zero, time.Since(start), errHung
	case <-ctx.Done():
		return zero, time.Since(start), ctx.Err()
	}
}

// checkDownloads runs the learner's function and the lessons' version by
// turns, checkRuns times each, and reports the first run that went wrong,
// or the timings.
func checkDownloads(ctx context.Context, ex downloadExercise, fn DownloadFunc, workers int) Report {
	rep := Report{Exercise: ex.name}
	if workers < 1 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the check needs at least 1 worker, got %d", workers))
		return rep
	}
	if fn == nil {
		rep.Problems = append(rep.Problems, "there is no function to check (nil)")
		return rep
	}
	if ex.timeout == 0 {
		ex.timeout = checkTimeout
	}
	reference := func(ctx context.Context, urls []string, w int) ([]int64, error) {
		return ex.reference(ctx, urls, w, nil) // no progress bar in a check
	}
	var yours, ref []downloadRun
	for range checkRuns {
		r, _, err := runDownload(ctx, reference, workers, checkTimeout)
		if err == nil && r.err != nil {
			err = r.err
		}
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("the lessons' own %s version failed, so nothing could be compared: %v", ex.version, err))
			return rep
		}
		ref = append(ref, r)
		r, urls, err := runDownload(ctx, fn, workers, ex.timeout)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("could not start the site: %v", err))
			return rep
		}
		yours = append(yours, r)
		if problems := ex.problems(r, urls, workers, ex.timeout, ref[len(ref)-1].seconds); len(problems) > 0 {
			rep.Problems = problems
			break
		}
	}
	rep.Yours = downloadResult("yours", ex.version, workers, yours)
	rep.Reference = downloadResult(ex.version, ex.version, workers, ref)
	rep.Passed = len(rep.Problems) == 0
	if rep.Passed {
		rep.Notes = append(rep.Notes, downloadNotes(ex, yours[len(yours)-1], workers)...)
		rep.Notes = append(rep.Notes, timingNote(rep.Yours, rep.Reference, functionName(ex.version),
			"An interpreted cell adds a little to every page, not this much: is there a lock or a wait the lessons' version does not have?"))
	}
	return rep
}

// functionName is the lessons' function for a version, to name in notes.
func functionName(version string) string {
	switch version {
	case "pooled":
		return "DownloadPooled"
	case "thread-local":
		return "DownloadThreadLocal"
	case "goroutines":
		return "DownloadGoroutines"
	}
	return version
}

// downloadResult sums up runs as a Result, for the report's table.
func downloadResult(version, like string, workers int, runs []downloadRun) Result {
	if len(runs) == 0 {
		return Result{}
	}
	seconds := make([]float64, len(runs))
	for i, r := range runs {
		seconds[i] = r.seconds
	}
	last := runs[len(runs)-1]
	res := Result{
		Job: "io", Version: version, Workers: workers, Tasks: checkPages,
		Seconds: median(seconds), Runs: len(runs), Latency: checkLatency,
		Connections: last.connections, GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
	res.Min, res.Max = minMax(seconds)
	for _, n := range last.sizes {
		res.Bytes += n
	}
	if like == "goroutines" && version == "yours" {
		res.Version = "yours (goroutines)"
	}
	return res
}

// problems are what went wrong in one run of a learner's function, most
// telling first: an error, pages missed or fetched twice, sizes out of
// place, too many at once or only one at a time. refSeconds is the lessons'
// version's time in the turn before: "slow" is judged against it too, so
// that a busy machine, which slows both, does not fail a right answer.
func (ex downloadExercise) problems(r downloadRun, urls []string, workers int, timeout time.Duration, refSeconds float64) []string {
	var ps []string
	switch {
	case errors.Is(r.err, errHung):
		return []string{fmt.Sprintf("it did not return within %v. Does it wait for something that never comes: a channel nobody closes, or a WaitGroup whose Done is never called?", timeout)}
	case r.err != nil && strings.HasPrefix(r.err.Error(), "it panicked"):
		return []string{r.err.Error()}
	case r.err != nil:
		ps = append(ps, fmt.Sprintf("it returned an error: %v", r.err))
	}
	ps = append(ps, pageProblems(r.hits, urls)...)
	ps = append(ps, sizeProblems(r.sizes, len(urls))...)
	if r.mostAtOnce > int64(workers) {
		ps = append(ps, fmt.Sprintf("the site was answering %d requests at once, more than the %d allowed: start no more than %d goroutines that download, or make the others wait their turn.", r.mostAtOnce, workers, workers))
	}
	if workers > 1 && r.mostAtOnce == 1 && len(ps) == 0 {
		ps = append(ps, fmt.Sprintf("the site never saw two requests at once: the pages were downloaded one after another, which took %.3f s where one at a time takes at least %.3f s. Do the workers run as goroutines (go func() {...}()), and does each download outside any lock?", r.seconds, sequentialFloor().Seconds()))
	}
	if len(ps) == 0 && r.seconds >= sequentialFloor().Seconds() && r.seconds >= 2*refSeconds {
		ps = append(ps, fmt.Sprintf("it took %.3f s, no faster than downloading the pages one at a time (at least %.3f s): with %d workers it should take about a %dth of that.", r.seconds, sequentialFloor().Seconds(), workers, min(workers, checkPages)))
	}
	if ex.connPerJob && len(ps) == 0 {
		switch {
		case r.connections >= int64(len(urls)) && len(urls) > workers:
			ps = append(ps, fmt.Sprintf("every page opened a connection of its own (%d connections for %d pages): make each worker's client once, before its loop, and use it for all its pages.", r.connections, len(urls)))
		case r.connections > int64(workers):
			ps = append(ps, fmt.Sprintf("the site saw %d connections for %d workers: a worker's own client should keep its one connection (lessons.NewClient(1) keeps one idle; read each body to the end and close it).", r.connections, workers))
		}
	}
	return ps
}

// sequentialFloor is the least time the download exercise's pages take one
// at a time: one latency each.
func sequentialFloor() time.Duration { return checkPages * checkLatency }

// pageProblems compare the requests the site saw with the pages asked for.
func pageProblems(hits map[string]int, urls []string) []string {
	want := map[string]bool{}
	var missed []string
	var twice []string
	for _, u := range urls {
		path := u[strings.Index(u[len("http://"):], "/")+len("http://"):]
		want[path] = true
		switch n := hits[path]; {
		case n == 0:
			missed = append(missed, path)
		case n > 1:
			twice = append(twice, fmt.Sprintf("%s %d times", path, n))
		}
	}
	var extra []string
	for path := range hits {
		if !want[path] {
			extra = append(extra, path)
		}
	}
	sort.Strings(extra)
	var ps []string
	if len(missed) > 0 {
		ps = append(ps, fmt.Sprintf("%s never fetched: %s. Every page must be fetched; does every worker keep taking pages until there are none left?", pagesOf(len(missed), len(urls)), list(missed)))
	}
	if len(twice) > 0 {
		ps = append(ps, fmt.Sprintf("%s fetched more than once: %s. Each page should be fetched exactly once: if workers share a counter of the next page, two can read the same value (a race); hand out pages through a channel instead.", pagesOf(len(twice), len(urls)), list(twice)))
	}
	if len(extra) > 0 {
		ps = append(ps, fmt.Sprintf("it asked for pages that were not in urls: %s.", list(extra)))
	}
	return ps
}

// pagesOf reads like "3 of 40 pages".
func pagesOf(n, total int) string {
	if n == 1 {
		return fmt.Sprintf("1 of %d pages was", total)
	}
	return fmt.Sprintf("%d of %d pages were", n, total)
}

// list names the first few of xs and counts the rest.
func list(xs []string) string {
	const show = 4
	if len(xs) <= show {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:show], ", ") + fmt.Sprintf(" and %d more", len(xs)-show)
}

// sizeProblems check the sizes a download function returned: page N of
// the check's site has DefaultPageSize+N bytes.
func sizeProblems(sizes []int64, pages int) []string {
	if len(sizes) != pages {
		return []string{fmt.Sprintf("it returned %d sizes for %d pages: return one size per page, sizes[i] for urls[i] (make([]int64, len(urls)) up front, then each worker fills in its pages).", len(sizes), pages)}
	}
	var wrong []int
	zeros := 0
	for i, n := range sizes {
		if n != int64(DefaultPageSize+i) {
			wrong = append(wrong, i)
		}
		if n == 0 {
			zeros++
		}
	}
	switch {
	case len(wrong) == 0:
		return nil
	case zeros == len(sizes):
		return []string{"every size it returned is 0: store each page's size, as Fetch returns it, in sizes[i]."}
	}
	i := wrong[0]
	return []string{fmt.Sprintf("%d of %d sizes are wrong; sizes[%d] is %d, but page %d has %d bytes. Each page must put its size in its own slot, sizes[i] for urls[i]: appending from several workers races and scrambles the order.", len(wrong), pages, i, sizes[i], i, DefaultPageSize+i)}
}

// downloadNotes are hints for a function that is right: connections beyond
// one per worker.
func downloadNotes(ex downloadExercise, r downloadRun, workers int) []string {
	var notes []string
	notes = append(notes, fmt.Sprintf("The site saw every page once, at most %d at a time, over %s.", r.mostAtOnce, plural(int(r.connections), "connection", "connections")))
	if !ex.connPerJob && r.connections > int64(workers)+int64(workers)/2 {
		notes = append(notes, fmt.Sprintf("Hint: %d connections for %d workers. A client keeps only so many idle connections per host (http.DefaultClient: 2) and closes the rest, so the next request opens a new one; lessons.NewClient(%d) keeps one per worker.", r.connections, workers, workers))
	}
	return notes
}

// timingNote compares your median time with the reference's, with the
// range the ratio takes over both spreads.
// slowHint is said when yours is slower even at its best.
func timingNote(yours, ref Result, refName, slowHint string) string {
	s := SpeedupOf(ref, yours) // how many times your time the reference's is
	note := fmt.Sprintf("Time: yours %.3f s (median of %d, %.3f–%.3f), %s %.3f s (%.3f–%.3f): %.2fx its time",
		yours.Seconds, yours.Runs, yours.Min, yours.Max, refName, ref.Seconds, ref.Min, ref.Max, s.Times)
	switch {
	case s.Least > 1.2:
		note += fmt.Sprintf(", slower even at best (%.2fx). %s", s.Least, slowHint)
	case s.Most < 1:
		note += ", faster in every pairing of runs."
	default:
		note += fmt.Sprintf(" (%.2fx to %.2fx over the runs): as fast, within the noise.", s.Least, s.Most)
	}
	return note
}

// minMax are the least and the greatest of xs.
func minMax(xs []float64) (float64, float64) {
	lo, hi := xs[0], xs[0]
	for _, x := range xs[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}
