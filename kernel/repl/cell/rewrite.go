package cell

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"
)

// The rewrites make a cell behave as Go 1.22+ would where yaegi v0.16.1 does not,
// and keep the kernel alive. They splice text into the unit's source, so that
// the lines (and error positions) of the learner's code do not move.

// Helper is the name under which the session's helpers for rewritten cells
// are imported into every interpreter.
const Helper = "_gospeed"

// TmpPrefix starts every identifier the rewrites introduce.
const TmpPrefix = "_gospeed_"

// Rewrite returns the text yaegi evaluates for p. isInt tells range clauses
// over integers (see IntOracle); res, if any, is the expression whose value
// the cell shows; rename maps redefined type names. Lines stay where they
// were in the cell.
func Rewrite(p Parsed, res *Result, rename map[string]string, isInt func(ast.Expr) bool) string {
	base := len(p.prefix()) + p.Line - 1
	r := &rewriter{src: p.prefix() + strings.Repeat("\n", p.Line-1) + p.Src, f: p.Fset.File(p.File.Pos()), base: base, res: res, rename: rename, isInt: isInt}
	return strings.Repeat("\n", p.Line-1) + r.rewrite(p.root(), base+len(p.Src))
}

// Result names the expression statement whose value a cell shows, and the
// function that captures it.
type Result struct {
	Stmt    *ast.ExprStmt
	Capture string
}

// rewriter collects text edits for one unit.
type rewriter struct {
	src   string      // the parsed text (with the package/func prefix)
	f     *token.File // src's positions
	base  int         // offset of the unit's own text in src
	edits []edit
	tmp   int
	// isInt reports whether the expression of a range clause is an integer.
	isInt func(ast.Expr) bool
	res   *Result // or nil
	// rename maps the name of a type redefined in a later cell to the name
	// the interpreter knows its current definition by (see types.go).
	rename map[string]string
}

type edit struct {
	start, end int // offsets in src
	text       string
}

func (r *rewriter) off(p token.Pos) int { return r.f.Offset(p) }

// nodeText is the text of n with the edits inside it applied.
func (r *rewriter) nodeText(n ast.Node) string { return r.text(r.off(n.Pos()), r.off(n.End())) }

// text returns src[start:end] with the edits inside it applied.
func (r *rewriter) text(start, end int) string {
	var b strings.Builder
	at := start
	for _, e := range r.edits {
		if e.start >= start && e.end <= end {
			b.WriteString(r.src[at:e.start])
			b.WriteString(e.text)
			at = e.end
		}
	}
	b.WriteString(r.src[at:end])
	return b.String()
}

// replace registers an edit, absorbing the edits inside it (their text must
// already be part of text, through r.text).
func (r *rewriter) replace(start, end int, text string) {
	r.edits = slices.DeleteFunc(r.edits, func(e edit) bool { return e.start >= start && e.end <= end })
	r.edits = append(r.edits, edit{start, end, text})
	slices.SortFunc(r.edits, func(a, b edit) int { return a.start - b.start })
}

func (r *rewriter) newTmp(what string) string {
	r.tmp++
	return fmt.Sprintf("%s%s%d", TmpPrefix, what, r.tmp)
}

// rewrite walks root (post-order, so inner edits exist before outer ones) and
// returns the rewritten text of the unit, which spans [r.base, end) of src.
func (r *rewriter) rewrite(root ast.Node, end int) string {
	var stack []ast.Node // n's ancestors
	ast.Inspect(root, func(n ast.Node) bool {
		if n != nil {
			stack = append(stack, n)
			return true
		}
		n, stack = stack[len(stack)-1], stack[:len(stack)-1]
		switch n := n.(type) {
		case *ast.Ident:
			if to, ok := r.rename[n.Name]; ok && renameable(stack, n) {
				r.replace(r.off(n.Pos()), r.off(n.End()), to)
			}
		case *ast.GoStmt:
			r.goStmt(n)
		case *ast.DeferStmt:
			if !inFunc(stack) {
				r.deferStmt(n)
			}
		case *ast.RangeStmt:
			r.rangeStmt(n, labelOf(stack, n))
			r.wrapCompound(n, stack, root)
		case *ast.ForStmt:
			r.forStmt(n)
			r.wrapCompound(n, stack, root)
		case *ast.IfStmt, *ast.BlockStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			r.wrapCompound(n.(ast.Stmt), stack, root)
		case *ast.ExprStmt:
			c, isCall := n.X.(*ast.CallExpr)
			switch {
			case r.res != nil && n == r.res.Stmt:
				r.replace(r.off(n.Pos()), r.off(n.End()), r.res.Capture+"("+r.nodeText(n)+")")
			case isCall && !inFunc(stack):
				if lit, ok := ast.Unparen(c.Fun).(*ast.FuncLit); ok {
					args := r.text(r.off(c.Lparen)+1, r.off(c.Rparen))
					r.replace(r.off(n.Pos()), r.off(n.End()), "{ "+r.callLit(r.nodeText(lit), args)+" }")
				}
			}
		}
		return true
	})
	return r.text(r.base, end)
}

