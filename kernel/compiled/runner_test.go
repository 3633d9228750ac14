package compiled

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/internal/syncbuf"
)

// harness is a Runner with its outputs recorded.
type harness struct {
	*Runner
	stdout, stderr syncbuf.Buffer
	mu             sync.Mutex
	displays       []display.Data
}

func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	h := &harness{}
	cfg.Stdout, cfg.Stderr = &h.stdout, &h.stderr
	cfg.Display = func(d display.Data, update bool) {
		h.mu.Lock()
		h.displays = append(h.displays, d)
		h.mu.Unlock()
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	h.Runner = r
	return h
}

func (h *harness) reset() {
	h.stdout = syncbuf.Buffer{}
	h.stderr = syncbuf.Buffer{}
	h.mu.Lock()
	h.displays = nil
	h.mu.Unlock()
}

// published is a whole program as a book or the Go Tour prints it.
const published = `package main

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

func main() {
	fmt.Println("limit is", limit)

	results := make(chan int)
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- square(i)
		}()
	}
	go func() { wg.Wait(); close(results) }()
	var got []int
	for r := range results {
		got = append(got, r)
	}
	slices.Sort(got)
	fmt.Println(got, Map(got, func(v int) string { return fmt.Sprint(v, "!") }))

	timeout := time.After(5 * time.Second)
	done := make(chan string)
	go func() { done <- "done" }()
	select {
	case s := <-done:
		fmt.Println(s)
	case <-timeout:
		fmt.Println("timeout")
	}

	var g errgroup.Group
	sums := make([]int, 3)
	for i := range sums {
		g.Go(func() error { sums[i] = i * limit; return nil })
	}
	if err := g.Wait(); err != nil {
		panic(err)
	}
	fmt.Println(sums)
}

func square(n int) int { return n * n }

// Map is generic, with two type parameters.
func Map[T, U any](s []T, f func(T) U) []U {
	out := make([]U, 0, len(s))
	for _, v := range s {
		out = append(out, f(v))
	}
	return out
}

var limit = 10
`

// TestPublishedProgramPrintsWhatGoRunPrints runs a whole program in a cell
// and with go run, from the same file in a module like the cell's.
func TestPublishedProgramPrintsWhatGoRunPrints(t *testing.T) {
	dir := t.TempDir()
	src, err := findSource("")
	if err != nil {
		t.Fatal(err)
	}
	if err := writeModule(dir, src); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(published), 0o644); err != nil {
		t.Fatal(err)
	}
	goBin, err := findGo()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "run", ".")
	cmd.Dir, cmd.Env = dir, goEnv()
	want, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, want)
	}

	h := newHarness(t, Config{})
	if _, _, err := h.Execute(context.Background(), "%%go run\n"+published); err != nil {
		t.Fatalf("the cell failed: %v\nstderr: %s", err, h.stderr.String())
	}
	if got := h.stdout.String(); got != string(want) {
		t.Errorf("the cell printed\n%s\ngo run printed\n%s", got, want)
	}
	if !strings.Contains(string(want), "[0 1 4 9 16] [0! 1! 4! 9! 16!]") {
		t.Errorf("go run printed an unexpected result:\n%s", want)
	}
}

const racyCounter = `%%go run -race
package main

import (
	"fmt"
	"sync"
)

func main() {
	var n int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n++ // RACY
		}()
	}
	wg.Wait()
	_ = &mu
	fmt.Println("n =", n)
}
`

