package repl

import (
	"fmt"
	"go/ast"
	"go/token"
	"maps"
	"strings"

	"github.com/gospeed/gospeed/kernel/repl/cell"
)

// yaegi v0.16.1 keeps the first definition of a type: `type T struct{A int}`
// then `type T struct{B string}` still makes T{A: 1}. A learner re-running a
// cell with a changed type expects the new one, so a changed definition is
// declared under a fresh name (T, then Tʹ2, Tʹ3: ʹ is a letter, so the name
// is valid Go), and later cells say T and get it. Values and functions made
// with the old definition keep it, as in Go after a redeclaration.

// typeDef is one type declared at top level.
type typeDef struct {
	internal string // the name the interpreter knows it by
	src      string // its definition, to tell a re-run from a change
	version  int
}

// pendingTypes are the type definitions of a declaration unit, committed once
// the unit compiles.
type pendingTypes map[string]typeDef

// typeDefs finds the types a declaration unit declares and names them.
func (s *Session) typeDefs(p cell.Parsed) pendingTypes {
	defs := pendingTypes{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range p.File.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, spec := range g.Specs {
			ts := spec.(*ast.TypeSpec)
			name, text := ts.Name.Name, strings.Join(strings.Fields(p.Text(ts)), " ")
			def := s.types[name]
			if def.src != text { // a new type, or a changed one
				def = typeDef{internal: name, src: text, version: def.version + 1}
				if def.version > 1 {
					def.internal = fmt.Sprintf("%sʹ%d", name, def.version)
				}
			}
			defs[name] = def
		}
	}
	return defs
}

// rename is a copy of current with the unit's own definitions applied.
func (p pendingTypes) rename(current map[string]string) map[string]string {
	r := maps.Clone(current)
	for name, d := range p {
		if d.internal == name {
			delete(r, name)
		} else {
			r[name] = d.internal
		}
	}
	return r
}

func (s *Session) commitTypes(p pendingTypes) {
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.Copy(s.types, p)
	s.rename = p.rename(s.rename)
}
