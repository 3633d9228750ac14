// Package repl evaluates a learner's Go cells on yaegi, keeping state between
// cells and turning every failure into an *Error, so the kernel never dies.
//
// A cell is split into units (split.go), each unit is rewritten where yaegi
// v0.16.1 differs from Go 1.22+ or could end the process (rewrite.go), and the
// units run one by one in the session's interpreter (this file).
package repl

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/doc"
	"go/scanner"
	"go/token"
	"io"
	"maps"
	"path"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/unrestricted"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/symbols"
)

// Config connects a Session to its outputs.
type Config struct {
	// Stdout and Stderr receive the cell's os.Stdout/os.Stderr and fmt.Print* output.
	Stdout, Stderr io.Writer
	// Display shows rich output during a cell; update=true replaces the display
	// named by d.Transient["display_id"].
	Display func(d display.Data, update bool)
}

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

// Session is one interpreter with its state: the variables, functions and
// imports of the cells run so far. Its methods may be called from any
// goroutine; cells run one at a time.
type Session struct {
	cfg Config
	in  *interp.Interpreter

	run sync.Mutex // held while a cell runs

	mu       sync.Mutex // guards the fields below
	cell     *cellState // the running cell, or nil
	imported map[string]bool
	// symbols are the compiled packages a cell can import, by import path,
	// and pkgNames their package names.
	symbols  map[string]map[string]reflect.Value
	pkgNames map[string]string
	types    map[string]typeDef // the types declared so far, by name
	rename   map[string]string  // redefined types: name -> current internal name
	methods  bool               // a cell has declared a method
	closed   bool
	stop     chan struct{} // closed by Close: ends the stack watchdog

	docMu    sync.Mutex
	docs     map[string]*doc.Package // standard library docs read so far
	rootOnce sync.Once
	root     string   // GOROOT, for docs
	trace    []string // where the running cell panicked, innermost first
	displays int      // display ids handed out
	// zombie is the goroutine that called an interrupted Eval, or 0 (see
	// zombie.go).
	zombie int64
}

// cellState is what the per-session helpers see of the running cell.
type cellState struct {
	ctx      context.Context
	cancel   context.CancelCauseFunc
	results  []interface{}
	rendered *display.Data
	hasRes   bool
	defers   []func()
}

// New starts a Session.
func New(cfg Config) (*Session, error) {
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	if cfg.Display == nil {
		cfg.Display = func(display.Data, bool) {}
	}
	s := &Session{cfg: cfg, imported: map[string]bool{}, pkgNames: map[string]string{}, docs: map[string]*doc.Package{}, types: map[string]typeDef{}, rename: map[string]string{}}
	s.in = interp.New(interp.Options{Stdout: cfg.Stdout, Stderr: &panicFilter{w: cfg.Stderr, s: s}, Unrestricted: true})
	s.symbols = map[string]map[string]reflect.Value{}
	for _, syms := range []interp.Exports{stdlib.Symbols, {"os/exec/exec": unrestricted.Symbols["os/exec/exec"]}, s.sessionSymbols()} {
		if err := s.in.Use(syms); err != nil {
			return nil, fmt.Errorf("loading interpreter symbols: %w", err)
		}
		for key, members := range syms {
			p := path.Dir(key)
			if s.symbols[p] == nil {
				s.symbols[p] = map[string]reflect.Value{}
				s.pkgNames[p] = path.Base(key)
			}
			for name, v := range members {
				s.symbols[p][name] = v
			}
		}
	}
	for _, src := range prelude {
		if _, err := s.in.Eval(src); err != nil {
			return nil, fmt.Errorf("starting the interpreter with %q: %w", src, err)
		}
	}
	s.imported[importKey("", displayPath)] = true
	s.stop = make(chan struct{})
	go s.watchStacks(s.stop)
	return s, nil
}

const (
	displayPath = "github.com/gospeed/gospeed/kernel/display"
	helperPath  = "gospeed.dev/cell"
)

