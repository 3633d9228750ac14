package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/docs"
	"github.com/gospeed/gospeed/lessons"
)

// outputs collects what a session sends to its Config.
type outputs struct {
	mu             sync.Mutex
	stdout, stderr bytes.Buffer
	displays       []display.Data
	updates        []bool
	clears         []bool
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (o *outputs) Stdout() string { o.mu.Lock(); defer o.mu.Unlock(); return o.stdout.String() }
func (o *outputs) Stderr() string { o.mu.Lock(); defer o.mu.Unlock(); return o.stderr.String() }

// config is a Config whose outputs go to o.
func (o *outputs) config() Config {
	return Config{
		Stdout: lockedWriter{&o.mu, &o.stdout},
		Stderr: lockedWriter{&o.mu, &o.stderr},
		Display: func(d display.Data, update bool) {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.displays = append(o.displays, d)
			o.updates = append(o.updates, update)
		},
		Clear: func(wait bool) {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.clears = append(o.clears, wait)
		},
	}
}

// start starts a session with cfg, closed when the test ends.
func start(t *testing.T, cfg Config) *Session {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newSession(t *testing.T) (*Session, *outputs) {
	t.Helper()
	o := &outputs{}
	cfg := o.config()
	cfg.Doc = docs.Chain(docs.Declarations("github.com/gospeed/gospeed/lessons", lessons.Source), docs.Standard())
	return start(t, cfg), o
}

func execute(t *testing.T, s *Session, code string) (display.Data, bool, error) {
	t.Helper()
	// A deadline against a hung cell, not a speed target: a stack overflow
	// takes 3 s on a quiet machine and over 20 s on a busy one.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	return s.Execute(ctx, code)
}

// value runs code and returns its text/plain result, failing on any error.
func value(t *testing.T, s *Session, code string) string {
	t.Helper()
	d, ok, err := execute(t, s, code)
	if err != nil {
		t.Fatalf("cell %q: %v", code, err)
	}
	if !ok {
		return ""
	}
	text, _ := d.Data[display.MIMETypeText].(string)
	return text
}

// cellError runs code that must fail and returns its *Error.
func cellError(t *testing.T, s *Session, code string) *Error {
	t.Helper()
	_, _, err := execute(t, s, code)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("cell %q: want *Error, got %v", code, err)
	}
	return e
}

func TestMixedCell(t *testing.T) {
	s, o := newSession(t)
	got := value(t, s, `import "fmt"
func double(x int) int { return 2 * x }
x := double(21)
var y = x + 1
fmt.Println("x is", x)
type P struct{ N int }
import "strings"
P{y + len(strings.Repeat("a", 2))}`)
	if got != "{N:45}" {
		t.Errorf("result = %q, want {N:45}", got)
	}
	if o.Stdout() != "x is 42\n" {
		t.Errorf("stdout = %q", o.Stdout())
	}
}

func TestPanicTraceback(t *testing.T) {
	s, _ := newSession(t)
	value(t, s, "func inner() { panic(\"deep\") }")
	value(t, s, "func outer() { inner() }")
	e := cellError(t, s, "x := 1\nouter()")
	tb := strings.Join(e.Traceback, "\n")
	if e.Name != "panic" || e.Value != "deep" || !strings.Contains(tb, "in inner") || !strings.Contains(tb, "in outer") {
		t.Errorf("error %s: %s, traceback:\n%s", e.Name, e.Value, tb)
	}
	e = cellError(t, s, "for i := range 3 {\n\tif i == 2 { outer() }\n}")
	if tb := strings.Join(e.Traceback, "\n"); !strings.HasSuffix(tb, "in inner, line 1\n  in outer, line 1\n  in cell") {
		t.Errorf("traceback through a top-level loop:\n%s", tb)
	}
	if e := cellError(t, s, "\n\nundefinedName"); !strings.Contains(e.Value, "line 3") {
		t.Errorf("compile error without the cell's line: %s", e.Value)
	}
}

func TestStackOverflowIsAnError(t *testing.T) {
	skipUnderRace(t)
	s, _ := newSession(t)
	value(t, s, "func down(n int) int { return down(n+1) + 1 }")
	if e := cellError(t, s, "down(0)"); e.Name != "StackOverflow" {
		t.Errorf("error = %v", e)
	}
	if got := value(t, s, "1 + 1"); got != "2" {
		t.Errorf("after the overflow: %s", got)
	}
}

func TestYaegiQuirksHidden(t *testing.T) {
	s, _ := newSession(t)
	// A declaration then statements, and a statement then a func.
	if got := value(t, s, "var a = 1\nb := a + 1\nb"); got != "2" {
		t.Errorf("decl then statements = %q", got)
	}
	if got := value(t, s, "c := 5\nfunc f() int { return c * 2 }\nf()"); got != "10" {
		t.Errorf("statement then func = %q", got)
	}
	// A function literal called at top level runs once, not again in later cells.
	value(t, s, "calls := 0\nfunc() { calls++ }()")
	value(t, s, "1")
	if got := value(t, s, "calls"); got != "1" {
		t.Errorf("calls = %s, want 1", got)
	}
}

func TestMultipleDefinesInTopLevelBlocks(t *testing.T) {
	s, o := newSession(t)
	value(t, s, `import "fmt"
func pair(i int) (int, string) { return i, fmt.Sprint("v", i) }
total, names := 0, ""`)
	value(t, s, `for i := 0; i < 3; i++ {
	n, name := pair(i)
	total += n
	names += name
	if n == 1 { continue }
}
if n, name := pair(10); n > 5 {
	a, b := pair(n)
	names += name + b
	total += a
}
{
	a, b := pair(100)
	total += a
	names += b
}
switch n, _ := pair(1); n {
case 1:
	a, b := pair(1000)
	total += a
	names += b
}
L:
for _, x := range []int{1, 2, 3} {
	for {
		if x == 2 { break L }
		break
	}
	fmt.Print(x)
}`)
	if got := value(t, s, "total"); got != "1113" {
		t.Errorf("total = %s, want 1113: the blocks must update the cell's variable", got)
	}
	if got := value(t, s, "names"); got != `"v0v1v2v10v10v100v1000"` {
		t.Errorf("names = %s", got)
	}
	if got := o.Stdout(); got != "1" {
		t.Errorf("labelled break printed %q, want 1", got)
	}
}

func TestTopLevelDefineOfCompiledElement(t *testing.T) {
	s, _ := newSession(t)
	value(t, s, `import "github.com/gospeed/gospeed/lessons"`)
	got := value(t, s, `site, _ := lessons.StartSite(lessons.SiteOptions{})
defer site.Close()
urls := site.URLs(2)
u := urls[1]
u`)
	if !strings.HasSuffix(got, `/page/1"`) {
		t.Errorf("u := urls[1] gave %s", got)
	}
	// The variables are the cell's, with their types, for later cells.
	if got := value(t, s, "u += `?x`\nlen(urls) + len(u) - len(urls[1])"); got != "4" {
		t.Errorf("later use: %s", got)
	}
	if got := value(t, s, `var err error
rs := lessons.Results{{Version: "a"}, {Version: "b"}}
r, n := rs[1], len(rs)
var first = rs[0]
r.Version + first.Version + string(rune('0'+n))`); got != `"ba2"` {
		t.Errorf("lessons.Results elements: %s", got)
	}
	// yaegi fails differently on these: "nil type", and a panic of its compiler.
	if got := value(t, s, `import "net/url"
h := url.Values{"q": {"1"}}
vs, ok := h["q"]
q := h["q"][0]
fmt.Sprint(vs, " ", ok, " ", q)`); got != `"[1] true 1"` {
		t.Errorf("comma-ok and index of a compiled map: %s", got)
	}
}

func TestDeclarationsInAnyOrder(t *testing.T) {
	s, _ := newSession(t)
	if got := value(t, s, `func a() int { return b() + c }
func b() int { return 2 }
x := a()
const c = 40
x`); got != "42" {
		t.Errorf("func calling a later func = %s", got)
	}
	// A statement may call a func declared below it, and a func may use a
	// variable a statement above it declared.
	if got := value(t, s, `y0 := 3
n := twice(y())
func y() int { return y0 }
func twice(v int) int { return 2 * v }
type Pair struct{ A, B Item }
type Item int
n + int(Pair{1, 2}.B)`); got != "8" {
		t.Errorf("mixed order = %s", got)
	}
	// Methods of two types may share a name.
	if got := value(t, s, `func (p P1) Name() string { return "p1" + q().Name() }
type P1 struct{}
func q() P2 { return P2{} }
type P2 struct{}
func (p P2) Name() string { return "p2" }
P1{}.Name()`); got != `"p1p2"` {
		t.Errorf("methods = %s", got)
	}
}

func TestMissingImports(t *testing.T) {
	s, _ := newSession(t)
	if got := value(t, s, `var mu sync.Mutex
mu.Lock()
mu.Unlock()
strings.ToUpper("x")`); got != `"X"` {
		t.Errorf("standard library packages used without import: %s", got)
	}
	// A name the cell or session declares is not taken for a package.
	value(t, s, "type bytes struct{ Len int }")
	if got := value(t, s, "path := struct{ Base string }{`b`}\nb := bytes{Len: 3}\npath.Base + fmt.Sprint(b.Len)"); got != `"b3"` {
		t.Errorf("declared names shadowing packages: %s", got)
	}
	if e := cellError(t, s, "rand.Intn(3)"); !strings.Contains(e.Value, `"math/rand"`) {
		t.Errorf("ambiguous package: %v", e)
	}
}

func TestPastedProgramRunsMain(t *testing.T) {
	s, o := newSession(t)
	value(t, s, "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello, program\")\n}\n")
	value(t, s, "1")
	if o.Stdout() != "hello, program\n" {
		t.Errorf("stdout = %q, want main to run once", o.Stdout())
	}
}

func TestSyntaxErrorRunsNothing(t *testing.T) {
	s, _ := newSession(t)
	if e := cellError(t, s, "ran := 1\nw := 2 +* \n"); e.Name != "SyntaxError" {
		t.Fatalf("error = %v", e)
	}
	if e := cellError(t, s, "ran"); !strings.Contains(e.Value, "undefined: ran") {
		t.Errorf("the statement before the syntax error ran: %v", e)
	}
}

func TestCellShapes(t *testing.T) {
	s, o := newSession(t)
	for code, want := range map[string]string{
		"x := 1 // trailing comment\nx":      "1",
		"/* block */ y := 2; y":              "2",
		"type (\n A int\n B string\n)\nA(3)": "3",
		"const (\n c1 = iota\n c2\n)\nc2":    "1",
		"var (\n v1 = 1\n v2 = \"s\"\n)\nv2": `"s"`,
		"func() int { return 7 }()":          "7",
		"p := &struct{ N int }{5}\np.N":      "5",
		"func fact(n int) int {\n if n <= 1 { return 1 }\n return n * fact(n-1)\n}\nfact(10)":                                                                  "3628800",
		"type Stack[T any] struct{ items []T }\nfunc (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }\nst := &Stack[int]{}\nst.Push(1)\nlen(st.items)": "1",
		"// only a comment": "",
	} {
		if got := value(t, s, code); got != want {
			t.Errorf("%q = %q, want %q", code, got, want)
		}
	}
	value(t, s, "import \"fmt\"\nL:\nfor i := 0; i < 3; i++ {\n\tfor j := range 3 {\n\t\tif j == 1 { continue L }\n\t\tfmt.Print(i, j, \" \")\n\t}\n}")
	if o.Stdout() != "0 0 1 0 2 0 " {
		t.Errorf("labelled loops: %q", o.Stdout())
	}
}

func TestRerunCell(t *testing.T) {
	s, _ := newSession(t)
	cell := `import "fmt"
import "strings"
type Pair struct{ A, B int }
func sum(p Pair) int { return p.A + p.B }
var total = sum(Pair{1, 2})
n := strings.Count("banana", "a")
fmt.Sprint(total + n)`
	for i := 0; i < 3; i++ {
		if got := value(t, s, cell); got != `"6"` {
			t.Fatalf("run %d: %q", i, got)
		}
	}
}

func TestRedeclaredFuncsVarsAndTypes(t *testing.T) {
	s, _ := newSession(t)
	value(t, s, "func f() int { return 1 }")
	value(t, s, "func f() string { return \"two\" }")
	if got := value(t, s, "f()"); got != `"two"` {
		t.Errorf("redeclared func = %s", got)
	}
	value(t, s, "x := 1")
	value(t, s, `x := "now a string"`)
	if got := value(t, s, "x"); got != `"now a string"` {
		t.Errorf("redeclared var = %s", got)
	}
	value(t, s, "type T struct{ A int }")
	value(t, s, "old := T{A: 1}")
	value(t, s, "type T struct{ B string }")
	if got := value(t, s, `T{B: "new"}`); got != "{B:new}" {
		t.Errorf("redefined type = %s", got)
	}
	if got := value(t, s, "old"); got != "{A:1}" {
		t.Errorf("a value of the old type = %s", got)
	}
	value(t, s, `func (t T) String() string { return "T(" + t.B + ")" }`)
	if got := value(t, s, `T{B: "x"}`); got != "T(x)" {
		t.Errorf("method on the redefined type = %s", got)
	}
	// Re-running an unchanged definition keeps the type (and its methods).
	value(t, s, "type T struct{ B string }")
	if got := value(t, s, `T{B: "y"}`); got != "T(y)" {
		t.Errorf("after re-running the same definition = %s", got)
	}
}

func TestGo121Builtins(t *testing.T) {
	s, _ := newSession(t)
	for code, want := range map[string]string{
		"min(3, 1, 2)":                                    "1",
		`max("a", "c", "b")`:                              `"c"`,
		"a, b := 4, 9\nmax(a, b)":                         "9",
		"xs := []int{1, 2}\nclear(xs)\nxs":                "[0 0]",
		"m := map[string]int{\"a\": 1}\nclear(m)\nlen(m)": "0",
	} {
		if got := value(t, s, code); got != want {
			t.Errorf("%q = %s, want %s", code, got, want)
		}
	}
}

func TestTopLevelDefer(t *testing.T) {
	s, o := newSession(t)
	value(t, s, `import "fmt"
i := 1
defer fmt.Println("deferred", i)
defer func() { fmt.Println("closure sees", i) }()
i = 2
fmt.Println("body")`)
	if got, want := o.Stdout(), "body\nclosure sees 2\ndeferred 1\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	value(t, s, `fmt.Println("next")`)
	if got, want := o.Stdout(), "body\nclosure sees 2\ndeferred 1\nnext\n"; got != want {
		t.Errorf("a later cell ran the defers again: %q", got)
	}
	value(t, s, "for i := range 3 { defer fmt.Print(i) }")
	if got, want := o.Stdout(), "body\nclosure sees 2\ndeferred 1\nnext\n210"; got != want {
		t.Errorf("defers in a loop: %q, want each iteration's value", got)
	}
}

func TestRangeOverInt(t *testing.T) {
	s, _ := newSession(t)
	if got := value(t, s, "s := 0\nfor i := range 5 { s += i }\ns"); got != "10" {
		t.Errorf("range 5: %s", got)
	}
	if got := value(t, s, "n := 4\nc := 0\nfor range n { c++ }\nc"); got != "4" {
		t.Errorf("range n: %s", got)
	}
	value(t, s, "limit := 3")
	if got := value(t, s, "var xs []int\nfor i := range limit * 2 { i += 10; xs = append(xs, i) }\nxs"); got != "[10 11 12 13 14 15]" {
		t.Errorf("range over an expression with the body changing i: %s", got)
	}
	// Ranging over a slice is left alone.
	if got := value(t, s, "t := 0\nfor i := range []int{7, 8} { t += i }\nt"); got != "1" {
		t.Errorf("range over a slice: %s", got)
	}
}

func TestLoopVariablesPerIteration(t *testing.T) {
	s, o := newSession(t)
	value(t, s, `import "fmt"
var fs []func()
for i := 0; i < 3; i++ { fs = append(fs, func() { fmt.Print(i) }) }
for _, v := range []string{"a", "b"} { fs = append(fs, func() { fmt.Print(v) }) }
for i := range 2 { fs = append(fs, func() { fmt.Print(i) }) }
func inner() {
	for i := 0; i < 2; i++ { fs = append(fs, func() { fmt.Print(i) }) }
}
inner()
for _, f := range fs { f() }`)
	if got := o.Stdout(); got != "012ab0101" {
		t.Errorf("closures printed %q, want 012ab0101 (Go 1.22 loop variables)", got)
	}
}

func TestOsExitIsAnError(t *testing.T) {
	s, _ := newSession(t)
	value(t, s, "kept := 3")
	e := cellError(t, s, "import \"os\"\nos.Exit(3)")
	if e.Name != "Exit" || !strings.Contains(e.Value, "os.Exit(3)") {
		t.Errorf("error = %+v", e)
	}
	if got := value(t, s, "kept"); got != "3" {
		t.Errorf("after os.Exit: %s", got)
	}
}

func TestErrorsAreValuesNeverCrashes(t *testing.T) {
	s, _ := newSession(t)
	value(t, s, "kept := 1")
	for _, c := range []struct{ code, name, has string }{
		{"x := )", "SyntaxError", "expected"},
		{"undefinedThing + 1", "CompileError", "undefined"},
		{`panic("oops")`, "panic", "oops"},
		{"var m map[string]int\nm[\"a\"] = 1", "panic", "nil map"},
		{"a := []int{}\na[3]", "panic", "index out of range"},
		{"z := 0\n1 / z", "panic", "divide by zero"},
		{"ch := make(chan int)\nclose(ch)\nclose(ch)", "panic", "close of closed channel"},
		{"import \"no/such/pkg\"", "CompileError", "no/such/pkg"},
		{"import \"log\"\nlog.Fatal(\"fatal end\")", "panic", "fatal end"},
		{"x := rand.Intn(3)", "CompileError", `import one of "crypto/rand", "math/rand"`},
		{"x := 1\nif x > 0 { return }", "CompileError", "line 2: return outside a function"},
		{"y := undefinedThing.Foo()", "CompileError", "undefined: undefinedThing"},
		{"import \"sync\"\nf := sync.OnceValue(func() int { return 1 })", "CompileError", "without its generic functions"},
		{"func seq(yield func(int) bool) { yield(1) }\nfor x := range seq { _ = x }", "CompileError", "three-clause for loop"},
		{"func pair[A, B any](a A, b B) B { return b }\npair(1, \"s\")", "", ""},
	} {
		_, _, err := execute(t, s, c.code)
		if err == nil {
			if c.name != "" {
				t.Errorf("cell %q: no error, want %s", c.code, c.name)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("cell %q: error %v is not an *Error", c.code, err)
			continue
		}
		if c.name != "" && (e.Name != c.name || !strings.Contains(e.Value, c.has)) {
			t.Errorf("cell %q: got %s: %s, want %s containing %q", c.code, e.Name, e.Value, c.name, c.has)
		}
		if len(e.Traceback) == 0 {
			t.Errorf("cell %q: empty traceback", c.code)
		}
	}
	if got := value(t, s, "kept"); got != "1" {
		t.Errorf("session lost its state: %s", got)
	}
}

func TestInterruptEndlessLoop(t *testing.T) {
	skipUnderRace(t)
	s, _ := newSession(t)
	value(t, s, "x := 7")
	for _, code := range []string{"for {}", "n := 0\nfor { n++ }", "import \"time\"\ntime.Sleep(time.Hour)", "select {}"} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, _, err := s.Execute(ctx, code)
			done <- err
		}()
		time.Sleep(200 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			var e *Error
			if !errors.As(err, &e) || e.Name != "KeyboardInterrupt" {
				t.Errorf("%q: error = %v, want KeyboardInterrupt", code, err)
			}
		case <-time.After(time.Second):
			t.Fatalf("%q: Execute did not return within a second of the interrupt", code)
		}
		if got := value(t, s, "x"); got != "7" {
			t.Errorf("after interrupting %q: x = %s", code, got)
		}
	}
}

