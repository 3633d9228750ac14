package display

import (
	"bytes"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"
)

type table struct{ rows int }

func (t table) String() string       { return "a table" }
func (t table) HTML() template.HTML  { return "<table></table>" }
func (t table) SVG() string          { return "<svg></svg>" }
func (t table) Markdown() string     { return "| a |" }
func (t table) JSON() map[string]any { return map[string]any{"rows": t.rows} }
func (t table) Latex() string        { return "$t$" }

type legacy struct{}

func (legacy) HTML() string { return "<i>old</i>" }

type custom struct{}

func (custom) Render() Data {
	return Data{Data: MIMEMap{"text/html": "<p>all mine</p>"}, Metadata: MIMEMap{"isolated": true}}
}

type simple struct{}

func (simple) SimpleRender() MIMEMap { return MIMEMap{"text/markdown": "**simple**"} }

func TestRenderUsesEveryInterface(t *testing.T) {
	d := Render(table{rows: 2})
	for mime, want := range map[string]any{
		MIMETypeText: "a table", MIMETypeHTML: "<table></table>", MIMETypeSVG: "<svg></svg>",
		MIMETypeMarkdown: "| a |", MIMETypeLatex: "$t$",
	} {
		if d.Data[mime] != want {
			t.Errorf("%s = %v, want %v", mime, d.Data[mime], want)
		}
	}
	if j, ok := d.Data[MIMETypeJSON].(map[string]any); !ok || j["rows"] != 2 {
		t.Errorf("json = %v", d.Data[MIMETypeJSON])
	}
	if Render(legacy{}).Data[MIMETypeHTML] != "<i>old</i>" {
		t.Error("gophernotes' HTML() string is not rendered")
	}
	c := Render(custom{})
	if c.Data[MIMETypeHTML] != "<p>all mine</p>" || c.Metadata["isolated"] != true || c.Data[MIMETypeText] == nil {
		t.Errorf("Renderer: %+v", c)
	}
	if Render(simple{}).Data[MIMETypeMarkdown] != "**simple**" {
		t.Error("SimpleRenderer is not rendered")
	}
}

func TestRenderPlainValues(t *testing.T) {
	for v, want := range map[any]string{42: "42", "hi": `"hi"`, 1.5: "1.5", true: "true"} {
		d := Render(v)
		if len(d.Data) != 1 || d.Data[MIMETypeText] != want {
			t.Errorf("Render(%v) = %v, want only text/plain %q", v, d.Data, want)
		}
	}
	var p *table
	if d := Render(p); d.Data[MIMETypeText] != "<nil>" || len(d.Data) != 1 {
		t.Errorf("nil pointer: %v", d.Data)
	}
	if d := Render(HTML("<b>x</b>")); d.Data[MIMETypeHTML] != "<b>x</b>" {
		t.Errorf("a Data value is shown as is: %v", d.Data)
	}
}

func TestHelpers(t *testing.T) {
	if d := Markdown("*x*"); d.Data[MIMETypeMarkdown] != "*x*" || d.Data[MIMETypeText] != "*x*" {
		t.Errorf("Markdown: %v", d.Data)
	}
	if d := Math(`x^2`); d.Data[MIMETypeLatex] != "$$x^2$$" {
		t.Errorf("Math: %v", d.Data)
	}
	if d := JSON(map[string]int{"a": 1}); d.Data[MIMETypeJSON].(map[string]any)["a"] != 1.0 {
		t.Errorf("JSON: %v", d.Data)
	}
	if d := JSON(func() {}); !strings.Contains(d.Data[MIMETypeText].(string), "display.JSON") {
		t.Errorf("JSON of a func should explain: %v", d.Data)
	}
	if d := PNG([]byte{1, 2}); d.Data[MIMETypeText] != "<image/png>" {
		t.Errorf("PNG text: %v", d.Data[MIMETypeText])
	}
}

func TestImage(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	for _, d := range []Data{Image(img), Render(img)} {
		b, ok := d.Data[MIMETypePNG].([]byte)
		if !ok {
			t.Fatalf("no PNG: %v", d.Data)
		}
		back, err := png.Decode(bytes.NewReader(b))
		if err != nil || back.Bounds().Dx() != 3 || back.Bounds().Dy() != 2 {
			t.Fatalf("PNG does not decode to the image: %v", err)
		}
		if r, _, _, _ := back.At(1, 1).RGBA(); r>>8 != 255 {
			t.Errorf("pixel lost")
		}
		if d.Metadata[MIMETypePNG].(MIMEMap)["width"] != 3 {
			t.Errorf("metadata: %v", d.Metadata)
		}
	}
}

func TestPlainCutsHugeValues(t *testing.T) {
	big := make([]int, 100000)
	text := Plain(big)
	if len(text) > maxPlain+64 || !strings.Contains(text, "more bytes)") {
		t.Errorf("Plain of a huge slice: %d bytes, ends %q", len(text), text[len(text)-40:])
	}
	if Plain([]int{1, 2}) != "[1 2]" {
		t.Errorf("small values are whole: %q", Plain([]int{1, 2}))
	}
}

func TestFileAndAuto(t *testing.T) {
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := dir + "/dot.png"
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if d := File("", path); d.Data[MIMETypePNG] == nil {
		t.Errorf("File of a PNG: %v", d.Data)
	}
	if d := Auto("<b>hi</b>", MIMETypeHTML); d.Data[MIMETypeHTML] != "<b>hi</b>" {
		t.Errorf("Auto with a MIME type: %v", d.Data)
	}
	if d := Auto("plain"); d.Data[MIMETypeText] != "plain" || len(d.Data) != 1 {
		t.Errorf("Auto of a string: %v", d.Data)
	}
	if d := Latex("x^2"); d.Data[MIMETypeLatex] != "$x^2$" {
		t.Errorf("Latex: %v", d.Data)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "no-such-file") {
			t.Errorf("File of a missing file: %v", r)
		}
	}()
	File("", dir+"/no-such-file")
}

type every struct{}

func (every) HTML() string                { return "<b>h</b>" }
func (every) SVG() string                 { return "<svg/>" }
func (every) Markdown() string            { return "*m*" }
func (every) Latex() string               { return "$x$" }
func (every) Math() string                { return "x^2" }
func (every) JSON() map[string]any        { return map[string]any{"k": 1} }
func (every) JavaScript() string          { return "js()" }
func (every) PNG() []byte                 { return []byte("png") }
func (every) JPEG() []byte                { return []byte("jpeg") }
func (every) PDF() []byte                 { return []byte("pdf") }
func (every) HTMLTemplate() template.HTML { return "not a view" }

func TestRenderEveryView(t *testing.T) {
	d := Render(every{})
	for mime, want := range map[string]string{
		MIMETypeHTML: "<b>h</b>", MIMETypeSVG: "<svg/>", MIMETypeMarkdown: "*m*",
		MIMETypeLatex: "$$x^2$$", // Math comes after Latex, and wins
		MIMETypeJSON:  "map[k:1]", MIMETypeJavaScript: "js()",
		MIMETypePNG: "png", MIMETypeJPEG: "jpeg", MIMETypePDF: "pdf",
	} {
		got := d.Data[mime]
		if b, ok := got.([]byte); ok {
			got = string(b)
		}
		if fmt.Sprint(got) != want {
			t.Errorf("%s = %#v, want %q", mime, d.Data[mime], want)
		}
	}
	if len(d.Data) != 10 {
		t.Errorf("%d MIME types, want the 9 views and text/plain: %v", len(d.Data), d.Data)
	}
}
