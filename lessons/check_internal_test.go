package lessons

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A learner's function that never returns is reported, and the check goes
// on: it is told to stop through its context, which this one obeys, so
// nothing is left running after the test.
func TestCheckReportsAFunctionThatHangs(t *testing.T) {
	hangs := func(ctx context.Context, _ []string, _ int) ([]int64, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	rep := checkDownloads(context.Background(), downloadExercise{
		name:      "a worker pool",
		version:   "pooled",
		reference: DownloadPooled,
		timeout:   300 * time.Millisecond,
	}, hangs, 4)
	if rep.Passed || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "did not return within 300ms") || !strings.Contains(rep.Problems[0], "a channel nobody closes") {
		t.Errorf("a function that hangs:\n%s", rep)
	}
}
