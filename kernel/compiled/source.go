package compiled

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/imports"
)

// cellFile is the name the cell's lines carry in compile errors, panics,
// test failures and race reports.
const cellFile = "cell.go"

// knownImport is the import path of a package a cell may use without
// importing it, beyond the standard library.
func knownImport(name string) (string, bool) {
	switch name {
	case "lessons":
		return modulePath + "/lessons", true
	case "display":
		return modulePath + "/kernel/display", true
	case "errgroup":
		return "golang.org/x/sync/errgroup", true
	case "semaphore":
		return "golang.org/x/sync/semaphore", true
	}
	return "", false
}

// A source is the Go file built from a cell.
type source struct {
	text  []byte
	pkg   string   // the package clause's name
	added []string // imports added to the learner's file
}

// lineDirective maps the lines after it to the cell's line n.
func lineDirective(n int) string { return fmt.Sprintf("//line %s:%d:1\n", cellFile, n) }

// buildSource makes the Go file of a cell whose body (the text after the
// magic line) starts at the cell's line 2. stdNames says whether a name is
// the name of a standard library package; fileName is where the file will be
// written (goimports resolves relative to it).
func buildSource(body string, fileName string, stdNames func(string) bool) (source, error) {
	var head, tail string
	src := source{pkg: "main"}
	fset := token.NewFileSet()
	if f, err := parser.ParseFile(fset, "", body, parser.PackageClauseOnly); err == nil {
		src.pkg = f.Name.Name
		line := fset.Position(f.Name.End()).Line
		end := len(body)
		if i := lineOffset(body, line+1); i >= 0 {
			end = i
		}
		head = lineDirective(2) + body[:end]
		if !strings.HasSuffix(head, "\n") {
			head += "\n"
		}
		tail = lineDirective(line+2) + body[end:]
	} else {
		head = "package main\n"
		tail = lineDirective(2) + body
	}

	missing := missingNames(head + tail)
	if len(missing) == 0 {
		src.text = []byte(head + tail)
		return src, nil
	}
	var std []string
	for _, name := range missing {
		if p, ok := knownImport(name); ok {
			src.added = append(src.added, strconv.Quote(p))
		} else if stdNames(name) {
			std = append(std, name)
		}
	}
	if len(std) > 0 {
		found, err := stdImports(head+importDecl(src.added)+tail, fileName)
		if err != nil {
			return source{}, err
		}
		src.added = append(src.added, found...)
	}
	src.text = []byte(head + importDecl(src.added) + tail)
	return src, nil
}

// lineOffset returns the byte offset where line n (1-based) of s starts, or -1.
func lineOffset(s string, n int) int {
	off := 0
	for line := 1; line < n; line++ {
		i := strings.IndexByte(s[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	return off
}

func importDecl(specs []string) string {
	if len(specs) == 0 {
		return ""
	}
	return "import (\n\t" + strings.Join(specs, "\n\t") + "\n)\n"
}

// missingNames returns the names used as package qualifiers (x in x.Y) that
// the file neither declares nor imports. A file that does not parse has
// none: the compiler will say what is wrong with it.
func missingNames(text string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "", text, 0)
	if err != nil {
		return nil
	}
	imported := map[string]bool{}
	for _, spec := range f.Imports {
		if spec.Name != nil {
			imported[spec.Name.Name] = true
			continue
		}
		p, _ := strconv.Unquote(spec.Path.Value)
		imported[importName(p)] = true
	}
	unresolved := map[*ast.Ident]bool{}
	for _, id := range f.Unresolved {
		unresolved[id] = true
	}
	seen := map[string]bool{}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && unresolved[id] && !imported[id.Name] && !seen[id.Name] {
			seen[id.Name] = true
			names = append(names, id.Name)
		}
		return true
	})
	sort.Strings(names)
	return names
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// importName guesses a package's name from its import path, as goimports does.
func importName(importPath string) string {
	name := path.Base(importPath)
	if majorVersion.MatchString(name) {
		name = path.Base(path.Dir(importPath))
	}
	name = strings.TrimPrefix(name, "go-")
	if i := strings.IndexAny(name, ".-"); i >= 0 {
		name = name[:i]
	}
	return name
}

// stdImports asks goimports which imports text lacks, and returns them as
// import specs; it adds only standard library packages here, as every other
// package a cell may use is already imported.
func stdImports(text, fileName string) ([]string, error) {
	before := importSet(text)
	out, err := imports.Process(fileName, []byte(text), &imports.Options{Comments: true, TabIndent: true, TabWidth: 8})
	if err != nil {
		return nil, fmt.Errorf("adding imports: %w", err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", out, parser.ImportsOnly)
	if err != nil {
		return nil, fmt.Errorf("adding imports: %w", err)
	}
	var specs []string
	for _, spec := range f.Imports {
		if before[spec.Path.Value] {
			continue
		}
		if spec.Name != nil {
			specs = append(specs, spec.Name.Name+" "+spec.Path.Value)
		} else {
			specs = append(specs, spec.Path.Value)
		}
	}
	return specs, nil
}

func importSet(text string) map[string]bool {
	set := map[string]bool{}
	f, err := parser.ParseFile(token.NewFileSet(), "", text, parser.ImportsOnly)
	if err != nil {
		return set
	}
	for _, spec := range f.Imports {
		set[spec.Path.Value] = true
	}
	return set
}

// stdPackageNames returns the names of the standard library's importable
// packages, from the source of the toolchain goBin belongs to; nil when it
// cannot be read.
func stdPackageNames(goBin string) map[string]bool {
	bin, err := filepath.EvalSymlinks(goBin)
	if err != nil {
		return nil
	}
	root := filepath.Join(filepath.Dir(filepath.Dir(bin)), "src")
	names := map[string]bool{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		switch d.Name() {
		case "cmd", "internal", "vendor", "testdata":
			return filepath.SkipDir
		}
		if p != root {
			rel, _ := filepath.Rel(root, p)
			names[importName(filepath.ToSlash(rel))] = true
		}
		return nil
	})
	if err != nil || len(names) == 0 {
		return nil
	}
	return names
}

// sourceLines splits a cell into its lines, for quoting them.
func sourceLines(code string) []string {
	return strings.Split(strings.ReplaceAll(code, "\r\n", "\n"), "\n")
}

// writeFile replaces the cell file in dir (and removes the other mode's).
func writeFile(dir, name string, text []byte) error {
	for _, other := range []string{"main.go", "cell_test.go"} {
		if other != name {
			if err := os.Remove(filepath.Join(dir, other)); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("removing the previous cell: %w", err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name), text, 0o644); err != nil {
		return fmt.Errorf("writing the cell: %w", err)
	}
	return nil
}
