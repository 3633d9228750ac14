// Package display is the rich-output vocabulary of a gospeed cell, in the
// dialect of gophernotes: a cell returns or Displays a Data value, and the
// kernel sends its MIME bundle to the notebook.
package display

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"image"
	"image/png"
	"net/http"
	"os"
	"strings"

	"github.com/gospeed/gospeed/kernel/internal/mime"
)

// MIME types the notebook frontends understand.
const (
	MIMETypeHTML       = mime.HTML       // "text/html"
	MIMETypeJavaScript = mime.JavaScript // "application/javascript"
	MIMETypeJPEG       = mime.JPEG       // "image/jpeg"
	MIMETypeJSON       = mime.JSON       // "application/json"
	MIMETypeLatex      = mime.Latex      // "text/latex"
	MIMETypeMarkdown   = mime.Markdown   // "text/markdown"
	MIMETypePNG        = mime.PNG        // "image/png"
	MIMETypePDF        = mime.PDF        // "application/pdf"
	MIMETypeSVG        = mime.SVG        // "image/svg+xml"
	MIMETypeText       = mime.Text       // "text/plain"
)

// MIMEMap maps a MIME type to its content, as in a Jupyter display_data message.
type MIMEMap = map[string]interface{}

// Data is one rich output: the data, metadata and transient fields of a
// Jupyter display_data message.
type Data struct {
	Data      MIMEMap
	Metadata  MIMEMap
	Transient MIMEMap
}

// Interfaces a value may implement to render itself richly, as in gophernotes
// (Render calls their methods by the table of kernel/internal/mime).
type (
	// HTMLer is the html/template flavour (lessons' results implement it).
	HTMLer interface{ HTML() template.HTML }
	// HTMLStringer is gophernotes' flavour of HTMLer.
	HTMLStringer interface{ HTML() string }
	SVGer        interface{ SVG() string }
	Markdowner   interface{ Markdown() string }
	PNGer        interface{ PNG() []byte }
	JPEGer       interface{ JPEG() []byte }
	JSONer       interface{ JSON() map[string]interface{} }
	Latexer      interface{ Latex() string }
	Mather       interface{ Math() string }
	JavaScripter interface{ JavaScript() string }
	PDFer        interface{ PDF() []byte }
	// Renderer renders itself completely.
	Renderer interface{ Render() Data }
	// SimpleRenderer renders itself as a MIME map.
	SimpleRenderer interface{ SimpleRender() MIMEMap }
)

// MakeData returns Data with one MIME type, plus text/plain when mime is not text/plain.
func MakeData(mime string, data interface{}) Data {
	d := Data{Data: MIMEMap{mime: data}}
	if mime != MIMETypeText {
		d.Data[MIMETypeText] = fmt.Sprint(data)
	}
	return d
}

// MakeData3 returns Data with one MIME type and the given text/plain.
func MakeData3(mime string, plaintext string, data interface{}) Data {
	return Data{Data: MIMEMap{MIMETypeText: plaintext, mime: data}}
}

// Any returns Data of the given MIME type; []byte content is kept as bytes
// (the kernel base64-encodes binary image types).
func Any(mime string, data interface{}) Data {
	return Data{Data: MIMEMap{mime: data, MIMETypeText: plainFor(mime, data)}}
}

func plainFor(mime string, data interface{}) string {
	switch {
	case strings.HasPrefix(mime, "image/") && mime != MIMETypeSVG:
		return fmt.Sprintf("<%s>", mime)
	case mime == MIMETypeText:
		return fmt.Sprint(data)
	}
	if b, ok := data.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(data)
}

// MIME returns Data made of data and metadata bundles, as gophernotes' MIME.
func MIME(data, metadata MIMEMap) Data { return Data{Data: data, Metadata: metadata} }

// HTML shows s as HTML.
func HTML(s string) Data { return MakeData3(MIMETypeHTML, s, s) }

// Markdown shows s as Markdown.
func Markdown(s string) Data { return MakeData3(MIMETypeMarkdown, s, s) }

// SVG shows s as an SVG image.
func SVG(s string) Data { return MakeData3(MIMETypeSVG, s, s) }

// Latex shows s as inline LaTeX mathematics: "x^2" (or "$x^2$") shows as $x^2$.
func Latex(s string) Data { return MakeData3(MIMETypeLatex, s, "$"+strings.Trim(s, "$")+"$") }

// Math shows s as LaTeX mathematics in display mode; s has no surrounding "$$".
func Math(s string) Data { return MakeData3(MIMETypeLatex, s, "$$"+strings.Trim(s, "$")+"$$") }

// JavaScript runs s in the frontend (where the frontend allows it).
func JavaScript(s string) Data { return MakeData3(MIMETypeJavaScript, s, s) }

// PNG shows PNG-encoded bytes.
func PNG(b []byte) Data { return Any(MIMETypePNG, b) }

// JPEG shows JPEG-encoded bytes.
func JPEG(b []byte) Data { return Any(MIMETypeJPEG, b) }

// PDF shows PDF bytes.
func PDF(b []byte) Data { return Any(MIMETypePDF, b) }

// JSON shows v as a JSON tree; v is anything encoding/json can marshal.
func JSON(v interface{}) Data {
	text, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return Text(fmt.Sprintf("display.JSON: %v", err))
	}
	var tree interface{}
	_ = json.Unmarshal(text, &tree)
	return Data{Data: MIMEMap{MIMETypeJSON: tree, MIMETypeText: string(text)}}
}

// File shows the content of the file at path as the given MIME type ("" to
// detect it from the content). As in gophernotes, it panics when the file
// cannot be read: in a cell, that is the cell's error.
func File(mime, path string) Data {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(fmt.Errorf("display.File: %w", err))
	}
	return Auto(b, mime)
}

// Auto shows data with a MIME type detected from its content (a string is
// text; bytes are sniffed as net/http does), or as Render shows it. An
// optional mime overrides the detection.
func Auto(data interface{}, mime ...string) Data {
	var b []byte
	switch x := data.(type) {
	case string:
		b = []byte(x)
		if len(mime) == 0 || mime[0] == "" {
			return Text(x)
		}
	case []byte:
		b = x
	default:
		return Render(data)
	}
	m := http.DetectContentType(b)
	if len(mime) > 0 && mime[0] != "" {
		m = mime[0]
	}
	m, _, _ = strings.Cut(m, ";")
	if strings.HasPrefix(m, "text/") && m != MIMETypeSVG {
		return MakeData3(m, string(b), string(b))
	}
	return Any(m, b)
}

// Text shows s as plain text.
func Text(s string) Data { return Data{Data: MIMEMap{MIMETypeText: s}} }

// Image shows img as a PNG.
func Image(img image.Image) Data {
	d, err := imageData(img)
	if err != nil {
		return Text(fmt.Sprintf("display.Image: %v", err))
	}
	return d
}

func imageData(img image.Image) (Data, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Data{}, fmt.Errorf("encoding PNG: %w", err)
	}
	b := img.Bounds()
	return Data{
		Data:     MIMEMap{MIMETypePNG: buf.Bytes(), MIMETypeText: fmt.Sprintf("<image %dx%d>", b.Dx(), b.Dy())},
		Metadata: MIMEMap{MIMETypePNG: MIMEMap{"width": b.Dx(), "height": b.Dy()}},
	}, nil
}