// prelude runs in every new interpreter: display needs no import, and
// Display shows data at once, as in gophernotes.
var prelude = []string{
	`import "` + displayPath + `"`,
	`import ` + helper + ` "` + helperPath + `"`,
	`import ` + helper + `_template "html/template"`,
	`func Display(d display.Data) error { return display.Display(d) }`,
	// Go 1.21's built-in min, max and clear, which yaegi v0.16.1 lacks.
	`type ` + tmpPrefix + `ordered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}`,
	`func min[T ` + tmpPrefix + `ordered](x T, ys ...T) T {
	for _, y := range ys {
		if y < x {
			x = y
		}
	}
	return x
}`,
	`func max[T ` + tmpPrefix + `ordered](x T, ys ...T) T {
	for _, y := range ys {
		if y > x {
			x = y
		}
	}
	return x
}`,
	`func clear(x interface{}) { ` + helper + `.Clear(x) }`,
	resultFunc,
}

// views are the methods by which a value renders itself, as display's
// interfaces name them: MIME type, method, and the expression of its content.
var views = []struct{ mime, method, content string }{
	{display.MIMETypeHTML, "HTML() string", "x.HTML()"},
	{display.MIMETypeHTML, "HTML() template.HTML", "string(x.HTML())"},
	{display.MIMETypeSVG, "SVG() string", "x.SVG()"},
	{display.MIMETypeMarkdown, "Markdown() string", "x.Markdown()"},
	{display.MIMETypeLatex, "Latex() string", "x.Latex()"},
	{display.MIMETypeLatex, "Math() string", `"$$" + x.Math() + "$$"`},
	{display.MIMETypeJSON, "JSON() map[string]interface{}", "x.JSON()"},
	{display.MIMETypePNG, "PNG() []byte", "x.PNG()"},
	{display.MIMETypeJPEG, "JPEG() []byte", "x.JPEG()"},
	{display.MIMETypeJavaScript, "JavaScript() string", "x.JavaScript()"},
	{display.MIMETypePDF, "PDF() []byte", "x.PDF()"},
	{display.MIMETypeText, "Error() string", "x.Error()"},
	{display.MIMETypeText, "String() string", "x.String()"},
}

// resultFunc is the interpreted function that captures a cell's value. The
// methods of a type declared in a cell are invisible to compiled code, and
// yaegi v0.16.1 fails to call them through the compiled interfaces of
// package display; a type switch on an interface written in the interpreter
// works. Each view is guarded: a failing view falls back to text.
var resultFunc = func() string {
	var b strings.Builder
	b.WriteString("func " + tmpPrefix + "result(v interface{}) {\n")
	b.WriteString("\tm := map[string]interface{}{}\n")
	b.WriteString("\tif v != nil {\n")
	for _, v := range views {
		method := strings.Replace(v.method, "template.HTML", helper+"_template.HTML", 1)
		fmt.Fprintf(&b, "\t\tfunc() {\n\t\t\tdefer func() { recover() }()\n\t\t\tswitch x := v.(type) {\n\t\t\tcase interface{ %s }:\n\t\t\t\tm[%q] = %s\n\t\t\t}\n\t\t}()\n", method, v.mime, v.content)
	}
	b.WriteString("\t}\n")
	// fmt, called from the interpreter, sees through yaegi's wrappers of
	// interpreted values; compiled code would print the wrapper.
	b.WriteString("\tif _, ok := m[\"text/plain\"]; !ok {\n\t\tm[\"text/plain\"] = " + helper + ".Plain(v)\n\t}\n")
	b.WriteString("\t" + helper + ".ResultMIME(m, v)\n}")
	return b.String()
}()

