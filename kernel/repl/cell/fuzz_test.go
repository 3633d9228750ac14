package cell

import (
	"go/ast"
	"reflect"
	"strings"
	"testing"
)

var seedCells = []string{
	"x := 1",
	"import \"fmt\"\nfmt.Println(1)",
	"var a = 1\nb := a + 1\nb",
	"func f() int { return 1 }\nf()",
	"type T struct{ A int }\nfunc (t T) M() {}\nT{1}",
	"for i := range 10 { go func() { println(i) }() }",
	"L: for i := range n { if i > 2 { break L } }",
	"defer fmt.Println(\"x\", y)\ndefer func() { recover() }()",
	"go f(a, b...)\ngo close(ch)\ngo func(x int) {}(1)",
	"for i := 0; i < 3; i++ { fs = append(fs, func() { print(i) }) }",
	"func() { x++ }()",
	"s := `raw\nstring`\n/* comment */ s",
	"x := )",
	"func f() {",
	"import (\n\t\"fmt\"\n\tstr \"strings\"\n)\nstr.ToUpper(fmt.Sprint(1))",
	"const c = 3; var v = c",
	"switch x := 1; x { case 1: defer println(1) }",
	"héllo := \"wörld\"; héllo",
	"package main\nimport \"fmt\"\nfunc main() { fmt.Println(1) }",
	"func() int { return 7 }()\nfunc (s *S[T]) M() {}",
	"y0 := 3\nn := twice(y())\nfunc y() int { return y0 }\nfunc twice(v int) int { return 2 * v }\nn",
	"func a() { b() }; x := 1; func b() { println(x) }; type T struct{ m foo.M }",
}

// FuzzSplit checks that splitting, rewriting and planning any text never
// panics, that the units of a cell are pieces of it, in order, and that the
// plan runs every statement once, in order, and every declaration once.
func FuzzSplit(f *testing.F) {
	for _, c := range seedCells {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		units, err := Split(cell)
		if err != nil {
			return
		}
		at := 0
		var parsed []Parsed
		for _, u := range units {
			if u.Offset < at || !strings.HasPrefix(cell[u.Offset:], u.Src) {
				t.Fatalf("unit %+v is not the cell's text at %d", u, u.Offset)
			}
			at = u.Offset + len(u.Src)
			p, err := Parse(u)
			if err != nil {
				continue
			}
			parsed = append(parsed, p)
			var res *Result
			if p.Body != nil && len(p.Body.List) > 0 {
				if e, ok := p.Body.List[len(p.Body.List)-1].(*ast.ExprStmt); ok {
					res = &Result{e, "capture"}
				}
			}
			Rewrite(p, res, map[string]string{"T": "Tʹ2"}, IntOracle(p, noGlobal, noMember))
		}
		if len(parsed) == len(units) {
			checkPlan(t, cell, parsed)
		}
	})
}

// checkPlan checks the plan of a cell that parses.
func checkPlan(t *testing.T, cell string, units []Parsed) {
	UnresolvedPackages(units)
	var wantStmts []string
	decls := 0
	for _, u := range units {
		switch u.Kind {
		case StmtUnit:
			TopLevelJump(u.Body)
			for _, st := range u.Body.List {
				wantStmts = append(wantStmts, u.Text(st))
			}
		case DeclUnit:
			decls += len(u.File.Decls)
		}
	}
	steps, err := Plan(cell, units)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var gotStmts []string
	for _, st := range steps {
		switch st.Kind {
		case StmtUnit:
			for _, s := range st.Body.List {
				gotStmts = append(gotStmts, st.Text(s))
			}
		case DeclUnit:
			decls -= len(st.File.Decls)
		}
	}
	if !reflect.DeepEqual(gotStmts, wantStmts) || decls != 0 {
		t.Fatalf("plan of %q: statements %q, want %q; %d declarations lost", cell, gotStmts, wantStmts, decls)
	}
}

func noGlobal(string) (reflect.Value, bool)         { return reflect.Value{}, false }
func noMember(string, string) (reflect.Value, bool) { return reflect.Value{}, false }
