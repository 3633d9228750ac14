package repl

import (
	"context"
	"fmt"
	"reflect"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/gospeed/gospeed/kernel/internal/goroutine"
)

// These tests check, on a bare yaegi interpreter, the assumptions that the
// session's workarounds rest on. When one fails after a yaegi upgrade, the
// workaround it names has to change, or can go.

func bareInterpreter(t *testing.T, extra interp.Exports) *interp.Interpreter {
	t.Helper()
	in := interp.New(interp.Options{})
	for _, syms := range []interp.Exports{stdlib.Symbols, extra} {
		if err := in.Use(syms); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

// TestYaegiStillNeedsTheWorkarounds: each row is cells that fail on a bare
// interpreter, in the way the named workaround expects.
func TestYaegiStillNeedsTheWorkarounds(t *testing.T) {
	urls := interp.Exports{"site/site": {"URLs": reflect.ValueOf(func() []string { return []string{"a"} })}}
	for _, c := range []struct {
		workaround string
		cells      []string
		want       string // in the last cell's error
	}{
		{"cell/rewrite.go rangeStmt: range over an integer", []string{"for i := range 3 { _ = i }"}, ""},
		{"types.go: a redefined type keeps its first definition", []string{"type T struct{ A int }", "type T struct{ B string }", "_ = T{B: \"x\"}"}, "unknown field B"},
		{"define.go: a top-level x := urls[0] of compiled code", []string{"import \"site\"", "urls := site.URLs()", "u := urls[0]"}, "definition loop"},
		{"helpers.go prelude: min, max and clear", []string{"_ = min(1, 2)"}, "undefined: min"},
		{"session.go imports: an import run again", []string{"import \"fmt\"", "import \"fmt\""}, "redeclared"},
	} {
		err := evalAll(bareInterpreter(t, urls), c.cells)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: yaegi now gives %v for %q (want an error with %q): revisit the workaround", c.workaround, err, c.cells, c.want)
		}
	}
}

// evalAll evaluates cells until one fails, taking a panic of yaegi's
// compiler for a failure.
func evalAll(in *interp.Interpreter, cells []string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	for _, cell := range cells {
		if _, err := in.Eval(cell); err != nil {
			return err
		}
	}
	return nil
}

// TestUnwrapReadsYaegisWrapper: unwrap.go reads the value field of yaegi's
// valueInterface, which compiled code gets for an interpreted value that an
// interpreted function holds as an interface{}.
func TestUnwrapReadsYaegisWrapper(t *testing.T) {
	var got interface{}
	in := bareInterpreter(t, interp.Exports{"capture/capture": {"Keep": reflect.ValueOf(func(v interface{}) { got = v })}})
	if _, err := in.Eval("import \"capture\"\ntype P struct{ X int }\nfunc (P) M() {}\nfunc keep(v interface{}) { capture.Keep(v) }\nfunc init() { keep(P{X: 3}) }"); err != nil {
		t.Fatal(err)
	}
	if tp := reflect.TypeOf(got); tp.Name() != "valueInterface" {
		t.Fatalf("yaegi gives %v for an interpreted value in an interface, not its valueInterface: revisit unwrap.go", tp)
	}
	inner := reflect.ValueOf(unwrap(got))
	if inner.Kind() != reflect.Struct || inner.Field(0).Int() != 3 {
		t.Errorf("unwrap gave %#v, want the struct with X 3: revisit unwrap.go", unwrap(got))
	}
}

// TestStackDumpNamesTheEvaluation: zombie.go finds an interrupted
// evaluation's goroutine in the stack dump, by the goroutine that called
// EvalWithContext.
func TestStackDumpNamesTheEvaluation(t *testing.T) {
	release := make(chan struct{})
	in := bareInterpreter(t, interp.Exports{"block/block": {"Wait": reflect.ValueOf(func() { <-release })}})
	if _, err := in.Eval("import \"block\""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	caller := make(chan int64)
	go func() {
		caller <- goroutine.ID()
		_, _ = in.EvalWithContext(ctx, "block.Wait()")
		caller <- 0
	}()
	id := <-caller
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-caller
	if !evalRunning(id) {
		t.Fatal("the stack dump does not name the interrupted evaluation's goroutine: revisit zombie.go")
	}
	close(release)
	for deadline := time.Now().Add(5 * time.Second); evalRunning(id); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the evaluation's goroutine still shows after it ended: revisit zombie.go")
		}
	}
}

// TestStackMetricExists: watchdog.go samples this runtime metric.
func TestStackMetricExists(t *testing.T) {
	for _, d := range metrics.All() {
		if d.Name == stackMetric {
			return
		}
	}
	t.Errorf("the runtime has no %s metric: revisit watchdog.go", stackMetric)
}
