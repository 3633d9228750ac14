package repl

// The helpers a session gives its interpreter: the display package bound to
// the session, the functions the rewritten cells call (package helper, imported
// as `_gospeed`), the prelude every interpreter starts with, and the
// standard library symbols a cell must not have as they are (os.Exit,
// time.Sleep).

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/traefik/yaegi/interp"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/internal/mime"
	"github.com/gospeed/gospeed/kernel/internal/progress"
	"github.com/gospeed/gospeed/kernel/repl/cell"
	"github.com/gospeed/gospeed/kernel/symbols"
)

const (
	displayPath = "github.com/gospeed/gospeed/kernel/display"
	helperPath  = "gospeed.dev/helper"
)

// prelude runs in every new interpreter: display needs no import, and
// Display shows data at once, as in gophernotes.
var prelude = []string{
	`import "` + displayPath + `"`,
	`import ` + cell.Helper + ` "` + helperPath + `"`,
	`import ` + cell.Helper + `_template "html/template"`,
	`import ` + defsName + ` "` + defsPath + `"`,
	`func Display(d display.Data) error { return display.Display(d) }`,
	// Go 1.21's built-in min, max and clear, which yaegi v0.16.1 lacks.
	`type ` + cell.TmpPrefix + `ordered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}`,
	`func min[T ` + cell.TmpPrefix + `ordered](x T, ys ...T) T {
	for _, y := range ys {
		if y < x {
			x = y
		}
	}
	return x
}`,
	`func max[T ` + cell.TmpPrefix + `ordered](x T, ys ...T) T {
	for _, y := range ys {
		if y > x {
			x = y
		}
	}
	return x
}`,
	`func clear(x interface{}) { ` + cell.Helper + `.Clear(x) }`,
	resultFunc,
}

// resultFunc is the interpreted function that captures a cell's value. The
// methods of a type declared in a cell are invisible to compiled code, and
// yaegi v0.16.1 fails to call them through the compiled interfaces of
// package display; a type switch on an interface written in the interpreter
// works. Each view is guarded: a failing view falls back to text.
var resultFunc = func() string {
	var b strings.Builder
	b.WriteString("func " + cell.TmpPrefix + "result(v interface{}) {\n")
	b.WriteString("\tm := map[string]interface{}{}\n")
	b.WriteString("\tif v != nil {\n")
	// view is one way a value renders itself: its MIME type ("": a whole
	// bundle), its method, and the expression of its content.
	view := func(mimeType, method, content string) {
		method = strings.Replace(method, "template.HTML", cell.Helper+"_template.HTML", 1)
		set := fmt.Sprintf("m[%q] = %s", mimeType, content)
		if mimeType == "" {
			set = "for k, c := range " + content + " { m[k] = c }"
		}
		fmt.Fprintf(&b, "\t\tfunc() {\n\t\t\tdefer func() { recover() }()\n\t\t\tswitch x := v.(type) {\n\t\t\tcase interface{ %s }:\n\t\t\t\t%s\n\t\t\t}\n\t\t}()\n", method, set)
	}
	view("", "Render() display.Data", "x.Render().Data")
	view("", "SimpleRender() display.MIMEMap", "x.SimpleRender()")
	for _, v := range mime.Views { // display's: the table of kernel/internal/mime
		content := "x." + v.Method + "()"
		if strings.HasSuffix(v.Type, "string") || strings.HasSuffix(v.Type, "template.HTML") {
			content = "string(" + content + ")"
		}
		if v.Around != "" {
			content = strconv.Quote(v.Around) + " + " + content + " + " + strconv.Quote(v.Around)
		}
		view(v.MIME, v.Method+strings.TrimPrefix(v.Type, "func"), content)
	}
	view(mime.Text, "Error() string", "x.Error()")
	view(mime.Text, "String() string", "x.String()")
	b.WriteString("\t}\n")
	// fmt, called from the interpreter, sees through yaegi's wrappers of
	// interpreted values; compiled code would print the wrapper.
	b.WriteString("\tif _, ok := m[\"text/plain\"]; !ok {\n\t\tm[\"text/plain\"] = " + cell.Helper + ".Plain(v)\n\t}\n")
	b.WriteString("\t" + cell.Helper + ".ResultMIME(m, v)\n}")
	return b.String()
}()

