package repl

import "testing"

// FuzzComplete checks that the console requests (is_complete, complete,
// inspect) never panic, whatever the code and cursor.
func FuzzComplete(f *testing.F) {
	for _, c := range []string{"x := 1", "func f() {", "import \"fmt\"\nfmt.Println(1)", "s := `raw\nstring`\n/* comment */ s", "héllo := \"wörld\"; héllo"} {
		f.Add(c, len(c)/2)
	}
	f.Add("lessons.Ru", 10)
	f.Add("fmt.Println(x)", 6)
	s, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, code string, cursor int) {
		s.IsComplete(code)
		start, end := 0, 0
		var matches []string
		matches, start, end = s.Complete(code, cursor)
		if n := len([]rune(code)); start < 0 || end < start || end > n {
			t.Fatalf("Complete(%q, %d): span [%d, %d) outside the code (%d code points), matches %v", code, cursor, start, end, n, matches)
		}
		s.Inspect(code, cursor)
	})
}
