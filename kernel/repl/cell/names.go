package cell

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"
)

// Predeclared reports one of Go's predeclared names (int, len, nil...),
// never a package.
func Predeclared(name string) bool { return types.Universe.Lookup(name) != nil }

func isBuiltin(name string) bool {
	_, ok := types.Universe.Lookup(name).(*types.Builtin)
	return ok
}

// isIntType reports a predeclared integer type (byte and rune too).
func isIntType(name string) bool {
	t, ok := types.Universe.Lookup(name).(*types.TypeName)
	if !ok {
		return false
	}
	b, ok := t.Type().Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// varNames are the names of the identifiers among exprs, but _.
func varNames[E ast.Expr](exprs ...E) []string {
	var names []string
	for _, e := range exprs {
		if id, ok := ast.Expr(e).(*ast.Ident); ok && id != nil && id.Name != "_" {
			names = append(names, id.Name)
		}
	}
	return names
}

// DeclaresMain reports a func main: a whole program pasted in.
func DeclaresMain(f *ast.File) bool {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			return true
		}
	}
	return false
}

// IsPrint reports a call of fmt's Print functions, whose results (bytes
// written and error) a learner does not want shown.
func IsPrint(x ast.Expr) bool {
	c, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "fmt" && strings.Contains(sel.Sel.Name, "Print")
}

// NameAt is a name and the cell line of its first use.
type NameAt struct {
	Name string
	Line int
}

// UnresolvedPackages returns the names used as pkg in pkg.Name that the cell
// declares nowhere (as a variable, parameter, type, import...), sorted.
func UnresolvedPackages(units []Parsed) []NameAt {
	declared := map[string]bool{}
	used := map[string]int{}
	for _, u := range units {
		ast.Inspect(u.File, func(n ast.Node) bool {
			var names []string // that n declares
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok {
					if _, seen := used[id.Name]; !seen {
						used[id.Name] = u.Fset.Position(id.Pos()).Line
					}
				}
			case *ast.ImportSpec:
				names = varNames(n.Name)
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE {
					names = varNames(n.Lhs...)
				}
			case *ast.RangeStmt:
				if n.Tok == token.DEFINE {
					names = varNames(n.Key, n.Value)
				}
			case *ast.ValueSpec:
				names = varNames(n.Names...)
			case *ast.TypeSpec:
				names = varNames(n.Name)
			case *ast.FuncDecl:
				names = varNames(n.Name)
			case *ast.Field:
				names = varNames(n.Names...)
			}
			for _, name := range names {
				declared[name] = true
			}
			return true
		})
	}
	var names []NameAt
	for name, line := range used {
		if !declared[name] {
			names = append(names, NameAt{name, line})
		}
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name < names[j].Name })
	return names
}
