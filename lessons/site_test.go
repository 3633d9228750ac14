package lessons_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

func startSite(t testing.TB, opt lessons.SiteOptions) *lessons.Site {
	t.Helper()
	site, err := lessons.StartSite(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Close)
	return site
}

func get(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return string(body)
}

func TestSiteServesPagesAfterLatencyAndCounts(t *testing.T) {
	const latency = 30 * time.Millisecond
	site := startSite(t, lessons.SiteOptions{PageSize: 100, Latency: latency})
	if !strings.HasPrefix(site.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %q is not on loopback", site.URL())
	}
	urls := site.URLs(3)
	if urls[0] == urls[1] || urls[1] == urls[2] || !strings.HasPrefix(urls[2], site.URL()+"/") {
		t.Errorf("URLs are not distinct pages of the site: %q", urls)
	}

	client := lessons.NewClient(1)
	defer client.CloseIdleConnections()
	start := time.Now()
	for _, u := range urls {
		if body := get(t, client, u); len(body) != 100 {
			t.Errorf("page of %d bytes, want 100", len(body))
		}
	}
	if elapsed := time.Since(start); elapsed < 3*latency {
		t.Errorf("3 pages took %v, less than 3 latencies of %v", elapsed, latency)
	}
	if got := site.Requests(); got != 3 {
		t.Errorf("Requests() = %d, want 3", got)
	}
	if got := site.Connections(); got != 1 {
		t.Errorf("Connections() = %d, want 1 (one client reusing its connection)", got)
	}

	other := lessons.NewClient(1)
	defer other.CloseIdleConnections()
	get(t, other, urls[0])
	if got := site.Connections(); got != 2 {
		t.Errorf("Connections() = %d after a second client, want 2", got)
	}
}

func TestSiteJitterStaysWithinBounds(t *testing.T) {
	const latency, jitter = 20 * time.Millisecond, 10 * time.Millisecond
	site := startSite(t, lessons.SiteOptions{Latency: latency, Jitter: jitter})
	client := lessons.NewClient(1)
	defer client.CloseIdleConnections()
	for _, u := range site.URLs(5) {
		start := time.Now()
		get(t, client, u)
		if d := time.Since(start); d < latency-jitter {
			t.Errorf("page took %v, less than latency-jitter %v", d, latency-jitter)
		}
	}
}

func TestSiteRejectsNegativeOptions(t *testing.T) {
	for _, opt := range []lessons.SiteOptions{{PageSize: -1}, {Latency: -time.Second}, {Jitter: -1}} {
		if site, err := lessons.StartSite(opt); err == nil {
			site.Close()
			t.Errorf("StartSite(%+v) succeeded, want an error", opt)
		}
	}
}

func TestSiteCloseEndsSlowRequests(t *testing.T) {
	site, err := lessons.StartSite(lessons.SiteOptions{Latency: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	client := lessons.NewClient(1)
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, site.URLs(1)[0], nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	for site.Requests() == 0 {
		time.Sleep(time.Millisecond)
	}
	site.Close()
	if err := <-errc; err == nil {
		t.Error("request to a closed site succeeded")
	}
	if ctx.Err() != nil {
		t.Error("Close did not end the hour-long request")
	}
}