func TestRaceReportNamesTheCellsLines(t *testing.T) {
	h := newHarness(t, Config{})
	_, _, err := h.Execute(context.Background(), racyCounter)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *Error\nstderr: %s", err, h.stderr.String())
	}
	ename, evalue, tb := e.JupyterError()
	if ename != "DataRace" || !strings.HasPrefix(evalue, "exit status 66") {
		t.Errorf("error %s: %s, want DataRace: exit status 66...", ename, evalue)
	}
	racy := lineOf(t, racyCounter, "// RACY")
	quoted := fmt.Sprintf("line %d | \t\t\tn++ // RACY", racy)
	if !strings.Contains(strings.Join(tb, "\n"), quoted) {
		t.Errorf("traceback does not quote %q:\n%s", quoted, strings.Join(tb, "\n"))
	}
	if !strings.Contains(h.stderr.String(), "WARNING: DATA RACE") || !strings.Contains(h.stderr.String(), fmt.Sprintf("cell.go:%d", racy)) {
		t.Errorf("stderr has no race report naming cell.go:%d:\n%s", racy, h.stderr.String())
	}
	if len(h.displays) != 1 {
		t.Fatalf("%d displays, want the race report", len(h.displays))
	}
	html, _ := h.displays[0].Data[display.MIMETypeHTML].(string)
	plain, _ := h.displays[0].Data[display.MIMETypeText].(string)
	if !strings.Contains(html, fmt.Sprintf("<mark>%3d | \t\t\tn++ // RACY</mark>", racy)) {
		t.Errorf("the HTML report does not highlight line %d:\n%s", racy, html)
	}
	if !strings.Contains(plain, "WARNING: DATA RACE") || !strings.Contains(plain, fmt.Sprintf("%d | \t\t\tn++ // RACY", racy)) {
		t.Errorf("the text report does not show line %d beside the report:\n%s", racy, plain)
	}

	// The same cell without the race passes, under -race.
	h.reset()
	fixed := strings.Replace(racyCounter, "n++ // RACY", "mu.Lock(); n++; mu.Unlock()", 1)
	if _, _, err := h.Execute(context.Background(), fixed); err != nil {
		t.Fatalf("the fixed counter failed: %v\n%s", err, h.stderr.String())
	}
	if got := h.stdout.String(); got != "n = 2\n" {
		t.Errorf("the fixed counter printed %q", got)
	}
}

func lineOf(t *testing.T, cell, marker string) int {
	t.Helper()
	for i, l := range strings.Split(cell, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("no %q in the cell", marker)
	return 0
}

const benchCell = `%%go test -bench . -benchmem -benchtime 100x
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func TestFib(t *testing.T) {
	if got := fib(10); got != 55 {
		t.Errorf("fib(10) = %d, want 55", got) // WANT
	}
}

func BenchmarkFib(b *testing.B) {
	for b.Loop() {
		_ = make([]int, fib(10))
	}
}
`

func TestTestCells(t *testing.T) {
	h := newHarness(t, Config{})
	if _, _, err := h.Execute(context.Background(), benchCell); err != nil {
		t.Fatalf("%v\nstdout: %s\nstderr: %s", err, h.stdout.String(), h.stderr.String())
	}
	out := h.stdout.String()
	for _, want := range []string{"BenchmarkFib", "ns/op", "B/op", "allocs/op", "PASS"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the output:\n%s", want, out)
		}
	}

	h.reset()
	failing := strings.Replace(benchCell, "fib(10); got != 55", "fib(10); got != 56", 1)
	_, _, err := h.Execute(context.Background(), failing)
	var e *Error
	if !errors.As(err, &e) || e.Name != "TestFailure" || !strings.HasPrefix(e.Value, "exit status 1") {
		t.Fatalf("err = %v, want a TestFailure", err)
	}
	line := lineOf(t, failing, "// WANT")
	tb := strings.Join(e.Traceback, "\n")
	for _, want := range []string{"--- FAIL: TestFib", fmt.Sprintf("cell.go:%d: fib(10) = 55, want 55", line), fmt.Sprintf("%d | \t\tt.Errorf", line)} {
		if !strings.Contains(tb, want) {
			t.Errorf("no %q in the traceback:\n%s", want, tb)
		}
	}
}

