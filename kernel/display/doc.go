package display

import (
	"bytes"
	"embed"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"strings"
)

//go:embed *.go
var sources embed.FS

// cellFuncs are the display functions a kernel binds to its session, one
// per interpreter: they exist in cells, not in this compiled package.
var cellFuncs = map[string]string{
	"Display": "func Display(d Data) error\n\nDisplay shows d at once, below the running cell (gophernotes' Display).",
	"Progress": "func Progress(label string) func(done, total int)\n\n" +
		"Progress starts a live progress display and returns the function to report\n" +
		"progress to: the first call shows it, later calls update it in place (at most\n" +
		"ten times a second; the final call, done >= total, always shows). Pass it as a\n" +
		"lessons Progress option.",
	"Context": "func Context() context.Context\n\n" +
		"Context is the running cell's context: it is cancelled when the cell is\n" +
		"interrupted, or ends. Pass it to lessons runs so that they stop too.",
	"Clear": "func Clear(wait bool)\n\n" +
		"Clear clears the running cell's output; with wait, only when new output arrives.",
}

// Doc returns the declaration and doc comment of a name of this package, as
// a cell sees it (with Display, Progress, Context and Clear), or an error
// when there is no such name.
func Doc(name string) (string, error) {
	if text, ok := cellFuncs[name]; ok {
		return text, nil
	}
	fset := token.NewFileSet()
	var files []*ast.File
	names, err := fs.Glob(sources, "*.go")
	if err != nil {
		return "", fmt.Errorf("display.Doc: %w", err)
	}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		src, err := sources.ReadFile(n)
		if err != nil {
			return "", fmt.Errorf("display.Doc: %w", err)
		}
		f, err := parser.ParseFile(fset, n, src, parser.ParseComments)
		if err != nil {
			return "", fmt.Errorf("display.Doc: %w", err)
		}
		files = append(files, f)
	}
	pkg, err := doc.NewFromFiles(fset, files, "github.com/gospeed/gospeed/kernel/display")
	if err != nil {
		return "", fmt.Errorf("display.Doc: %w", err)
	}
	if text, ok := Lookup(pkg, name); ok {
		return text, nil
	}
	return "", fmt.Errorf("display.Doc: no %s in package display", name)
}

// Lookup returns the declaration and doc comment of name in pkg.
func Lookup(pkg *doc.Package, name string) (string, bool) {
	show := func(decl ast.Node, comment string) (string, bool) {
		var b bytes.Buffer
		if err := printer.Fprint(&b, token.NewFileSet(), decl); err != nil {
			return "", false
		}
		return strings.TrimSpace(b.String() + "\n\n" + comment), true
	}
	for _, f := range pkg.Funcs {
		if f.Name == name {
			return show(f.Decl, f.Doc)
		}
	}
	for _, t := range pkg.Types {
		if t.Name == name {
			return show(t.Decl, t.Doc)
		}
		for _, f := range t.Funcs {
			if f.Name == name {
				return show(f.Decl, f.Doc)
			}
		}
		for _, f := range t.Methods {
			if f.Name == name {
				return show(f.Decl, f.Doc)
			}
		}
	}
	for _, group := range [][]*doc.Value{pkg.Consts, pkg.Vars} {
		for _, v := range group {
			for _, n := range v.Names {
				if n == name {
					return show(v.Decl, v.Doc)
				}
			}
		}
	}
	return "", false
}
