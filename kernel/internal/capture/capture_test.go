package capture

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/gospeed/gospeed/kernel/display"
)

// lines is what a writer was given, a write at a time.
type lines chan string

func (l lines) Write(p []byte) (int, error) {
	l <- string(p)
	return len(p), nil
}

// count closes l and counts its writes by text.
func (l lines) count() map[string]int {
	close(l)
	n := map[string]int{}
	for text := range l {
		n[text]++
	}
	return n
}

func TestConcurrentCapturesGetOnlyTheirOwnOutput(t *testing.T) {
	var r Router
	const goroutines, writes = 8, 200
	const all = 2 * goroutines * writes // room for every write: a wrong route fails, not blocks
	cell := make(lines, all)
	stdout := r.Stdout(cell)
	captured := make([]lines, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		captured[g] = make(lines, all)
		wg.Add(2)
		go func() { // in a capture
			defer wg.Done()
			r.Run(&Route{Stdout: captured[g]}, func() {
				for range writes {
					fmt.Fprintf(stdout, "capture %d", g)
				}
			})
		}()
		go func() { // the cell's
			defer wg.Done()
			for range writes {
				fmt.Fprint(stdout, "cell")
			}
		}()
	}
	wg.Wait()
	for g, c := range captured {
		want := map[string]int{fmt.Sprintf("capture %d", g): writes}
		if got := c.count(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("capture %d got %v, want %v", g, got, want)
		}
	}
	if got, want := cell.count(), map[string]int{"cell": goroutines * writes}; fmt.Sprint(got) != fmt.Sprint(want) {
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
