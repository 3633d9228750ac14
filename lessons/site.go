package lessons

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SiteOptions shape the pages of a local site.
type SiteOptions struct {
	PageSize int           // bytes per page (default 1024)
	Latency  time.Duration // how long the server waits before answering
	Jitter   time.Duration // latency varies uniformly by up to ± Jitter

	// Pages, when > 0, makes the site a small web for crawlers: only pages
	// /page/0 to /page/{Pages-1} exist, each an HTML page that links to a
	// few others, and every one can be reached from /page/0 (URLs(1)[0]).
	// When 0, every /page/N exists and none links anywhere.
	Pages int
}

// A Site is a local web server that stands in for the article's web sites:
// it listens on loopback only, on a free port, answers every page after a
// fixed latency, and counts the requests and the new TCP connections it sees,
// so connection reuse is visible. It also keeps the most requests it was
// answering at once ([Site.MostAtOnce]), how often each page was asked for,
// and when, which is how the lessons check a learner's code: by what the
// server saw, whatever the code says about itself.
type Site struct {
	opt    SiteOptions
	url    string
	server *http.Server
	done   chan struct{}
	filler []byte
	sized  bool // page N has PageSize+N bytes, so sizes out of order show

	connections atomic.Int64
	requests    atomic.Int64
	inFlight    atomic.Int64
	mostAtOnce  atomic.Int64

	mu    sync.Mutex
	hits  map[string]int // requests per path
	spans []siteSpan     // one per answered request, in the order they ended
}

// siteSpan is one request as the site saw it: on which connection (numbered
// from 1 as they arrive), for which path, from its arrival to its answer.
type siteSpan struct {
	conn       int64
	path       string
	start, end time.Time
}

// connKey is the request context's key for the connection number.
type connKey struct{}

// StartSite starts a local site. Close it when done.
func StartSite(opt SiteOptions) (*Site, error) {
	if opt.PageSize < 0 || opt.Latency < 0 || opt.Jitter < 0 || opt.Pages < 0 {
		return nil, fmt.Errorf("site options must not be negative: %+v", opt)
	}
	if opt.PageSize == 0 {
		opt.PageSize = 1024
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start site: %w", err)
	}
	s := &Site{
		opt:    opt,
		url:    "http://" + ln.Addr().String(),
		done:   make(chan struct{}),
		filler: bytes.Repeat([]byte("gospeed "), opt.PageSize/8+1)[:opt.PageSize],
		hits:   map[string]int{},
	}
	var conns atomic.Int64
	s.server = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				s.connections.Add(1)
			}
		},
		ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, conns.Add(1))
		},
	}
	go func() {
		defer close(s.done)
		// Serve returns ErrServerClosed after Close; any other error means
		// the listener broke, and the clients' requests fail with it.
		s.server.Serve(ln)
	}()
	return s, nil
}

// serve answers one page after the site's latency (or sooner, if the client
// goes away).
func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.requests.Add(1)
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	now := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for most := s.mostAtOnce.Load(); now > most && !s.mostAtOnce.CompareAndSwap(most, now); most = s.mostAtOnce.Load() {
	}

	page, ok := s.page(r.URL.Path)
	t := time.NewTimer(s.delay())
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if s.opt.Pages > 0 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.Write(page)

	conn, _ := r.Context().Value(connKey{}).(int64)
	s.mu.Lock()
	s.spans = append(s.spans, siteSpan{conn: conn, path: r.URL.Path, start: start, end: time.Now()})
	s.mu.Unlock()
}

func (s *Site) delay() time.Duration {
	d := s.opt.Latency
	if s.opt.Jitter > 0 {
		d += time.Duration(rand.Int64N(int64(2*s.opt.Jitter)+1)) - s.opt.Jitter
	}
	return max(d, 0)
}

// page is the body at path, and whether there is one: any path on a plain
// site; /page/N, N below Pages, on a web.
func (s *Site) page(path string) ([]byte, bool) {
	n, isPage := pageNumber(path)
	if s.opt.Pages == 0 {
		if s.sized && isPage {
			return s.sizedPage(n), true
		}
		return s.filler, true
	}
	if !isPage || n >= s.opt.Pages {
		return nil, false
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!doctype html>\n<title>page %d</title>\n", n)
	for _, to := range webLinks(n, s.opt.Pages) {
		fmt.Fprintf(&b, "<a href=\"/page/%d\">page %d</a>\n", to, to)
	}
	if pad := s.opt.PageSize - b.Len(); pad > 0 {
		b.Write(s.filler[:pad])
	}
	return b.Bytes(), true
}

// sizedPage is page n with n bytes more than PageSize.
func (s *Site) sizedPage(n int) []byte {
	b := make([]byte, s.opt.PageSize+n)
	for i := range b {
		b[i] = "gospeed "[i%8]
	}
	return b
}

// pageNumber is N in /page/N.
func pageNumber(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "/page/")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// webLinks are the pages that page n of a web of pages links to: its two
// children and its parent in a binary tree, so that every page is reachable
// from page 0 and links lead back where a crawler has been, and one more
// across the tree, so that a page is found by several ways.
func webLinks(n, pages int) []int {
	var links []int
	add := func(to int) {
		if to >= 0 && to < pages && to != n {
			for _, l := range links {
				if l == to {
					return
				}
			}
			links = append(links, to)
		}
	}
	add(2*n + 1)
	add(2*n + 2)
	if n > 0 {
		add((n - 1) / 2)
	}
	add((5*n + 3) % pages)
	return links
}

// URL is the site's base URL, such as http://127.0.0.1:40123.
func (s *Site) URL() string { return s.url }

// URLs are n distinct page URLs on the site.
func (s *Site) URLs(n int) []string {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("%s/page/%d", s.url, i)
	}
	return urls
}

// Connections is how many TCP connections the site has accepted.
func (s *Site) Connections() int64 { return s.connections.Load() }

// Requests is how many requests the site has received.
func (s *Site) Requests() int64 { return s.requests.Load() }

// MostAtOnce is the most requests the site was answering at one time: how
// many pages a client really had in flight together.
func (s *Site) MostAtOnce() int64 { return s.mostAtOnce.Load() }

// hitsOf is how many requests each path received.
func (s *Site) hitsOf() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	hits := make(map[string]int, len(s.hits))
	for path, n := range s.hits {
		hits[path] = n
	}
	return hits
}

// answered are the requests the site has answered, as spans.
func (s *Site) answered() []siteSpan {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]siteSpan(nil), s.spans...)
}

// Close stops the site and closes its connections.
func (s *Site) Close() {
	s.server.Close() // closes the listener and every connection
	<-s.done
}
