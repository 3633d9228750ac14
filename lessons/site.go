package lessons

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// SiteOptions shape the pages of a local site.
type SiteOptions struct {
	PageSize int           // bytes per page (default 1024)
	Latency  time.Duration // how long the server waits before answering
	Jitter   time.Duration // latency varies uniformly by up to ± Jitter
}

// A Site is a local web server that stands in for the article's web sites:
// it listens on loopback only, on a free port, answers every page after a
// fixed latency, and counts the requests and the new TCP connections it sees,
// so connection reuse is visible.
type Site struct {
	opt         SiteOptions
	url         string
	server      *http.Server
	done        chan struct{}
	connections atomic.Int64
	requests    atomic.Int64
	page        []byte
}

// StartSite starts a local site. Close it when done.
func StartSite(opt SiteOptions) (*Site, error) {
	if opt.PageSize < 0 || opt.Latency < 0 || opt.Jitter < 0 {
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
		opt:  opt,
		url:  "http://" + ln.Addr().String(),
		done: make(chan struct{}),
		page: bytes.Repeat([]byte("gospeed "), opt.PageSize/8+1)[:opt.PageSize],
	}
	s.server = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				s.connections.Add(1)
			}
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
	s.requests.Add(1)
	t := time.NewTimer(s.delay())
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(s.page)))
	w.Write(s.page)
}

func (s *Site) delay() time.Duration {
	d := s.opt.Latency
	if s.opt.Jitter > 0 {
		d += time.Duration(rand.Int64N(int64(2*s.opt.Jitter)+1)) - s.opt.Jitter
	}
	return max(d, 0)
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

// Close stops the site and closes its connections.
func (s *Site) Close() {
	s.server.Close() // closes the listener and every connection
	<-s.done
}
