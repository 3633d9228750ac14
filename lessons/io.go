package lessons

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

// The versions' names, the same in the CLI, the notebooks and the charts.
const (
	Sequential   = "sequential"
	Pooled       = "pooled"
	ThreadLocal  = "thread-local"
	Racy         = "racy"
	Goroutines   = "goroutines"
	MultiProcess = "multi-process"
)

// IOVersions are the I/O-bound versions, in the article's order.
var IOVersions = []string{Sequential, Pooled, ThreadLocal, Racy, Goroutines, MultiProcess}

// ClientPerRequest is one more I/O version, for comparison with
// "thread-local": a new http.Client, hence a new connection, for every page.
const ClientPerRequest = "client-per-request"

// Defaults of the I/O-bound job: the article downloads 80 pages per site.
const (
	DefaultRequests  = 80
	DefaultLatency   = 50 * time.Millisecond
	DefaultPageSize  = 1024
	DefaultPool      = 8 // workers of a pool
	DefaultProcesses = 4 // worker processes of "multi-process"
)

// IOOptions choose one run of the I/O-bound job.
type IOOptions struct {
	Version string // one of IOVersions, or ClientPerRequest

	// Workers is the pool size ("pooled", "thread-local", "racy",
	// "client-per-request"; default 8), the number of processes
	// ("multi-process"; default 4), or the most goroutines at once
	// ("goroutines"; default 0, unbounded). "sequential" has one.
	Workers int

	Requests int           // pages to download (default 80)
	Latency  time.Duration // the built-in site's latency per page (0 means 50ms)
	Jitter   time.Duration // the built-in site's latency varies by up to ± Jitter (default 0)
	PageSize int           // the built-in site's page size in bytes (default 1024)

	// URLs are real pages to download instead of the built-in site's; when
	// Requests is set too, they are downloaded in turn until Requests pages
	// are done. Connections are then not counted (0).
	URLs []string

	// Runs is how many times to run (default 1). One run is one sample of
	// a noisy machine: with 3 or more, Result.Seconds is their median and
	// Result.Min and Result.Max their spread.
	Runs int

	Progress ProgressFunc // told as pages finish; may be nil
}

// CheckIO reports whether RunIO accepts the options, without running
// anything: a caller taking options from a user can tell a mistake in them
// from a run that failed.
func CheckIO(opt IOOptions) error {
	_, err := opt.withDefaults()
	return err
}

// withDefaults checks the options and fills in what is left zero.
func (o IOOptions) withDefaults() (IOOptions, error) {
	if o.Version == "" {
		return o, errors.New("io: no version given (one of " + strings.Join(append(slices.Clone(IOVersions), ClientPerRequest), ", ") + ")")
	}
	if !slices.Contains(IOVersions, o.Version) && o.Version != ClientPerRequest {
		return o, fmt.Errorf("io: unknown version %q (want one of %s, %s)", o.Version, strings.Join(IOVersions, ", "), ClientPerRequest)
	}
	switch {
	case o.Workers < 0:
		return o, fmt.Errorf("io: workers must not be negative, got %d", o.Workers)
	case o.Requests < 0:
		return o, fmt.Errorf("io: requests must not be negative, got %d", o.Requests)
	case o.Latency < 0:
		return o, fmt.Errorf("io: latency must not be negative, got %v", o.Latency)
	case o.Jitter < 0:
		return o, fmt.Errorf("io: jitter must not be negative, got %v", o.Jitter)
	case o.PageSize < 0:
		return o, fmt.Errorf("io: page size must not be negative, got %d", o.PageSize)
	case o.Runs < 0:
		return o, fmt.Errorf("io: runs must not be negative, got %d", o.Runs)
	}
	o.Runs = max(o.Runs, 1)
	if o.Workers == 0 {
		switch o.Version {
		case MultiProcess:
			o.Workers = DefaultProcesses
		case Goroutines: // 0 stays: one goroutine per page, unbounded
		default:
			o.Workers = DefaultPool
		}
	}
	if o.Version == Sequential {
		o.Workers = 1
	}
	if o.Requests == 0 {
		o.Requests = DefaultRequests
		if len(o.URLs) > 0 {
			o.Requests = len(o.URLs)
		}
	}
	if o.Latency == 0 {
		o.Latency = DefaultLatency
	}
	if o.PageSize == 0 {
		o.PageSize = DefaultPageSize
	}
	return o, nil
}

