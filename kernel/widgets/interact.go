package widgets

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gospeed/gospeed/kernel/display"
)

// Interact shows controls above one Output, runs f once with their values,
// and runs it again whenever a control changes, each run's output in place
// of the last (see the package doc for runs during runs).
//
// Each argument after f gives f's parameter at its place: a widget of this
// package (an *Int for an int parameter, a *Float for a float64, a *Bool,
// a *String or *Choice for a string), or a struct value, which gives a
// struct parameter of its type: its exported fields become controls,
// starting at the values given, labelled with their names, and tuned by a
// `widget` tag:
//
//	type run struct {
//		Workers int           `widget:"min=1,max=64"`
//		Version string        `widget:"options=pooled|goroutines,buttons"`
//		Latency time.Duration `widget:"min=1,max=200"` // a slider of milliseconds
//		Verbose bool
//	}
//
// An int or time.Duration field is a slider (min, max, step), a float64 one
// too, a bool one a Checkbox, a string one a Text, or a Dropdown of its
// options (ToggleButtons with buttons). label=... sets the label (without
// a comma).
//
// What f prints and displays goes to the Output; so do its results: an
// error as text, other values as a cell shows its value (when f's last
// result is a non-nil error, that error alone). Sliders update
// when the learner lets go (continuous_update off).
func (m *Manager) Interact(f any, args ...any) error {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func || fv.IsNil() {
		return fmt.Errorf("widgets.Interact: the first argument is %T, not a function", f)
	}
	ft := fv.Type()
	if ft.IsVariadic() || ft.NumIn() != len(args) {
		return fmt.Errorf("widgets.Interact: %s takes %d parameter(s) but %d control(s) were given: give one widget or struct for each", ft, ft.NumIn(), len(args))
	}
	var controls []Widget
	params := make([]func() reflect.Value, len(args))
	for i, a := range args {
		p, ws, err := m.param(ft.In(i), a)
		if err != nil {
			return fmt.Errorf("widgets.Interact: parameter %d: %w", i+1, err)
		}
		params[i], controls = p, append(controls, ws...)
	}
	out := m.Output()
	run := func(ctx context.Context) {
		out.capture(ctx, func(c *capture) {
			in := make([]reflect.Value, len(params))
			for i, p := range params {
				in[i] = p()
			}
			results := fv.Call(in)
			if n := len(results); n > 0 && ft.Out(n-1) == errorType && !results[n-1].IsNil() {
				results = results[n-1:] // as in Go, the other results of a failure mean nothing
			}
			for _, r := range results {
				if (r.Kind() == reflect.Interface || r.Kind() == reflect.Pointer) && r.IsNil() {
					continue
				}
				c.result(r.Interface())
			}
		})
	}
	j := &job{run: run}
	for _, c := range controls {
		c.base().observe(j)
	}
	box := m.VBox(append(controls, out)...)
	id := "gospeed-interact-" + box.id
	show := func(update bool) {
		d := box.Render()
		if fallback := out.fallbackHTML(); fallback != "" {
			d.Data[display.MIMETypeHTML] = fallback
		}
		d.Transient = display.MIMEMap{"display_id": id}
		m.host.Display(d, update)
	}
	show(false)
	j.mu.Lock() // the first run, in the cell: a change made meanwhile waits
	run(m.host.Context())
	j.mu.Unlock()
	show(true) // the first run's output as text, for frontends without widgets
	return nil
}