// TestBadInput: each bad cell gets a clear error, and the runner goes on.
func TestBadInput(t *testing.T) {
	h := newHarness(t, Config{})
	for _, tc := range []struct {
		name, cell string
		ename      string
		want       []string // in the error's value or traceback
	}{
		{name: "unknown flag", cell: "%%go run -fast\nfunc main() {}\n", ename: "UsageError",
			want: []string{"flag provided but not defined: -fast", "%%go run [build flags]"}},
		{name: "test flag in a run cell", cell: "%%go run -bench .\nfunc main() {}\n", ename: "UsageError",
			want: []string{"-bench"}},
		{name: "compile error", cell: "%%go run\nfunc main() {\n\tx := 1\n\tfmt.Println(y)\n}\n", ename: "CompileError",
			want: []string{"cell.go:3:2: declared and not used: x", "cell.go:4:14: undefined: y", "4 | \tfmt.Println(y)"}},
		{name: "syntax error", cell: "%%go run\nfunc main() {\n\tfmt.Println(\n}\n", ename: "CompileError",
			want: []string{"cell.go:4:1: syntax error"}},
		{name: "not package main", cell: "%%go run\npackage lib\n", ename: "CompileError",
			want: []string{"package main, not package lib"}},
		{name: "import outside the image", cell: "%%go run\nimport \"github.com/nosuch/pkg\"\nfunc main() { pkg.F() }\n", ename: "CompileError",
			want: []string{"github.com/nosuch/pkg", "can import, offline"}},
		{name: "panic", cell: "%%go run\nfunc main() {\n\tvar m map[string]int\n\tm[\"a\"] = 1\n}\n", ename: "Panic",
			want: []string{"exit status 2: panic: assignment to entry in nil map", "4 | \tm[\"a\"] = 1"}},
		{name: "exit status", cell: "%%go run\nfunc main() { os.Exit(3) }\n", ename: "ExitError",
			want: []string{"exit status 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.reset()
			_, _, err := h.Execute(context.Background(), tc.cell)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if e.Name != tc.ename {
				t.Errorf("ename %q, want %q (%v)", e.Name, tc.ename, e)
			}
			text := e.Value + "\n" + strings.Join(e.Traceback, "\n")
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("no %q in\n%s", w, text)
				}
			}
		})
	}
}

// TestCellsThatRun: what yaegi cannot run, and what a program gets from
// the runner (no stdin, its arguments), with imports left out.
func TestCellsThatRun(t *testing.T) {
	h := newHarness(t, Config{})
	for _, tc := range []struct{ name, cell, stdout string }{
		{"stdin is empty", "%%go run\nfunc main() {\n\tb, err := io.ReadAll(os.Stdin)\n\tfmt.Println(len(b), err)\n}\n",
			"0 <nil>\n"},
		{"arguments", "%%go run -- a 'b c'\nfunc main() { fmt.Println(os.Args[1:], len(os.Args)) }\n",
			"[a b c] 3\n"},
		{"lessons, errgroup and semaphore without imports", "%%go run\nfunc main() {\n" +
			"\tvar g errgroup.Group\n\tsem := semaphore.NewWeighted(2)\n\tfibs := make([]int, 4)\n" +
			"\tfor i := range fibs {\n\t\tg.Go(func() error {\n\t\t\tif err := sem.Acquire(context.Background(), 1); err != nil {\n\t\t\t\treturn err\n\t\t\t}\n" +
			"\t\t\tdefer sem.Release(1)\n\t\t\tfibs[i] = lessons.Fib(i + 10)\n\t\t\treturn nil\n\t\t})\n\t}\n" +
			"\tfmt.Println(g.Wait(), fibs)\n}\n",
			"<nil> [55 89 144 233]\n"},
		{"iterators, generic std functions, sync.OnceValue", "%%go run\n" +
			"func Map[T, U any](s []T, f func(T) U) []U {\n\tvar out []U\n\tfor _, v := range s {\n\t\tout = append(out, f(v))\n\t}\n\treturn out\n}\n\n" +
			"func count(n int) iter.Seq[int] {\n\treturn func(yield func(int) bool) {\n\t\tfor i := range n {\n\t\t\tif !yield(i) {\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t}\n}\n\n" +
			"var once = sync.OnceValue(func() int { return 42 })\n\n" +
			"func main() {\n\tkeys := slices.Sorted(maps.Keys(map[string]int{\"b\": 1, \"a\": 2}))\n" +
			"\tfmt.Println(keys, Map([]int{1, 2}, strconv.Itoa), slices.Collect(count(3)), once())\n}\n",
			"[a b] [1 2] [0 1 2] 42\n"},
		{"a test cell with a package clause and an example", "%%go test -v -run Example\npackage cell\n\n" +
			"func Example() {\n\tfmt.Println(\"hi\")\n\t// Output: hi\n}\n",
			"=== RUN   Example\n--- PASS: Example (0.00s)\nPASS\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.reset()
			if _, _, err := h.Execute(context.Background(), tc.cell); err != nil {
				t.Fatalf("%v\n%s", err, h.stderr.String())
			}
			if got := h.stdout.String(); got != tc.stdout {
				t.Errorf("stdout %q, want %q", got, tc.stdout)
			}
		})
	}
}

