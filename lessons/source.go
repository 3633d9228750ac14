package lessons

import (
	"embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"sort"
	"strings"
)

// sources are this package's own files, so a notebook can show the code it
// just ran.
//
//go:embed *.go
var sources embed.FS

// Source returns the Go source, with its doc comment, of a declaration in
// this package: a function ("Fib"), a type ("IOOptions"), a method
// ("RacyStats.Record" or "(*RacyStats).Record"), a variable or a constant.
func Source(name string) (string, error) {
	want := strings.NewReplacer("(", "", ")", "", "*", "").Replace(strings.TrimSpace(name))
	want = strings.TrimPrefix(want, "lessons.")
	files, err := fs.Glob(sources, "*.go")
	if err != nil {
		return "", fmt.Errorf("source: %w", err)
	}
	sort.Strings(files)
	for _, file := range files {
		// Tests are not lessons, and the race-build stand-ins are not what
		// a learner runs.
		if strings.HasSuffix(file, "_test.go") || strings.HasSuffix(file, "_race.go") {
			continue
		}
		src, err := sources.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("source: %w", err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
		if err != nil {
			return "", fmt.Errorf("source: %w", err)
		}
		for _, decl := range f.Decls {
			if from, to, ok := declSpan(decl, want); ok {
				return string(src[fset.Position(from).Offset:fset.Position(to).Offset]) + "\n", nil
			}
		}
	}
	return "", fmt.Errorf("source: no declaration %q in package lessons", name)
}

// declSpan is where decl begins (its doc comment included) and ends, if it
// declares name.
func declSpan(decl ast.Decl, name string) (from, to token.Pos, ok bool) {
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if funcName(d) != name {
			return 0, 0, false
		}
		from = d.Pos()
		if d.Doc != nil {
			from = d.Doc.Pos()
		}
		return from, d.End(), true
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			if !specDeclares(spec, name) {
				continue
			}
			// A lone declaration comes whole, with its keyword and doc;
			// one of a group, just its own lines.
			if d.Lparen == token.NoPos {
				from = d.Pos()
				if d.Doc != nil {
					from = d.Doc.Pos()
				}
				return from, d.End(), true
			}
			from = spec.Pos()
			if doc := specDoc(spec); doc != nil {
				from = doc.Pos()
			}
			return from, spec.End(), true
		}
	}
	return 0, 0, false
}

// funcName is "Fib" for a function, "Site.URLs" for a method.
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + d.Name.Name
	}
	return d.Name.Name
}

func specDeclares(spec ast.Spec, name string) bool {
	switch s := spec.(type) {
	case *ast.TypeSpec:
		return s.Name.Name == name
	case *ast.ValueSpec:
		for _, id := range s.Names {
			if id.Name == name {
				return true
			}
		}
	}
	return false
}

func specDoc(spec ast.Spec) *ast.CommentGroup {
	switch s := spec.(type) {
	case *ast.TypeSpec:
		return s.Doc
	case *ast.ValueSpec:
		return s.Doc
	}
	return nil
}
