package repl

import (
	"go/ast"
	"go/token"
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
		var parsed []parsedUnit
		for _, u := range units {
			if p, err := parseUnit(u); err == nil {
				parsed = append(parsed, p)
			}
			if u.Offset < at || !strings.HasPrefix(cell[u.Offset:], u.Src) {
				t.Fatalf("unit %+v is not the cell's text at %d", u, u.Offset)
			}
			at = u.Offset + len(u.Src)
			fset := token.NewFileSet()
			isInt := newIntOracle(&ast.File{}, noGlobal, noMember).isInt
			switch u.Kind {
			case StmtUnit:
				file, body, err := parseStmts(fset, u)
				if err != nil {
					continue
				}
				var res *result
				if n := len(body.List); n > 0 {
					if e, ok := body.List[n-1].(*ast.ExprStmt); ok {
						res = &result{e, "capture"}
					}
				}
				rewriteUnit(fset, file, body, u, "package main; func _() {", res, map[string]string{"T": "Tʹ2"}, isInt)
			default:
				file, err := parseDecls(fset, u)
				if err != nil {
					continue
				}
				rewriteUnit(fset, file, file, u, "package main;", nil, map[string]string{"T": "Tʹ2"}, isInt)
			}
		}
		if len(parsed) == len(units) {
			checkPlan(t, cell, parsed)
		}
	})
}

// checkPlan checks the plan of a cell that parses.
func checkPlan(t *testing.T, cell string, units []parsedUnit) {
	unresolvedPackages(units)
	var wantStmts []string
	decls := 0
	for _, u := range units {
		switch u.Kind {
		case StmtUnit:
			topLevelJump(u.body)
			for _, st := range u.body.List {
				wantStmts = append(wantStmts, stmtText(u, st))
			}
		case DeclUnit:
			decls += len(u.file.Decls)
		}
	}
	steps, err := plan(cell, units)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var gotStmts []string
	for _, st := range steps {
		switch st.Kind {
		case StmtUnit:
			for _, s := range st.body.List {
				gotStmts = append(gotStmts, stmtText(st.parsedUnit, s))
			}
		case DeclUnit:
			decls -= len(st.file.Decls)
		}
	}
	if !reflect.DeepEqual(gotStmts, wantStmts) || decls != 0 {
		t.Fatalf("plan of %q: statements %q, want %q; %d declarations lost", cell, gotStmts, wantStmts, decls)
	}
}

func stmtText(u parsedUnit, st ast.Stmt) string {
	tf := u.fset.File(u.file.Pos())
	base := len(stmtPrefix) + u.Line - 1
	return u.Src[tf.Offset(st.Pos())-base : min(tf.Offset(st.End())-base, len(u.Src))]
}

func noGlobal(string) (reflect.Value, bool)         { return reflect.Value{}, false }
func noMember(string, string) (reflect.Value, bool) { return reflect.Value{}, false }

// FuzzComplete checks that the console requests (is_complete, complete,
// inspect) never panic, whatever the code and cursor.
func FuzzComplete(f *testing.F) {
	for _, c := range seedCells {
		f.Add(c, len(c)/2)
	}
	f.Add("lessons.Ru", 10)
	f.Add("fmt.Println(x)", 6)
	s, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, code string, cursor int) {
		s.IsComplete(code)
		start, end := 0, 0
		var matches []string
		matches, start, end = s.Complete(code, cursor)
		if n := len([]rune(code)); start < 0 || end < start || end > n {
			t.Fatalf("Complete(%q, %d): span [%d, %d) outside the code (%d code points), matches %v", code, cursor, start, end, n, matches)
		}
		s.Inspect(code, cursor)
	})
}
