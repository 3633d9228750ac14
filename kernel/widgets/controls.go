package widgets

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/gospeed/gospeed/kernel/display"
)

// Widget is any widget of this package: it can be put in a Box, linked,
// or passed to Interact.
type Widget interface {
	ModelID() string
	base() *model
}

// state returns the state every DOM widget of a model starts with.
func state(module, version, name string, attrs map[string]any) map[string]any {
	s := map[string]any{
		"_model_module": module, "_model_module_version": version, "_model_name": name + "Model",
		"_view_module": module, "_view_module_version": version, "_view_name": name + "View",
		"_dom_classes": []string{}, "tabbable": nil, "tooltip": nil,
	}
	for k, v := range attrs {
		s[k] = v
	}
	return s
}

// Int is a widget whose value is an int: IntSlider and Play.
type Int struct{ *model }

// Value is the widget's current value.
func (w *Int) Value() int { v, _ := w.get("value").(int); return v }

// Set changes the value (kept within min and max), in every view of it.
func (w *Int) Set(v int) {
	w.m.mu.Lock()
	v = w.clamp(v).(int)
	w.m.mu.Unlock()
	w.set(map[string]any{"value": v})
}

// OnChange calls f with the new value after each change, on the widget
// goroutine (see the package doc).
func (w *Int) OnChange(f func(int)) { w.observe(w.m.callback(func() { f(w.Value()) })) }

// Render shows the widget, when a cell's value or in Display.
func (w *Int) Render() display.Data { return w.render(w.text()) }

func (w *Int) text() string {
	return fmt.Sprintf("%s(%s=%d)", w.get("_model_name"), w.get("description"), w.Value())
}

// Float is a widget whose value is a float64: FloatSlider.
type Float struct{ *model }

// Value is the widget's current value.
func (w *Float) Value() float64 { v, _ := w.get("value").(float64); return v }

// Set changes the value (kept within min and max), in every view of it.
func (w *Float) Set(v float64) {
	w.m.mu.Lock()
	v = w.clamp(v).(float64)
	w.m.mu.Unlock()
	w.set(map[string]any{"value": v})
}

// OnChange calls f with the new value after each change, on the widget
// goroutine.
func (w *Float) OnChange(f func(float64)) { w.observe(w.m.callback(func() { f(w.Value()) })) }

// Render shows the widget.
func (w *Float) Render() display.Data {
	return w.render(fmt.Sprintf("FloatSlider(%s=%g)", w.get("description"), w.Value()))
}

// Bool is a widget whose value is a bool: Checkbox.
type Bool struct{ *model }

// Value is the widget's current value.
func (w *Bool) Value() bool { v, _ := w.get("value").(bool); return v }

// Set changes the value, in every view of it.
func (w *Bool) Set(v bool) { w.set(map[string]any{"value": v}) }

// OnChange calls f with the new value after each change, on the widget
// goroutine.
func (w *Bool) OnChange(f func(bool)) { w.observe(w.m.callback(func() { f(w.Value()) })) }

// Render shows the widget.
func (w *Bool) Render() display.Data {
	return w.render(fmt.Sprintf("Checkbox(%s=%v)", w.get("description"), w.Value()))
}

// String is a widget whose value is a string: Text (the learner types it),
// Label and HTML (the cell sets it).
type String struct{ *model }

// Value is the widget's current value.
func (w *String) Value() string { v, _ := w.get("value").(string); return v }

// Set changes the value, in every view of it.
func (w *String) Set(v string) { w.set(map[string]any{"value": v}) }

// OnChange calls f with the new value after each change, on the widget
// goroutine.
func (w *String) OnChange(f func(string)) { w.observe(w.m.callback(func() { f(w.Value()) })) }

// Render shows the widget.
func (w *String) Render() display.Data { return w.render(w.Value()) }

// Choice is a widget that selects one of its options: Dropdown and
// ToggleButtons.
type Choice struct{ *model }

