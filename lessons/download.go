package lessons

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
)

// NewClient is an http.Client that keeps up to conns idle connections per
// host for reuse. The default keeps only 2, so a pool of 8 workers sharing
// it would keep opening new connections; sized to the workers, each worker
// reuses its own.
func NewClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 0 // no limit over all hosts
	t.MaxIdleConnsPerHost = max(conns, 1)
	return &http.Client{Transport: t, Timeout: 30 * time.Second} // a site that hangs fails, in time
}

// download gets one page and returns its size. Reading the body to the end
// lets the client reuse the connection for the next page.
func download(ctx context.Context, client *http.Client, url string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("download %s: %s", url, resp.Status)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return n, fmt.Errorf("download %s: %w", url, err)
	}
	return n, nil
}

// DownloadSequential downloads the pages one after another with one client:
// the whole run waits for every page in turn, so it takes the sum of all
// latencies. The client reuses a single connection.
func DownloadSequential(ctx context.Context, urls []string, progress ProgressFunc) ([]int64, error) {
	client := NewClient(1)
	defer client.CloseIdleConnections()
	count := counter(len(urls), progress)
	sizes := make([]int64, len(urls))
	for i, url := range urls {
		n, err := download(ctx, client, url)
		if err != nil {
			return sizes, err
		}
		sizes[i] = n
		count()
	}
	return sizes, nil
}

// DownloadPooled is the article's ThreadPoolExecutor.map: a pool of workers
// takes page numbers from a channel and shares one http.Client, which is
// safe for concurrent use. Each worker writes only its own page's slot, so
// sizes come back in input order. The first error cancels the rest.
func DownloadPooled(ctx context.Context, urls []string, workers int, progress ProgressFunc) ([]int64, error) {
	client := NewClient(workers)
	defer client.CloseIdleConnections()
	count := counter(len(urls), progress)
	sizes := make([]int64, len(urls))

	g, ctx := errgroup.WithContext(ctx)
	next := feed(ctx, g, len(urls))
	for range workers {
		g.Go(func() error {
			for i := range next {
				n, err := download(ctx, client, urls[i])
				if err != nil {
					return err
				}
				sizes[i] = n
				count()
			}
			return nil
		})
	}
	return sizes, g.Wait()
}

// feed sends the numbers 0..n-1 on the channel it returns, then closes it;
// it stops early when ctx is done.
func feed(ctx context.Context, g *errgroup.Group, n int) <-chan int {
	next := make(chan int)
	g.Go(func() error {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return context.Cause(ctx) // why we stopped: the first error, or ctx's own
			}
		}
		return nil
	})
	return next
}

// DownloadThreadLocal is the article's threading.local() session. Go has no
// goroutine-local storage; the idiom is state owned by the worker: each
// worker makes its own client, so it opens at most one connection and
// reuses it for all its pages.
func DownloadThreadLocal(ctx context.Context, urls []string, workers int, progress ProgressFunc) ([]int64, error) {
	count := counter(len(urls), progress)
	sizes := make([]int64, len(urls))

	g, ctx := errgroup.WithContext(ctx)
	next := feed(ctx, g, len(urls))
	for range workers {
		g.Go(func() error {
			client := NewClient(1) // this worker's own
			defer client.CloseIdleConnections()
			for i := range next {
				n, err := download(ctx, client, urls[i])
				if err != nil {
					return err
				}
				sizes[i] = n
				count()
			}
			return nil
		})
	}
	return sizes, g.Wait()
}

// DownloadClientPerRequest is what thread-local state saves us from: a new
// client for every page. Nothing can be reused, so every page pays for a new
// TCP connection (and, on a real site, a TLS handshake).
func DownloadClientPerRequest(ctx context.Context, urls []string, workers int, progress ProgressFunc) ([]int64, error) {
	count := counter(len(urls), progress)
	sizes := make([]int64, len(urls))

	g, ctx := errgroup.WithContext(ctx)
	next := feed(ctx, g, len(urls))
	for range workers {
		g.Go(func() error {
			for i := range next {
				client := NewClient(1)
				n, err := download(ctx, client, urls[i])
				client.CloseIdleConnections()
				if err != nil {
					return err
				}
				sizes[i] = n
				count()
			}
			return nil
		})
	}
	return sizes, g.Wait()
}

// DownloadRacy is the pooled version with one mistake: the workers share a
// RacyStats recorder that has no synchronization. Two workers that record at
// the same moment both read the old count and both write back old+1, so the
// recorder ends up short. The returned stats show the damage; the sizes
// (each worker writing only its own slot) stay right.
func DownloadRacy(ctx context.Context, urls []string, workers int, progress ProgressFunc) ([]int64, *RacyStats, error) {
	client := NewClient(workers)
	defer client.CloseIdleConnections()
	count := counter(len(urls), progress)
	sizes := make([]int64, len(urls))
	stats := &RacyStats{} // shared by all workers, unprotected: the bug

	g, ctx := errgroup.WithContext(ctx)
	next := feed(ctx, g, len(urls))
	for range workers {
		g.Go(func() error {
			for i := range next {
				n, err := download(ctx, client, urls[i])
				if err != nil {
					return err
				}
				sizes[i] = n
				stats.Record(n)
				count()
			}
			return nil
		})
	}
	return sizes, stats, g.Wait()
}

// DownloadGoroutines is Go's answer to asyncio: one goroutine per page, all
// waiting on the network at once, so the run takes one latency plus the work
// of its pages (connections, requests, responses), which does not overlap.
// Goroutines are cheap, but a server may not welcome hundreds of connections
// at once: limit > 0 bounds how many run at a time. Cancelling ctx (or the
// first error) stops them all.
func DownloadGoroutines(ctx context.Context, urls []string, limit int, progress ProgressFunc) ([]int64, error) {
	conns := limit
	if limit <= 0 {
		conns = len(urls)
	}
	client := NewClient(conns)
	defer client.CloseIdleConnections()
	count := counter(len(urls), progress)
	sizes := make([]int64, len(urls))

	g, ctx := errgroup.WithContext(ctx)
	if limit > 0 {
		g.SetLimit(limit)
	}
	for i, url := range urls {
		g.Go(func() error {
			n, err := download(ctx, client, url)
			if err != nil {
				return err
			}
			sizes[i] = n
			count()
			return nil
		})
	}
	return sizes, g.Wait()
}

// DownloadMultiProcess is the article's multiprocessing.Pool with an
// initializer: P worker processes, each with its own client, take pages one
// at a time over pipes. Processes cost more to start than goroutines and
// share nothing, so here they only add overhead; they pay off for CPU-bound
// work in languages with a GIL.
func DownloadMultiProcess(ctx context.Context, urls []string, processes int, progress ProgressFunc) ([]int64, error) {
	pool, err := StartProcessPool(ctx, processes)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	tasks := make([]Task, len(urls))
	for i, url := range urls {
		tasks[i] = Task{Kind: "get", URL: url}
	}
	replies, err := pool.Map(ctx, tasks, progress)
	sizes := make([]int64, len(urls))
	for i, r := range replies {
		sizes[i] = r.Bytes
	}
	return sizes, err
}