// sessionSymbols returns the symbols whose values belong to this session: the
// display package with its Display, Progress and Context bound to the
// running cell, the cell helpers the rewrites call, and os.Exit.
func (s *Session) sessionSymbols() interp.Exports {
	disp := map[string]reflect.Value{}
	for name, v := range symbols.Symbols[displayPath+"/display"] {
		disp[name] = v
	}
	disp["Display"] = reflect.ValueOf(s.display)
	disp["Progress"] = reflect.ValueOf(s.progress)
	disp["Context"] = reflect.ValueOf(s.context)
	disp["Clear"] = reflect.ValueOf(func(wait bool) { s.cfg.Display(display.ClearOutput(wait), false) })
	exports := interp.Exports{displayPath + "/display": disp}
	for path, syms := range symbols.Symbols {
		if _, ok := exports[path]; !ok {
			exports[path] = syms
		}
	}
	exports[helperPath+"/cell"] = map[string]reflect.Value{
		"Result":     reflect.ValueOf(s.result),
		"ResultMIME": reflect.ValueOf(s.resultMIME),
		"Defer":      reflect.ValueOf(s.deferCall),
		"GoPanic":    reflect.ValueOf(s.goPanic),
		"Plain":      reflect.ValueOf(plain),
		"Clear":      reflect.ValueOf(clearValue),
	}
	exports["os/os"] = map[string]reflect.Value{"Exit": reflect.ValueOf(exit)}
	exports["time/time"] = map[string]reflect.Value{"Sleep": reflect.ValueOf(s.sleep)}
	return exports
}

// sleep is time.Sleep in a cell: an interrupt ends it.
func (s *Session) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.context().Done():
	}
}

// exitCode is the panic value of os.Exit in a cell.
type exitCode int

func exit(code int) { panic(exitCode(code)) }

func (s *Session) current() *cellState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cell
}

func (s *Session) display(d display.Data) error {
	if len(d.Data) > 0 {
		d = display.Render(d) // adds text/plain when missing
	}
	s.cfg.Display(d, false)
	return nil
}

func (s *Session) progress(label string) func(done, total int) {
	s.mu.Lock()
	s.displays++
	id := fmt.Sprintf("gospeed-progress-%p-%d", s, s.displays)
	s.mu.Unlock()
	return display.NewProgress(label, id, s.cfg.Display, time.Now)
}

func (s *Session) context() context.Context {
	if c := s.current(); c != nil {
		return c.ctx
	}
	return context.Background()
}

func (s *Session) hasMethods() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.methods
}

func (s *Session) result(vals ...interface{}) {
	if c := s.current(); c != nil {
		c.results, c.hasRes = vals, true
	}
}

// resultMIME records a single result with the MIME bundle its methods gave
// in the interpreter (see prelude).
// (v is variadic: yaegi unwraps its wrappers of interpreted values passed to a
// variadic interface{} parameter, as for fmt.Println, and not otherwise.)
func (s *Session) resultMIME(m display.MIMEMap, vs ...interface{}) {
	v := unwrap(vs[0])
	if c := s.current(); c != nil {
		if v == nil {
			c.results, c.hasRes = []interface{}{nil}, true
			return
		}
		d := display.Render(v)
		for mime, content := range m {
			d.Data[mime] = content
		}
		c.results, c.rendered, c.hasRes = []interface{}{v}, &d, true
	}
}

func (s *Session) deferCall(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cell != nil {
		s.cell.defers = append(s.cell.defers, f)
	}
}

// goPanic reports the panic of a goroutine a cell started; the goroutine then ends quietly.
func (s *Session) goPanic(r interface{}) {
	if r == nil {
		return
	}
	fmt.Fprintf(s.cfg.Stderr, "panic in a goroutine: %s\n[the goroutine stopped; the kernel goes on]\n", panicText(r))
}

// plain is display.Plain for the interpreter (variadic: see resultMIME).
func plain(vs ...interface{}) string { return display.Plain(unwrap(vs[0])) }

func panicText(r interface{}) string {
	if code, ok := r.(exitCode); ok {
		return fmt.Sprintf("os.Exit(%d)", int(code))
	}
	if err, ok := r.(error); ok {
		return err.Error()
	}
	return fmt.Sprint(r)
}

