package compiled

import (
	"fmt"
	"html"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/gospeed/gospeed/kernel/display"
)

// Error is a compiled cell's failure, in the shape of a Jupyter error reply.
type Error struct {
	Name      string
	Value     string
	Traceback []string
}

func (e *Error) Error() string { return e.Name + ": " + e.Value }

// JupyterError returns the ename, evalue and traceback of the error reply.
func (e *Error) JupyterError() (ename, evalue string, traceback []string) {
	return e.Name, e.Value, e.Traceback
}

func newError(name, value string, traceback ...string) *Error {
	return &Error{Name: name, Value: value, Traceback: append([]string{name + ": " + value}, traceback...)}
}

// cellLine matches a position in the cell: "cell.go:8" with an optional
// "./" and column, as the compiler, vet, tests and tracebacks write it.
var cellLine = regexp.MustCompile(`(?:\./)?` + regexp.QuoteMeta(cellFile) + `:(\d+)(?::\d+)?`)

// quote returns the cell's line named in s ("cell.go:8"), as "8 | source",
// or "" when s names none.
func quote(s string, lines []string) (string, int) {
	m := cellLine.FindStringSubmatch(s)
	if m == nil {
		return "", 0
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 || n > len(lines) {
		return "", 0
	}
	return fmt.Sprintf("%d | %s", n, strings.TrimRight(lines[n-1], " \t")), n
}

// annotate returns text with each line that names a cell line followed by
// that line of the cell.
func annotate(text string, lines []string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		out = append(out, l)
		if q, _ := quote(l, lines); q != "" {
			out = append(out, "        "+q)
		}
	}
	return out
}

// buildError explains a failed build: the compiler's (or vet's) messages,
// each with the cell line it names.
func buildError(output string, lines []string) *Error {
	var msgs []string
	for _, l := range strings.Split(strings.TrimRight(output, "\n"), "\n") {
		if strings.HasPrefix(l, "# ") || strings.TrimSpace(l) == "" {
			continue
		}
		msgs = append(msgs, strings.TrimPrefix(l, "./"))
	}
	if len(msgs) == 0 {
		msgs = []string{"the build failed"}
	}
	value := msgs[0]
	for _, m := range msgs {
		if cellLine.MatchString(m) {
			value = m
			break
		}
	}
	if strings.Contains(output, "GOPROXY=off") {
		value += " (a compiled cell can import, offline, the standard library, " +
			modulePath + "/lessons and /kernel/display, golang.org/x/sync/errgroup and semaphore)"
	}
	return newError("CompileError", value, annotate(strings.Join(msgs, "\n"), lines)...)
}

// race is one WARNING: DATA RACE block of a race report.
type race struct {
	text     []string
	accesses []string // "Read at line 8 (n++)"
	named    []int    // cell lines the block names
}

const raceStart, raceEnd = "WARNING: DATA RACE", "=================="

// races finds the race detector's reports in a program's stderr.
func races(stderr string, lines []string) []race {
	var out []race
	var cur *race
	access := ""
	for _, l := range strings.Split(stderr, "\n") {
		switch {
		case l == raceStart:
			out = append(out, race{})
			cur = &out[len(out)-1]
			access = ""
			cur.text = append(cur.text, l)
			continue
		case cur == nil:
			continue
		case l == raceEnd:
			cur = nil
			continue
		}
		cur.text = append(cur.text, l)
		if what, rest, ok := strings.Cut(l, " at 0x"); ok {
			_, by, _ := strings.Cut(rest, " by ")
			access = what + " by " + strings.TrimSuffix(by, ":") + " at"
		} else if strings.HasPrefix(l, "Goroutine ") {
			access = strings.TrimSuffix(l, ":")
		}
		if q, n := quote(l, lines); q != "" {
			cur.named = append(cur.named, n)
			if access != "" {
				cur.accesses = append(cur.accesses, fmt.Sprintf("%s line %s", access, q))
				access = ""
			}
		}
	}
	return out
}

