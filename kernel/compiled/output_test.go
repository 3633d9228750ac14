package compiled

import (
	"strings"
	"testing"
)

func TestCaptureKeepsHeadAndTail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		prefix string
		suffix string
		cut    bool
	}{
		{"small", []string{"a", "b"}, "ab", "ab", false},
		{"exactly the head", []string{strings.Repeat("h", captureHead)}, "hhh", "hhh", false},
		{"head and some tail", []string{strings.Repeat("h", captureHead), "tail"}, "hhh", "htail", false},
		{"a flood ends with its last bytes",
			[]string{strings.Repeat("h", captureHead), strings.Repeat("x", 3*captureTail), "panic: the end\n"},
			"hhh", "xxpanic: the end\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c capture
			for _, w := range tc.writes {
				c.add([]byte(w))
			}
			s := c.String()
			if !strings.HasPrefix(s, tc.prefix) || !strings.HasSuffix(s, tc.suffix) || strings.Contains(s, "\n...\n") != tc.cut {
				t.Errorf("capture of %d bytes: %d bytes, starts %q, ends %q", len(strings.Join(tc.writes, "")), len(s), s[:min(len(s), 10)], s[max(0, len(s)-20):])
			}
			if len(s) > captureHead+captureTail+5 {
				t.Errorf("capture kept %d bytes", len(s))
			}
		})
	}
}

func TestLimiterPassesRateAndCountsTheRest(t *testing.T) {
	l := &limiter{rate: 100}
	if got := l.pass(60); got != 60 {
		t.Errorf("first 60 of 100: passed %d", got)
	}
	if got := l.pass(60); got != 40 {
		t.Errorf("next 60: passed %d, want the 40 left", got)
	}
	if got := l.pass(3 << 20); got != 0 {
		t.Errorf("past the rate: passed %d", got)
	}
	if note := l.note(); !strings.Contains(note, "3.0 MB of output dropped") {
		t.Errorf("note %q", note)
	}
	if note := (&limiter{rate: 1}).note(); note != "" {
		t.Errorf("nothing dropped, note %q", note)
	}
}