// TestInterruptAtAnyTime cancels a cell before it starts, while the go
// command builds it (a new cell compiles for longer than 50 ms) and
// while it runs: each is an interrupt, and the next cell runs.
func TestInterruptAtAnyTime(t *testing.T) {
	h := newHarness(t, Config{})
	for i, delay := range []time.Duration{0, 50 * time.Millisecond, 2 * time.Second} {
		ctx, cancel := context.WithCancel(context.Background())
		if delay == 0 {
			cancel()
		} else {
			time.AfterFunc(delay, cancel)
		}
		_, _, err := h.Execute(ctx, fmt.Sprintf("%%%%go run\nfunc main() {\n\tfmt.Println(%d)\n\tfor {\n\t}\n}\n", i))
		cancel()
		var e *Error
		if !errors.As(err, &e) || e.Name != "KeyboardInterrupt" {
			t.Fatalf("cancelled after %v: err = %v, want KeyboardInterrupt", delay, err)
		}
	}
	h.reset()
	if _, _, err := h.Execute(context.Background(), "%%go run\nfunc main() { fmt.Println(\"next\") }\n"); err != nil || h.stdout.String() != "next\n" {
		t.Fatalf("the next cell: %v, %q", err, h.stdout.String())
	}
}

func TestFindSource(t *testing.T) {
	if _, err := findSource(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no go.mod of module github.com/gospeed/gospeed") {
		t.Errorf("a directory without gospeed's go.mod: err = %v", err)
	}
	t.Setenv("GOSPEED_SRC", "")
	dir, err := findSource("")
	if err != nil {
		t.Fatal(err)
	}
	if !isGospeed(dir) {
		t.Errorf("found %s, which is not gospeed's source", dir)
	}
	t.Setenv("GOSPEED_SRC", t.TempDir())
	if _, err := findSource(""); err == nil {
		t.Error("a wrong $GOSPEED_SRC was ignored")
	}
}

func TestDisplayFromAProgram(t *testing.T) {
	h := newHarness(t, Config{})
	cell := "%%go run\nfunc main() {\n\tfmt.Println(\"before\")\n\tdisplay.Display(display.HTML(\"<b>hi</b>\"))\n\tdisplay.Display(display.PNG([]byte{1, 2}))\n}\n"
	if _, _, err := h.Execute(context.Background(), cell); err != nil {
		t.Fatalf("%v\n%s", err, h.stderr.String())
	}
	if len(h.displays) != 2 {
		t.Fatalf("%d displays, want 2; stdout %q", len(h.displays), h.stdout.String())
	}
	if got := h.displays[0].Data[display.MIMETypeHTML]; got != "<b>hi</b>" {
		t.Errorf("HTML display %v", h.displays[0].Data)
	}
	// JSON carries bytes as base64, which is what Jupyter wants for images.
	if got := h.displays[1].Data[display.MIMETypePNG]; got != "AQI=" {
		t.Errorf("PNG display %v", h.displays[1].Data)
	}
}

