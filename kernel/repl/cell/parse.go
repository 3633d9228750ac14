package cell

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
)

// Parsed is a unit with its syntax tree: File, and for statements Body, the
// body of the function that wraps them. Positions in it are the cell's lines.
type Parsed struct {
	Unit
	Fset *token.FileSet
	File *ast.File
	Body *ast.BlockStmt
}

// Parse parses a unit: declarations and imports as a file, statements as the
// body of a function.
func Parse(u Unit) (Parsed, error) {
	p := Parsed{Unit: u, Fset: token.NewFileSet()}
	src := p.prefix() + strings.Repeat("\n", u.Line-1) + u.Src
	if u.Kind != StmtUnit {
		f, err := parser.ParseFile(p.Fset, "cell.go", src, parser.ParseComments|parser.SkipObjectResolution)
		p.File = f
		return p, err
	}
	f, err := parser.ParseFile(p.Fset, "cell.go", src+"\n}", parser.SkipObjectResolution)
	if err != nil {
		return p, err
	}
	p.File, p.Body = f, f.Decls[0].(*ast.FuncDecl).Body
	return p, nil
}

func (p Parsed) prefix() string {
	if p.Kind == StmtUnit {
		return "package main; func _() {"
	}
	return "package main;"
}

// root is the node the rewrites walk: the file, or the statements' body.
func (p Parsed) root() ast.Node {
	if p.Body != nil {
		return p.Body
	}
	return p.File
}

// offset is the offset of pos in the unit's text.
func (p Parsed) offset(pos token.Pos) int {
	return p.Fset.File(p.File.Pos()).Offset(pos) - len(p.prefix()) - (p.Line - 1)
}

// Text is the unit's text of n.
func (p Parsed) Text(n ast.Node) string {
	// (A label before nothing ends at the wrapper's closing brace.)
	return p.Src[p.offset(n.Pos()):min(p.offset(n.End()), len(p.Src))]
}

// Sub is statements [from, to) of a statement unit, as a unit of its own.
func (p Parsed) Sub(from, to int) (Parsed, error) {
	if from == 0 && to == len(p.Body.List) {
		return p, nil
	}
	first, last := p.Body.List[from], p.Body.List[to-1]
	start, end := p.offset(first.Pos()), min(p.offset(last.End()), len(p.Src))
	return Parse(Unit{Kind: StmtUnit, Src: p.Src[start:end], Offset: p.Offset + start, Line: p.Fset.Position(first.Pos()).Line})
}
