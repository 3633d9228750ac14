package repl

import (
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/scanner"
	"go/token"
	"go/types"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/repl/cell"
)

// IsComplete tells a console whether code is ready to run: "complete",
// "incomplete" (more lines could complete it: an unclosed bracket or string),
// or "invalid"; indent is a suggested indent for the next line.
func (s *Session) IsComplete(code string) (status, indent string) {
	units, err := cell.Split(code)
	var se *cell.SyntaxError
	if errors.As(err, &se) {
		if se.Incomplete || atEOF(se.List) {
			return "incomplete", "    "
		}
		return "invalid", ""
	}
	for _, u := range units {
		_, perr := cell.Parse(u)
		var list scanner.ErrorList
		if errors.As(perr, &list) {
			if atEOF(list) {
				return "incomplete", ""
			}
			return "invalid", ""
		}
	}
	return "complete", ""
}

// atEOF reports errors that more input would fix: an unterminated raw string
// or comment, or a parse error at the end of the cell.
func atEOF(list scanner.ErrorList) bool {
	if len(list) == 0 {
		return false
	}
	msg := list[0].Msg // the first error; later ones may follow from it
	return strings.Contains(msg, "not terminated") || strings.Contains(msg, "found 'EOF'") || strings.HasPrefix(msg, "unclosed")
}

// Complete proposes completions for the identifier (or pkg.Member) that ends
// at cursor, a position in unicode code points; start and end delimit the
// text the matches replace, in code points.
func (s *Session) Complete(code string, cursor int) (matches []string, start, end int) {
	runes, pkg, start, cursor := identAt(code, cursor, false)
	prefix := string(runes[start:cursor])
	if start > 0 && runes[start-1] == '.' {
		return s.members(pkg, prefix), start, cursor
	}
	for _, name := range s.names() {
		if strings.HasPrefix(name, prefix) {
			matches = append(matches, name)
		}
	}
	slices.Sort(matches)
	return slices.Compact(matches), start, cursor
}

func isIdent(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// identAt finds the identifier that ends at cursor (with whole, the one
// around it), in code points, and the package name before its dot, if any.
func identAt(code string, cursor int, whole bool) (runes []rune, pkg string, start, end int) {
	runes = []rune(code)
	if cursor < 0 || cursor > len(runes) {
		cursor = len(runes)
	}
	start, end = cursor, cursor
	for start > 0 && isIdent(runes[start-1]) {
		start--
	}
	for whole && end < len(runes) && isIdent(runes[end]) {
		end++
	}
	if start > 0 && runes[start-1] == '.' {
		q := start - 1
		for q > 0 && isIdent(runes[q-1]) {
			q--
		}
		pkg = string(runes[q : start-1])
	}
	return runes, pkg, start, end
}

// names are the names a cell can use: its globals, the packages it imported,
// Go's keywords and predeclared names.
func (s *Session) names() []string {
	names := s.globalNames()
	s.mu.Lock()
	defer s.mu.Unlock()
	for imp := range s.imported {
		name := imp.name
		if name == "" {
			name = s.pkgName(imp.path)
		}
		names = append(names, name)
	}
	names = slices.AppendSeq(names, maps.Keys(s.funcs))
	names = slices.AppendSeq(names, maps.Keys(s.types))
	for t := token.BREAK; t <= token.VAR; t++ {
		names = append(names, t.String()) // the keywords
	}
	return append(names, types.Universe.Names()...)
}

// globalNames are the names of the interpreter's global variables and
// constants but its own (_...), when no cell runs: yaegi's global memory is
// not safe to read while one does.
func (s *Session) globalNames() (names []string) {
	if !s.run.TryLock() {
		return nil
	}
	defer s.run.Unlock()
	defer func() { _ = recover() }()
	for name := range s.in.Globals() {
		if !strings.HasPrefix(name, "_") {
			names = append(names, name)
		}
	}
	return names
}

// describeGlobal is "name type = value" for a global variable or constant,
// when no cell runs.
func (s *Session) describeGlobal(name string) (string, bool) {
	if !s.run.TryLock() {
		return "", false
	}
	defer s.run.Unlock()
	v, ok := s.global(name)
	if !ok || !v.IsValid() || !v.CanInterface() {
		return "", false
	}
	if c, isConst := v.Interface().(constant.Value); isConst {
		return fmt.Sprintf("const %s = %s", name, c.ExactString()), true
	}
	return fmt.Sprintf("%s %s = %s", name, v.Type(), display.Plain(unwrap(v.Interface()))), true
}

// pkgName is the name of the package at import path p.
func (s *Session) pkgName(p string) string {
	if name, ok := s.pkgNames[p]; ok {
		return name
	}
	return path.Base(p)
}

// members lists the exported members of the package named pkg.
func (s *Session) members(pkg, prefix string) []string {
	var out []string
	for name := range s.symbols[s.importPath(pkg)] {
		if strings.HasPrefix(name, prefix) && ast.IsExported(name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// importPath finds the package a cell means by name: one it imported, or a
// known package of that name (lessons, fmt, ...), as a convenience.
func (s *Session) importPath(name string) string {
	if p, ok := s.importedAs(name); ok {
		return p
	}
	if paths := s.packagesNamed(name); len(paths) > 0 {
		return slices.MinFunc(paths, func(a, b string) int { return len(a) - len(b) })
	}
	return ""
}

// Inspect returns the documentation of the name at cursor (in code points):
// what Config.Doc gives for a package's member, or a global's type and value.
func (s *Session) Inspect(code string, cursor int) (display.Data, bool) {
	runes, pkg, start, end := identAt(code, cursor, true)
	name := string(runes[start:end])
	if name == "" {
		return display.Data{}, false
	}
	var text string
	switch {
	case pkg != "":
		if p := s.importPath(pkg); p != "" {
			text = s.cfg.Doc(p, name)
		}
	case s.importPath(name) != "":
		text = s.cfg.Doc(s.importPath(name), "")
	default:
		var ok bool
		if text, ok = s.describeGlobal(name); !ok {
			return display.Data{}, false
		}
	}
	if text == "" {
		text = fmt.Sprintf("%s: no documentation", strings.TrimPrefix(pkg+"."+name, "."))
	}
	return display.Data{Data: display.MIMEMap{display.MIMETypeText: text, display.MIMETypeMarkdown: "```go\n" + text + "\n```"}}, true
}
