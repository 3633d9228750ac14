package kernel

import (
	"regexp"
	"strings"
)

// selectHistory picks the entries a history_request asks for. Session
// numbers <= 0 mean this kernel's session (1), as in IPython.
func selectHistory(h []historyEntry, access string, n, session, start, stop int, pattern string, unique bool) []historyEntry {
	switch access {
	case "tail":
		if n <= 0 || n > len(h) {
			n = len(h)
		}
		return h[len(h)-n:]
	case "range":
		if session <= 0 {
			session = 1
		}
		var out []historyEntry
		for _, e := range h {
			if e.session == session && e.line >= start && (stop <= 0 || e.line < stop) {
				out = append(out, e)
			}
		}
		return out
	case "search":
		re := globRegexp(pattern)
		var out []historyEntry
		seen := map[string]bool{}
		for i := len(h) - 1; i >= 0; i-- {
			e := h[i]
			if !re.MatchString(e.input) || (unique && seen[e.input]) {
				continue
			}
			seen[e.input] = true
			out = append(out, e)
			if n > 0 && len(out) == n {
				break
			}
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out
	}
	return nil
}

// globRegexp compiles a shell glob (* and ?) matching the whole input, as
// IPython's history search does (an empty pattern matches everything).
func globRegexp(glob string) *regexp.Regexp {
	if glob == "" {
		glob = "*"
	}
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String())
}
