// Command gospeed is the one binary of the gospeed course: the Jupyter kernel,
// its installer, the lessons on the command line, the multi-process worker,
// and a headless notebook runner.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// A command runs one subcommand with its arguments (the words after its name).
type command struct {
	summary string
	hidden  bool
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"io":            {summary: "run the I/O-bound job (download pages) one way", run: runIO},
		"cpu":           {summary: "run the CPU-bound job one way", run: runCPU},
		"race":          {summary: "show a data race losing updates, and its fixes", run: runRace},
		"kernel":        {summary: "run the Jupyter kernel: gospeed kernel CONNECTION_FILE", run: runKernel},
		"install":       {summary: "install the Jupyter kernelspec", run: runInstall},
		"run":           {summary: "execute notebooks headless on the kernel", run: runNotebooks},
		"worker":        {summary: "serve tasks for the multi-process lessons", hidden: true, run: runWorker},
		"kernel-worker": {summary: "run the kernel's cells (the kernel starts it)", hidden: true, run: runKernelWorker},
		"warm":          {summary: "fill the build cache for compiled cells", hidden: true, run: runWarm},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "gospeed:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError marks an error in how gospeed was called, as opposed to a
// failure while doing the work; it exits with status 2 like the flag package.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return usageError{errors.New("no command given")}
		}
		return nil
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		usage(stderr, cmds)
		return usageError{fmt.Errorf("unknown command %q", args[0])}
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: gospeed COMMAND [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(cmds))
	for name, c := range cmds {
		if !c.hidden {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-8s %s\n", name, cmds[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'gospeed COMMAND -h' for a command's flags.")
}
