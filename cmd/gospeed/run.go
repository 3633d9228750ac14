package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gospeed/gospeed/notebook"
	"github.com/gospeed/gospeed/notebook/jupyter"
)

// runNotebooks executes notebooks headless, each on a fresh gospeed kernel:
// gospeed run [--inplace] [--output DIR] [--timeout D] [--allow-errors] NOTEBOOK...
// It reports pass or fail per notebook and fails when any notebook does.
func runNotebooks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: gospeed run [flags] NOTEBOOK.ipynb...\n\n"+
			"Runs every code cell of each notebook, in order, on a fresh gospeed kernel,\n"+
			"and stops a notebook at its first error. Without --inplace or --output it\n"+
			"writes nothing: it only says which notebooks pass.\n\n")
		fs.PrintDefaults()
	}
	inplace := fs.Bool("inplace", false, "store each notebook's new outputs in its own file (only when it passes)")
	output := fs.String("output", "", "write each executed notebook, passed or failed, into this `directory`")
	timeout := fs.Duration("timeout", notebook.DefaultTimeout, "how long one cell may run before it is interrupted and the notebook fails")
	allowErrors := fs.Bool("allow-errors", false, "run on past cells that fail, keeping their error output")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	switch {
	case fs.NArg() == 0:
		fs.Usage()
		return usageError{errors.New("run: no notebooks given")}
	case *timeout <= 0:
		return usageError{fmt.Errorf("run: --timeout must be positive, got %v", *timeout)}
	case *inplace && *output != "":
		return usageError{errors.New("run: give --inplace or --output, not both")}
	}
	if *output != "" {
		if fi, err := os.Stat(*output); err != nil || !fi.IsDir() {
			return usageError{fmt.Errorf("run: --output %s is not a directory", *output)}
		}
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("run: finding the gospeed binary to start kernels with: %w", err)
	}

	opt := notebook.Options{Timeout: *timeout, AllowErrors: *allowErrors}
	var failed []string
	for _, path := range fs.Args() {
		start := time.Now()
		nb, err := jupyter.Run(ctx, path, exec.Command(self, "kernel", "{connection_file}"), "gospeed", opt, stderr)
		if err == nil {
			switch {
			case *inplace:
				err = notebook.WriteFile(path, nb)
			case *output != "":
				err = notebook.WriteFile(filepath.Join(*output, filepath.Base(path)), nb)
			}
		} else if nb != nil && *output != "" {
			if werr := notebook.WriteFile(filepath.Join(*output, filepath.Base(path)), nb); werr != nil {
				err = fmt.Errorf("%w (and writing it failed: %v)", err, werr)
			}
		}
		elapsed := time.Since(start).Round(100 * time.Millisecond)
		if err != nil {
			failed = append(failed, path)
			fmt.Fprintf(stdout, "FAIL %s (%v): %v\n", path, elapsed, err)
		} else {
			fmt.Fprintf(stdout, "ok   %s (%v)\n", path, elapsed)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("run: %d of %d notebooks failed: %s", len(failed), fs.NArg(), strings.Join(failed, " "))
	}
	return nil
}
