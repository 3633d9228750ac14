package repl

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/traefik/yaegi/interp"

	"github.com/gospeed/gospeed/kernel/repl/cell"
)

// yaegi v0.16.1 types a top-level `x := expr` (or `var x = expr`) before it
// compiles anything else, with a simpler type checker than the one it uses
// in functions, which fails on some expressions: indexing a slice or map that
// compiled code returned (urls[0] for urls := site.URLs(1)), among others. It
// then reports a "constant definition loop" and runs nothing. Such a
// declaration is run in a function, which yaegi compiles well, and returns
// the addresses of its variables; their types, read from those addresses,
// declare the cell's variables: var x T = value.

// defsPath is the package under which the types of such variables are given
// to the interpreter when Go syntax cannot name them (lessons.Site is only a
// name if lessons is imported under that name).
const (
	defsPath = "gospeed.dev/defs"
	defsName = cell.TmpPrefix + "defs"
)

// defineLater runs a unit of one declaring statement as explained above.
func (s *Session) defineLater(ctx context.Context, p cell.Parsed) error {
	names := cell.TopLevelNames(p.Body.List[0])
	holder := cell.TmpPrefix + "defined"
	stmt := s.rewrite(p, nil, s.rename)
	// The statement keeps its line: its text starts with the newlines before it.
	run := holder + " := func() []interface{} { " + stmt + "\nreturn []interface{}{&" + strings.Join(names, ", &") + "} }()"
	if err := s.runStmts(ctx, run); err != nil {
		return err
	}
	var vals []interface{}
	if v, ok := s.global(holder); ok && v.IsValid() && v.CanInterface() {
		vals, _ = v.Interface().([]interface{})
	}
	var decl strings.Builder
	decl.WriteString(strings.Repeat("\n", p.Line-1))
	for i, name := range names {
		if i >= len(vals) || reflect.ValueOf(vals[i]).Kind() != reflect.Pointer {
			return compileError(fmt.Sprintf("line %d: declaring %s: the interpreter gave no address for it", p.Line, name))
		}
		t := reflect.TypeOf(vals[i]).Elem()
		typ, err := s.typeName(t)
		if err != nil {
			msg := fmt.Sprintf("line %d: yaegi v0.16.1 cannot declare %s at the top level of a cell (%v): declare it with its type, var %s T = ...", p.Line, name, err, name)
			return compileError(msg)
		}
		fmt.Fprintf(&decl, "var %s %s = *%s[%d].(*%s); ", name, typ, holder, i, typ)
	}
	return s.runStmts(ctx, decl.String())
}

// typeName returns Go syntax naming t in the interpreter: its own text for a
// type made of predeclared types, else a name in package defsPath.
func (s *Session) typeName(t reflect.Type) (string, error) {
	if interpreted(t, 0) {
		return "", fmt.Errorf("its type %s is one the interpreter made", t)
	}
	if predeclared(t, 0) {
		return t.String(), nil
	}
	name := fmt.Sprintf("T%d", s.defined.Add(1))
	// yaegi takes a nil *T in a package's symbols as the type T.
	if err := s.in.Use(interp.Exports{defsPath + "/defs": {name: reflect.Zero(reflect.PointerTo(t))}}); err != nil {
		return "", err
	}
	return defsName + "." + name, nil
}

// predeclared reports a type that Go syntax names from predeclared types
// alone: string, []int, map[string]float64, *[3]byte, interface{}...
func predeclared(t reflect.Type, depth int) bool {
	if depth > 10 {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		return t.Name() == "" && predeclared(t.Elem(), depth+1)
	case reflect.Map:
		return t.Name() == "" && predeclared(t.Key(), depth+1) && predeclared(t.Elem(), depth+1)
	case reflect.Interface:
		return t.PkgPath() == "" && t.NumMethod() == 0 || t.Name() == "error"
	case reflect.Struct, reflect.Func, reflect.UnsafePointer:
		return false
	}
	return t.PkgPath() == "" // bool, numbers, string: named types from packages are not
}

// interpreted reports a type the interpreter made for a type a cell
// declared: its structs are unnamed, and its interfaces are yaegi's own
// wrappers. Given to yaegi as a compiled type, it would lose its methods.
func interpreted(t reflect.Type, depth int) bool {
	if depth > 10 {
		return false
	}
	if strings.Contains(t.PkgPath(), "traefik/yaegi") {
		return true
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		return t.Name() == "" && interpreted(t.Elem(), depth+1)
	case reflect.Map:
		return t.Name() == "" && (interpreted(t.Key(), depth+1) || interpreted(t.Elem(), depth+1))
	case reflect.Struct:
		return t.Name() == ""
	}
	return false
}
