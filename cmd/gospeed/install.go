package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gospeed/gospeed/kernel/kernelspec"
)

// runInstall writes the gospeed kernelspec, pointing at this binary.
func runInstall(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.Bool("user", false, "install for the current user: $JUPYTER_DATA_DIR/kernels, or ~/.local/share/jupyter/kernels (the default)")
	sysPrefix := fs.Bool("sys-prefix", false, "install under the active environment: $VIRTUAL_ENV, else $CONDA_PREFIX, else /usr/local")
	prefix := fs.String("prefix", "", "install under `DIR`/share/jupyter/kernels")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gospeed install [--user | --sys-prefix | --prefix DIR]")
		fmt.Fprintln(stderr, "\nWrites the Jupyter kernelspec \"gospeed\" (Go (gospeed)), which runs this binary.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("install: unexpected argument %q", fs.Arg(0))}
	}
	chosen := 0
	for _, set := range []bool{*user, *sysPrefix, *prefix != ""} {
		if set {
			chosen++
		}
	}
	if chosen > 1 {
		return usageError{errors.New("install: choose one of --user, --sys-prefix and --prefix")}
	}

	var dir string
	var err error
	switch {
	case *prefix != "":
		dir, err = kernelspec.PrefixDir(*prefix)
	case *sysPrefix:
		dir, err = kernelspec.PrefixDir(kernelspec.SysPrefix())
	default:
		dir, err = kernelspec.UserDir()
	}
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("install: finding this binary: %w", err)
	}
	if err := kernelspec.Install(dir, kernelspec.New(exe)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Installed kernelspec %s (Go (gospeed)) in %s\n", kernelspec.Name, dir)
	return nil
}
