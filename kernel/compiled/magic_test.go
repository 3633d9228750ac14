package compiled

import (
	"slices"
	"strings"
	"testing"
)

func TestIsAndBody(t *testing.T) {
	for _, tc := range []struct {
		cell   string
		is     bool
		body   string
		offset int
	}{
		{"%%go run\nfmt.Println(1)\n", true, "fmt.Println(1)\n", 9},
		{"%%go test -v\nfunc TestX(t *testing.T) {}", true, "func TestX(t *testing.T) {}", 13},
		{"%%go", true, "", 4},
		{"  %%go run\nx", true, "x", 11},
		{"%%gopher\nx", false, "x", 9},
		{"x := 1\n%%go run\n", false, "%%go run\n", 7},
		{"// %%go run\n", false, "", 12},
	} {
		if got := Is(tc.cell); got != tc.is {
			t.Errorf("Is(%q) = %v, want %v", tc.cell, got, tc.is)
		}
		body, offset := Body(tc.cell)
		if body != tc.body || offset != tc.offset || tc.cell[offset:] != body {
			t.Errorf("Body(%q) = %q, %d; want %q, %d", tc.cell, body, offset, tc.body, tc.offset)
		}
	}
}

func TestParseMagic(t *testing.T) {
	for _, tc := range []struct {
		line        string
		mode        mode
		build, test []string
		args        []string
		err         string
	}{
		{line: "%%go run", mode: modeRun},
		{line: "%%go run -race", mode: modeRun, build: []string{"-race"}},
		{line: "%%go run -race=false", mode: modeRun},
		{line: `%%go run -gcflags='-m -l' -tags "a b" -- x "y z"`, mode: modeRun,
			build: []string{"-gcflags=-m -l", "-tags=a b"}, args: []string{"x", "y z"}},
		{line: "%%go run -- -race", mode: modeRun, args: []string{"-race"}},
		{line: "%%go test -bench . -benchmem -count=3 -cpu 1,2 -run ^$ -race", mode: modeTest,
			build: []string{"-race"},
			test:  []string{"-test.bench=.", "-test.benchmem=true", "-test.count=3", "-test.cpu=1,2", "-test.run=^$"}},
		{line: "%%go test -v --short", mode: modeTest, test: []string{"-test.short=true", "-test.v=true"}},
		{line: "%%go run -bench .", err: "flag provided but not defined: -bench"},
		{line: "%%go run -fast", err: "flag provided but not defined: -fast"},
		{line: "%%go test -o x", err: "flag provided but not defined: -o"},
		{line: "%%go run x", err: `unexpected "x": program arguments go after --`},
		{line: "%%go test x", err: `unexpected "x"`},
		{line: "%%go", err: "say what to do"},
		{line: "%%go build", err: `unknown %%go command "build"`},
		{line: "%%go run -tags 'a", err: "unterminated ' quote"},
	} {
		cmd, err := parseMagic(tc.line)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseMagic(%q) error = %v, want %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseMagic(%q): %v", tc.line, err)
			continue
		}
		if cmd.mode != tc.mode || !slices.Equal(cmd.buildFlags, tc.build) || !slices.Equal(cmd.testFlags, tc.test) || !slices.Equal(cmd.args, tc.args) {
			t.Errorf("parseMagic(%q) = %+v, want mode %s build %q test %q args %q", tc.line, cmd, tc.mode, tc.build, tc.test, tc.args)
		}
	}
}
