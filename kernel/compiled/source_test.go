package compiled

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuildSource(t *testing.T) {
	std := func(name string) bool { return name == "fmt" || name == "slices" || name == "rand" }
	for _, tc := range []struct {
		name, body string
		pkg        string
		imports    []string // import paths the built file must have
		unchanged  bool     // the learner's text is the file, bar line directives
	}{
		{name: "bare statements need package and imports",
			body: "func main() {\n\tfmt.Println(slices.Max([]int{1}))\n}\n",
			pkg:  "main", imports: []string{"fmt", "slices"}},
		{name: "known packages",
			body: "func main() {\n\tvar g errgroup.Group\n\t_ = g\n\tdisplay.Display(display.HTML(\"x\"))\n\t_ = lessons.Fib\n\t_ = semaphore.NewWeighted\n}\n",
			pkg:  "main", imports: []string{"golang.org/x/sync/errgroup", "github.com/gospeed/gospeed/kernel/display", "github.com/gospeed/gospeed/lessons", "golang.org/x/sync/semaphore"}},
		{name: "a whole program is kept",
			body: "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(v) }\n\nvar v = 3\n",
			pkg:  "main", imports: []string{"fmt"}, unchanged: true},
		{name: "a package clause with imports left out",
			body: "// Doc.\npackage main\n\nfunc main() { fmt.Println(1) }\n",
			pkg:  "main", imports: []string{"fmt"}},
		{name: "a declared name is no package",
			body: "type t struct{ x int }\n\nvar fmt t\n\nfunc main() { _ = fmt.x }\n",
			pkg:  "main"},
		{name: "unknown names stay for the compiler",
			body: "func main() { nosuch.F() }\n", pkg: "main"},
		{name: "syntax errors stay for the compiler",
			body: "func main() { fmt.Println( }\n", pkg: "main"},
		{name: "test package",
			body: "package cell\n\nfunc TestX(t *testing.T) {}\n", pkg: "cell", imports: []string{"testing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := buildSource(tc.body, filepath.Join(t.TempDir(), "main.go"), func(n string) bool { return std(n) || n == "testing" })
			if err != nil {
				t.Fatal(err)
			}
			text := string(src.text)
			if src.pkg != tc.pkg {
				t.Errorf("package %q, want %q", src.pkg, tc.pkg)
			}
			f, err := parser.ParseFile(token.NewFileSet(), "", text, parser.ImportsOnly)
			if err != nil && !strings.Contains(tc.body, "Println( }") {
				t.Fatalf("built file does not parse: %v\n%s", err, text)
			}
			have := map[string]bool{}
			if f != nil {
				for _, s := range f.Imports {
					have[strings.Trim(s.Path.Value, `"`)] = true
				}
			}
			for _, p := range tc.imports {
				if !have[p] {
					t.Errorf("no import %q in\n%s", p, text)
				}
			}
			if len(have) != len(tc.imports) && f != nil {
				t.Errorf("imports %v, want %v", have, tc.imports)
			}
			if tc.unchanged && stripDirectives(text) != tc.body {
				t.Errorf("the learner's file changed:\n%s", text)
			}
			checkLines(t, text, tc.body)
		})
	}
}

// checkLines checks that every line of the body sits where the line
// directives say, at its cell line (its line in the body plus one), and that
// every added line comes before a directive.
func checkLines(t *testing.T, text, body string) {
	t.Helper()
	bodyLines := strings.Split(body, "\n")
	cellLine := 0 // the cell line of the next text line
	next := 0     // the next body line to find
	added := ""   // an added line not yet followed by a directive
	for _, l := range strings.Split(text, "\n") {
		if n, ok := strings.CutPrefix(l, "//line "+cellFile+":"); ok {
			n, _, _ = strings.Cut(n, ":")
			cellLine, added = atoi(n), ""
			continue
		}
		if next < len(bodyLines) && l == bodyLines[next] && cellLine == next+2 && added == "" {
			next++
			cellLine++
			continue
		}
		added = l
		cellLine++
	}
	if next != len(bodyLines) || added != "" {
		t.Errorf("%d of %d body lines mapped to their cell lines; added line %q ends the file\n%s", next, len(bodyLines), added, text)
	}
}

func stripDirectives(text string) string {
	var keep []string
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, "//line ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
