package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/gospeed/gospeed/kernel"
	"github.com/gospeed/gospeed/kernel/compiled"
	"github.com/gospeed/gospeed/kernel/docs"
	"github.com/gospeed/gospeed/kernel/repl"
	"github.com/gospeed/gospeed/kernel/worker"
	"github.com/gospeed/gospeed/lessons"
)

// runKernel serves a Jupyter kernel on the connection file Jupyter gives it.
// Cells run in a worker process (gospeed kernel-worker) that the kernel
// restarts when a cell kills it. SIGINT interrupts the running cell instead
// of ending the kernel (interrupt_mode "signal"); SIGTERM shuts it down.
func runKernel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kernel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(stderr, "usage: gospeed kernel CONNECTION_FILE\n\nRuns the Go kernel for Jupyter; Jupyter starts it through the kernelspec that 'gospeed install' writes.\n")
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{errors.New("kernel: want exactly one connection file")}
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	interpreted := worker.New(worker.Config{Log: log.New(stderr, "gospeed worker: ", log.LstdFlags)})
	opt := kernel.Options{
		Signals: signals,
		// Interpreted cells run in a worker process; %%go cells are built
		// and run as programs of their own.
		NewEvaluator: func(o kernel.Outputs) (kernel.Evaluator, error) {
			r, err := compiled.New(compiled.Config{Stdout: o.Stdout, Stderr: o.Stderr, Display: o.Display})
			if err != nil {
				return nil, err
			}
			in, err := interpreted(o)
			if err != nil {
				r.Close()
				return nil, err
			}
			return compiled.Route(in, r), nil
		},
	}
	// main's context ends on SIGINT, which for a kernel means "interrupt the
	// cell": the kernel watches the signals itself instead.
	return kernel.Run(context.WithoutCancel(ctx), fs.Arg(0), opt)
}

// runKernelWorker is the kernel's worker process: the interpreter that runs
// cells, started by the kernel and talking to it on fd 3.
func runKernelWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) != 0 {
		return usageError{errors.New("kernel-worker takes no arguments: the kernel starts it")}
	}
	doc := inspectDocs()
	return worker.Main(func(o kernel.Outputs) (kernel.Evaluator, error) {
		return repl.New(repl.Config{Stdout: o.Stdout, Stderr: o.Stderr, Display: o.Display, Clear: o.Clear, Comm: o.Comm, Doc: doc})
	})
}

// inspectDocs is what inspect shows: lessons' docs, then the kernel's own.
func inspectDocs() docs.Provider {
	return docs.Chain(docs.Declarations("github.com/gospeed/gospeed/lessons", lessons.Source), docs.Standard())
}