// Execute runs one cell. ok is false when the cell has no value to show.
func (s *Session) Execute(ctx context.Context, code string) (result display.Data, ok bool, err error) {
	s.run.Lock()
	defer s.run.Unlock()
	s.mu.Lock()
	closed := s.closed
	s.trace = nil
	s.mu.Unlock()
	if closed {
		return display.Data{}, false, &Error{Name: "SessionClosed", Value: "the session is closed", Traceback: []string{"SessionClosed: the session is closed"}}
	}
	if err := s.waitIdle(ctx); err != nil {
		return display.Data{}, false, err
	}
	units, err := Split(code)
	if err != nil {
		return display.Data{}, false, syntaxError(err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cell := &cellState{ctx: ctx, cancel: cancel}
	s.mu.Lock()
	s.cell = cell
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cell = nil
		s.mu.Unlock()
	}()

	err = s.runUnits(ctx, units)
	if derr := s.runDefers(ctx, cell); err == nil {
		err = derr
	}
	if errors.Is(context.Cause(ctx), errStackOverflow) {
		return display.Data{}, false, stackOverflow()
	}
	if err != nil {
		return display.Data{}, false, err
	}
	return render(cell)
}

// runUnits parses every unit, so that a syntax error anywhere runs nothing,
// then runs them in order.
func (s *Session) runUnits(ctx context.Context, units []Unit) error {
	var parsed []parsedUnit
	for _, u := range units {
		p, err := parseUnit(u)
		if err != nil {
			return syntaxError(err)
		}
		parsed = append(parsed, p)
	}
	for i, p := range parsed {
		if ctx.Err() != nil {
			return interrupted("the cell was interrupted")
		}
		if err := s.runUnit(ctx, p, i == len(parsed)-1); err != nil {
			return err
		}
	}
	return nil
}

// mainName is what a cell's func main is called in the interpreter.
const mainName = tmpPrefix + "main"

func declaresMain(f *ast.File) bool {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			return true
		}
	}
	return false
}

// parsedUnit is a unit with its syntax tree: the file for imports and
// declarations, and for statements the body of the function that wraps them.
type parsedUnit struct {
	Unit
	fset *token.FileSet
	file *ast.File
	body *ast.BlockStmt
}

func parseUnit(u Unit) (parsedUnit, error) {
	p := parsedUnit{Unit: u, fset: token.NewFileSet()}
	var err error
	if u.Kind == StmtUnit {
		p.file, p.body, err = parseStmts(p.fset, u)
	} else {
		p.file, err = parseDecls(p.fset, u)
	}
	return p, err
}

// runDefers runs the cell's top-level deferred calls, last first.
func (s *Session) runDefers(ctx context.Context, cell *cellState) error {
	var first error
	for i := len(cell.defers) - 1; i >= 0; i-- {
		if ctx.Err() != nil {
			return first
		}
		f := cell.defers[i]
		err := s.guard(ctx, func() error { f(); return nil })
		if first == nil {
			first = err
		}
	}
	return first
}

