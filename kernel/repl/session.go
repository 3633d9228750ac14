// Package repl evaluates a learner's Go cells on yaegi v0.16.1, keeping state
// between cells and turning every failure into an *Error: the kernel never
// dies of a cell.
//
// Parsing is apart from running: package cell splits a cell into units,
// parses, plans and rewrites them, without an interpreter; a Session (this
// file) runs them one by one, with helpers.go (what the interpreter is
// given), errors.go (every failure an *Error), autoimport.go, types.go and
// define.go (names the session resolves), complete.go (console requests),
// comm.go (widgets, whose callbacks' output package capture routes).
// Each of the other files works around one yaegi bug, named in its header:
// define.go, types.go, unwrap.go, zombie.go, goroutines.go, watchdog.go.
//
// What the session hides from the learner:
//   - yaegi takes either declarations or statements in one evaluation: units,
//     planned so that declarations are order-independent, as in Go;
//   - a package used without its import: imported when its name says which
//     one it is (strings, sync), else an error naming the candidates;
//   - re-importing fails ("redeclared"): imports done are skipped;
//   - a redefined type keeps its first definition: it is renamed (types.go);
//   - `for i := range n` fails, loop variables are shared by all iterations,
//     and a top-level `i := i` loops forever: rewrites;
//   - blocks of its global scope miscompile (`a, b := f()` in a top-level
//     for, if or {}): top-level compound statements run in a function;
//   - it cannot type some top-level `x := expr` (x := urls[0] where urls came
//     from compiled code): such a declaration runs in a function, and its
//     variables are declared with the types that gives (define.go);
//   - a top-level defer runs again at every later evaluation, and so does a
//     function literal called at top level: rewrites;
//   - a goroutine's panic ends the process: every go statement recovers,
//     and the panic (or a runtime.Goexit) is the running cell's error;
//   - runtime panics come from reflect: they are worded as Go words them;
//   - os.Exit, log.Fatal, endless recursion (stack overflow) end the process:
//     a panicking os.Exit, yaegi's panicking log.Fatal, a stack watchdog;
//   - an interrupted evaluation runs on (zombie.go); goroutines blocked on a
//     channel outlive a stop (goroutines.go); min, max, clear are missing
//     (helpers.go); methods of cell types are invisible to compiled code
//     (resultFunc).
//
// What stays out of reach, with a clear error that suggests a compiled cell
// (%%go run): generic functions of the standard library (slices.Sort,
// sync.OnceValue...), range over functions, range over an integer whose type
// the rewrites cannot see, generic functions yaegi miscompiles. Nor can an
// interrupt stop the running cell alone: yaegi stops every interpreted
// goroutine at once, those of earlier cells too; an index out of range does
// not say the index.
package repl

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"io"
	"maps"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/unrestricted"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/docs"
	"github.com/gospeed/gospeed/kernel/internal/capture"
	"github.com/gospeed/gospeed/kernel/internal/goroutine"
	"github.com/gospeed/gospeed/kernel/repl/cell"
	"github.com/gospeed/gospeed/kernel/widgets"
)

// Config connects a Session to its outputs.
type Config struct {
	// Stdout and Stderr receive the cell's os.Stdout/os.Stderr and fmt.Print* output.
	Stdout, Stderr io.Writer
	// Display shows rich output during a cell; update=true replaces the display
	// named by d.Transient["display_id"].
	Display func(d display.Data, update bool)
	// Comm sends comm_open, comm_msg and comm_close to the frontend (comm.go).
	Comm func(msgType string, content map[string]any, buffers [][]byte)
	// Clear clears the cell's output (display.Clear); with wait, when new output arrives.
	Clear func(wait bool)
	// Doc is what inspect shows. Default: docs.Standard().
	Doc docs.Provider
}

// Session is one interpreter with its state: the variables, functions and
// imports of the cells run so far. Its methods may be called from any
// goroutine; cells run one at a time.
type Session struct {
	cfg     Config
	in      *interp.Interpreter
	widgets *widgets.Manager // comm.go
	routes  capture.Router   // the outputs, by goroutine (comm.go)

	run      sync.Mutex                // held while a cell runs
	cell     atomic.Pointer[cellState] // the running cell, or nil
	methods  atomic.Bool               // a cell has declared a method
	closed   atomic.Bool               // set by Close: Execute fails
	displays atomic.Int64              // display ids handed out
	defined  atomic.Int64              // types given to the interpreter by defineLater
	zombie   atomic.Int64              // the goroutine that called an interrupted Eval, or 0 (zombie.go)

	mu       sync.Mutex // guards the fields below
	imported map[importKey]bool
	// symbols are the compiled packages a cell can import, by import path,
	// and pkgNames their package names.
	symbols  map[string]map[string]reflect.Value
	pkgNames map[string]string
	types    map[string]typeDef // the types declared so far, by name
	rename   map[string]string  // redefined types: name -> current internal name
	funcs    map[string]bool    // the funcs cells declared, for completion
	stop     chan struct{}      // closed by Close: ends the stack watchdog
	dones    []chan struct{}    // see goroutines.go

	trace       []string // where the running cell panicked, innermost first
	traceTopLit bool     // trace ends with a function literal, maybe the cell's
}

