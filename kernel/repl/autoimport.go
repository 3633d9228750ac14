package repl

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gospeed/gospeed/kernel/repl/cell"
)

// A learner who writes strings.ToUpper without importing strings gets, from
// yaegi v0.16.1, "undefined: strings", a "definition loop", or a nil-pointer
// panic in its compiler (var mu sync.Mutex). The session imports such a
// package itself when its name says which one it is, as goimports would, and
// otherwise names the packages the learner may have meant.

// importsOf returns the names that a cell's unnamed imports bind.
func (s *Session) importsOf(units []cell.Parsed) map[string]bool {
	names := map[string]bool{}
	for _, u := range units {
		for _, spec := range u.File.Imports { // only import units have any
			if imp := importOf(spec); imp.name == "" {
				names[s.pkgName(imp.path)] = true
			}
		}
	}
	return names
}

// autoImport imports the packages the cell uses without importing them,
// when their name is that of exactly one package the interpreter has and
// nothing else in the session goes by that name. An ambiguous name is an
// error naming the candidates.
func (s *Session) autoImport(ctx context.Context, units []cell.Parsed) error {
	cellImports := s.importsOf(units)
	for _, ref := range s.undefined(units) {
		name := ref.Name
		if cellImports[name] {
			continue
		}
		paths := s.packagesNamed(name)
		switch len(paths) {
		case 0:
			continue // not a package: the interpreter will say what it is
		case 1:
			if err := s.importPackage(ctx, importKey{path: paths[0]}); err != nil {
				return err
			}
		default:
			msg := fmt.Sprintf("line %d: undefined: %s (not imported; import one of %s)", ref.Line, name, quoteAll(paths))
			return compileError(msg)
		}
	}
	return nil
}

// declError makes the failure to compile a declaration unit clear: yaegi
// fails on a name that names nothing in some places (a struct field of type
// foo.T, a constant) with a "definition loop" or a panic of its compiler.
func (s *Session) declError(p cell.Parsed, err error) error {
	var e *Error
	if !isTypingFailure(err) || !errors.As(err, &e) {
		return err
	}
	if refs := s.undefined([]cell.Parsed{p}); len(refs) > 0 {
		return compileError(fmt.Sprintf("line %d: undefined: %s", refs[0].Line, refs[0].Name))
	}
	if strings.HasSuffix(e.Value, "definition loop") {
		return compileError(e.Value + " (yaegi v0.16.1 says so when a declaration uses a name it cannot resolve: a name misspelt, or declared nowhere?)")
	}
	return e
}

// undefined are the names units use as packages that neither units nor the
// session declare, nor Go.
func (s *Session) undefined(units []cell.Parsed) []cell.NameAt {
	return slices.DeleteFunc(cell.UnresolvedPackages(units), func(ref cell.NameAt) bool {
		_, imported := s.importedAs(ref.Name)
		return imported || cell.Predeclared(ref.Name) || s.known(ref.Name)
	})
}

// known reports a name the session's cells declared.
func (s *Session) known(name string) bool {
	if _, ok := s.global(name); ok {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, isType := s.types[name]
	return isType || s.funcs[name]
}

// importedAs returns the path of the package imported under name.
func (s *Session) importedAs(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for imp := range s.imported {
		if imp.name == name || imp.name == "" && s.pkgName(imp.path) == name {
			return imp.path, true
		}
	}
	return "", false
}

// packagesNamed lists the importable packages called name.
func (s *Session) packagesNamed(name string) []string {
	var paths []string
	for p, n := range s.pkgNames {
		if n == name && p != helperPath && p != defsPath && !strings.Contains(p, "internal") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	return paths
}

func quoteAll(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = strconv.Quote(p)
	}
	return strings.Join(q, ", ")
}
