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
// # Results
//
// A [Result] (and [Results], several of them) prints as a text table,
// renders as an SVG chart, and as HTML: the table with the chart after it,
// since Jupyter shows only the richest type of a value.
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
