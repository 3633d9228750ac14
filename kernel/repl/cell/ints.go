package cell

import (
	"go/ast"
	"go/constant"
	"go/token"
	"reflect"
)

// yaegi v0.16.1 cannot range over an integer, and a range clause does not say
// whether its operand is an integer or a slice, map, string, channel or
// function. intOracle answers from what the unit declares, the session's
// globals and the compiled packages' symbols; what it cannot tell stays a
// plain range (and yaegi's error, for an integer it missed).
type intOracle struct {
	defs   map[string]ast.Expr // name -> the expression that defines it
	typed  map[string]ast.Expr // name -> its declared type
	global func(name string) (reflect.Value, bool)
	member func(pkg, name string) (reflect.Value, bool)
	// known caches answers about names (false while one is being worked out,
	// so a definition that refers to itself ends).
	known map[string]bool
}

// IntOracle returns the oracle's answer for the range clauses of p: global
// gives the session's globals, member the compiled packages' symbols.
func IntOracle(p Parsed, global func(name string) (reflect.Value, bool), member func(pkg, name string) (reflect.Value, bool)) func(ast.Expr) bool {
	o := &intOracle{defs: map[string]ast.Expr{}, typed: map[string]ast.Expr{}, global: global, member: member, known: map[string]bool{}}
	o.learn(p.root())
	return func(x ast.Expr) bool { return o.is(x, 0) }
}

// learn reads what the unit declares.
func (o *intOracle) learn(root ast.Node) {
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE && len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						o.defs[id.Name] = n.Rhs[i]
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				switch {
				case n.Type != nil:
					o.typed[id.Name] = n.Type
				case i < len(n.Values):
					o.defs[id.Name] = n.Values[i]
				}
			}
		case *ast.Field:
			for _, id := range n.Names {
				o.typed[id.Name] = n.Type
			}
		}
		return true
	})
}

func isIntKind(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uintptr
}

func (o *intOracle) is(x ast.Expr, depth int) bool {
	if depth > 20 {
		return false
	}
	switch x := x.(type) {
	case *ast.BasicLit:
		return x.Kind == token.INT || x.Kind == token.CHAR
	case *ast.ParenExpr:
		return o.is(x.X, depth+1)
	case *ast.UnaryExpr:
		return (x.Op == token.SUB || x.Op == token.ADD || x.Op == token.XOR) && o.is(x.X, depth+1)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.SHL, token.SHR:
			return o.is(x.X, depth+1)
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR, token.AND_NOT:
			return o.is(x.X, depth+1) || o.is(x.Y, depth+1)
		}
	case *ast.Ident:
		if v, ok := o.known[x.Name]; ok {
			return v
		}
		o.known[x.Name] = false
		v := o.ident(x, depth)
		o.known[x.Name] = v
		return v
	case *ast.SelectorExpr:
		v, ok := o.memberOf(x)
		return ok && isIntValue(v)
	case *ast.CallExpr:
		if v, ok := o.memberOf(ast.Unparen(x.Fun)); ok && v.Kind() == reflect.Func {
			return v.Type().NumOut() >= 1 && isIntKind(v.Type().Out(0).Kind())
		}
		if fun, ok := ast.Unparen(x.Fun).(*ast.Ident); ok {
			switch {
			case fun.Name == "len" || fun.Name == "cap" || isIntType(fun.Name):
				return true
			case (fun.Name == "min" || fun.Name == "max") && len(x.Args) > 0:
				return o.is(x.Args[0], depth+1)
			}
		}
	}
	return false
}

// memberOf is the compiled symbol x names, if it is one: pkg.Name.
func (o *intOracle) memberOf(x ast.Expr) (reflect.Value, bool) {
	if sel, ok := x.(*ast.SelectorExpr); ok {
		if pkg, ok := sel.X.(*ast.Ident); ok {
			return o.member(pkg.Name, sel.Sel.Name)
		}
	}
	return reflect.Value{}, false
}

// ident answers for a name: declared with an integer type, defined by an
// integer expression, or a global integer of the session.
func (o *intOracle) ident(x *ast.Ident, depth int) bool {
	if t, ok := o.typed[x.Name]; ok {
		id, ok := t.(*ast.Ident)
		return ok && isIntType(id.Name)
	}
	if d, ok := o.defs[x.Name]; ok {
		return o.is(d, depth+1)
	}
	if v, ok := o.global(x.Name); ok {
		return isIntValue(v)
	}
	return false
}

// isIntValue: a variable or constant of an integer type (yaegi keeps
// constants as go/constant values).
func isIntValue(v reflect.Value) bool {
	if !v.IsValid() {
		return false
	}
	if c, ok := v.Interface().(constant.Value); ok {
		return c.Kind() == constant.Int
	}
	return isIntKind(v.Kind())
}