// cellState is what the per-session helpers see of the running cell.
type cellState struct {
	ctx      context.Context
	cancel   context.CancelCauseFunc
	results  []interface{} // the cell's value, if one is not nil
	rendered *display.Data // how results[0] rendered in the interpreter
	defers   []func()
	failed   atomic.Pointer[Error] // a goroutine's panic or Goexit during the cell
}

// New starts a Session.
func New(cfg Config) (*Session, error) {
	cfg.Stdout = cmp.Or(cfg.Stdout, io.Discard)
	cfg.Stderr = cmp.Or(cfg.Stderr, io.Discard)
	if cfg.Display == nil {
		cfg.Display = func(display.Data, bool) {}
	}
	if cfg.Clear == nil {
		cfg.Clear = func(bool) {}
	}
	if cfg.Comm == nil {
		cfg.Comm = func(string, map[string]any, [][]byte) {}
	}
	if cfg.Doc == nil {
		cfg.Doc = docs.Standard()
	}
	s := &Session{cfg: cfg, imported: map[importKey]bool{}, funcs: map[string]bool{"Display": true}, pkgNames: map[string]string{}, types: map[string]typeDef{}, rename: map[string]string{}}
	s.startWidgets() // routes s.cfg's outputs: use them, not cfg's
	s.in = interp.New(interp.Options{Stdout: s.cfg.Stdout, Stderr: &panicFilter{w: s.cfg.Stderr, s: s}, Unrestricted: true})
	s.symbols = map[string]map[string]reflect.Value{}
	// defsPath starts empty: defineLater adds types to it.
	defs := interp.Exports{defsPath + "/defs": {}}
	for _, syms := range []interp.Exports{stdlib.Symbols, {"os/exec/exec": unrestricted.Symbols["os/exec/exec"]}, s.sessionSymbols(), defs} {
		if err := s.in.Use(syms); err != nil {
			return nil, fmt.Errorf("loading interpreter symbols: %w", err)
		}
		for key, members := range syms {
			p := path.Dir(key)
			if s.symbols[p] == nil {
				s.symbols[p] = map[string]reflect.Value{}
				s.pkgNames[p] = path.Base(key)
			}
			maps.Copy(s.symbols[p], members)
		}
	}
	for _, src := range prelude {
		if _, err := s.in.Eval(src); err != nil {
			return nil, fmt.Errorf("starting the interpreter with %q: %w", src, err)
		}
	}
	s.imported[importKey{"", displayPath}] = true
	s.stop = make(chan struct{})
	go s.watchStacks(s.stop)
	return s, nil
}

