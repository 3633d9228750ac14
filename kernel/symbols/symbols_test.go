package symbols

import (
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestTablesMatchSources checks that the generated tables list every exported
// top-level name of the packages they cover: run `go generate ./kernel/symbols`
// when this fails.
func TestTablesMatchSources(t *testing.T) {
	for dir, key := range map[string]string{
		"../../lessons": "github.com/gospeed/gospeed/lessons/lessons",
		"../display":    "github.com/gospeed/gospeed/kernel/display/display",
		"../widgets":    "github.com/gospeed/gospeed/kernel/widgets/widgets",
	} {
		table := Symbols[key]
		if table == nil {
			t.Fatalf("no table for %s", key)
		}
		names := exported(t, dir)
		for name := range names {
			if _, ok := table[name]; !ok {
				t.Errorf("%s: %s is missing from the generated table (stale: go generate ./kernel/symbols)", key, name)
			}
		}
		for name := range table {
			if !strings.HasPrefix(name, "_") && !names[name] {
				t.Errorf("%s: the table has %s, which the package no longer declares (stale: go generate ./kernel/symbols)", key, name)
			}
		}
	}
}

// exported returns the exported top-level names (not methods) of the
// non-test Go files in dir.
func exported(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if !buildsHere(f) {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							names[s.Name.Name] = true
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								names[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return names
}

// buildsHere reports whether f is part of a plain build for this platform
// (no race detector), as yaegi extract sees the package.
func buildsHere(f *ast.File) bool {
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			expr, err := constraint.Parse(c.Text)
			if err != nil {
				continue // not a build constraint
			}
			return expr.Eval(func(tag string) bool {
				return tag == runtime.GOOS || tag == runtime.GOARCH || tag == "gc" || strings.HasPrefix(tag, "go1.")
			})
		}
	}
	return true
}