// TestInterruptStopsEveryProcess interrupts a program that never ends and
// has a child that never ends, and checks that both are gone.
func TestInterruptStopsEveryProcess(t *testing.T) {
	h := newHarness(t, Config{})
	cell := "%%go run\nfunc main() {\n\tc := exec.Command(\"sleep\", \"1000\")\n\tif err := c.Start(); err != nil {\n\t\tpanic(err)\n\t}\n" +
		"\tfmt.Println(os.Getpid(), c.Process.Pid)\n\tfor {\n\t}\n}\n"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { _, _, err := h.Execute(ctx, cell); done <- err }()
	pids := waitForPids(t, &h.stdout, done)
	cancel()
	err := <-done
	var e *Error
	if !errors.As(err, &e) || e.Name != "KeyboardInterrupt" {
		t.Fatalf("err = %v, want KeyboardInterrupt", err)
	}
	for _, pid := range pids {
		waitGone(t, pid)
	}
}

// TestForkedChildrenAreCleanedUp: a program that exits and leaves a child
// running has the child stopped with it.
func TestForkedChildrenAreCleanedUp(t *testing.T) {
	h := newHarness(t, Config{})
	cell := "%%go run\nfunc main() {\n\tc := exec.Command(\"sleep\", \"1000\")\n\tif err := c.Start(); err != nil {\n\t\tpanic(err)\n\t}\n\tfmt.Println(c.Process.Pid)\n}\n"
	if _, _, err := h.Execute(context.Background(), cell); err != nil {
		t.Fatalf("%v\n%s", err, h.stderr.String())
	}
	pid, err := strconv.Atoi(strings.TrimSpace(h.stdout.String()))
	if err != nil {
		t.Fatalf("stdout %q: %v", h.stdout.String(), err)
	}
	waitGone(t, pid)
}

func waitForPids(t *testing.T, out *syncbuf.Buffer, done <-chan error) []int {
	t.Helper()
	for {
		select {
		case err := <-done:
			t.Fatalf("the cell ended: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if s := out.String(); strings.HasSuffix(s, "\n") {
			var pids []int
			for _, f := range strings.Fields(s) {
				pid, err := strconv.Atoi(f)
				if err != nil {
					t.Fatalf("stdout %q: %v", s, err)
				}
				pids = append(pids, pid)
			}
			return pids
		}
	}
}

// waitGone waits until pid is no process, or a zombie no one reaped yet
// (killed, but its new parent, not this test, reaps it).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || zombie(stat) {
			return
		}
		if syscall.Kill(pid, 0) != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs: %s", pid, stat)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func zombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

// TestFloodIsCapped: a program that prints 50 MB ends, the notebook gets
// about a second's worth of it, and a note says what was dropped.
func TestFloodIsCapped(t *testing.T) {
	h := newHarness(t, Config{OutputRate: 64 << 10})
	cell := "%%go run\nfunc main() {\n\tline := strings.Repeat(\"x\", 1023) + \"\\n\"\n\tw := bufio.NewWriter(os.Stdout)\n\tfor range 50 << 10 {\n\t\tw.WriteString(line)\n\t}\n\tw.Flush()\n}\n"
	start := time.Now()
	if _, _, err := h.Execute(context.Background(), cell); err != nil {
		t.Fatalf("%v\n%s", err, h.stderr.String())
	}
	seconds := int(time.Since(start)/time.Second) + 1
	got := len(h.stdout.String())
	if got == 0 || got > seconds*(64<<10) {
		t.Errorf("%d bytes passed in %d s at 64 KB/s", got, seconds)
	}
	if !strings.Contains(h.stderr.String(), "MB of output dropped") {
		t.Errorf("no note of what was dropped: %q", h.stderr.String())
	}
}