// param returns how to make the value of a parameter of type t from the
// control a (a widget or a struct of fields), and the widgets to show.
func (m *Manager) param(t reflect.Type, a any) (func() reflect.Value, []Widget, error) {
	if w, ok := a.(Widget); ok {
		get, err := valueOf(w, t)
		return get, []Widget{w}, err
	}
	v := reflect.ValueOf(a)
	if v.Kind() != reflect.Struct {
		return nil, nil, fmt.Errorf("%T is neither a widget (widgets.IntSlider(...)) nor a struct of parameters", a)
	}
	if v.Type() != t {
		return nil, nil, fmt.Errorf("the struct %s is given for a parameter of type %s", v.Type(), t)
	}
	type field struct {
		index int
		get   func() reflect.Value
	}
	var fields []field
	var ws []Widget
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Tag.Get("widget") == "-" {
			continue
		}
		w, err := m.fieldControl(sf, v.Field(i))
		if err != nil {
			return nil, nil, fmt.Errorf("field %s: %w", sf.Name, err)
		}
		get, err := valueOf(w, sf.Type)
		if err != nil {
			return nil, nil, fmt.Errorf("field %s: %w", sf.Name, err)
		}
		fields = append(fields, field{i, get})
		ws = append(ws, w)
	}
	return func() reflect.Value {
		s := reflect.New(t).Elem()
		s.Set(v) // fields without a control keep their value
		for _, f := range fields {
			s.Field(f.index).Set(f.get())
		}
		return s
	}, ws, nil
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	errorType    = reflect.TypeFor[error]()
)

// valueOf returns how to read w's value as a t.
func valueOf(w Widget, t reflect.Type) (func() reflect.Value, error) {
	var get func() any
	switch x := w.(type) {
	case *Int:
		if t == durationType {
			return func() reflect.Value { return reflect.ValueOf(time.Duration(x.Value()) * time.Millisecond) }, nil
		}
		get = func() any { return x.Value() }
	case *Float:
		get = func() any { return x.Value() }
	case *Bool:
		get = func() any { return x.Value() }
	case *String:
		get = func() any { return x.Value() }
	case *Choice:
		get = func() any { return x.Value() }
	default:
		return nil, fmt.Errorf("a %T has no value to pass", w)
	}
	vt := reflect.TypeOf(get())
	if vt.Kind() != t.Kind() && !(isInt(vt) && isInt(t)) && !(isFloat(vt) && isFloat(t)) {
		return nil, fmt.Errorf("a %T gives a %s, not a %s", w, vt, t)
	}
	return func() reflect.Value { return reflect.ValueOf(get()).Convert(t) }, nil
}

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func isFloat(t reflect.Type) bool { return t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64 }

// fieldControl makes the widget of a struct field, from its value and tag.
func (m *Manager) fieldControl(sf reflect.StructField, v reflect.Value) (Widget, error) {
	tag, err := parseTag(sf.Tag.Get("widget"))
	if err != nil {
		return nil, err
	}
	label := sf.Name
	if l, ok := tag["label"]; ok {
		label = l
	}
	switch {
	case sf.Type == durationType:
		if _, ok := tag["label"]; !ok {
			label += " (ms)"
		}
		ms := int(v.Interface().(time.Duration) / time.Millisecond)
		return m.intControl(label, ms, tag)
	case isInt(sf.Type):
		return m.intControl(label, int(intOf(v)), tag)
	case isFloat(sf.Type):
		x := v.Float()
		lo, err := tagFloat(tag, "min", min(0, x))
		if err != nil {
			return nil, err
		}
		hi, err := tagFloat(tag, "max", max(1, 3*x))
		if err != nil {
			return nil, err
		}
		w := m.FloatSlider(label, x, lo, hi)
		if step, ok := tag["step"]; ok {
			s, err := strconv.ParseFloat(step, 64)
			if err != nil {
				return nil, fmt.Errorf("step %q: %w", step, err)
			}
			w.set(map[string]any{"step": s})
		}
		return w, nil
	case sf.Type.Kind() == reflect.Bool:
		return m.Checkbox(label, v.Bool()), nil
	case sf.Type.Kind() == reflect.String:
		opts, ok := tag["options"]
		if !ok {
			return m.Text(label, v.String()), nil
		}
		options := strings.Split(opts, "|")
		value := v.String()
		if value == "" {
			value = options[0]
		}
		if !slices.Contains(options, value) {
			return nil, fmt.Errorf("%q is not one of the options %q", value, options)
		}
		if _, buttons := tag["buttons"]; buttons {
			return m.ToggleButtons(label, options, value), nil
		}
		return m.Dropdown(label, options, value), nil
	}
	return nil, fmt.Errorf("a %s has no control: use an int, float64, bool, string or time.Duration, or tag it widget:\"-\"", sf.Type)
}