// RunIO runs the I/O-bound job in one version and measures it, once or
// opt.Runs times. Unless real URLs are given, it starts a local site for
// each run (not timed) and reports the connections that site saw.
func RunIO(ctx context.Context, opt IOOptions) (Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Result{}, err
	}
	return repeat(opt.Runs, opt.Progress, func(progress ProgressFunc) (Result, error) {
		opt.Progress = progress
		run, err := runIO(ctx, opt)
		return run.Result, err
	})
}

// ioRun is one run of the I/O-bound job, and what its site saw.
type ioRun struct {
	Result
	start time.Time  // when the timed part began
	spans []siteSpan // the site's answered requests (none for real URLs)
}

// runIO runs the job once, with opt's defaults already filled in.
func runIO(ctx context.Context, opt IOOptions) (ioRun, error) {
	urls := make([]string, opt.Requests)
	var site *Site
	var err error
	if len(opt.URLs) == 0 {
		site, err = StartSite(SiteOptions{PageSize: opt.PageSize, Latency: opt.Latency, Jitter: opt.Jitter})
		if err != nil {
			return ioRun{}, err
		}
		defer site.Close()
		urls = site.URLs(opt.Requests)
	} else {
		for i := range urls {
			urls[i] = opt.URLs[i%len(opt.URLs)]
		}
	}

	start := time.Now()
	var sizes []int64
	var lost int64
	switch opt.Version {
	case Sequential:
		sizes, err = DownloadSequential(ctx, urls, opt.Progress)
	case Pooled:
		sizes, err = DownloadPooled(ctx, urls, opt.Workers, opt.Progress)
	case ThreadLocal:
		sizes, err = DownloadThreadLocal(ctx, urls, opt.Workers, opt.Progress)
	case ClientPerRequest:
		sizes, err = DownloadClientPerRequest(ctx, urls, opt.Workers, opt.Progress)
	case Racy:
		var stats *RacyStats
		sizes, stats, err = DownloadRacy(ctx, urls, opt.Workers, opt.Progress)
		lost = int64(len(urls)) - stats.Pages
	case Goroutines:
		sizes, err = DownloadGoroutines(ctx, urls, opt.Workers, opt.Progress)
	case MultiProcess:
		sizes, err = DownloadMultiProcess(ctx, urls, opt.Workers, opt.Progress)
	}
	elapsed := time.Since(start)
	if err != nil {
		return ioRun{}, fmt.Errorf("io %s: %w", opt.Version, err)
	}

	res := Result{
		Job:        "io",
		Version:    opt.Version,
		Workers:    opt.Workers,
		Tasks:      len(urls),
		Seconds:    elapsed.Seconds(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Lost:       lost,
	}
	for _, n := range sizes {
		res.Bytes += n
	}
	run := ioRun{Result: res, start: start}
	if site != nil {
		run.Connections = site.Connections()
		run.Latency = opt.Latency
		run.spans = site.answered()
	}
	return run, nil
}

// SweepIO runs one version of the I/O-bound job once per worker count, to
// chart seconds against workers.
func SweepIO(ctx context.Context, opt IOOptions, workers []int) (Results, error) {
	if len(workers) == 0 {
		return nil, errors.New("io sweep: no worker counts given")
	}
	var all Results
	for _, w := range workers {
		if w < 1 && !(w == 0 && opt.Version == Goroutines) {
			return all, fmt.Errorf("io sweep: workers must be at least 1, got %d", w)
		}
		opt.Workers = w
		res, err := RunIO(ctx, opt)
		if err != nil {
			return all, fmt.Errorf("io sweep with %d workers: %w", w, err)
		}
		all = append(all, res)
	}
	return all, nil
}
