package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallPrefix(t *testing.T) {
	prefix := t.TempDir()
	var out bytes.Buffer
	if err := runInstall(context.Background(), []string{"--prefix", prefix}, &out, &out); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(prefix, "share", "jupyter", "kernels", "gospeed")
	if !strings.Contains(out.String(), dir) {
		t.Errorf("output does not say where: %q", out.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct{ Argv []string }
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	if len(spec.Argv) != 3 || spec.Argv[0] != exe || !filepath.IsAbs(spec.Argv[0]) || spec.Argv[1] != "kernel" {
		t.Errorf("argv %v", spec.Argv)
	}
}

func TestInstallUserDefault(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", t.TempDir())
	var out bytes.Buffer
	if err := runInstall(context.Background(), nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("JUPYTER_DATA_DIR"), "kernels", "gospeed", "logo-64x64.png")); err != nil {
		t.Error(err)
	}
}

func TestInstallBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--user", "--prefix", "x"}, {"--bogus"}, {"extra"}} {
		var out bytes.Buffer
		err := runInstall(context.Background(), args, &out, &out)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
}

func TestKernelNeedsConnectionFile(t *testing.T) {
	var out bytes.Buffer
	var u usageError
	if err := runKernel(context.Background(), nil, &out, &out); !errors.As(err, &u) {
		t.Errorf("no argument: %v", err)
	}
	if err := runKernel(context.Background(), []string{filepath.Join(t.TempDir(), "missing.json")}, &out, &out); err == nil || errors.As(err, &u) {
		t.Errorf("missing file: %v", err)
	}
}