// sessionSymbols returns the symbols whose values belong to this session: the
// display package with its Display, Progress and Context bound to the
// running cell, the cell helpers the rewrites call, and os.Exit.
func (s *Session) sessionSymbols() interp.Exports {
	disp := maps.Clone(symbols.Symbols[displayPath+"/display"])
	disp["Display"] = reflect.ValueOf(s.display)
	disp["Progress"] = reflect.ValueOf(s.progress)
	disp["Context"] = reflect.ValueOf(s.context)
	disp["Clear"] = reflect.ValueOf(s.cfg.Clear)
	exports := interp.Exports(maps.Clone(symbols.Symbols))
	exports[displayPath+"/display"] = disp
	exports[widgetsPath+"/widgets"] = s.widgetSymbols()
	exports[helperPath+"/helper"] = map[string]reflect.Value{
		"Result":     reflect.ValueOf(s.result),
		"ResultMIME": reflect.ValueOf(s.resultMIME),
		"Defer":      reflect.ValueOf(s.deferCall),
		"GoPanic":    reflect.ValueOf(s.goPanic),
		"Plain":      reflect.ValueOf(plain),
		"Clear":      reflect.ValueOf(clearValue),
		"AwaitStop":  reflect.ValueOf(s.awaitStop),
	}
	exports["os/os"] = map[string]reflect.Value{"Exit": reflect.ValueOf(exit)}
	exports["time/time"] = map[string]reflect.Value{"Sleep": reflect.ValueOf(s.sleep)}
	exports["runtime/runtime"] = map[string]reflect.Value{"Goexit": reflect.ValueOf(s.goexit)}
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

func (s *Session) display(d display.Data) error {
	if len(d.Data) > 0 {
		d = display.Render(d) // adds text/plain when missing
	}
	s.cfg.Display(d, false)
	return nil
}

func (s *Session) progress(label string) func(done, total int) {
	id := fmt.Sprintf("gospeed-progress-%p-%d", s, s.displays.Add(1))
	return progress.New(label, id, s.routes.Show(s.cfg.Display), time.Now)
}

func (s *Session) context() context.Context {
	if r := s.routes.Current(); r != nil && r.Ctx != nil {
		return r.Ctx // a widget callback's
	}
	if c := s.cell.Load(); c != nil {
		return c.ctx
	}
	return context.Background()
}

func (s *Session) result(vals ...interface{}) {
	if c := s.cell.Load(); c != nil {
		c.results = vals
	}
}

// resultMIME records a single result with the MIME bundle its methods gave
// in the interpreter (see prelude).
// (v is variadic: yaegi unwraps its wrappers of interpreted values passed to a
// variadic interface{} parameter, as for fmt.Println, and not otherwise.)
func (s *Session) resultMIME(m display.MIMEMap, vs ...interface{}) {
	v := unwrap(vs[0])
	if c := s.cell.Load(); c != nil {
		c.results = []interface{}{v} // no value, if nil
		if v != nil {
			d := display.Render(v)
			maps.Copy(d.Data, m)
			c.rendered = &d
		}
	}
}

func (s *Session) deferCall(f func()) {
	if c := s.cell.Load(); c != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		c.defers = append(c.defers, f)
	}
}

// goPanic reports the panic of a goroutine a cell started, which then ends
// quietly: it stops the running cell, as a panic would stop a program, and is
// its error; between cells it goes to stderr.
func (s *Session) goPanic(r interface{}) {
	if r != nil {
		v := panicText(runtimeWords(r))
		s.goroutineFailed(&Error{Name: "panic", Value: v, Traceback: []string{"panic in a goroutine: " + v, "[the goroutine stopped; the session goes on]"}}, true)
	}
}

// goexit is runtime.Goexit in a cell: the goroutine ends, and so does the
// cell, with an error (yaegi would take the ended evaluation for a success).
func (s *Session) goexit() {
	v := "runtime.Goexit was called: the goroutine that called it stopped"
	s.goroutineFailed(newError("Goexit", v), false)
	runtime.Goexit()
}

// goroutineFailed makes e the running cell's error, unless it has one, and
// with stop ends the cell.
func (s *Session) goroutineFailed(e *Error, stop bool) {
	switch c := s.cell.Load(); {
	case c == nil:
		fmt.Fprintln(s.cfg.Stderr, strings.Join(e.Traceback, "\n"))
	case c.failed.CompareAndSwap(nil, e):
		if stop {
			c.cancel(errors.New(e.Value))
		}
	}
}

// plain is display.Plain for the interpreter (variadic: see resultMIME).
func plain(vs ...interface{}) string { return display.Plain(unwrap(vs[0])) }

// clearValue is clear(x) for a map or a slice (an interpreted value is a
// real Go map or slice, which reflect can clear in place).
func clearValue(x interface{}) {
	v := reflect.ValueOf(unwrap(x))
	if v.Kind() != reflect.Map && v.Kind() != reflect.Slice {
		panic(fmt.Sprintf("invalid argument: clear(%T): argument must be a map or a slice", x))
	}
	v.Clear()
}
