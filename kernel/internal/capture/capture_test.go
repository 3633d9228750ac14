package capture

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gospeed/gospeed/kernel/display"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// lines counts the lines of text.
func lines(text string) map[string]int {
	n := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if l != "" {
			n[l]++
		}
	}
	return n
}

func TestConcurrentCapturesGetOnlyTheirOwnOutput(t *testing.T) {
	var r Router
	cell := &syncBuffer{}
	stdout := r.Stdout(cell)
	const goroutines, writes = 8, 200
	captured := make([]*syncBuffer, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		captured[g] = &syncBuffer{}
		wg.Add(2)
		go func() { // in a capture
			defer wg.Done()
			r.Run(&Route{Stdout: captured[g]}, func() {
				for range writes {
					fmt.Fprintf(stdout, "capture %d\n", g)
				}
			})
		}()
		go func() { // the cell's
			defer wg.Done()
			for range writes {
				fmt.Fprintln(stdout, "cell")
			}
		}()
	}
	wg.Wait()
	for g, b := range captured {
		want := map[string]int{fmt.Sprintf("capture %d", g): writes}
		if got := lines(b.String()); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("capture %d got %v, want %v", g, got, want)
		}
	}
	if got, want := lines(cell.String()), map[string]int{"cell": goroutines * writes}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the cell got %v, want %v", got, want)
	}
}

func TestRoutes(t *testing.T) {
	shows := func(into *[]string, name string) func(display.Data, bool) {
		return func(display.Data, bool) { *into = append(*into, name) }
	}
	for _, c := range []struct {
		name string
		run  func(r *Router, out, errs *bytes.Buffer, shown *[]string)
		want string // stdout, stderr, displays
	}{
		{"no capture", func(r *Router, out, errs *bytes.Buffer, shown *[]string) {
			fmt.Fprint(r.Stdout(out), "a")
			fmt.Fprint(r.Stderr(errs), "b")
			r.Show(shows(shown, "cell"))(display.Data{}, false)
		}, "a|b|[cell]"},
		{"a capture takes what it has a writer or Show for", func(r *Router, out, errs *bytes.Buffer, shown *[]string) {
			var captured bytes.Buffer
			r.Run(&Route{Stderr: &captured, Show: shows(shown, "capture")}, func() {
				fmt.Fprint(r.Stdout(out), "a")
				fmt.Fprint(r.Stderr(errs), "b")
				r.Show(shows(shown, "cell"))(display.Data{}, false)
			})
			fmt.Fprint(out, "["+captured.String()+"]")
		}, "a[b]||[capture]"},
		{"a nested capture restores the one around it", func(r *Router, out, errs *bytes.Buffer, shown *[]string) {
			var outer, inner bytes.Buffer
			w := r.Stdout(out)
			r.Run(&Route{Stdout: &outer}, func() {
				fmt.Fprint(w, "1")
				r.Run(&Route{Stdout: &inner}, func() { fmt.Fprint(w, "2") })
				fmt.Fprint(w, "3")
			})
			fmt.Fprint(w, "4("+outer.String()+","+inner.String()+")")
		}, "4(13,2)||[]"},
		{"a panic leaves no route behind", func(r *Router, out, errs *bytes.Buffer, shown *[]string) {
			func() {
				defer func() { _ = recover() }()
				r.Run(&Route{Stdout: errs}, func() { panic("boom") })
			}()
			if r.Current() != nil {
				t.Error("a route is left after the capture panicked")
			}
			fmt.Fprint(r.Stdout(out), "a")
		}, "a||[]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r Router
			var out, errs bytes.Buffer
			var shown []string
			c.run(&r, &out, &errs, &shown)
			if got := fmt.Sprintf("%s|%s|%v", out.String(), errs.String(), shown); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
