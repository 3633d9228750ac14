// Package mime is the one table of the ways a value shows itself in a
// notebook: the MIME types the frontends understand and, for each, the method
// of package display's interfaces that gives it. display.Render calls these
// methods on compiled values; kernel/repl writes the same calls in the
// interpreter for the types cells declare.
package mime

// The MIME types, as package display exports them.
const (
	HTML       = "text/html"
	JavaScript = "application/javascript"
	JPEG       = "image/jpeg"
	JSON       = "application/json"
	Latex      = "text/latex"
	Markdown   = "text/markdown"
	PNG        = "image/png"
	PDF        = "application/pdf"
	SVG        = "image/svg+xml"
	Text       = "text/plain"
)

// A View is a method by which a value offers one MIME type: the method's
// name, its type as reflect writes it (which is Go syntax too), and the text
// around a string result.
type View struct{ MIME, Method, Type, Around string }

// Views are in the order a value's bundle is filled: of two views of one
// MIME type, the later wins.
var Views = []View{
	{HTML, "HTML", "func() template.HTML", ""},
	{HTML, "HTML", "func() string", ""}, // gophernotes' flavour
	{SVG, "SVG", "func() string", ""},
	{Markdown, "Markdown", "func() string", ""},
	{Latex, "Latex", "func() string", ""},
	{Latex, "Math", "func() string", "$$"},
	{JSON, "JSON", "func() map[string]interface {}", ""},
	{JavaScript, "JavaScript", "func() string", ""},
	{PNG, "PNG", "func() []uint8", ""},
	{JPEG, "JPEG", "func() []uint8", ""},
	{PDF, "PDF", "func() []uint8", ""},
}