// inFunc reports whether a node whose ancestors are stack is in a function.
func inFunc(stack []ast.Node) bool {
	return slices.ContainsFunc(stack, func(n ast.Node) bool {
		_, lit := n.(*ast.FuncLit)
		_, decl := n.(*ast.FuncDecl)
		return lit || decl
	})
}

func labelOf(stack []ast.Node, n ast.Node) *ast.LabeledStmt {
	if len(stack) > 0 {
		if l, ok := stack[len(stack)-1].(*ast.LabeledStmt); ok && l.Stmt == n {
			return l
		}
	}
	return nil
}

// call splits a call into assignments of its function and arguments to
// temporaries, evaluated now, and the deferred call of those temporaries:
// the evaluation order of a go or defer statement.
func (r *rewriter) call(c *ast.CallExpr) (assign, call string) {
	var names, values []string
	now := func(what, value string) string {
		name := r.newTmp(what)
		names, values = append(names, name), append(values, value)
		return name
	}
	fn := r.nodeText(c.Fun)
	id, isIdent := ast.Unparen(c.Fun).(*ast.Ident)
	if _, isConversion := c.Fun.(*ast.ArrayType); !isConversion && !(isIdent && isBuiltin(id.Name)) {
		fn = now("f", fn) // a builtin is not a value: it is called by name
	}
	var args []string
	if len(c.Args) == 1 && c.Ellipsis == token.NoPos && isCall(c.Args[0]) {
		// f(g()) may pass several results: evaluate g() in the new call.
		args = append(args, r.nodeText(c.Args[0]))
	} else {
		for _, a := range c.Args {
			args = append(args, now("a", r.nodeText(a)))
		}
	}
	if len(names) > 0 {
		assign = strings.Join(names, ", ") + " := " + strings.Join(values, ", ") + "; "
	}
	call = fn + "(" + strings.Join(args, ", ")
	if c.Ellipsis != token.NoPos {
		call += "..."
	}
	return assign, call + ")"
}

func isCall(x ast.Expr) bool {
	_, ok := ast.Unparen(x).(*ast.CallExpr)
	return ok
}

// goStmt makes the goroutine recover its panic and report it to the cell's
// stderr: yaegi re-panics a goroutine's panic, which would end the kernel.
func (r *rewriter) goStmt(g *ast.GoStmt) {
	assign, call := r.call(g.Call)
	text := "{ " + assign + "go func() { defer func() { " + Helper + ".GoPanic(recover()) }(); " + call + " }() }"
	r.replace(r.off(g.Pos()), r.off(g.End()), text)
}

// deferStmt defers a top-level call to the end of the cell: yaegi would run it
// at the end of every later cell too.
// The temporaries are declared in a function called for the purpose: a
// closure in yaegi v0.16.1 shares the variables of a loop's body with the
// other iterations' closures, so a deferred call in a loop would see the
// last iteration's values.
func (r *rewriter) deferStmt(d *ast.DeferStmt) {
	assign, call := r.call(d.Call)
	text := "{ " + r.callLit("func() { "+assign+Helper+".Defer(func() { "+call+" }) }", "") + " }"
	r.replace(r.off(d.Pos()), r.off(d.End()), text)
}

// wrapCompound runs a compound statement at the top level of a statement unit
// (a loop, if, switch, select or block) in a function literal. yaegi
// v0.16.1 compiles the blocks of its global scope wrongly: `a, b := f()` in
// them fails with "undefined: a", and `i := i` in the body of a loop names
// the loop's own variable, so the loop never ends. In a function they
// compile as in Go, and the cell's variables, being globals, are still the
// ones the block reads and assigns. A compound statement declares nothing
// outside itself, and break, continue and labels stay inside it with the
// statement; a top-level return or goto is refused before (see TopLevelJump).
func (r *rewriter) wrapCompound(stmt ast.Stmt, stack []ast.Node, root ast.Node) {
	var start ast.Node = stmt
	if l := labelOf(stack, stmt); l != nil {
		start, stack = l, stack[:len(stack)-1]
	}
	if _, ok := root.(*ast.BlockStmt); !ok || len(stack) != 1 || stack[0] != root {
		return // not a top-level statement of a statement unit
	}
	from, to := r.off(start.Pos()), r.off(stmt.End())
	r.replace(from, to, r.callLit("func() { "+r.text(from, to)+" }", ""))
}

