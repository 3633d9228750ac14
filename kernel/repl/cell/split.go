// Package cell is the interpreter-free half of a gospeed cell's way to
// yaegi v0.16.1, in the order a cell goes through it:
//
//   - split.go: Split cuts a cell into units (imports, declarations, runs of
//     statements), from its tokens alone;
//   - parse.go: Parse gives each unit its syntax tree, keeping the cell's
//     lines;
//   - plan.go: Plan orders the units so that package-level declarations are
//     order-independent, as in Go;
//   - rewrite.go and ints.go: Rewrite makes each unit behave as Go 1.22+ where
//     yaegi differs (each rewrite's comment names the yaegi bug), with the
//     int oracle telling range over an integer;
//   - names.go: what a cell's names are (declared, predeclared, packages).
//
// Package repl runs what comes out, unit by unit, in a Session.
package cell

import (
	"fmt"
	"go/scanner"
	"go/token"
	"strings"
)

// A cell is what a learner writes: imports, declarations and statements in any
// order. yaegi takes either a run of declarations or a run of statements in
// one Eval, so a cell is split into units that are each evaluated alone.

// UnitKind says how a unit is evaluated.
type UnitKind int

const (
	// ImportUnit is one import declaration (possibly grouped).
	ImportUnit UnitKind = iota
	// DeclUnit is one func, type or const declaration, kept at package level
	// so that later cells see it. (A var declaration is a statement: yaegi
	// evaluates statements in its global scope too, and a package-level var
	// cannot see variables that statements declared.)
	DeclUnit
	// StmtUnit is a run of consecutive statements.
	StmtUnit
)

func (k UnitKind) String() string {
	switch k {
	case ImportUnit:
		return "import"
	case DeclUnit:
		return "decl"
	case StmtUnit:
		return "stmt"
	}
	return fmt.Sprintf("UnitKind(%d)", int(k))
}

// Unit is one top-level piece of a cell.
type Unit struct {
	Kind UnitKind
	// Src is the unit's text, exactly as in the cell.
	Src string
	// Offset is the byte offset of Src in the cell; Line its 1-based line.
	Offset, Line int
}

// Split cuts a cell into units. It checks only the token structure (balanced
// brackets); Parse then parses each unit. A scanning error is returned as a
// *SyntaxError.
func Split(cell string) ([]Unit, error) {
	toks, err := scan(cell)
	if err != nil {
		return nil, err
	}
	var units []Unit
	add := func(kind UnitKind, from, to int) {
		start, end := toks[from].off, toks[to-1].end
		src := strings.TrimRight(cell[start:end], "; \t\r\n")
		if strings.TrimSpace(src) == "" {
			return
		}
		if kind == StmtUnit && len(units) > 0 {
			last := &units[len(units)-1]
			if last.Kind == StmtUnit {
				last.Src = cell[last.Offset:start] + src
				return
			}
		}
		units = append(units, Unit{Kind: kind, Src: src, Offset: start, Line: toks[from].line})
	}
	for i, end := 0, 0; i < len(toks); i = end {
		end = unitEnd(toks, i)
		switch {
		case toks[i].tok == token.PACKAGE && len(units) == 0:
			// A whole program pasted in: its package clause means nothing here.
		case toks[i].tok != token.SEMICOLON:
			add(unitKind(toks, i), i, end)
		}
	}
	return units, nil
}

type tok struct {
	tok      token.Token
	off, end int // end is off for a semicolon inserted at a line's end
	line     int
}

// scan tokenizes the cell, dropping comments, and checks bracket balance.
func scan(cell string) ([]tok, error) {
	fset := token.NewFileSet()
	file := fset.AddFile("cell.go", -1, len(cell))
	var errs scanner.ErrorList
	var s scanner.Scanner
	s.Init(file, []byte(cell), func(pos token.Position, msg string) { errs.Add(pos, msg) }, 0)
	var toks []tok
	var stack []token.Token // the brackets open
	closing := map[token.Token]token.Token{token.LPAREN: token.RPAREN, token.LBRACK: token.RBRACK, token.LBRACE: token.RBRACE}
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		off := file.Offset(pos)
		end := off + len(lit)
		switch {
		case t == token.SEMICOLON && lit == "\n": // inserted at a line's end
			end = off
		case lit == "":
			end = off + len(t.String())
		}
		switch nesting(t) {
		case 1:
			stack = append(stack, t)
		case -1:
			if len(stack) == 0 || closing[stack[len(stack)-1]] != t {
				errs.Add(fset.Position(pos), fmt.Sprintf("unexpected %s", t))
			} else {
				stack = stack[:len(stack)-1]
			}
		}
		toks = append(toks, tok{tok: t, off: off, end: end, line: fset.Position(pos).Line})
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, &SyntaxError{List: errs}
	}
	if len(stack) > 0 {
		return nil, &SyntaxError{Incomplete: true, List: scanner.ErrorList{{Pos: fset.Position(file.Pos(len(cell))), Msg: fmt.Sprintf("unclosed %s", stack[len(stack)-1])}}}
	}
	return toks, nil
}

// nesting is 1 for an opening bracket, -1 for a closing one, else 0.
func nesting(t token.Token) int {
	switch t {
	case token.LPAREN, token.LBRACK, token.LBRACE:
		return 1
	case token.RPAREN, token.RBRACK, token.RBRACE:
		return -1
	}
	return 0
}

// unitEnd returns the index just past the unit starting at toks[i]: the next
// semicolon at bracket depth zero.
func unitEnd(toks []tok, i int) int {
	for depth := 0; i < len(toks); i++ {
		if depth += nesting(toks[i].tok); depth == 0 && toks[i].tok == token.SEMICOLON {
			return i + 1
		}
	}
	return i
}

// unitKind classifies the unit starting at toks[i].
func unitKind(toks []tok, i int) UnitKind {
	switch toks[i].tok {
	case token.IMPORT:
		return ImportUnit
	case token.TYPE, token.CONST:
		return DeclUnit
	case token.FUNC:
		// func Name..., or func (recv) Name(...: a declaration;
		// func(...) T {...}(...): a function literal in a statement.
		if i+1 < len(toks) && toks[i+1].tok == token.IDENT {
			return DeclUnit
		}
		if i+1 < len(toks) && toks[i+1].tok == token.LPAREN {
			j := matchParen(toks, i+1)
			if j+2 < len(toks) && toks[j+1].tok == token.IDENT && toks[j+2].tok == token.LPAREN {
				return DeclUnit
			}
		}
	}
	return StmtUnit
}

// matchParen returns the index of the bracket that closes toks[i].
func matchParen(toks []tok, i int) int {
	for depth := 0; i < len(toks); i++ {
		if depth += nesting(toks[i].tok); depth == 0 {
			return i
		}
	}
	return i
}

// SyntaxError is a cell that does not scan or parse.
type SyntaxError struct {
	// Incomplete is set when more input could complete the cell (an unclosed bracket).
	Incomplete bool
	List       scanner.ErrorList
}

func (e *SyntaxError) Error() string { return e.List.Error() }