// raceDisplay is the rich form of the race reports: each report beside the
// cell, with the lines it names highlighted; its text/plain is the report
// with each named line followed by its source.
func raceDisplay(rs []race, lines []string) display.Data {
	var plain []string
	var h strings.Builder
	for i, r := range rs {
		named := map[int]bool{}
		for _, n := range r.named {
			named[n] = true
		}
		plain = append(plain, annotate(strings.Join(r.text, "\n"), lines)...)
		plain = append(plain, "")
		fmt.Fprintf(&h, `<div style="display:flex;gap:2em;align-items:flex-start;margin-bottom:1em">`+
			`<pre style="margin:0"><b>Data race %d of %d</b>`+"\n", i+1, len(rs))
		for _, l := range r.text {
			if q, _ := quote(l, lines); q != "" {
				fmt.Fprintf(&h, "<mark>%s</mark>    <b>%s</b>\n", html.EscapeString(l), html.EscapeString(q))
			} else {
				fmt.Fprintln(&h, html.EscapeString(l))
			}
		}
		h.WriteString(`</pre><pre style="margin:0"><b>the cell</b>` + "\n")
		listing := lines
		for len(listing) > 0 && strings.TrimSpace(listing[len(listing)-1]) == "" {
			listing = listing[:len(listing)-1]
		}
		for n, src := range listing {
			row := html.EscapeString(fmt.Sprintf("%3d | %s", n+1, src))
			if named[n+1] {
				row = `<mark>` + row + `</mark>`
			}
			h.WriteString(row + "\n")
		}
		h.WriteString("</pre></div>")
	}
	return display.Data{Data: display.MIMEMap{
		display.MIMETypeHTML: h.String(),
		display.MIMETypeText: strings.Join(plain, "\n"),
	}}
}

// exitError explains a program's failure (a non-zero exit status, or a
// signal): a data race, a panic, a failing test, or only the status.
func exitError(exit *exec.ExitError, stdout, stderr string, rs []race, m mode, lines []string) *Error {
	value := exit.String() // "exit status 66", or "signal: killed"
	switch {
	case len(rs) > 0:
		value += fmt.Sprintf(": the race detector found %d data race(s), reported above", len(rs))
		var tb []string
		for i, r := range rs {
			tb = append(tb, fmt.Sprintf("race %d:", i+1))
			for _, a := range r.accesses {
				tb = append(tb, "    "+a)
			}
		}
		if m == modeTest {
			tb = append(tb, failures(stdout, lines)...)
		}
		return newError("DataRace", value, tb...)
	case panicLine(stderr) != "":
		p := panicLine(stderr)
		return newError("Panic", value+": "+p, cellFrames(stderr, lines)...)
	case m == modeTest:
		return newError("TestFailure", value+": tests failed", failures(stdout, lines)...)
	}
	return newError("ExitError", value)
}

// panicLine is the first line of a panic or fatal error in stderr.
func panicLine(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return l
		}
	}
	return ""
}

// cellFrames are the traceback's frames in the cell, with their source:
// "main.main()" then "8 | n++".
func cellFrames(stderr string, lines []string) []string {
	var out []string
	prev := ""
	for _, l := range strings.Split(stderr, "\n") {
		if q, _ := quote(l, lines); q != "" {
			out = append(out, strings.TrimSpace(prev), "    "+q)
		}
		prev = l
	}
	return out
}

// failures are a test binary's failure reports, each with the cell lines it names.
func failures(stdout string, lines []string) []string {
	var keep []string
	in := false
	for _, l := range strings.Split(stdout, "\n") {
		switch {
		case strings.HasPrefix(l, "--- FAIL"):
			in = true
		case l == "FAIL" || l == "PASS" || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "=== "):
			in = false
		}
		if in {
			keep = append(keep, l)
		}
	}
	return annotate(strings.Join(keep, "\n"), lines)
}
