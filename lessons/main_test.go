package lessons_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/gospeed/gospeed/lessons"
	"go.uber.org/goleak"
)

// TestMain lets this test binary serve as its own multi-process worker (the
// multi-process versions re-run os.Executable()), then runs the tests and
// fails them if any goroutine outlives them.
func TestMain(m *testing.M) {
	if lessons.IsWorker() {
		if err := lessons.ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}
