package cell

import (
	"fmt"
	"go/ast"
	"reflect"
	"strings"
	"testing"
)

// parse splits and parses a cell that must be valid.
func parse(t *testing.T, cell string) []Parsed {
	t.Helper()
	units, err := Split(cell)
	if err != nil {
		t.Fatalf("Split(%q): %v", cell, err)
	}
	var parsed []Parsed
	for _, u := range units {
		p, err := Parse(u)
		if err != nil {
			t.Fatalf("Parse(%q): %v", u.Src, err)
		}
		parsed = append(parsed, p)
	}
	return parsed
}

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		cell string
		want []string // kind: text, line
	}{
		{"x := 1\ny := 2", []string{"stmt@1: x := 1\ny := 2"}},
		{"import \"fmt\"\nfunc f() {}\nf()", []string{"import@1: import \"fmt\"", "decl@2: func f() {}", "stmt@3: f()"}},
		{"package main\nfunc main() {}", []string{"decl@2: func main() {}"}},
		{"type T int; const c = 1; var v T", []string{"decl@1: type T int", "decl@1: const c = 1", "stmt@1: var v T"}},
		{"func() { x++ }()\nfunc (t T) M() {}", []string{"stmt@1: func() { x++ }()", "decl@2: func (t T) M() {}"}},
		{"s := `a\n}`\n// done", []string{"stmt@1: s := `a\n}`"}},
	} {
		units, err := Split(c.cell)
		if err != nil {
			t.Fatalf("Split(%q): %v", c.cell, err)
		}
		var got []string
		for _, u := range units {
			got = append(got, fmt.Sprintf("%s@%d: %s", u.Kind, u.Line, u.Src))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) =\n%q, want\n%q", c.cell, got, c.want)
		}
	}
	for cell, incomplete := range map[string]bool{"f(": true, "x := )": false, "s := \"abc": false} {
		_, err := Split(cell)
		if se, ok := err.(*SyntaxError); !ok || se.Incomplete != incomplete {
			t.Errorf("Split(%q): %v, want a SyntaxError with Incomplete %v", cell, err, incomplete)
		}
	}
}

func TestPlan(t *testing.T) {
	for _, c := range []struct {
		cell string
		want []string // each step: kind: text (last: the shown value)
	}{
		// As written when nothing waits.
		{"import \"fmt\"\nx := 1\nfmt.Println(x)", []string{"import: import \"fmt\"", "stmt last: x := 1\nfmt.Println(x)"}},
		// A func calling a later func: both together, before the statements.
		{"func a() int { return b() }\nfunc b() int { return 2 }\na()", []string{"decl: func a() int { return b() }\nfunc b() int { return 2 }", "stmt last: a()"}},
		// A func using a variable declared above it waits for that statement.
		{"y := 3\nz := 4\nfunc f() int { return y }\nf() + z", []string{"stmt: y := 3", "decl: func f() int { return y }", "stmt: z := 4", "stmt last: f() + z"}},
		// A var declared below the func that reads it (Go's any order).
		{"func main() { println(v) }\nvar v = 3", []string{"stmt last: var v = 3", "decl: func main() { println(v) }"}},
		// ...unless a statement before then calls the func.
		{"func use() int { return later }\nuse()\nlater := 1", []string{"decl: func use() int { return later }", "stmt last: use()\nlater := 1"}},
		// A name declared twice keeps the cell's order.
		{"func f() {}\nf()\nfunc f() {}", []string{"decl: func f() {}", "stmt: f()", "decl: func f() {}"}},
	} {
		steps, err := Plan(c.cell, parse(t, c.cell))
		if err != nil {
			t.Fatalf("Plan(%q): %v", c.cell, err)
		}
		var got []string
		for _, st := range steps {
			last := ""
			if st.Last {
				last = " last"
			}
			got = append(got, fmt.Sprintf("%s%s: %s", st.Kind, last, strings.TrimSpace(st.Src)))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Plan(%q) =\n%q, want\n%q", c.cell, got, c.want)
		}
	}
}

