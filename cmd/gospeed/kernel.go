package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gospeed/gospeed/kernel"
	"github.com/gospeed/gospeed/kernel/docs"
	"github.com/gospeed/gospeed/lessons"
)

// runKernel serves a Jupyter kernel on the connection file Jupyter gives it.
// SIGINT interrupts the running cell instead of ending the kernel
// (interrupt_mode "signal"); SIGTERM shuts it down.
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
	// main's context ends on SIGINT, which for a kernel means "interrupt the
	// cell": the kernel watches the signals itself instead.
	return kernel.Run(context.WithoutCancel(ctx), fs.Arg(0), kernel.Options{CaptureFDs: true, Signals: signals, Doc: inspectDocs()})
}

// inspectDocs is what inspect shows: lessons' docs, then the kernel's own.
func inspectDocs() docs.Provider {
	return docs.Chain(docs.Declarations("github.com/gospeed/gospeed/lessons", lessons.Source), docs.Standard())
}
