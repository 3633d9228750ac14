package lessons

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// CrawlFunc crawls a site from the page at start: it fetches each page it
// finds exactly once, following its links, with at most limit fetches at a
// time, stops when ctx is cancelled, and returns the URLs of the pages it
// found. Crawl is one.
type CrawlFunc func(ctx context.Context, start string, limit int) ([]string, error)

// Links fetches the page at pageURL with client and returns the URLs it
// links to, made absolute: the Go Tour's Fetcher, for a crawler.
func Links(ctx context.Context, client *http.Client, pageURL string) ([]string, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		return nil, fmt.Errorf("links of %s: %w", pageURL, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("links of %s: %s", pageURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("links of %s: %w", pageURL, err)
	}
	var links []string
	for _, m := range hrefs.FindAllSubmatch(body, -1) {
		to, err := base.Parse(string(m[1]))
		if err != nil {
			continue // not a link a crawler can follow
		}
		to.Fragment = ""
		links = append(links, to.String())
	}
	return links, nil
}

// hrefs finds the targets of links, enough for the site's own pages (a
// real crawler parses HTML, with golang.org/x/net/html).
var hrefs = regexp.MustCompile(`<a\s[^>]*href="([^"]*)"`)

// Crawl is the Go Tour's web crawler done with what the lessons teach: a
// goroutine per page found, a set of pages seen behind a mutex so that no
// page is fetched twice, a buffered channel as a semaphore so that at most
// limit fetches run at once, and a context that stops it all at the first
// error or when cancelled. The pages come back sorted.
func Crawl(ctx context.Context, start string, limit int) ([]string, error) {
	if limit < 1 {
		return nil, fmt.Errorf("crawl: limit must be at least 1, got %d", limit)
	}
	client := NewClient(limit)
	defer client.CloseIdleConnections()
	var (
		mu    sync.Mutex
		seen  = map[string]bool{}
		slots = make(chan struct{}, limit)
	)
	g, ctx := errgroup.WithContext(ctx)
	var visit func(page string)
	visit = func(page string) {
		mu.Lock()
		defer mu.Unlock()
		if seen[page] {
			return
		}
		seen[page] = true // claimed before the fetch: no other goroutine takes it
		g.Go(func() error {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			links, err := Links(ctx, client, page)
			<-slots
			if err != nil {
				return err
			}
			for _, l := range links {
				visit(l)
			}
			return nil
		})
	}
	visit(start)
	err := g.Wait()
	mu.Lock()
	defer mu.Unlock()
	pages := make([]string, 0, len(seen))
	for p := range seen {
		pages = append(pages, p)
	}
	sort.Strings(pages)
	return pages, err
}

// The crawler check's web: enough pages, several links deep, that a
// crawler has many to fetch at once, and every page found more than once.
const (
	crawlPages   = 60
	crawlLatency = 20 * time.Millisecond
)

// CheckCrawl checks a crawler against a web of 60 linked pages (20 ms
// each) by the site's own counters: every page fetched exactly once, at
// most limit at a time, every page returned; and that once cancelled it
// fetches nothing more. It compares the time with Crawl's.
func CheckCrawl(ctx context.Context, crawl CrawlFunc, limit int) Report {
	rep := Report{Exercise: fmt.Sprintf("a crawler, at most %d fetches at once", limit)}
	switch {
	case crawl == nil:
		rep.Problems = append(rep.Problems, "there is no function to check (nil)")
		return rep
	case limit < 1:
		rep.Problems = append(rep.Problems, fmt.Sprintf("the check needs a limit of at least 1, got %d", limit))
		return rep
	}
	var yours, ref []float64
	var last crawlRun
	for range checkRuns {
		r, err := runCrawl(ctx, Crawl, limit)
		if err == nil && r.err != nil {
			err = r.err
		}
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("the lessons' own Crawl failed, so nothing could be compared: %v", err))
			return rep
		}
		ref = append(ref, r.seconds)
		last, err = runCrawl(ctx, crawl, limit)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("could not start the site: %v", err))
			return rep
		}
		yours = append(yours, last.seconds)
		if rep.Problems = last.problems(limit); len(rep.Problems) > 0 {
			break
		}
	}
	if len(rep.Problems) == 0 {
		rep.Problems = checkCancel(ctx, crawl, limit)
	}
	rep.Yours = crawlResult("yours", limit, yours)
	rep.Reference = crawlResult("Crawl", limit, ref)
	rep.Passed = len(rep.Problems) == 0
	if rep.Passed {
		rep.Notes = append(rep.Notes,
			fmt.Sprintf("The site saw every one of its %d pages once, at most %d at a time, over %s; when cancelled, the crawler stopped fetching.", crawlPages, last.mostAtOnce, plural(int(last.connections), "connection", "connections")),
			timingNote(rep.Yours, rep.Reference, "Crawl", "Does a goroutine wait for a slot before it knows its page is new, or hold a lock while it fetches?"))
	}
	return rep
}