func TestInterruptStopsLessonsThroughContext(t *testing.T) {
	skipUnderRace(t)
	s, _ := newSession(t)
	value(t, s, `import "github.com/gospeed/gospeed/lessons"`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := s.Execute(ctx, `r, err := lessons.RunCPU(display.Context(), lessons.CPUOptions{Version: "sequential", N: 32, Tasks: 200})`)
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("the interrupted cell did not return within a second")
	}
	// The next cell waits for the compiled call to see the cancelled context.
	if got := value(t, s, "err != nil"); got != "true" {
		t.Errorf("lessons.RunCPU was not cancelled: err != nil is %s", got)
	}
}

func TestDisplay(t *testing.T) {
	s, o := newSession(t)
	value(t, s, `Display(display.HTML("<b>now</b>"))`)
	if len(o.displays) != 1 || o.displays[0].Data[display.MIMETypeHTML] != "<b>now</b>" || o.updates[0] {
		t.Fatalf("displays = %+v", o.displays)
	}
	d, ok, err := execute(t, s, `display.Markdown("*last*")`)
	if err != nil || !ok || d.Data[display.MIMETypeMarkdown] != "*last*" {
		t.Errorf("markdown result = %+v %v %v", d, ok, err)
	}
	// Values of types declared in a cell render through their methods.
	d, _, _ = execute(t, s, `type Chart struct{ N int }
func (c Chart) SVG() string { return "<svg>chart</svg>" }
func (c Chart) String() string { return "a chart" }
Chart{3}`)
	if d.Data[display.MIMETypeSVG] != "<svg>chart</svg>" || d.Data[display.MIMETypeText] != "a chart" {
		t.Errorf("interpreted SVGer = %+v", d.Data)
	}
}

