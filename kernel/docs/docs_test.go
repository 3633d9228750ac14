package docs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDisplaySourcesFresh fails when package display changed since
// display_sources.go was generated: run `go generate ./kernel/docs`.
func TestDisplaySourcesFresh(t *testing.T) {
	files, err := filepath.Glob("../display/*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seen++
		if displaySources[filepath.Base(f)] != string(src) {
			t.Errorf("%s changed: run go generate ./kernel/docs", f)
		}
	}
	if seen != len(displaySources) {
		t.Errorf("display has %d files, the copy %d: run go generate ./kernel/docs", seen, len(displaySources))
	}
}

func TestStandard(t *testing.T) {
	doc := Standard()
	for _, c := range []struct{ path, name, want string }{
		{displayPath, "HTML", "func HTML(s string) Data"},
		{displayPath, "Progress", "func Progress(label string) func(done, total int)"},
		{displayPath, "Data", "type Data struct"},
		{displayPath, "Render", "func Render(v interface{}) Data"},
	} {
		if text := doc(c.path, c.name); !strings.Contains(text, c.want) {
			t.Errorf("%s.%s: %q, want %q", c.path, c.name, text, c.want)
		}
	}
	if text := doc(displayPath, "Nope"); text != "" {
		t.Errorf("an unknown name: %q", text)
	}
	text := doc("strings", "ToUpper")
	if text == "" {
		t.Skip("no standard library sources here")
	}
	if !strings.Contains(text, "func ToUpper(s string) string") || !strings.Contains(text, "upper case") {
		t.Errorf("strings.ToUpper: %q", text)
	}
	if pkg := doc("strings", ""); !strings.HasPrefix(pkg, "package strings // import \"strings\"") {
		t.Errorf("package strings: %q", pkg)
	}
}

func TestDeclarationsAndChain(t *testing.T) {
	source := func(name string) (string, error) {
		if name != "Fib" {
			return "", os.ErrNotExist
		}
		return "// Fib is the n-th Fibonacci number.\nfunc Fib(n int) int { return n }", nil
	}
	doc := Chain(Declarations("example.com/lessons", source), Standard())
	if text := doc("example.com/lessons", "Fib"); text != "func Fib(n int) int\n\nFib is the n-th Fibonacci number.\n" {
		t.Errorf("Fib: %q", text)
	}
	if text := doc("example.com/lessons", "Nope"); text != "" {
		t.Errorf("an unknown name: %q", text)
	}
	if text := doc(displayPath, "Clear"); !strings.HasPrefix(text, "func Clear(wait bool)") {
		t.Errorf("the chain's second provider: %q", text)
	}
}