func (m *Manager) intControl(label string, x int, tag map[string]string) (Widget, error) {
	lo, err := tagInt(tag, "min", min(0, x))
	if err != nil {
		return nil, err
	}
	hi, err := tagInt(tag, "max", max(100, 3*x))
	if err != nil {
		return nil, err
	}
	if lo > hi {
		return nil, fmt.Errorf("min %d is above max %d", lo, hi)
	}
	w := m.IntSlider(label, x, lo, hi)
	if _, ok := tag["step"]; ok {
		step, err := tagInt(tag, "step", 1)
		if err != nil {
			return nil, err
		}
		w.set(map[string]any{"step": step})
	}
	return w, nil
}

func intOf(v reflect.Value) int64 {
	if v.CanInt() {
		return v.Int()
	}
	return int64(v.Uint())
}

// parseTag reads a widget tag: "min=1,max=64,buttons" is
// {min: 1, max: 64, buttons: ""}.
func parseTag(tag string) (map[string]string, error) {
	out := map[string]string{}
	if tag == "" {
		return out, nil
	}
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "min", "max", "step", "options", "label", "buttons":
			out[k] = v
		default:
			return nil, fmt.Errorf("widget tag %q: unknown key %q (known: min, max, step, options, label, buttons)", tag, k)
		}
	}
	return out, nil
}

func tagInt(tag map[string]string, key string, def int) (int, error) {
	s, ok := tag[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("widget tag %s=%q: not an int", key, s)
	}
	return n, nil
}

func tagFloat(tag map[string]string, key string, def float64) (float64, error) {
	s, ok := tag[key]
	if !ok {
		return def, nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("widget tag %s=%q: not a number", key, s)
	}
	return x, nil
}

// Link keeps b's value equal to a's, and a's to b's, at once, without
// waiting for the widget goroutine: both must be of one type (two *Int, a
// Play and an IntSlider...). b takes a's value now.
func (m *Manager) Link(a, b Widget) error {
	copyTo, err := linker(a, b)
	if err != nil {
		return err
	}
	copyFrom, err := linker(b, a)
	if err != nil {
		return err
	}
	copyTo()
	m.mu.Lock()
	a.base().links = append(a.base().links, copyTo)
	b.base().links = append(b.base().links, copyFrom)
	m.mu.Unlock()
	return nil
}

var errLink = errors.New("widgets.Link: only widgets of one value type link")

// linker returns the func that copies from's value to to.
func linker(from, to Widget) (func(), error) {
	switch f := from.(type) {
	case *Int:
		if t, ok := to.(*Int); ok {
			return copier(f, t), nil
		}
	case *Float:
		if t, ok := to.(*Float); ok {
			return copier(f, t), nil
		}
	case *Bool:
		if t, ok := to.(*Bool); ok {
			return copier(f, t), nil
		}
	case *String:
		if t, ok := to.(*String); ok {
			return copier(f, t), nil
		}
	case *Choice:
		if t, ok := to.(*Choice); ok {
			return func() {
				if v := f.Value(); t.Value() != v {
					_ = t.Set(v) // an option b lacks leaves b as it is
				}
			}, nil
		}
	}
	return nil, fmt.Errorf("%w: %T and %T", errLink, from, to)
}

// copier returns the func that copies from's value to to, unless to has it
// already (Set would send the frontend an update that changes nothing).
func copier[V comparable](from, to interface {
	Value() V
	Set(V)
}) func() {
	return func() {
		if v := from.Value(); to.Value() != v {
			to.Set(v)
		}
	}
}
