package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gospeed/gospeed/kernel/client"
	"github.com/gospeed/gospeed/kernel/wire"
	"github.com/gospeed/gospeed/notebook"
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
		nb, err := runNotebook(ctx, self, path, opt, stderr)
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

// runNotebook runs the notebook at path on a new kernel started from the
// gospeed binary self, in the notebook's directory as Jupyter would. The
// notebook comes back, with whatever outputs it got, unless it could not
// be read.
func runNotebook(ctx context.Context, self, path string, opt notebook.Options, stderr io.Writer) (_ *notebook.Notebook, err error) {
	nb, err := notebook.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if spec, _ := nb.Metadata["kernelspec"].(map[string]any); spec != nil && spec["name"] != nil && spec["name"] != "gospeed" {
		return nil, fmt.Errorf("kernelspec %v: gospeed runs only notebooks for its own kernel, gospeed", spec["name"])
	}
	cmd := exec.Command(self, "kernel", "{connection_file}")
	cmd.Dir = filepath.Dir(path)
	// The kernel's own log is noise when all goes well; it is shown only
	// when the notebook fails, where it may say why.
	var klog bytes.Buffer
	cmd.Stdout, cmd.Stderr = &klog, &klog
	defer func() {
		if err != nil && klog.Len() > 0 {
			fmt.Fprintf(stderr, "kernel log for %s:\n%s", path, klog.Bytes())
		}
	}()
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	c, err := client.StartCommand(startCtx, cmd)
	cancel()
	if err != nil {
		return nb, fmt.Errorf("starting the kernel: %w", err)
	}
	defer c.Close() // runs before the log is shown: it waits for the kernel to end
	if err := recordLanguage(ctx, c, nb); err != nil {
		return nb, err
	}
	return nb, notebook.Run(ctx, nb, clientKernel{c}, opt)
}

// recordLanguage stores the kernel's language_info in the notebook's
// metadata, as Jupyter does when it runs a notebook.
func recordLanguage(ctx context.Context, c *client.Client, nb *notebook.Notebook) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	reply, _, err := c.Request(ctx, client.Shell, "kernel_info_request", map[string]any{})
	if err != nil {
		return fmt.Errorf("asking the kernel for its language: %w", err)
	}
	var info struct {
		LanguageInfo map[string]any `json:"language_info"`
	}
	// Numbers stay JSON numbers as sent (an integer stays an integer).
	dec := json.NewDecoder(bytes.NewReader(reply.Content))
	dec.UseNumber()
	if err := dec.Decode(&info); err != nil {
		return fmt.Errorf("kernel_info_reply: %w", err)
	}
	if info.LanguageInfo != nil {
		nb.Metadata["language_info"] = info.LanguageInfo
	}
	return nil
}

// clientKernel is a kernel/client.Client as the notebook runner needs it.
type clientKernel struct{ c *client.Client }

func (k clientKernel) Execute(ctx context.Context, code string, onMessage func(notebook.Message)) (notebook.Reply, error) {
	req := client.ExecuteRequest{Code: code, StoreHistory: true, StopOnError: true}
	reply, _, err := k.c.ExecuteFunc(ctx, req, func(m wire.Message) {
		onMessage(notebook.Message{Type: m.Type(), Content: m.Content})
	})
	if err != nil {
		return notebook.Reply{}, err
	}
	return notebook.Reply{Status: reply.Status, ExecutionCount: reply.ExecutionCount}, nil
}

func (k clientKernel) Interrupt(ctx context.Context) error { return k.c.Interrupt(ctx) }
