package compiled

import (
	"context"
	"testing"

	"github.com/gospeed/gospeed/kernel/display"
)

// recorder is an interpreter that records what reaches it.
type recorder struct {
	code   string
	cursor int
}

func (r *recorder) Execute(_ context.Context, code string) (display.Data, bool, error) {
	r.code = code
	return display.Data{}, false, nil
}
func (r *recorder) IsComplete(code string) (string, string) { r.code = code; return "incomplete", "" }
func (r *recorder) Complete(code string, cursor int) ([]string, int, int) {
	r.code, r.cursor = code, cursor
	return []string{"Println"}, cursor - 2, cursor
}
func (r *recorder) Inspect(code string, cursor int) (display.Data, bool) {
	r.code, r.cursor = code, cursor
	return display.Data{}, true
}
func (r *recorder) Close() error { return nil }

func TestRouteCompletesInsideACompiledCell(t *testing.T) {
	interp := &recorder{}
	c := Route(interp, &Runner{})
	code := "%%go run -race\nfmt.Pr"
	matches, start, end := c.Complete(code, len(code))
	if interp.code != "fmt.Pr" || interp.cursor != 6 {
		t.Fatalf("the interpreter was asked %q at %d; want the body and its cursor", interp.code, interp.cursor)
	}
	if len(matches) != 1 || start != len(code)-2 || end != len(code) {
		t.Errorf("completion %v at %d..%d; want the cell's own offsets", matches, start, end)
	}
	if m, _, _ := c.Complete(code, 3); m != nil {
		t.Errorf("completion on the magic line: %v", m)
	}
	if st, _ := c.IsComplete(code); st != "complete" {
		t.Errorf("a compiled cell is %q", st)
	}
	c.Execute(context.Background(), "x := 1")
	if interp.code != "x := 1" {
		t.Errorf("an interpreted cell reached the interpreter as %q", interp.code)
	}
}