func TestClearOutput(t *testing.T) {
	s, o := newSession(t)
	value(t, s, "display.Clear(true)\ndisplay.Clear(false)")
	if len(o.clears) != 2 || !o.clears[0] || o.clears[1] || len(o.displays) != 0 {
		t.Errorf("clears %v, displays %+v", o.clears, o.displays)
	}
}

func TestProgress(t *testing.T) {
	s, o := newSession(t)
	value(t, s, `p := display.Progress("steps")
for i := range 1000 { p(i+1, 1000) }`)
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.displays) < 2 || len(o.displays) > 50 {
		t.Fatalf("%d displays for 1000 fast updates: want the first, a few throttled, and the final one", len(o.displays))
	}
	id := o.displays[0].Transient["display_id"]
	if id == nil || o.updates[0] {
		t.Errorf("first display: %+v update=%v", o.displays[0], o.updates[0])
	}
	last := o.displays[len(o.displays)-1]
	if !o.updates[len(o.updates)-1] || last.Transient["display_id"] != id || !strings.Contains(last.Data[display.MIMETypeText].(string), "1000/1000") {
		t.Errorf("final update: %+v", last)
	}
}

func TestLessonsFromCell(t *testing.T) {
	s, o := newSession(t)
	d, ok, err := execute(t, s, `import "github.com/gospeed/gospeed/lessons"
r, err := lessons.RunCPU(display.Context(), lessons.CPUOptions{Version: "pooled", Workers: 2, N: 20, Tasks: 4})
if err != nil { panic(err) }
r`)
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	if !strings.Contains(d.Data[display.MIMETypeText].(string), "pooled") || d.Data[display.MIMETypeHTML] == nil || d.Data[display.MIMETypeSVG] == nil {
		t.Errorf("result bundle: %v", d.Data)
	}
	o.mu.Lock()
	o.displays = nil
	o.mu.Unlock()
	value(t, s, `r, err = lessons.RunCPU(display.Context(), lessons.CPUOptions{Version: "sequential", N: 15, Tasks: 5, Progress: display.Progress("fib")})`)
	o.mu.Lock()
	n := len(o.displays)
	var last string
	if n > 0 {
		last, _ = o.displays[n-1].Data[display.MIMETypeText].(string)
	}
	o.mu.Unlock()
	if n == 0 || !strings.Contains(last, "fib: 5/5") {
		t.Errorf("lessons progress: %d displays, last %q", n, last)
	}
	if got := value(t, s, "lessons.Fib(20)"); got != "6765" {
		t.Errorf("Fib(20) = %s", got)
	}
}

