package lessons_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// The site's web: every page reachable from the first, some by several
// ways, and links to pages that do not exist nowhere.
func TestSiteWebLinksEveryPage(t *testing.T) {
	site, err := lessons.StartSite(lessons.SiteOptions{Pages: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	client := lessons.NewClient(1)
	defer client.CloseIdleConnections()
	ctx := context.Background()
	seen := map[string]int{}
	queue := []string{site.URLs(1)[0]}
	seen[queue[0]] = 1
	for len(queue) > 0 {
		page := queue[0]
		queue = queue[1:]
		links, err := lessons.Links(ctx, client, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range links {
			if seen[l]++; seen[l] == 1 {
				queue = append(queue, l)
			}
		}
	}
	var found []string
	for p := range seen {
		found = append(found, p)
	}
	sort.Strings(found)
	want := site.URLs(30)
	sort.Strings(want)
	if !slices.Equal(found, want) {
		t.Errorf("found %d pages, want the site's 30:\n%q", len(found), found)
	}
	if seen[site.URLs(4)[3]] < 2 {
		t.Errorf("page 3 is linked from %d pages, want several", seen[site.URLs(4)[3]]-1)
	}
	if _, err := lessons.Links(ctx, client, site.URL()+"/page/30"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a page beyond the web: %v, want 404 Not Found", err)
	}
}

func TestCrawl(t *testing.T) {
	site, err := lessons.StartSite(lessons.SiteOptions{Pages: 50, Latency: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	pages, err := lessons.Crawl(context.Background(), site.URLs(1)[0], 4)
	if err != nil {
		t.Fatal(err)
	}
	want := site.URLs(50)
	sort.Strings(want)
	if !slices.Equal(pages, want) || site.Requests() != 50 || site.MostAtOnce() > 4 || site.MostAtOnce() < 2 {
		t.Errorf("%d pages, %d requests, at most %d at once; want the 50 pages, 50 requests, 2 to 4 at once",
			len(pages), site.Requests(), site.MostAtOnce())
	}
	if _, err := lessons.Crawl(context.Background(), site.URL()+"/page/99", 4); err == nil {
		t.Error("a crawl from a missing page did not fail")
	}
}

// sequentialCrawl is right, but fetches one page at a time.
func sequentialCrawl(ctx context.Context, start string, _ int) ([]string, error) {
	client := lessons.NewClient(1)
	defer client.CloseIdleConnections()
	seen := map[string]bool{start: true}
	queue := []string{start}
	for len(queue) > 0 {
		links, err := lessons.Links(ctx, client, queue[0])
		if err != nil {
			return nil, err
		}
		queue = queue[1:]
		for _, l := range links {
			if !seen[l] {
				seen[l] = true
				queue = append(queue, l)
			}
		}
	}
	var pages []string
	for p := range seen {
		pages = append(pages, p)
	}
	return pages, nil
}

// tourCrawl is the Go Tour's starting point made concurrent: depth-limited,
// no memory of pages seen, no bound.
func tourCrawl(ctx context.Context, start string, _ int) ([]string, error) {
	client := lessons.NewClient(8)
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	var pages []string
	var wg sync.WaitGroup
	var visit func(page string, depth int)
	visit = func(page string, depth int) {
		defer wg.Done()
		if depth == 0 {
			return
		}
		links, err := lessons.Links(ctx, client, page)
		if err != nil {
			return
		}
		mu.Lock()
		pages = append(pages, page)
		mu.Unlock()
		for _, l := range links {
			wg.Add(1)
			go visit(l, depth-1)
		}
	}
	wg.Add(1)
	visit(start, 4)
	wg.Wait()
	return pages, nil
}

// deafCrawl is Crawl that does not listen to its context.
func deafCrawl(_ context.Context, start string, limit int) ([]string, error) {
	return lessons.Crawl(context.Background(), start, limit)
}

// unboundedCrawl has no limit of its own.
func unboundedCrawl(ctx context.Context, start string, _ int) ([]string, error) {
	return lessons.Crawl(ctx, start, 1000)
}

func TestCheckCrawl(t *testing.T) {
	ctx := context.Background()
	crawl := func(fn lessons.CrawlFunc) func() lessons.Report {
		return func() lessons.Report { return lessons.CheckCrawl(ctx, fn, 4) }
	}
	runCheckRows(t, []checkRow{
		{"right", crawl(lessons.Crawl), true, []string{"every one of its 60 pages once, at most 4 at a time", "stopped fetching", "Crawl"}},
		{"slow: one at a time", crawl(sequentialCrawl), false, []string{"never saw two requests at once"}},
		{"wrong: the Tour's first try", crawl(tourCrawl), false, []string{"never fetched", "fetched more than once: /page/0 "}},
		{"too many at once", crawl(unboundedCrawl), false, []string{"more than the limit of 4"}},
		{"not cancellable", crawl(deafCrawl), false, []string{"after its context was cancelled it went on to fetch"}},
		{"nil", crawl(nil), false, []string{"no function"}},
	})
}