// Execute runs one cell. ok is false when the cell has no value to show.
func (s *Session) Execute(ctx context.Context, code string) (result display.Data, ok bool, err error) {
	s.run.Lock()
	defer s.run.Unlock()
	if s.closed.Load() {
		return display.Data{}, false, newError("SessionClosed", "the session is closed")
	}
	s.mu.Lock()
	s.trace, s.traceTopLit = nil, false
	s.mu.Unlock()
	if err := s.waitIdle(ctx); err != nil {
		return display.Data{}, false, err
	}
	units, err := cell.Split(code)
	if err != nil {
		return display.Data{}, false, syntaxError(err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cell := &cellState{ctx: ctx, cancel: cancel}
	s.cell.Store(cell)
	defer s.cell.Store(nil)

	err = s.runUnits(ctx, code, units)
	if derr := s.runDefers(ctx, cell); err == nil {
		err = derr
	}
	if errors.Is(context.Cause(ctx), errStackOverflow) {
		return display.Data{}, false, stackOverflow()
	}
	if f := cell.failed.Load(); f != nil && (err == nil || !isCompileError(err)) {
		err = f
	}
	if err != nil {
		return display.Data{}, false, err
	}
	return render(cell)
}

// runUnits parses every unit, so that a syntax error anywhere runs nothing,
// imports the packages the cell uses, then runs the units in the order plan
// gives (imports, then declarations as early as they can be).
func (s *Session) runUnits(ctx context.Context, code string, units []cell.Unit) error {
	var parsed []cell.Parsed
	for _, u := range units {
		p, err := cell.Parse(u)
		if err != nil {
			return syntaxError(err)
		}
		if p.Body != nil {
			if jump := cell.TopLevelJump(p.Body); jump != nil {
				return jumpError(p, jump)
			}
		}
		parsed = append(parsed, p)
	}
	steps, err := cell.Plan(code, parsed)
	if err != nil {
		return syntaxError(err)
	}
	if err := s.autoImport(ctx, parsed); err != nil {
		return err
	}
	for _, st := range steps {
		if ctx.Err() != nil {
			return interrupted("the cell was interrupted")
		}
		if err := s.runUnit(ctx, st.Parsed, st.Last); err != nil || s.cell.Load().failed.Load() != nil {
			return err
		}
	}
	return nil
}

// jumpError refuses a return or goto outside any function (see TopLevelJump).
func jumpError(p cell.Parsed, jump ast.Stmt) *Error {
	what := "return"
	if b, ok := jump.(*ast.BranchStmt); ok {
		what = b.Tok.String()
	}
	return compileError(fmt.Sprintf("line %d: %s outside a function: a cell's statements do not run in a function; write a func, or use if/else", p.Fset.Position(jump.Pos()).Line, what))
}

// mainName is what a cell's func main is called in the interpreter.
const mainName = cell.TmpPrefix + "main"

// runDefers runs the cell's top-level deferred calls, last first, and
// returns the first failure.
func (s *Session) runDefers(ctx context.Context, cell *cellState) (first error) {
	for i := len(cell.defers) - 1; i >= 0 && ctx.Err() == nil; i-- {
		f := cell.defers[i]
		first = cmp.Or(first, s.guard(ctx, func() error { f(); return nil }))
	}
	return first
}

func render(cell *cellState) (display.Data, bool, error) {
	vals := cell.results
	if !slices.ContainsFunc(vals, func(v interface{}) bool { return v != nil }) {
		return display.Data{}, false, nil
	}
	if cell.rendered != nil {
		return *cell.rendered, true, nil
	}
	if len(vals) == 1 {
		return safeRender(unwrap(vals[0])), true, nil
	}
	texts := make([]string, len(vals))
	for i, v := range vals {
		texts[i] = display.Plain(v)
	}
	return display.Text(strings.Join(texts, ", ")), true, nil
}

// safeRender renders v, or says why it could not: a String or HTML method
// may panic.
func safeRender(v interface{}) (d display.Data) {
	defer func() {
		if r := recover(); r != nil {
			d = display.Text(fmt.Sprintf("<%T: rendering panicked: %v>", v, r))
		}
	}()
	return display.Render(v)
}

func (s *Session) runUnit(ctx context.Context, p cell.Parsed, last bool) error {
	f := p.File
	switch p.Kind {
	case cell.ImportUnit:
		return s.imports(ctx, f)
	case cell.DeclUnit:
		defs := s.typeDefs(p)
		rename := defs.rename(s.rename)
		isMain := cell.DeclaresMain(f)
		if isMain {
			// yaegi calls a func main when it is declared, and again at
			// later evaluations: declare it under another name, and call it.
			rename["main"] = mainName
		}
		if err := s.eval(ctx, s.rewrite(p, nil, rename)); err != nil {
			return s.declError(p, err)
		}
		s.commitTypes(defs)
		if isMain {
			s.mu.Lock()
			s.rename["main"] = mainName
			s.mu.Unlock()
			if err := s.runStmts(ctx, mainName+"()"); err != nil {
				return err
			}
		}
		s.mu.Lock()
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if fd.Recv != nil {
					s.methods.Store(true)
				} else {
					s.funcs[fd.Name.Name] = true
				}
			}
		}
		s.mu.Unlock()
		return nil
	default:
		return s.runStmtUnit(ctx, p, last)
	}
}

// runStmtUnit runs a statement unit. When yaegi cannot type one of its
// top-level declarations (see defineLater), it has run nothing (the failure
// is a compile error), and the unit runs a statement at a time instead.
func (s *Session) runStmtUnit(ctx context.Context, p cell.Parsed, last bool) error {
	err := s.runStmtsAsUnit(ctx, p, last)
	if !isTypingFailure(err) {
		return err
	}
	if len(p.Body.List) == 1 {
		if len(cell.TopLevelNames(p.Body.List[0])) == 0 {
			return err
		}
		return s.defineLater(ctx, p)
	}
	for i := range p.Body.List {
		one, err := p.Sub(i, i+1)
		if err != nil {
			return syntaxError(err)
		}
		if err := s.runStmtUnit(ctx, one, last && i == len(p.Body.List)-1); err != nil {
			return err
		}
	}
	return nil
}

