package cell

import (
	"cmp"
	"go/ast"
	"go/token"
	"slices"
	"strings"
)

// In Go, package-level declarations are order-independent: a func may call
// one declared below it. A cell evaluates its units one by one, so the order
// of evaluation is planned here, from the syntax alone: imports first, then
// each declaration as early as the names it uses allow, and declarations
// that must come at the same point (a func and the func it calls, two types
// that refer to each other) together in one evaluation.

// Step is one evaluation of a plan: a unit of the cell, or several
// declaration units merged into one.
type Step struct {
	Parsed
	// Last is set on the cell's final statement unit, whose value is shown.
	Last bool
}

// Plan orders the parsed units of cell.
func Plan(cell string, units []Parsed) ([]Step, error) {
	var steps []Step
	for _, u := range units {
		if u.Kind == ImportUnit {
			steps = append(steps, Step{Parsed: u})
		}
	}
	at := declPoints(units, true)
	if at == nil {
		at = declPoints(units, false)
	}
	if at == nil { // as written
		for i, u := range units {
			if u.Kind != ImportUnit {
				steps = append(steps, Step{Parsed: u, Last: i == len(units)-1 && u.Kind == StmtUnit})
			}
		}
		return steps, nil
	}
	// decls[n] are the declarations evaluated right after the cell's
	// statement n (counting the top-level statements of all statement
	// units); decls[-1] before every statement.
	decls := map[int][]Parsed{}
	for i, u := range units {
		if u.Kind == DeclUnit {
			decls[at[i]] = append(decls[at[i]], u)
		}
	}
	var first error // the first failure to parse a merge or a piece again
	add := func(p Parsed, err error, last bool) {
		first = cmp.Or(first, err)
		steps = append(steps, Step{Parsed: p, Last: last})
	}
	addDecls := func(point int) {
		if len(decls[point]) > 0 {
			merged, err := mergeDecls(cell, decls[point])
			add(merged, err, false)
		}
	}
	addDecls(-1)
	seq := 0
	for i, u := range units {
		if u.Kind != StmtUnit {
			continue
		}
		// The unit is cut after each statement that declarations wait for.
		from, n := 0, len(u.Body.List)
		for k := range n {
			if len(decls[seq+k]) > 0 || k == n-1 {
				piece, err := u.Sub(from, k+1)
				add(piece, err, i == len(units)-1 && k == n-1)
				addDecls(seq + k)
				from = k + 1
			}
		}
		seq += n
	}
	if first != nil {
		return nil, first
	}
	return steps, nil
}

