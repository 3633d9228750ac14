package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gospeed/gospeed/kernel/compiled"
)

// warmImports are the packages a compiled cell is likely to import: the
// image builds them once, so that a learner's first %%go cell is quick.
var warmImports = []string{
	"bufio", "bytes", "context", "crypto/rand", "encoding/json", "errors", "fmt",
	"html/template", "image", "image/png", "io", "iter", "log", "maps", "math",
	"math/rand", "math/rand/v2", "net", "net/http", "net/http/httptest", "os",
	"os/exec", "os/signal", "runtime", "slices", "sort", "strconv", "strings",
	"sync", "sync/atomic", "testing", "time", "unicode/utf8",
	"github.com/gospeed/gospeed/kernel/display",
	"github.com/gospeed/gospeed/lessons",
	"golang.org/x/sync/errgroup",
	"golang.org/x/sync/semaphore",
}

// runWarm fills the go build cache for compiled cells: it builds and runs a
// %%go run cell and a %%go test cell importing warmImports, with and without
// -race, exactly as the kernel does: gospeed warm.
func runWarm(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("warm", "gospeed warm", stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("warm: unexpected arguments %q", fs.Args())}
	}
	r, err := compiled.New(compiled.Config{Stdout: stdout, Stderr: stderr})
	if err != nil {
		return fmt.Errorf("warm: %w", err)
	}
	defer r.Close()
	var blank strings.Builder
	for _, p := range warmImports {
		fmt.Fprintf(&blank, "\t_ %q\n", p)
	}
	program := "package main\n\nimport (\n" + blank.String() + ")\n\nfunc main() {}\n"
	test := "package main\n\nimport (\n" + blank.String() + ")\n\nfunc TestWarm(t *testing.T) {}\n"
	test = strings.Replace(test, "\t_ \"testing\"\n", "\t\"testing\"\n", 1)
	for _, cell := range []string{
		"%%go run\n" + program,
		"%%go run -race\n" + program,
		"%%go test\n" + test,
		"%%go test -race\n" + test,
	} {
		start := time.Now()
		magic, _, _ := strings.Cut(cell, "\n")
		if _, _, err := r.Execute(ctx, cell); err != nil {
			return fmt.Errorf("warm: %s: %w", magic, err)
		}
		fmt.Fprintf(stdout, "%s: built and ran in %.1fs\n", magic, time.Since(start).Seconds())
	}
	return nil
}
