// Package docs finds what inspect shows for a name a cell uses: the
// declaration and doc comment of a package's member, or the package's doc.
// It reads Go sources: the standard library's from GOROOT, package display's
// from a copy generated into this package, and any package whose sources its
// Provider is given (lessons, from cmd/gospeed).
package docs

import (
	"bytes"
	"context"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:generate go run gen.go

// Provider returns the declaration and doc comment of name in the package at
// import path p, the package's doc when name is "", or "" when it has none.
type Provider func(p, name string) string

// Chain asks each provider in turn.
func Chain(ps ...Provider) Provider {
	return func(p, name string) string {
		for _, provide := range ps {
			if text := provide(p, name); text != "" {
				return text
			}
		}
		return ""
	}
}

// Declarations is the Provider of the package at path, whose declarations'
// sources, doc comments included, source gives (as lessons.Source does).
func Declarations(path string, source func(name string) (string, error)) Provider {
	return func(p, name string) string {
		if p != path || name == "" {
			return ""
		}
		src, err := source(name)
		if err != nil {
			return ""
		}
		return declDoc(src)
	}
}

// declDoc renders one declaration's source as its signature and doc comment.
func declDoc(src string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p\n"+src, parser.ParseComments)
	if err != nil || len(f.Decls) == 0 {
		return strings.TrimSpace(src)
	}
	var comment string
	switch d := f.Decls[0].(type) {
	case *ast.FuncDecl:
		comment = d.Doc.Text()
		d.Doc, d.Body = nil, nil
	case *ast.GenDecl:
		comment = d.Doc.Text()
		d.Doc = nil
	}
	var b bytes.Buffer
	_ = printer.Fprint(&b, fset, f.Decls[0])
	return b.String() + "\n\n" + comment
}

// Standard is the kernel's own Provider: package display as a cell sees it,
// and the standard library, read from GOROOT's sources when they are
// installed (once per package).
func Standard() Provider {
	var once sync.Once
	var display *doc.Package
	std := &stdDocs{docs: map[string]*doc.Package{}}
	return func(p, name string) string {
		if p != displayPath {
			return std.doc(p, name)
		}
		if text, ok := cellFuncs[name]; ok {
			return text
		}
		once.Do(func() { display = parseSources(displaySources) })
		text, _ := lookup(display, name)
		return text
	}
}

const displayPath = "github.com/gospeed/gospeed/kernel/display"

// cellFuncs are the display functions a session binds to its running cell:
// they exist in cells, not in the compiled package. (kernel/repl tests that
// these signatures are the ones it binds.)
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

// parseSources reads a package's documentation from its files' text, by name.
func parseSources(files map[string]string) *doc.Package {
	fset := token.NewFileSet()
	var parsed []*ast.File
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if f, err := parser.ParseFile(fset, n, files[n], parser.ParseComments); err == nil {
			parsed = append(parsed, f)
		}
	}
	pkg, err := doc.NewFromFiles(fset, parsed, displayPath)
	if err != nil {
		return nil
	}
	return pkg
}

// lookup returns the declaration and doc comment of name in pkg.
func lookup(pkg *doc.Package, name string) (string, bool) {
	if pkg == nil {
		return "", false
	}
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
		for _, f := range append(t.Funcs, t.Methods...) {
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

// stdDocs reads the standard library's documentation from GOROOT's sources.
type stdDocs struct {
	mu       sync.Mutex
	docs     map[string]*doc.Package // by import path; nil when unreadable
	rootOnce sync.Once
	root     string
}

func (s *stdDocs) doc(p, name string) string {
	s.mu.Lock()
	pkg, ok := s.docs[p]
	if !ok {
		pkg = readDoc(filepath.Join(s.goroot(), "src", filepath.FromSlash(p)), p)
		s.docs[p] = pkg
	}
	s.mu.Unlock()
	if pkg == nil {
		return ""
	}
	if name == "" {
		return "package " + pkg.Name + " // import \"" + p + "\"\n\n" + pkg.Doc
	}
	text, _ := lookup(pkg, name)
	return text
}

// goroot is where the Go installation that may hold the standard library's
// sources lives: $GOROOT, or what `go env GOROOT` says.
func (s *stdDocs) goroot() string {
	s.rootOnce.Do(func() {
		if s.root = os.Getenv("GOROOT"); s.root != "" {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
		if err == nil {
			s.root = strings.TrimSpace(string(out))
		}
	})
	return s.root
}

func readDoc(dir, importPath string) *doc.Package {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if e.Type()&fs.ModeType != 0 || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err == nil && f.Name.Name != "main" && !strings.HasSuffix(f.Name.Name, "_test") {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil
	}
	pkg, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		return nil
	}
	return pkg
}