// callLit calls a function literal through a variable: yaegi v0.16.1 runs a
// function literal called directly in a top-level statement again at every
// later Eval.
func (r *rewriter) callLit(lit, args string) string {
	name := r.newTmp("lit")
	return name + " := " + lit + "; " + name + "(" + args + ")"
}

// rangeStmt turns range over an integer (which yaegi v0.16.1 rejects) into a
// counting loop, and gives each iteration its own key and value variables.
func (r *rewriter) rangeStmt(s *ast.RangeStmt, label *ast.LabeledStmt) {
	lbrace := r.off(s.Body.Lbrace)
	if !r.isInt(s.X) {
		if vars := varNames(s.Key, s.Value); s.Tok == token.DEFINE && len(vars) > 0 && captures(s.Body) {
			r.replace(lbrace, lbrace+1, "{"+redeclare(vars))
		}
		return
	}
	// The counting loop declares the key in its body: one per iteration.
	n, i := r.newTmp("n"), r.newTmp("i")
	start, lab := r.off(s.For), ""
	if label != nil {
		start, lab = r.off(label.Pos()), label.Label.Name+": "
	}
	set := ""
	if s.Key != nil && !isBlank(s.Key) {
		set = " " + r.nodeText(s.Key) + " " + s.Tok.String() + " " + i + ";"
	}
	rbrace := r.off(s.Body.Rbrace)
	head := "{ " + n + " := " + r.nodeText(s.X) + "; " + lab + "for " + i + " := " + n + " - " + n + "; " + i + " < " + n + "; " + i + "++ {" + set
	r.replace(start, rbrace+1, head+r.text(lbrace+1, rbrace)+"}}")
}

// forStmt gives each iteration of a three-clause loop its own copy of the loop
// variables when the body captures them and does not assign them (Go 1.22).
func (r *rewriter) forStmt(s *ast.ForStmt) {
	init, ok := s.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || !captures(s.Body) {
		return
	}
	vars := slices.DeleteFunc(varNames(init.Lhs...), func(v string) bool { return assigns(s.Body, v) })
	if len(vars) > 0 {
		lbrace := r.off(s.Body.Lbrace)
		r.replace(lbrace, lbrace+1, "{"+redeclare(vars))
	}
}

// redeclare is " a, b := a, b;": the loop variables of one iteration.
func redeclare(vars []string) string {
	return " " + strings.Join(vars, ", ") + " := " + strings.Join(vars, ", ") + ";"
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// captures reports whether body may keep a loop variable beyond its
// iteration: a closure or a goroutine, or an address taken.
func captures(body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			found = true
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND
		}
		return !found
	})
	return found
}

// assigns reports whether body assigns to (or takes the address of) name.
func assigns(body ast.Node, name string) bool {
	found := false
	is := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && id.Name == name
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			found = found || n.Tok != token.DEFINE && slices.ContainsFunc(n.Lhs, is)
		case *ast.IncDecStmt:
			found = found || is(n.X)
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND && is(n.X)
		}
		return !found
	})
	return found
}

// renameable reports whether id, whose ancestors are stack, names a type
// (or anything declared at top level) rather than a field, method or label.
func renameable(stack []ast.Node, id *ast.Ident) bool {
	if len(stack) == 0 {
		return true
	}
	switch p := stack[len(stack)-1].(type) {
	case *ast.SelectorExpr:
		return p.Sel != id
	case *ast.KeyValueExpr:
		return p.Key != id
	case *ast.Field:
		return !slices.Contains(p.Names, id)
	case *ast.FuncDecl:
		return p.Name != id || p.Recv == nil && id.Name == "main" // a cell's main is renamed
	case *ast.File, *ast.ImportSpec, *ast.LabeledStmt, *ast.BranchStmt:
		return false
	}
	return true
}

// TopLevelJump returns a return or goto statement of a statement unit that is
// outside any function literal. Go has no such statement outside a function;
// yaegi v0.16.1 panics compiling a return there, and inside a compound
// statement run as a function (see wrapCompound) a return would quietly end
// only that statement.
func TopLevelJump(body *ast.BlockStmt) ast.Stmt {
	var found ast.Stmt
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = n
		case *ast.BranchStmt:
			if n.Tok == token.GOTO {
				found = n
			}
		}
		return found == nil
	})
	return found
}
