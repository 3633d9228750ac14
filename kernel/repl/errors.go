package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"io"
	"regexp"
	"strings"

	"github.com/traefik/yaegi/interp"

	"github.com/gospeed/gospeed/kernel/repl/cell"
)

// Error is a cell's failure, in the shape of a Jupyter error message.
type Error struct {
	Name      string
	Value     string
	Traceback []string
}

func (e *Error) Error() string {
	if e.Value == "" {
		return e.Name
	}
	return e.Name + ": " + e.Value
}

// JupyterError is the error in the fields of a Jupyter error reply.
func (e *Error) JupyterError() (ename, evalue string, traceback []string) {
	return e.Name, e.Value, e.Traceback
}

// newError is an error whose traceback is its one line.
func newError(name, value string) *Error {
	return &Error{Name: name, Value: value, Traceback: []string{name + ": " + value}}
}

func compileError(msg string) *Error { return newError("CompileError", msg) }

// compiling reports a panic stack that went through yaegi's compiler: the
// evaluation panicked before running anything (interpreted code panics in
// yaegi's Execute, which recovers and returns the panic).
func compiling(stack []byte) bool {
	return bytes.Contains(stack, []byte("interp.(*Interpreter).compileSrc(")) && !bytes.Contains(stack, []byte("interp.(*Interpreter).Execute("))
}

const compilerFailed = "yaegi v0.16.1's compiler failed on this code"

// isTypingFailure tells the compile errors by which yaegi v0.16.1 gives up
// typing a top-level declaration (x := urls[0], v, ok := m[k] for a
// compiled map...), as opposed to errors in the code: "constant definition
// loop", "nil type", or a panic of its compiler.
func isTypingFailure(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Name != "CompileError" {
		return false
	}
	return strings.HasSuffix(e.Value, "definition loop") || strings.Contains(e.Value, "nil type") || strings.HasPrefix(e.Value, compilerFailed)
}

func panicText(r interface{}) string {
	if code, ok := r.(exitCode); ok {
		return fmt.Sprintf("os.Exit(%d)", int(code))
	}
	if err, ok := r.(error); ok {
		return err.Error()
	}
	return fmt.Sprint(r)
}

// isCompileError tells a failure to compile from a failure while running.
func isCompileError(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Name == "CompileError"
}

func (s *Session) toError(ctx context.Context, err error) *Error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return interrupted("the cell was interrupted")
	}
	var p interp.Panic
	if errors.As(err, &p) {
		e := s.panicError(p.Value)
		if e.Name == "panic" && compiling(p.Stack) {
			// yaegi's compiler failed on the code, which did not run.
			return compileError(compilerFailed + " (" + e.Value + ")")
		}
		return e
	}
	var se scanner.ErrorList
	if errors.As(err, &se) {
		return syntaxError(err)
	}
	return compileError(cellPosition(err.Error()) + hint(err.Error()))
}

// hint explains the errors that come from the interpreter's limits rather
// than from the learner's code.
func hint(msg string) string {
	if m := undefinedSelector.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf(" (%s.%s is not in the interpreter: yaegi v0.16.1 has the standard library of Go 1.22 without its generic functions, such as slices.Sort, maps.Keys or sync.OnceValue; write the loop, or run the cell compiled: first line %s)", m[1], m[2], goRun)
	}
	if strings.HasSuffix(msg, "nil type") {
		return " (yaegi v0.16.1 could not type this code: ranging over a function (a Go 1.23 iterator) is not supported, nor over an integer whose type it cannot see; write a three-clause for loop, or run the cell compiled: first line " + goRun + ")"
	}
	if funcMismatch.MatchString(msg) {
		return " (if the code is right, yaegi v0.16.1 miscompiled a generic function, as it does with several type parameters: run the cell compiled, first line " + goRun + ")"
	}
	return ""
}

// nilFuncHint: a function value that is nil is the usual reason, but yaegi
// v0.16.1 races with itself too (interp/run.go, getFunc: when a closure
// made from a function literal returns, it writes its slot's old value
// back, and a go statement reading that slot at the same moment finds nil).
// Goroutines that start from a function literal while others of it end can
// hit it; the race detector reports the same race in tests.
const nilFuncHint = " (a nil func value, or yaegi v0.16.1's own race between goroutines started from one function literal: run the cell again, or compiled: first line " + goRun + ")"

// goRun is the magic of a compiled cell, which runs any Go the toolchain does.
const goRun = "%%go run"

