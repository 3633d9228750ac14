package repl

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// A learner who writes strings.ToUpper without importing strings gets, from
// yaegi v0.16.1, "undefined: strings", a "definition loop", or a nil-pointer
// panic in its compiler (var mu sync.Mutex). The session imports such a
// package itself when its name says which one it is, as goimports would, and
// otherwise names the packages the learner may have meant.

// unresolvedPackages returns the names used as pkg in pkg.Name that the cell
// declares nowhere (as a variable, parameter, type, import...), with the
// cell line of their first use.
func unresolvedPackages(units []parsedUnit) []nameAt {
	declared := map[string]bool{}
	used := map[string]int{}
	for _, u := range units {
		var root ast.Node = u.file
		ast.Inspect(root, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok {
					if _, seen := used[id.Name]; !seen {
						used[id.Name] = u.fset.Position(id.Pos()).Line
					}
				}
			case *ast.ImportSpec:
				if n.Name != nil {
					declared[n.Name.Name] = true
				}
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE {
					for _, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							declared[id.Name] = true
						}
					}
				}
			case *ast.RangeStmt:
				if n.Tok == token.DEFINE {
					for _, e := range []ast.Expr{n.Key, n.Value} {
						if id, ok := e.(*ast.Ident); ok {
							declared[id.Name] = true
						}
					}
				}
			case *ast.ValueSpec:
				for _, id := range n.Names {
					declared[id.Name] = true
				}
			case *ast.TypeSpec:
				declared[n.Name.Name] = true
			case *ast.FuncDecl:
				declared[n.Name.Name] = true
			case *ast.Field:
				for _, id := range n.Names {
					declared[id.Name] = true
				}
			}
			return true
		})
	}
	var names []nameAt
	for name, line := range used {
		if !declared[name] {
			names = append(names, nameAt{name, line})
		}
	}
	sort.Slice(names, func(i, j int) bool { return names[i].name < names[j].name })
	return names
}

type nameAt struct {
	name string
	line int
}

// importsOf returns the import paths of a cell's import units, by the
// name each binds.
func (s *Session) importsOf(units []parsedUnit) map[string]bool {
	names := map[string]bool{}
	for _, u := range units {
		if u.Kind != ImportUnit {
			continue
		}
		for _, spec := range u.file.Imports {
			p, _ := strconv.Unquote(spec.Path.Value)
			if spec.Name == nil {
				names[s.pkgName(p)] = true
			}
		}
	}
	return names
}

// autoImport imports the packages the cell uses without importing them,
// when their name is that of exactly one package the interpreter has and
// nothing else in the session goes by that name. An ambiguous name is an
// error naming the candidates.
func (s *Session) autoImport(ctx context.Context, units []parsedUnit) error {
	cellImports := s.importsOf(units)
	for _, ref := range unresolvedPackages(units) {
		name := ref.name
		if cellImports[name] || universe[name] || s.importedName(name) || s.known(name) {
			continue
		}
		paths := s.packagesNamed(name)
		switch len(paths) {
		case 0:
			continue // not a package: the interpreter will say what it is
		case 1:
			if err := s.importPackage(ctx, "", paths[0]); err != nil {
				return err
			}
		default:
			msg := fmt.Sprintf("line %d: undefined: %s (not imported; import one of %s)", ref.line, name, quoteAll(paths))
			return compileError(msg)
		}
	}
	return nil
}

// declError makes the failure to compile a declaration unit clear: yaegi
// fails on a name that names nothing in some places (a struct field of type
// foo.T, a constant) with a "definition loop" or a panic of its compiler.
func (s *Session) declError(p parsedUnit, err error) error {
	var e *Error
	if !isTypingFailure(err) || !errors.As(err, &e) {
		return err
	}
	for _, ref := range unresolvedPackages([]parsedUnit{p}) {
		if universe[ref.name] || s.importedName(ref.name) || s.known(ref.name) {
			continue
		}
		return compileError(fmt.Sprintf("line %d: undefined: %s", ref.line, ref.name))
	}
	if isDefinitionLoop(err) {
		e.explain(" (yaegi v0.16.1 says so when a declaration uses a name it cannot resolve: a name misspelt, or declared nowhere?)")
	}
	return e
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

// importedName reports whether a package is imported under name.
func (s *Session) importedName(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key := range s.imported {
		n, p, _ := strings.Cut(key, " ")
		if n == name || n == "" && s.pkgName(p) == name {
			return true
		}
	}
	return false
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

// universe are Go's predeclared names, never packages.
var universe = map[string]bool{
	"bool": true, "byte": true, "complex64": true, "complex128": true, "error": true, "float32": true,
	"float64": true, "int": true, "int8": true, "int16": true, "int32": true, "int64": true, "rune": true,
	"string": true, "uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"uintptr": true, "any": true, "comparable": true, "true": true, "false": true, "iota": true, "nil": true,
}