// declPoints returns, for each declaration unit, the number of the cell's
// top-level statement after which it is evaluated (-1: before all
// statements): the latest statement before it that declares a name it uses,
// or the point of a declaration it uses, whichever is later. With forward, a
// name that only a later statement declares (a package-level var below the
// func that reads it, as Go allows) moves the declaration after that
// statement, unless a statement before then uses what it declares: then it
// returns nil. For a cell that declares a name twice it returns nil too:
// merged, the declarations would clash, so they keep their places.
func declPoints(units []Parsed, forward bool) map[int]int {
	at := map[int]int{}
	declaredBy := map[string]int{}  // name -> declaration unit
	declares := map[int][]string{}  // declaration unit -> names and methods
	stmtNames := map[string][]int{} // name -> statements declaring it
	stmtUses := []map[string]bool{} // statement -> identifiers in it
	stmtsBefore := map[int]int{}    // declaration unit -> statements before it
	uses := map[int]map[string]bool{}
	seq := 0
	for i, u := range units {
		switch u.Kind {
		case DeclUnit:
			names, methods := declNames(u.File)
			for _, name := range names {
				if _, dup := declaredBy[name]; dup {
					return nil
				}
				declaredBy[name] = i
			}
			for _, name := range methods {
				// Methods of different types may share a name.
				declaredBy[name] = i
			}
			declares[i] = append(names, methods...)
			uses[i] = identsIn(u.File)
			stmtsBefore[i] = seq
		case StmtUnit:
			for _, st := range u.Body.List {
				for _, name := range TopLevelNames(st) {
					stmtNames[name] = append(stmtNames[name], seq)
				}
				stmtUses = append(stmtUses, identsIn(st))
				seq++
			}
		}
	}
	for i := range uses {
		at[i] = -1
		for name := range uses[i] {
			ns := stmtNames[name] // in order
			switch k, _ := slices.BinarySearch(ns, stmtsBefore[i]); {
			case k > 0: // the last statement before the declaration
				at[i] = max(at[i], ns[k-1])
			case forward && k < len(ns): // else the first after it
				at[i] = max(at[i], ns[k])
			}
		}
	}
	// Propagate through the declarations each uses, to a fixed point (the
	// points only grow, and are bounded by the number of statements).
	for changed := true; changed; {
		changed = false
		for i := range uses {
			for name := range uses[i] {
				if d, ok := declaredBy[name]; ok && d != i && at[d] > at[i] {
					at[i], changed = at[d], true
				}
			}
		}
	}
	for i := range uses {
		for n := stmtsBefore[i]; n <= at[i]; n++ {
			if slices.ContainsFunc(declares[i], func(name string) bool { return stmtUses[n][name] }) {
				return nil
			}
		}
	}
	return at
}

// declNames are the names a declaration unit declares, and the names of its
// methods (a func calling a method needs the method declared).
func declNames(f *ast.File) (names, methods []string) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil {
				methods = append(methods, d.Name.Name)
			} else {
				names = append(names, d.Name.Name)
			}
		case *ast.GenDecl:
			names = append(names, specNames(d)...)
		}
	}
	return names, methods
}

// TopLevelNames are the variables (or constants, types) a top-level
// statement declares in the cell's scope.
func TopLevelNames(st ast.Stmt) []string {
	switch st := st.(type) {
	case *ast.AssignStmt:
		if st.Tok == token.DEFINE {
			return varNames(st.Lhs...)
		}
	case *ast.DeclStmt:
		if g, ok := st.Decl.(*ast.GenDecl); ok {
			return specNames(g)
		}
	}
	return nil
}

// specNames are the names of the types, constants or variables g declares,
// but _.
func specNames(g *ast.GenDecl) []string {
	var ids []*ast.Ident
	for _, spec := range g.Specs {
		switch spec := spec.(type) {
		case *ast.TypeSpec:
			ids = append(ids, spec.Name)
		case *ast.ValueSpec:
			ids = append(ids, spec.Names...)
		}
	}
	return varNames(ids...)
}

// identsIn is every identifier in n: more than the names n uses from
// outside, which can only make a declaration wait longer than it must.
func identsIn(n ast.Node) map[string]bool {
	ids := map[string]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			ids[id.Name] = true
		}
		return true
	})
	return ids
}

// mergeDecls makes one declaration unit of several, in the order of the
// cell, from the cell's text with everything else blanked out: the
// declarations keep their lines, so errors point into the cell.
func mergeDecls(cell string, us []Parsed) (Parsed, error) {
	if len(us) == 1 {
		return us[0], nil
	}
	first := us[0].Unit
	var b strings.Builder
	at := first.Offset
	for _, u := range us {
		gap := cell[at:u.Offset]
		if gap != "" && !strings.Contains(gap, "\n") {
			// Declarations on one line need a semicolon between them.
			b.WriteString(";")
			gap = gap[1:]
		}
		b.WriteString(blank(gap))
		b.WriteString(u.Src)
		at = u.Offset + len(u.Src)
	}
	return Parse(Unit{Kind: DeclUnit, Src: b.String(), Offset: first.Offset, Line: first.Line})
}

// blank keeps the line breaks of s and turns the rest into spaces.
func blank(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' {
			return r
		}
		return ' '
	}, s)
}
