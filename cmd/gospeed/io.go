package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gospeed/gospeed/lessons"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// runIO runs the I/O-bound job one way:
// gospeed io --version V --workers N --requests N --latency D [--json].
func runIO(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("io", "gospeed io [--version V] [--workers N] [--requests N] [--latency D] [--json]", stderr)
	versions := append(slices.Clone(lessons.IOVersions), lessons.ClientPerRequest)
	version := fs.String("version", lessons.Sequential, "how to download: "+strings.Join(versions, ", "))
	workers := fs.Int("workers", 0, fmt.Sprintf("workers, processes, or most goroutines at once (default: %d for pools, %d processes, goroutines unbounded)", lessons.DefaultPool, lessons.DefaultProcesses))
	requests := fs.Int("requests", lessons.DefaultRequests, "pages to download")
	latency := fs.Duration("latency", lessons.DefaultLatency, "the built-in site's latency per page")
	jitter := fs.Duration("jitter", 0, "the built-in site's latency varies by up to ± this")
	pageSize := fs.Int("page-size", lessons.DefaultPageSize, "the built-in site's page size in bytes")
	var urls urlList
	fs.Var(&urls, "url", "download this URL instead of the built-in site's pages (repeat for more)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("io: unexpected arguments %q", fs.Args())}
	case *requests < 0:
		return usageError{fmt.Errorf("io: --requests must not be negative, got %d", *requests)}
	case *requests == 0 && len(urls) == 0:
		return usageError{errors.New("io: --requests must be at least 1")}
	case *latency < 0:
		return usageError{fmt.Errorf("io: --latency must not be negative, got %v", *latency)}
	case *jitter < 0:
		return usageError{fmt.Errorf("io: --jitter must not be negative, got %v", *jitter)}
	case *pageSize < 1:
		return usageError{fmt.Errorf("io: --page-size must be at least 1, got %d", *pageSize)}
	}
	if *latency == 0 {
		*latency = time.Nanosecond // lessons reads 0 as "the default"
	}
	opt := lessons.IOOptions{
		Version:  *version,
		Workers:  *workers,
		Requests: *requests,
		Latency:  *latency,
		Jitter:   *jitter,
		PageSize: *pageSize,
		URLs:     urls,
	}
	if err := lessons.CheckIO(opt); err != nil {
		return usageError{err}
	}
	bar := newBar(stderr, "downloading")
	opt.Progress = bar.progress
	res, err := lessons.RunIO(ctx, opt)
	bar.finish()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, ioJSON{
			Job: res.Job, Version: res.Version, Workers: res.Workers, Tasks: res.Tasks,
			Seconds: res.Seconds, Connections: res.Connections, Bytes: res.Bytes,
			GOMAXPROCS: res.GOMAXPROCS, Lost: res.Lost,
		})
	}
	_, err = fmt.Fprintln(stdout, res)
	return err
}

// ioJSON is what `gospeed io --json` prints.
type ioJSON struct {
	Job         string  `json:"job"`
	Version     string  `json:"version"`
	Workers     int     `json:"workers"`
	Tasks       int     `json:"tasks"`
	Seconds     float64 `json:"seconds"`
	Connections int64   `json:"connections"`
	Bytes       int64   `json:"bytes"`
	GOMAXPROCS  int     `json:"gomaxprocs"`
	Lost        int64   `json:"lost"`
}

// urlList is a flag that may be given several times.
type urlList []string

func (u *urlList) String() string { return strings.Join(*u, " ") }
func (u *urlList) Set(s string) error {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return fmt.Errorf("not an http or https URL: %q", s)
	}
	*u = append(*u, s)
	return nil
}

// newFlagSet is a flag set for a lesson command that reports errors rather
// than exiting, and prints its usage line and flags on -h.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// setFlags are the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	return enc.Encode(v)
}

// bar is a progress bar on stderr, shown only when stderr is a terminal (a
// pipe or a file gets no control characters).
type bar struct {
	pb   *progressbar.ProgressBar
	w    io.Writer
	desc string
}

func newBar(stderr io.Writer, desc string) *bar {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &bar{}
	}
	return &bar{w: stderr, desc: desc}
}

// progress is a lessons.ProgressFunc; lessons calls it one call at a time.
func (b *bar) progress(done, total int) {
	if b.w == nil {
		return
	}
	if b.pb == nil {
		b.pb = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(b.w),
			progressbar.OptionSetDescription(b.desc),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish(),
		)
	}
	b.pb.Set(done)
}

func (b *bar) finish() {
	if b.pb != nil {
		b.pb.Finish()
	}
}