func TestComplete(t *testing.T) {
	s, _ := newSession(t)
	value(t, s, "import \"github.com/gospeed/gospeed/lessons\"\nimport \"fmt\"\nmyCounter := 1")
	code := "héllo := lessons.Ru"
	m, start, end := s.Complete(code, len([]rune(code)))
	if !contains(m, "RunIO") || !contains(m, "RunCPU") || !contains(m, "RunRace") || contains(m, "Fib") {
		t.Errorf("lessons.Ru -> %v", m)
	}
	if start != len([]rune("héllo := lessons.")) || end != len([]rune(code)) {
		t.Errorf("start, end = %d, %d (code points)", start, end)
	}
	m, _, _ = s.Complete("fmt.Printl", 10)
	if !contains(m, "Println") {
		t.Errorf("fmt.Printl -> %v", m)
	}
	m, start, _ = s.Complete("x := myC", 8)
	if !contains(m, "myCounter") || start != 5 {
		t.Errorf("myC -> %v at %d", m, start)
	}
	value(t, s, "func myHelper() {}\ntype myType struct{}")
	m, _, _ = s.Complete("my", 2)
	if !contains(m, "myHelper") || !contains(m, "myType") || !contains(m, "myCounter") {
		t.Errorf("my -> %v", m)
	}
	m, _, _ = s.Complete("for", 3)
	if !contains(m, "for") {
		t.Errorf("keywords: %v", m)
	}
}