var (
	compilerPanic     = regexp.MustCompile(`CFG (?:pre|post)-order panic: (.*)$`)
	incompleteType    = regexp.MustCompile(`incomplete type (\w+)$`)
	undefinedSelector = regexp.MustCompile(`undefined selector:? (\w+)\.(\w+)`)
	funcMismatch      = regexp.MustCompile(`cannot use type func\(.* as type func\(`)
)

func (s *Session) panicError(r interface{}) *Error {
	if code, ok := r.(exitCode); ok {
		v := fmt.Sprintf("os.Exit(%d) was called: a cell cannot end the kernel; the session goes on", int(code))
		return newError("Exit", v)
	}
	v := panicText(runtimeWords(r))
	if m := compilerPanic.FindStringSubmatch(v); m != nil {
		// yaegi's compiler panicked on the cell's code: a compile error.
		msg := cellPosition(m[1])
		if t := incompleteType.FindStringSubmatch(msg); t != nil {
			msg = strings.TrimSuffix(msg, t[0]) + "undefined: " + t[1]
		}
		return compileError(msg)
	}
	if v == "nil type" {
		return compileError(v + hint(v))
	}
	if strings.Contains(v, "call of nil function") {
		v += nilFuncHint
	}
	tb := []string{"panic: " + v}
	s.mu.Lock()
	tb = append(tb, s.trace...)
	s.mu.Unlock()
	return &Error{Name: "panic", Value: v, Traceback: tb}
}

// runtimeWords words as Go does the panics that yaegi v0.16.1 gets from
// reflect where compiled code gets a runtime error. (yaegi keeps no index
// nor length for an index out of range: the words say so.)
func runtimeWords(r interface{}) interface{} {
	text := panicText(r)
	switch {
	case nilValue.MatchString(text):
		return "runtime error: invalid memory address or nil pointer dereference"
	case indexOutOfRange.MatchString(text):
		return "runtime error: index out of range (yaegi v0.16.1 does not say which index, nor the length)"
	case sliceOutOfRange.MatchString(text):
		return "runtime error: slice bounds out of range (yaegi v0.16.1 does not say which bounds, nor the capacity)"
	}
	return r
}

var (
	nilValue        = regexp.MustCompile(`^reflect: (call of reflect\.Value\.\w+ on zero Value|Method on nil interface value)$`)
	indexOutOfRange = regexp.MustCompile(`^reflect: (slice|array|string) index out of range$`)
	sliceOutOfRange = regexp.MustCompile(`^reflect\.Value\.Slice3?: (slice|string) index out of bounds$`)
)

func syntaxError(err error) *Error {
	return newError("SyntaxError", cellPosition(err.Error()))
}

// cellPosition rewrites the "line:column: " of an error in a unit as "line N: ":
// the units keep the cell's lines, but not its columns on their first line.
func cellPosition(msg string) string {
	return errorPosition.ReplaceAllString(msg, "line $1: ")
}

var errorPosition = regexp.MustCompile(`(?:[\w.]+\.go:)?(\d+):\d+: `)

func interrupted(why string) *Error {
	return newError("KeyboardInterrupt", why)
}

// panicFilter keeps the "3:5: panic: main.f(...)" lines yaegi writes to
// stderr as a panic unwinds out of the cell's view: they become the
// traceback of the cell's error, as "f, line 3".
type panicFilter struct {
	w io.Writer
	s *Session
}

func (p *panicFilter) Write(b []byte) (int, error) {
	m := yaegiPanicLine.FindSubmatch(b)
	if m == nil {
		return p.w.Write(b)
	}
	fn := strings.TrimPrefix(string(m[2]), "main.")
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if fn == "main" && p.s.traceTopLit {
		// The function literal the cell called is most often a rewrite's
		// (see wrapCompound), which the learner did not write: it is the cell.
		p.s.trace = p.s.trace[:len(p.s.trace)-1]
	}
	p.s.traceTopLit = fn == "func"
	switch {
	case fn == "main":
		fn = "cell"
	case strings.HasPrefix(fn, cell.TmpPrefix) || fn == "func":
		fn = "function literal"
	}
	where := fn
	if len(m[1]) > 0 && fn != "cell" { // the cell's own line is not the panic's
		where += ", line " + string(m[1])
	}
	p.s.trace = append(p.s.trace, "  in "+where)
	return len(b), nil
}

var yaegiPanicLine = regexp.MustCompile(`^(?:(\d+):\d+: )?panic: ([\w.]*)\(\.\.\.\)\n$`)
