package lessons_test

import (
	"strings"
	"testing"

	"github.com/gospeed/gospeed/lessons"
)

func TestSource(t *testing.T) {
	for _, c := range []struct{ name, want, doc string }{
		{"Fib", "func Fib(n int) int {", "// Fib is the article's"},
		{"lessons.DownloadPooled", "func DownloadPooled(", "ThreadPoolExecutor.map"},
		{"IOOptions", "type IOOptions struct {", "// IOOptions choose"},
		{"Site.URLs", "func (s *Site) URLs(n int) []string {", "// URLs are"},
		{"(*Site).URLs", "func (s *Site) URLs(n int) []string {", "// URLs are"},
		{"IOVersions", "IOVersions = []string{", "// IOVersions are"},
		{"DefaultLatency", "DefaultLatency   = 50 * time.Millisecond", ""},
		// racy.go, even in a -race build where racy_race.go is compiled.
		{"CountRacy", "counter = v + 1", "// CountRacy has"},
		// The capstone's solution and a type a learner's function fits.
		{"Crawl", "seen[page] = true", "// Crawl is the Go Tour's web crawler"},
		{"DownloadFunc", "DownloadFunc func(ctx context.Context, urls []string, workers int) ([]int64, error)", "// DownloadFunc downloads"},
	} {
		src, err := lessons.Source(c.name)
		if err != nil {
			t.Errorf("Source(%q): %v", c.name, err)
			continue
		}
		if !strings.Contains(src, c.want) || !strings.Contains(src, c.doc) {
			t.Errorf("Source(%q) lacks %q or %q:\n%s", c.name, c.want, c.doc, src)
		}
		if strings.Contains(src, "package lessons") {
			t.Errorf("Source(%q) is more than its declaration:\n%s", c.name, src)
		}
	}
	if _, err := lessons.Source("NoSuchThing"); err == nil {
		t.Error("Source of an unknown name succeeded")
	}
	if _, err := lessons.Source("TestSource"); err == nil {
		t.Error("Source shows test code")
	}
}
