package display

import (
	"fmt"
	"image"
	"reflect"
	"unicode/utf8"

	"github.com/gospeed/gospeed/kernel/internal/mime"
)

// Render returns the MIME bundle for v: text/plain always, plus every rich
// type v offers through the interfaces of this package or as an image.Image.
// A Data value is returned as is (with text/plain added when missing).
func Render(v interface{}) Data {
	switch x := v.(type) {
	case Data:
		return withText(x, v)
	case *Data:
		if x != nil {
			return withText(*x, v)
		}
	case Renderer:
		if !isNilPointer(v) {
			return withText(x.Render(), v)
		}
	}
	d := Data{Data: MIMEMap{MIMETypeText: Plain(v)}}
	if isNilPointer(v) {
		return d
	}
	if r, ok := v.(SimpleRenderer); ok {
		for k, val := range r.SimpleRender() {
			d.Data[k] = val
		}
	}
	rv := reflect.ValueOf(v)
	for _, view := range mime.Views {
		m := rv.MethodByName(view.Method)
		if !m.IsValid() || m.Type().String() != view.Type {
			continue
		}
		out := m.Call(nil)[0]
		if out.Kind() == reflect.String {
			d.Data[view.MIME] = view.Around + out.String() + view.Around
		} else {
			d.Data[view.MIME] = out.Interface()
		}
	}
	if img, ok := v.(image.Image); ok {
		if id, err := imageData(img); err == nil {
			d.Data[MIMETypePNG] = id.Data[MIMETypePNG]
			d.Metadata = id.Metadata
		}
	}
	return d
}

// Plain is the text/plain form of v: its String() when it has one (fmt's %v), with
// strings quoted as Go would write them, like a REPL. A text over maxPlain
// bytes is cut, so that a big value does not hang the notebook.
func Plain(v interface{}) string {
	var text string
	if s, ok := v.(string); ok {
		text = fmt.Sprintf("%q", s)
	} else {
		text = fmt.Sprintf("%+v", v)
	}
	if len(text) > maxPlain {
		cut := maxPlain
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = fmt.Sprintf("%s… (%d more bytes)", text[:cut], len(text)-cut)
	}
	return text
}

// maxPlain is the longest text/plain Plain gives.
const maxPlain = 64 << 10

func withText(d Data, v interface{}) Data {
	if d.Data == nil {
		d.Data = MIMEMap{}
	}
	if _, ok := d.Data[MIMETypeText]; !ok {
		d.Data[MIMETypeText] = fallbackText(d)
	}
	return d
}

// fallbackText is text/plain for a bundle that has none: the frontend needs one.
func fallbackText(d Data) string {
	for _, mime := range []string{MIMETypeMarkdown, MIMETypeHTML, MIMETypeLatex, MIMETypeSVG} {
		if s, ok := d.Data[mime].(string); ok {
			return s
		}
	}
	return "<display data>"
}

func isNilPointer(v interface{}) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