// runStmtsAsUnit runs a statement unit in one evaluation; when last, the
// value of its final expression statement is the cell's result.
func (s *Session) runStmtsAsUnit(ctx context.Context, p cell.Parsed, last bool) error {
	var res *ast.ExprStmt
	if n := len(p.Body.List); last && n > 0 {
		res, _ = p.Body.List[n-1].(*ast.ExprStmt)
	}
	if res != nil && !cell.IsPrint(res.X) {
		// One value, several values (a call), or none (a call of a
		// func without results): try each until one compiles.
		captures := []string{cell.Helper + ".Result"}
		if s.methods.Load() {
			// Only a type declared in a cell needs its methods called
			// in the interpreter to render (see resultFunc).
			captures = []string{cell.TmpPrefix + "result", cell.Helper + ".Result"}
		}
		for _, capture := range captures {
			err := s.runStmts(ctx, s.rewrite(p, &cell.Result{Stmt: res, Capture: capture}, s.rename))
			if !isCompileError(err) {
				return err
			}
		}
	}
	return s.runStmts(ctx, s.rewrite(p, nil, s.rename))
}

// runStmts evaluates statements in yaegi's global scope.
func (s *Session) runStmts(ctx context.Context, src string) error {
	// "{};" keeps yaegi from taking statements that parse as a file (var
	// declarations) for package-level declarations.
	return s.eval(ctx, "{}; "+src)
}

func (s *Session) rewrite(p cell.Parsed, res *cell.Result, rename map[string]string) string {
	return cell.Rewrite(p, res, rename, cell.IntOracle(p, s.global, s.member))
}

// imports runs the imports not yet done: yaegi rejects a second import of a
// package as a redeclaration, while a learner re-runs cells.
func (s *Session) imports(ctx context.Context, f *ast.File) error {
	for _, spec := range f.Imports {
		if err := s.importPackage(ctx, importOf(spec)); err != nil {
			return err
		}
	}
	return nil
}

// importPackage imports a package, unless it is done.
func (s *Session) importPackage(ctx context.Context, key importKey) error {
	s.mu.Lock()
	done := s.imported[key]
	s.mu.Unlock()
	if done {
		return nil
	}
	if err := s.eval(ctx, "import "+key.name+" "+strconv.Quote(key.path)); err != nil {
		return err
	}
	s.mu.Lock()
	s.imported[key] = true
	s.mu.Unlock()
	return nil
}

// importKey is an import: the name it binds ("": the package's own) and its path.
type importKey struct{ name, path string }

func importOf(spec *ast.ImportSpec) importKey {
	imp := importKey{path: strings.Trim(spec.Path.Value, "\"`")}
	if spec.Name != nil {
		imp.name = spec.Name.Name
	}
	return imp
}

// eval runs src in the interpreter and turns every failure into an *Error.
func (s *Session) eval(ctx context.Context, src string) error {
	err := s.guard(ctx, func() error {
		_, err := s.in.EvalWithContext(ctx, src)
		return err
	})
	s.noteDone()
	var e *Error
	if errors.As(err, &e) && e.Name == "KeyboardInterrupt" {
		// yaegi's evaluation goroutine may still run: it is the one created
		// by EvalWithContext in this goroutine (see zombie.go).
		s.zombie.Store(goroutine.ID())
	}
	return err
}

// guard runs f, turning a panic or error into an *Error.
func (s *Session) guard(ctx context.Context, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = s.panicError(r)
		}
	}()
	if err := f(); err != nil {
		return s.toError(ctx, err)
	}
	return nil
}

// global returns the value of a global variable or constant of the session.
func (s *Session) global(name string) (v reflect.Value, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	v, ok = s.in.Globals()[name]
	return v, ok
}

// member returns the symbol pkg.name of a compiled package the cell can name.
func (s *Session) member(pkg, name string) (reflect.Value, bool) {
	v, ok := s.symbols[s.importPath(pkg)][name]
	return v, ok
}

// Close interrupts the running cell, if any, stops the goroutines the cells
// left running (at their next step in interpreted code), and makes later
// calls of Execute fail.
func (s *Session) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.stop)
	s.widgets.Interrupt()
	if c := s.cell.Load(); c != nil {
		c.cancel(errors.New("the session was closed"))
	}
	s.run.Lock()
	defer s.run.Unlock()
	s.stopAll()
	s.widgets.Close() // after stopAll, which ends a callback stuck in a loop
	return nil
}