func TestRewrite(t *testing.T) {
	global := func(name string) (reflect.Value, bool) {
		if name == "n" {
			return reflect.ValueOf(3), true
		}
		return reflect.Value{}, false
	}
	member := func(pkg, name string) (reflect.Value, bool) { return reflect.Value{}, false }
	for _, c := range []struct{ cell, want string }{
		// range over an integer (yaegi cannot) becomes a counting loop,
		// run in a function (yaegi miscompiles top-level blocks).
		{"for i := range n { println(i) }", "_gospeed_lit3 := func() { { _gospeed_n1 := n; for _gospeed_i2 := _gospeed_n1 - _gospeed_n1; _gospeed_i2 < _gospeed_n1; _gospeed_i2++ { i := _gospeed_i2; println(i) }} }; _gospeed_lit3()"},
		// A range over a slice whose body captures gets its own variables.
		{"for _, v := range xs { go func() { println(v) }() }", "_gospeed_lit2 := func() { for _, v := range xs { v := v; { _gospeed_f1 := func() { println(v) }; go func() { defer func() { _gospeed.GoPanic(recover()) }(); _gospeed_f1() }() } } }; _gospeed_lit2()"},
		// go evaluates its function and arguments at once, and recovers.
		{"go f(x, y)", "{ _gospeed_f1, _gospeed_a2, _gospeed_a3 := f, x, y; go func() { defer func() { _gospeed.GoPanic(recover()) }(); _gospeed_f1(_gospeed_a2, _gospeed_a3) }() }"},
		// A top-level defer runs at the end of the cell, not of every later one.
		{"defer close(ch)", "{ _gospeed_lit2 := func() { _gospeed_a1 := ch; _gospeed.Defer(func() { close(_gospeed_a1) }) }; _gospeed_lit2() }"},
		// A function literal called at top level is called through a variable.
		{"func() { x++ }()", "{ _gospeed_lit1 := func() { x++ }; _gospeed_lit1() }"},
		// A three-clause loop whose body captures copies its variable.
		{"for i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }", "_gospeed_lit1 := func() { for i := 0; i < 3; i++ { i := i; fs = append(fs, func() int { return i }) } }; _gospeed_lit1()"},
		// A redefined type is renamed, and the last value captured.
		{"T{1}", "_gospeed.Result(Tʹ2{1})"},
	} {
		p := parse(t, c.cell)[0]
		var res *Result
		if e, ok := p.Body.List[len(p.Body.List)-1].(*ast.ExprStmt); ok && strings.HasPrefix(c.cell, "T{") {
			res = &Result{e, "_gospeed.Result"}
		}
		got := Rewrite(p, res, map[string]string{"T": "Tʹ2"}, IntOracle(p, global, member))
		if got != c.want {
			t.Errorf("Rewrite(%q) =\n%s\nwant\n%s", c.cell, got, c.want)
		}
	}
}

func TestIntOracle(t *testing.T) {
	global := func(name string) (reflect.Value, bool) {
		switch name {
		case "count":
			return reflect.ValueOf(int64(4)), true
		case "names":
			return reflect.ValueOf([]string{"a"}), true
		}
		return reflect.Value{}, false
	}
	member := func(pkg, name string) (reflect.Value, bool) {
		if pkg == "strings" && name == "Count" {
			return reflect.ValueOf(strings.Count), true
		}
		return reflect.Value{}, false
	}
	for _, c := range []struct {
		cell string
		want bool
	}{
		{"for range 10 {}", true},
		{"for range 'a' {}", true},
		{"for range count {}", true},
		{"for range names {}", false},
		{"for range len(names) * 2 {}", true},
		{"for range uint8(3) {}", true},
		{"for range strings.Count(s, \"a\") {}", true},
		{"k := 5\nfor range k {}", true},
		{"var f float64\nfor range f {}", false},
		{"var m int32\nfor range m {}", true},
		{"for range min(count, 3) {}", true},
		{"for range \"text\" {}", false},
		{"for range unknown {}", false},
		{"a := b\nb := a\nfor range a {}", false},
	} {
		p := parse(t, c.cell)[0]
		isInt := IntOracle(p, global, member)
		var got bool
		ast.Inspect(p.Body, func(n ast.Node) bool {
			if r, ok := n.(*ast.RangeStmt); ok {
				got = isInt(r.X)
			}
			return true
		})
		if got != c.want {
			t.Errorf("%q: range over an integer = %v, want %v", c.cell, got, c.want)
		}
	}
}

func TestNames(t *testing.T) {
	for name, want := range map[string]bool{"int": true, "len": true, "nil": true, "any": true, "iota": true, "fmt": false, "Int": false} {
		if Predeclared(name) != want {
			t.Errorf("Predeclared(%q) = %v", name, !want)
		}
	}
	for name, want := range map[string]bool{"int": true, "byte": true, "rune": true, "uintptr": true, "float64": false, "string": false, "len": false} {
		if isIntType(name) != want {
			t.Errorf("isIntType(%q) = %v", name, !want)
		}
	}
	got := UnresolvedPackages(parse(t, "import str \"strings\"\nx := str.ToUpper(fmt.Sprint(v.f))\nfunc g(v T) { sync.X() }\ntime.Sleep(1)"))
	want := []NameAt{{"fmt", 2}, {"sync", 3}, {"time", 4}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UnresolvedPackages = %v, want %v", got, want)
	}
}
