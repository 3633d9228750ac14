// Package lessons holds the real, compiled implementations behind the gospeed
// notebooks: the article "Speed Up Your Python Program With Concurrency",
// done in Go.
//
// Every function here runs at native speed; a notebook cell only calls it and
// shows the Result. The package exports no generic API, so the gospeed kernel
// can hand all of it to its interpreter.
//
// # The I/O-bound job
//
// Download pages from a site. By default the site is a local server started
// for the run ([StartSite]): loopback only, a configurable latency per page,
// counting the TCP connections and requests it sees, so every number is
// reproducible offline. [RunIO] runs one version, [SweepIO] one version over
// several worker counts. The versions ([IOVersions]) are short functions meant
// to be read side by side with the notebooks (see [Source]):
//
//   - "sequential":    [DownloadSequential], one client, one page at a time.
//   - "pooled":        [DownloadPooled], W workers share one http.Client.
//   - "thread-local":  [DownloadThreadLocal], each worker owns its client.
//     For comparison, "client-per-request" ([DownloadClientPerRequest]) makes
//     a new client for every page and pays a new connection each time.
//   - "racy":          [DownloadRacy], workers share an unsynchronized
//     [RacyStats] recorder that loses counts (Result.Lost).
//   - "goroutines":    [DownloadGoroutines], one goroutine per page.
//   - "multi-process": [DownloadMultiProcess], P worker processes.
//
// # The CPU-bound job
//
// [Fib](35) computed 20 times (or, as the article's first edition did,
// [SumOfSquares] below 5_000_000+x for x in 0..19). [RunCPU] runs
// [ComputeSequential], [ComputePooled] or [ComputeMultiProcess], optionally
// under a GOMAXPROCS limit: GOMAXPROCS=1 is the world of Python's GIL.
//
// Pools are sized with runtime.GOMAXPROCS(0), not runtime.NumCPU(): since
// Go 1.25 (for modules that say go 1.25 or later, as this one does),
// GOMAXPROCS defaults to the lowest of the machine's logical CPUs, the
// process's CPU affinity, and, on Linux, its cgroup's CPU limit (quota over
// period, rounded up, and never below 2): in a container started with
// --cpus=2 on a 64-core machine, NumCPU says 64 and GOMAXPROCS 2. The
// runtime re-reads the limit about once a second, until a program sets
// GOMAXPROCS itself (the GOMAXPROCS environment variable, or a call such as
// RunCPU's), which it then keeps.
//
// # Pre-emption
//
// [RunTicker] runs a 10 ms ticker beside a goroutine busy in a loop with no
// function call, under GOMAXPROCS(1): one thread for Go code, as asyncio has
// one for its event loop. Go pre-empts the loop after about 10 ms, so the
// ticker still ticks, late ([Ticks]). With [TickerOptions].NoPreemption the
// experiment runs in a worker process without asynchronous pre-emption (Go
// before 1.14), and no tick comes until the loop is done: what any
// cooperative scheduler, asyncio's included, does with such a loop.
//
// # The race lesson
//
// [RunRace] lets many goroutines increment one counter: without
// synchronization ([CountRacy]) updates are lost; the "mutex", "atomic" and
// "channel" fixes ([CountWithMutex], [CountWithAtomic], [CountWithChannel])
// count exactly. [RaceDetectorReport] builds a tiny racy program with -race
// and returns the race detector's report.
//
// The racy code itself (racy.go) is left out of -race builds, where
// racy_race.go loses updates the same way with atomic loads and stores, so
// that `go test -race` checks everything else without reporting the lesson.
//
// # Write it yourself
//
// A learner writes a version in a notebook cell, as a plain func, and a
// check runs it beside the lessons' own, by turns, three times each, and
// returns a [Report]: right or not, what is wrong in words (pages missed or
// fetched twice, sizes out of place, too many requests at once, one at a
// time, too many connections, lost updates, a function that hangs or
// panics), and how its median time compares with the lessons' version.
// The checks judge by what the site saw (each page's requests, the most
// at once, the connections), not by what the code says of itself.
//
//   - [CheckPooled]: a worker pool ([DownloadFunc]), against [DownloadPooled].
//   - [CheckThreadLocal]: a client per worker, against [DownloadThreadLocal].
//   - [CheckGoroutines]: a goroutine per page, bounded, against
//     [DownloadGoroutines].
//   - [CheckCounter]: a counter shared by goroutines ([CountFunc]), against
//     [CountWithAtomic]. Lost updates show; a race that lost nothing does
//     not: that is the race detector's job.
//   - [CheckComputePooled]: a pool of CPU workers ([ComputeFunc]), against
//     [ComputePooled] and [ComputeSequential].
//   - [CheckCrawl]: the capstone, the Go Tour's web crawler ([CrawlFunc])
//     against a site of linked pages ([SiteOptions].Pages), fetching every
//     page once, at most N at a time, and stopping when cancelled; [Crawl]
//     is the lessons' solution, [Links] the Tour's Fetcher.
//
// [Fetch] downloads one page, as every version here does, for a learner's
// own.
//
// # Measurement that holds
//
// One run on a shared machine is one sample of its noise. [IOOptions].Runs
// and [CPUOptions].Runs repeat a run: the [Result] then holds the median
// time and the spread ([Result].Min to [Result].Max), which tables show in
// a min–max column and charts as error bars. [SpeedupOf] compares two
// results over their spreads, and [Verdict] prints whether a claim made of
// them holds, so a notebook re-run elsewhere checks its own text. A sweep's
// "ideal" line is perfect scaling from its fewest workers, but never below
// what no number of workers can beat: ceil(pages/workers) latencies for
// I/O; for CPU, no more than GOMAXPROCS tasks running at once.
//
// # Timelines
//
// [RunTimeline] runs one I/O version and returns what the site saw of each
// page ([Timeline], [Span]): over which connection it came, when its
// request arrived and when its answer left. Drawn with one row per
// connection (a worker that keeps its connection keeps its row) and one bar
// per page, it shows how the versions overlap their waiting.
//
// # Results
//
// A [Result] (and [Results], several of them) prints as a text table,
// renders as an SVG chart, and as HTML: the table with the chart after it,
// since Jupyter shows only the richest type of a value. [Report], [Timeline]
// and [Ticks] show the same way.
// Long runs report progress through a [ProgressFunc], called one call at a
// time as tasks finish. [Source] returns the code of any function or type
// here, so a notebook can show what it just ran.
//
// # Multi-process workers
//
// The multi-process versions re-run the current executable (os.Executable) as
// a worker. Any binary that may run them must serve as the worker, first thing
// in main (or TestMain):
//
//	if lessons.IsWorker() {
//		if err := lessons.ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
//			os.Exit(1)
//		}
//		os.Exit(0)
//	}
//
// The gospeed command does this in its hidden "worker" subcommand: workers
// are started as "EXECUTABLE worker" with [WorkerEnv] set to 1.
// [StartProcessPool] and [ProcessPool.Map] are the pool itself; [Task] and
// [Reply] travel over the pipes as lines of JSON.
package lessons