func TestInspect(t *testing.T) {
	s, _ := newSession(t)
	value(t, s, `import "github.com/gospeed/gospeed/lessons"`)
	d, ok := s.Inspect("lessons.Fib(27)", len("lessons.F"))
	text, _ := d.Data[display.MIMETypeText].(string)
	if !ok || !strings.Contains(text, "func Fib(n int) int") {
		t.Errorf("inspect lessons.Fib: %v %q", ok, text)
	}
	value(t, s, "answer := 42")
	d, ok = s.Inspect("answer + 1", 3)
	if text, _ := d.Data[display.MIMETypeText].(string); !ok || text != "answer int = 42" {
		t.Errorf("inspect a variable: %v %q", ok, text)
	}
	value(t, s, "const limit = 7")
	d, ok = s.Inspect("limit", 2)
	if text, _ := d.Data[display.MIMETypeText].(string); !ok || text != "const limit = 7" {
		t.Errorf("inspect a constant: %v %q", ok, text)
	}
	d, ok = s.Inspect("display.Progress", 12)
	if text, _ := d.Data[display.MIMETypeText].(string); !ok || !strings.Contains(text, "live progress") {
		t.Errorf("inspect display.Progress: %v %q", ok, text)
	}
	d, ok = s.Inspect("lessons.NoSuchThing", 10)
	text, _ = d.Data[display.MIMETypeText].(string)
	if !ok || !strings.Contains(text, "no documentation") {
		t.Errorf("unknown member: %v %q", ok, text)
	}
	d, ok = s.Inspect("strings.ToUpper", len("strings.ToUpper"))
	text, _ = d.Data[display.MIMETypeText].(string)
	if !ok || !strings.Contains(text, "func ToUpper(s string) string") {
		t.Skipf("no standard library sources here? %q", text)
	}
	if !strings.Contains(text, "upper case") {
		t.Errorf("strings.ToUpper doc: %q", text)
	}
}