// Options are the labels to choose from.
func (w *Choice) Options() []string {
	o, _ := w.get("_options_labels").([]string)
	return slices.Clone(o)
}

// Index is the index of the selected option.
func (w *Choice) Index() int { v, _ := w.get("index").(int); return v }

// Value is the selected option.
func (w *Choice) Value() string {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	o, _ := w.state["_options_labels"].([]string)
	i, ok := w.state["index"].(int)
	if !ok || i < 0 || i >= len(o) {
		return ""
	}
	return o[i]
}

// Set selects the option v; it is an error when v is not one.
func (w *Choice) Set(v string) error {
	i := slices.Index(w.Options(), v)
	if i < 0 {
		return fmt.Errorf("widgets: %q is not one of the options %q", v, w.Options())
	}
	w.set(map[string]any{"index": i})
	return nil
}

// OnChange calls f with the newly selected option after each change, on
// the widget goroutine.
func (w *Choice) OnChange(f func(string)) { w.observe(w.m.callback(func() { f(w.Value()) })) }

// Render shows the widget.
func (w *Choice) Render() display.Data {
	return w.render(fmt.Sprintf("%s(%s=%s)", w.get("_model_name"), w.get("description"), strconv.Quote(w.Value())))
}

// PushButton is a button, made by Button.
type PushButton struct{ *model }

// OnClick calls f after each click, on the widget goroutine; clicks made
// while f runs give one more call.
func (w *PushButton) OnClick(f func()) { w.observe(w.m.callback(f)) }

// Render shows the widget.
func (w *PushButton) Render() display.Data {
	return w.render(fmt.Sprintf("Button(%s)", w.get("description")))
}

// Box lays widgets out in a row (HBox) or a column (VBox).
type Box struct {
	*model
	children []Widget
}

// Render shows the box and what it holds.
func (w *Box) Render() display.Data {
	return w.render(fmt.Sprintf("%s of %d widgets", w.get("_model_name"), len(w.children)))
}

// slider is the state of a slider: continuous_update is off, so that a
// slow experiment runs when the learner lets go, not at every pixel.
func slider(name string, description string, value, lo, hi, step any, format string) map[string]any {
	return state(controlsModule, controlsVer, name, map[string]any{
		"description": description, "description_allow_html": false, "value": value, "min": lo, "max": hi, "step": step,
		"continuous_update": false, "orientation": "horizontal", "readout": true, "readout_format": format,
		"disabled": false, "behavior": "drag-tap", "layout": nil, "style": nil,
	})
}

// IntSlider is a slider of ints from lo to hi; value is kept within them.
// It panics when lo > hi.
func (m *Manager) IntSlider(description string, value, lo, hi int) *Int {
	if lo > hi {
		panic(fmt.Sprintf("widgets.IntSlider(%q): min %d is above max %d", description, lo, hi))
	}
	value = min(max(value, lo), hi)
	return &Int{m.open(slider("IntSlider", description, value, lo, hi, 1, "d"), "value")}
}

// FloatSlider is a slider of float64s from lo to hi in 100 steps; value is
// kept within them. It panics when lo > hi.
func (m *Manager) FloatSlider(description string, value, lo, hi float64) *Float {
	if !(lo <= hi) {
		panic(fmt.Sprintf("widgets.FloatSlider(%q): min %g is not below max %g", description, lo, hi))
	}
	value = min(max(value, lo), hi)
	step := (hi - lo) / 100
	if step == 0 {
		step = 1
	}
	return &Float{m.open(slider("FloatSlider", description, value, lo, hi, step, ".3g"), "value")}
}