func render(cell *cellState) (display.Data, bool, error) {
	if !cell.hasRes {
		return display.Data{}, false, nil
	}
	vals := cell.results
	allNil := true
	for _, v := range vals {
		allNil = allNil && v == nil
	}
	if allNil {
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

func (s *Session) runUnit(ctx context.Context, p parsedUnit, last bool) error {
	fset, f, u := p.fset, p.file, p.Unit
	switch u.Kind {
	case ImportUnit:
		return s.imports(ctx, f)
	case DeclUnit:
		defs := s.typeDefs(fset, f, u, len("package main;"))
		rename := defs.rename(s.rename)
		isMain := declaresMain(f)
		if isMain {
			// yaegi calls a func main when it is declared, and again at
			// later evaluations: declare it under another name, and call it.
			rename = maps.Clone(rename)
			rename["main"] = mainName
		}
		src := s.rewriteUnit(fset, f, f, u, "package main;", nil, rename)
		if err := s.eval(ctx, src); err != nil {
			return err
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
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				s.mu.Lock()
				s.methods = true
				s.mu.Unlock()
			}
		}
		return nil
	default:
		body := p.body
		var res *ast.ExprStmt
		if last && len(body.List) > 0 {
			res, _ = body.List[len(body.List)-1].(*ast.ExprStmt)
		}
		prefix := "package main; func _() {"
		if res != nil && !isPrint(res.X) {
			// One value, several values (a call), or none (a call of a
			// func without results): try each until one compiles.
			captures := []string{helper + ".Result"}
			if s.hasMethods() {
				// Only a type declared in a cell needs its methods called
				// in the interpreter to render (see resultFunc).
				captures = []string{tmpPrefix + "result", helper + ".Result"}
			}
			for _, capture := range captures {
				err := s.runStmts(ctx, s.rewriteUnit(fset, f, body, u, prefix, &result{res, capture}, s.rename))
				if !isCompileError(err) {
					return err
				}
			}
		}
		return s.runStmts(ctx, s.rewriteUnit(fset, f, body, u, prefix, nil, s.rename))
	}
}

// runStmts evaluates statements in yaegi's global scope.
func (s *Session) runStmts(ctx context.Context, src string) error {
	// "{};" keeps yaegi from taking statements that parse as a file (var
	// declarations) for package-level declarations.
	return s.eval(ctx, "{}; "+src)
}

// isCompileError tells a failure to compile from a failure while running.
func isCompileError(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Name == "CompileError"
}

// isPrint reports a call of fmt's Print functions, whose results (bytes
// written and error) a learner does not want shown.
func isPrint(x ast.Expr) bool {
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

func (s *Session) rewriteUnit(fset *token.FileSet, f *ast.File, root ast.Node, u Unit, prefix string, res *result, rename map[string]string) string {
	return rewriteUnit(fset, f, root, u, prefix, res, rename, newIntOracle(root, s.global, s.member).isInt)
}

// imports runs the imports not yet done: yaegi rejects a second import of a
// package as a redeclaration, while a learner re-runs cells.
func (s *Session) imports(ctx context.Context, f *ast.File) error {
	for _, spec := range f.Imports {
		name := ""
		if spec.Name != nil {
			name = spec.Name.Name
		}
		path := strings.Trim(spec.Path.Value, "\"`")
		key := importKey(name, path)
		if s.imported[key] {
			continue
		}
		src := "import " + name + " " + spec.Path.Value
		if err := s.eval(ctx, src); err != nil {
			return err
		}
		s.imported[key] = true
	}
	return nil
}

func importKey(name, path string) string { return name + " " + path }

// eval runs src in the interpreter and turns every failure into an *Error.
func (s *Session) eval(ctx context.Context, src string) error {
	err := s.guard(ctx, func() error {
		_, err := s.in.EvalWithContext(ctx, src)
		return err
	})
	var e *Error
	if errors.As(err, &e) && e.Name == "KeyboardInterrupt" {
		// yaegi's evaluation goroutine may still run: it is the one created
		// by EvalWithContext in this goroutine (see zombie.go).
		s.mu.Lock()
		s.zombie = goroutineID()
		s.mu.Unlock()
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

func (s *Session) toError(ctx context.Context, err error) *Error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return interrupted("the cell was interrupted")
	}
	var p interp.Panic
	if errors.As(err, &p) {
		return s.panicError(p.Value)
	}
	var se scanner.ErrorList
	if errors.As(err, &se) {
		return syntaxError(err)
	}
	msg := cellPosition(err.Error()) + hint(err.Error())
	return &Error{Name: "CompileError", Value: msg, Traceback: []string{"CompileError: " + msg}}
}

// hint explains the errors that come from the interpreter's limits rather
// than from the learner's code.
func hint(msg string) string {
	if m := undefinedSelector.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf(" (%s.%s is not in the interpreter: yaegi v0.16.1 has the standard library of Go 1.22 without its generic functions, such as slices.Sort, maps.Keys or sync.OnceValue; write the loop, or use a non-generic function)", m[1], m[2])
	}
	if strings.HasSuffix(msg, "definition loop") {
		return " (yaegi v0.16.1 says so when a declaration uses a name it cannot find: is a package not imported, or a name misspelt?)"
	}
	if strings.HasSuffix(msg, "nil type") {
		return " (yaegi v0.16.1 could not type this code: ranging over a function (a Go 1.23 iterator) is not supported, nor over an integer whose type it cannot see; write a three-clause for loop)"
	}
	return ""
}

var undefinedSelector = regexp.MustCompile(`undefined selector:? (\w+)\.(\w+)`)

// clearValue is clear(x) for a map or a slice (an interpreted value is a
// real Go map or slice, which reflect can clear in place).
func clearValue(x interface{}) {
	v := reflect.ValueOf(unwrap(x))
	if v.Kind() != reflect.Map && v.Kind() != reflect.Slice {
		panic(fmt.Sprintf("invalid argument: clear(%T): argument must be a map or a slice", x))
	}
	v.Clear()
}

func (s *Session) panicError(r interface{}) *Error {
	if code, ok := r.(exitCode); ok {
		v := fmt.Sprintf("os.Exit(%d) was called: a cell cannot end the kernel; the session goes on", int(code))
		return &Error{Name: "Exit", Value: v, Traceback: []string{"Exit: " + v}}
	}
	v := panicText(r)
	if v == "nil type" {
		return &Error{Name: "CompileError", Value: v + hint(v), Traceback: []string{"CompileError: " + v + hint(v)}}
	}
	tb := []string{"panic: " + v}
	s.mu.Lock()
	tb = append(tb, s.trace...)
	s.mu.Unlock()
	return &Error{Name: "panic", Value: v, Traceback: tb}
}

func syntaxError(err error) *Error {
	msg := cellPosition(err.Error())
	return &Error{Name: "SyntaxError", Value: msg, Traceback: []string{"SyntaxError: " + msg}}
}

// cellPosition rewrites the "line:column: " of an error in a unit as "line N: ":
// the units keep the cell's lines, but not its columns on their first line.
func cellPosition(msg string) string {
	return errorPosition.ReplaceAllString(msg, "line $1: ")
}

var errorPosition = regexp.MustCompile(`(?:[\w.]+\.go:)?(\d+):\d+: `)

func interrupted(why string) *Error {
	return &Error{Name: "KeyboardInterrupt", Value: why, Traceback: []string{"KeyboardInterrupt: " + why}}
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
	p := s.importPath(pkg)
	if p == "" {
		return reflect.Value{}, false
	}
	v, ok := s.symbols[p][name]
	return v, ok
}

// Close interrupts the running cell, if any, stops the goroutines the session's cells left running (at their next
// step in interpreted code) and makes later calls of Execute fail.
func (s *Session) Close() error {
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if closed {
		return nil
	}
	close(s.stop)
	if c := s.current(); c != nil {
		c.cancel(errors.New("the session was closed"))
	}
	s.run.Lock()
	defer s.run.Unlock()
	s.stopAll()
	return nil
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
	switch {
	case fn == "main":
		fn = "cell"
	case strings.HasPrefix(fn, tmpPrefix) || fn == "func":
		fn = "function literal"
	}
	where := fn
	if len(m[1]) > 0 && fn != "cell" { // the cell's own line is not the panic's
		where += ", line " + string(m[1])
	}
	p.s.mu.Lock()
	p.s.trace = append(p.s.trace, "  in "+where)
	p.s.mu.Unlock()
	return len(b), nil
}

var yaegiPanicLine = regexp.MustCompile(`^(?:(\d+):\d+: )?panic: ([\w.]*)\(\.\.\.\)\n$`)