// crawlRun is one run of a crawler, as the site saw it.
type crawlRun struct {
	seconds     float64
	pages       []string // what the crawler returned
	err         error
	want        []string // the site's pages
	hits        map[string]int
	mostAtOnce  int64
	connections int64
}

func runCrawl(ctx context.Context, crawl CrawlFunc, limit int) (crawlRun, error) {
	site, err := StartSite(SiteOptions{Latency: crawlLatency, Pages: crawlPages})
	if err != nil {
		return crawlRun{}, err
	}
	defer site.Close()
	r := crawlRun{want: site.URLs(crawlPages)}
	pages, took, err := call(ctx, checkTimeout, func(ctx context.Context) ([]string, error) {
		return crawl(ctx, r.want[0], limit)
	})
	r.pages, r.seconds, r.err = pages, took.Seconds(), err
	r.hits, r.mostAtOnce, r.connections = site.hitsOf(), site.MostAtOnce(), site.Connections()
	return r, nil
}

// problems are what went wrong in one crawl.
func (r crawlRun) problems(limit int) []string {
	var ps []string
	switch {
	case errors.Is(r.err, errHung):
		return []string{fmt.Sprintf("it did not return within %v. Does it wait for goroutines that never finish, or for a channel nobody closes?", checkTimeout)}
	case r.err != nil:
		ps = append(ps, fmt.Sprintf("it returned an error: %v", r.err))
	}
	ps = append(ps, pageProblems(r.hits, r.want)...)
	if r.mostAtOnce > int64(limit) {
		ps = append(ps, fmt.Sprintf("the site was answering %d requests at once, more than the limit of %d: take a slot (a buffered channel of %d) before each fetch, and give it back after.", r.mostAtOnce, limit, limit))
	}
	if limit > 1 && r.mostAtOnce == 1 && len(ps) == 0 {
		ps = append(ps, "the site never saw two requests at once: the pages were fetched one after another. Fetch each new page on a goroutine of its own.")
	}
	got := slices.Clone(r.pages)
	sort.Strings(got)
	got = slices.Compact(got)
	switch {
	case len(got) != len(r.pages):
		ps = append(ps, fmt.Sprintf("it returned %d URLs, but only %d different ones: return each page once.", len(r.pages), len(got)))
	case !slices.Equal(got, sorted(r.want)):
		var missing []string
		for _, w := range r.want {
			if !slices.Contains(got, w) {
				missing = append(missing, w)
			}
		}
		ps = append(ps, fmt.Sprintf("it returned %d pages of the site's %d; missing: %s.", len(got), len(r.want), list(missing)))
	}
	return ps
}

func sorted(xs []string) []string {
	s := slices.Clone(xs)
	sort.Strings(s)
	return s
}

// checkCancel cancels a crawl of a slow site after its first pages and
// tells whether the crawler went on fetching: a request the site receives
// more than a latency after the cancel is one the crawler started after it.
func checkCancel(ctx context.Context, crawl CrawlFunc, limit int) []string {
	const latency = 50 * time.Millisecond
	site, err := StartSite(SiteOptions{Latency: latency, Pages: crawlPages})
	if err != nil {
		return []string{fmt.Sprintf("could not start the site: %v", err)}
	}
	defer site.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := call(ctx, checkTimeout, func(ctx context.Context) ([]string, error) {
			return crawl(ctx, site.URLs(1)[0], limit)
		})
		done <- err
	}()
	time.Sleep(2 * latency) // the first page and its links
	cancel()
	time.Sleep(latency) // grace for requests already on their way
	before := site.Requests()
	err = <-done
	time.Sleep(latency / 2) // requests still in flight after it returned
	if errors.Is(err, errHung) {
		return []string{fmt.Sprintf("once cancelled, it did not return within %v.", checkTimeout)}
	}
	if more := site.Requests() - before; more > 0 {
		return []string{fmt.Sprintf("after its context was cancelled it went on to fetch %s: pass ctx to each fetch (Links(ctx, ...)) and start no new one once ctx.Done() is closed.", plural(int(more), "more page", "more pages"))}
	}
	return nil
}

// crawlResult sums up a crawler's runs, for the report's table.
func crawlResult(version string, limit int, seconds []float64) Result {
	if len(seconds) == 0 {
		return Result{}
	}
	res := Result{Job: "io", Version: version, Workers: limit, Tasks: crawlPages,
		Seconds: median(seconds), Runs: len(seconds), Latency: crawlLatency}
	res.Min, res.Max = minMax(seconds)
	return res
}