// Play steps an int from lo to hi, one step every interval milliseconds,
// while its play button is on: link it to a slider, or Interact on it.
func (m *Manager) Play(description string, value, lo, hi, interval int) *Int {
	if lo > hi {
		panic(fmt.Sprintf("widgets.Play(%q): min %d is above max %d", description, lo, hi))
	}
	value = min(max(value, lo), hi)
	return &Int{m.open(state(controlsModule, controlsVer, "Play", map[string]any{
		"description": description, "description_allow_html": false, "value": value, "min": lo, "max": hi, "step": 1,
		"interval": max(interval, 1), "playing": false, "repeat": false, "show_repeat": true,
		"disabled": false, "layout": nil, "style": nil,
	}), "value")}
}

func (m *Manager) choice(name, description string, options []string, value string) *Choice {
	i := slices.Index(options, value)
	if i < 0 {
		panic(fmt.Sprintf("widgets.%s(%q): %q is not one of the options %q", name, description, value, options))
	}
	attrs := map[string]any{
		"description": description, "description_allow_html": false, "_options_labels": slices.Clone(options),
		"index": i, "disabled": false, "layout": nil, "style": nil,
	}
	if name == "ToggleButtons" {
		attrs["button_style"] = ""
		attrs["icons"] = []string{}
		attrs["tooltips"] = []string{}
	}
	return &Choice{m.open(state(controlsModule, controlsVer, name, attrs), "index")}
}

// Dropdown chooses one of options, value first; it panics when value is
// not one of them.
func (m *Manager) Dropdown(description string, options []string, value string) *Choice {
	return m.choice("Dropdown", description, options, value)
}

// ToggleButtons is Dropdown as a row of buttons.
func (m *Manager) ToggleButtons(description string, options []string, value string) *Choice {
	return m.choice("ToggleButtons", description, options, value)
}

// Checkbox is a box to tick.
func (m *Manager) Checkbox(description string, value bool) *Bool {
	return &Bool{m.open(state(controlsModule, controlsVer, "Checkbox", map[string]any{
		"description": description, "description_allow_html": false, "value": value, "indent": true,
		"disabled": false, "layout": nil, "style": nil,
	}), "value")}
}

// Button is a button labelled description.
func (m *Manager) Button(description string) *PushButton {
	w := &PushButton{m.open(state(controlsModule, controlsVer, "Button", map[string]any{
		"description": description, "button_style": "", "icon": "", "disabled": false, "layout": nil, "style": nil,
	}), "")}
	w.onCustom = func(c map[string]any) {
		if c["event"] == "click" {
			w.changed()
		}
	}
	return w
}

// Text is a line of text the learner types; it takes effect on Enter or
// when the field loses focus.
func (m *Manager) Text(description, value string) *String {
	return &String{m.open(state(controlsModule, controlsVer, "Text", map[string]any{
		"description": description, "description_allow_html": false, "value": value, "placeholder": "\u200b",
		"continuous_update": false, "disabled": false, "layout": nil, "style": nil,
	}), "value")}
}

// Label shows text.
func (m *Manager) Label(value string) *String {
	return &String{m.open(state(controlsModule, controlsVer, "Label", map[string]any{
		"description": "", "description_allow_html": false, "value": value, "placeholder": "\u200b", "layout": nil, "style": nil,
	}), "value")}
}

// HTML shows HTML.
func (m *Manager) HTML(value string) *String {
	return &String{m.open(state(controlsModule, controlsVer, "HTML", map[string]any{
		"description": "", "description_allow_html": false, "value": value, "placeholder": "\u200b", "layout": nil, "style": nil,
	}), "value")}
}

func (m *Manager) box(name string, children []Widget) *Box {
	refs := make([]string, len(children))
	for i, c := range children {
		refs[i] = "IPY_MODEL_" + c.ModelID()
	}
	return &Box{m.open(state(controlsModule, controlsVer, name, map[string]any{
		"children": refs, "box_style": "", "layout": nil,
	}), ""), slices.Clone(children)}
}

// HBox lays children out in a row.
func (m *Manager) HBox(children ...Widget) *Box { return m.box("HBox", children) }

// VBox lays children out in a column.
func (m *Manager) VBox(children ...Widget) *Box { return m.box("VBox", children) }