func TestIsComplete(t *testing.T) {
	s, _ := newSession(t)
	for code, want := range map[string]string{
		"x := 1":                             "complete",
		"import \"fmt\"\nfmt.Println(1)":     "complete",
		"func f() {":                         "incomplete",
		"for i := 0; i < 3; i++ {\n  x := i": "incomplete",
		"s := `raw":                          "incomplete",
		"x := )":                             "invalid",
		"1 +/ 2":                             "invalid",
		"":                                   "complete",
		" \n\t// a comment":                  "complete",
	} {
		if got, _ := s.IsComplete(code); got != want {
			t.Errorf("IsComplete(%q) = %s, want %s", code, got, want)
		}
	}
}

// skipUnderRace skips a test that evaluates while interpreted code of an
// interrupted cell may still run. The session waits until yaegi's interrupted
// evaluation goroutine has exited, which it learns from the runtime's stack
// dump (zombie.go); the race detector cannot see that as synchronization, and
// reports the new evaluation's writes against the old goroutine's last
// reads. (Interpreted goroutines left running by a cell do race with later
// evaluations in yaegi v0.16.1, which grows its global frame without a lock.)
func skipUnderRace(t *testing.T) {
	if raceEnabled {
		t.Skip("after an interrupt the session synchronizes through runtime.Stack, which the race detector does not see")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCompleteAndInspectWhileACellRuns(t *testing.T) {
	s, _ := newSession(t)
	value(t, s, "import \"time\"\nrunning := 1")
	done := make(chan struct{})
	go func() {
		defer close(done)
		execute(t, s, "for i := range 30 { running = i; time.Sleep(10 * time.Millisecond) }")
	}()
	for i := 0; i < 20; i++ {
		if m, _, _ := s.Complete("time.Sl", 7); !contains(m, "Sleep") {
			t.Errorf("completion while a cell runs: %v", m)
		}
		s.Inspect("running", 3)
		s.IsComplete("x := 1")
		time.Sleep(5 * time.Millisecond)
	}
	<-done
}

func TestPackageVarDeclaredAfterItsUse(t *testing.T) {
	s, o := newSession(t)
	value(t, s, "import \"fmt\"\nfunc main() { fmt.Println(v) }\nvar v = 3")
	value(t, s, "main()")
	if got := o.Stdout(); got != "3\n3\n" {
		t.Errorf("stdout = %q, want main's 3 when the cell declares it, then again when called", got)
	}
	if got := value(t, s, "func get() int { return w * 2 }\nw := 21\nget()"); got != "42" {
		t.Errorf("a func using a variable declared below it = %s", got)
	}
	// A statement that calls the func before that variable exists keeps
	// the func in its place, and fails as it must.
	if e := cellError(t, s, "func use() int { return later }\nuse()\nlater := 1"); !strings.Contains(e.Value, "undefined: later") {
		t.Errorf("error = %+v", e)
	}
}

func TestCellTypesRenderTheirMIMEBundles(t *testing.T) {
	s, _ := newSession(t)
	for _, c := range []struct{ cell, mime, want string }{
		{"type Simple struct{}\nfunc (Simple) SimpleRender() display.MIMEMap { return display.MIMEMap{\"text/html\": \"<i>s</i>\"} }\nSimple{}", display.MIMETypeHTML, "<i>s</i>"},
		{"type Full struct{}\nfunc (Full) Render() display.Data { return display.Data{Data: display.MIMEMap{\"text/markdown\": \"*f*\", \"text/plain\": \"full\"}} }\nFull{}", display.MIMETypeMarkdown, "*f*"},
	} {
		d, ok, err := execute(t, s, c.cell)
		if err != nil || !ok || d.Data[c.mime] != c.want || d.Data[display.MIMETypeText] == nil {
			t.Errorf("%q: %+v %v %v, want %s %q and text/plain", c.cell, d.Data, ok, err, c.mime, c.want)
		}
	}
}

func TestErrgroupAndSemaphoreInCells(t *testing.T) {
	s, _ := newSession(t)
	got := value(t, s, `import "context"
import "golang.org/x/sync/errgroup"
import "golang.org/x/sync/semaphore"
sem := semaphore.NewWeighted(2)
var g errgroup.Group
g.SetLimit(2)
ok := sem.TryAcquire(2) && !sem.TryAcquire(1)
sem.Release(2)
g.Go(func() error { return sem.Acquire(context.Background(), 1) })
err := g.Wait()
ok && err == nil`)
	if got != "true" {
		t.Errorf("errgroup and semaphore: %s", got)
	}
}

func TestWhereYaegiCannotGoTheErrorSaysSo(t *testing.T) {
	s, _ := newSession(t)
	for _, cell := range []string{
		"import \"slices\"\nxs := []int{3, 1, 2}\nslices.Sort(xs)",
		"import \"sync\"\nonce := sync.OnceValue(func() int { return 1 })",
		"seq := func(yield func(int) bool) { yield(1) }\nfor v := range seq { _ = v }",
		"func Map[T, U any](s []T, f func(T) U) []U { var out []U; for _, v := range s { out = append(out, f(v)) }; return out }\nMap([]int{1}, func(i int) string { return \"x\" })",
	} {
		e := cellError(t, s, cell)
		if !strings.Contains(e.Value, "yaegi") || !strings.Contains(e.Value, "%%go run") {
			t.Errorf("%q: error %q does not say yaegi cannot, nor suggest %%%%go run", cell, e.Value)
		}
	}
}

func TestRuntimePanicsInGoWords(t *testing.T) {
	s, _ := newSession(t)
	for _, c := range []struct{ cell, want string }{
		{"type T struct{ X int }\nvar p *T\np.X", "runtime error: invalid memory address or nil pointer dereference"},
		{"xs := []int{1, 2, 3}\ni := 5\nxs[i]", "runtime error: index out of range"},
		{"var e error\ne.Error()", "runtime error: invalid memory address or nil pointer dereference"},
		{"var f func()\nf()", "reflect.Value.Call: call of nil function (a nil func value, or yaegi v0.16.1's own race"},
	} {
		if e := cellError(t, s, c.cell); e.Name != "panic" || !strings.HasPrefix(e.Value, c.want) || e.Traceback[0] != "panic: "+e.Value {
			t.Errorf("%q: %+v, want a panic with %q", c.cell, e, c.want)
		}
	}
}

// TestCellFuncsDocumentedAsBound: the signatures inspect shows for the
// display functions a session binds (written by hand in package docs) are
// those of the functions it binds.
func TestCellFuncsDocumentedAsBound(t *testing.T) {
	s, _ := newSession(t)
	bound := s.sessionSymbols()[displayPath+"/display"]
	for _, name := range []string{"Display", "Progress", "Context", "Clear"} {
		sig, _, _ := strings.Cut(docs.Standard()(displayPath, name), "\n")
		fn, err := parser.ParseExpr(strings.Replace(sig, "func "+name+"(", "func(", 1))
		if err != nil {
			t.Fatalf("%s: documented as %q: %v", name, sig, err)
		}
		if got, want := reflectSyntax(fn.(*ast.FuncType)), bound[name].Type().String(); got != want {
			t.Errorf("display.%s is documented as %s, and bound as %s", name, got, want)
		}
	}
}

// reflectSyntax writes a func type as reflect does: without parameter names,
// display's types qualified.
func reflectSyntax(ft *ast.FuncType) string {
	list := func(fl *ast.FieldList) []string {
		var out []string
		if fl == nil {
			return nil
		}
		for _, f := range fl.List {
			var b strings.Builder
			_ = printer.Fprint(&b, token.NewFileSet(), f.Type)
			typ := b.String()
			if inner, ok := f.Type.(*ast.FuncType); ok {
				typ = reflectSyntax(inner)
			} else if ast.IsExported(typ) {
				typ = "display." + typ
			}
			for range max(1, len(f.Names)) {
				out = append(out, typ)
			}
		}
		return out
	}
	results := list(ft.Results)
	text := "func(" + strings.Join(list(ft.Params), ", ") + ")"
	switch {
	case len(results) == 1:
		text += " " + results[0]
	case len(results) > 1:
		text += " (" + strings.Join(results, ", ") + ")"
	}
	return text
}

// TestCellTypesRenderEveryView: a type a cell declares shows every MIME type
// of the table in kernel/internal/mime, as display.Render shows a compiled one.
func TestCellTypesRenderEveryView(t *testing.T) {
	s, _ := newSession(t)
	d, ok, err := execute(t, s, `type All struct{}
func (All) HTML() string { return "<b>h</b>" }
func (All) SVG() string { return "<svg/>" }
func (All) Markdown() string { return "*m*" }
func (All) Math() string { return "x^2" }
func (All) JSON() map[string]interface{} { return map[string]interface{}{"k": 1} }
func (All) JavaScript() string { return "js()" }
func (All) PNG() []byte { return []byte("png") }
func (All) JPEG() []byte { return []byte("jpeg") }
func (All) PDF() []byte { return []byte("pdf") }
func (All) String() string { return "all" }
All{}`)
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	for mime, want := range map[string]string{
		display.MIMETypeHTML: "<b>h</b>", display.MIMETypeSVG: "<svg/>", display.MIMETypeMarkdown: "*m*",
		display.MIMETypeLatex: "$$x^2$$", display.MIMETypeJSON: "map[k:1]", display.MIMETypeJavaScript: "js()",
		display.MIMETypePNG: "png", display.MIMETypeJPEG: "jpeg", display.MIMETypePDF: "pdf", display.MIMETypeText: "all",
	} {
		got := d.Data[mime]
		if b, isBytes := got.([]byte); isBytes {
			got = string(b)
		}
		if fmt.Sprint(got) != want {
			t.Errorf("%s = %#v, want %q", mime, d.Data[mime], want)
		}
	}
}
