package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gospeed/gospeed/notebook"
)

// binDir is where the tests build gospeed; TestMain makes it and removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gospeed-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gospeedBinary builds this command once: the runner starts kernels by
// re-running its own executable, which in a test must be the real gospeed.
var gospeedBinary = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "gospeed")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", errors.New("go build: " + err.Error() + "\n" + string(out))
	}
	return bin, nil
})

func buildGospeed(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds gospeed and runs kernels")
	}
	bin, err := gospeedBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// writeNotebook stores a notebook of code cells in dir.
func writeNotebook(t *testing.T, dir, name string, sources ...string) string {
	t.Helper()
	nb := &notebook.Notebook{Format: 4, FormatMinor: 5, Metadata: map[string]any{
		"kernelspec": map[string]any{"name": "gospeed", "display_name": "Go (gospeed)", "language": "go"},
	}}
	nb.Cells = append(nb.Cells, &notebook.Cell{Type: notebook.Markdown, ID: "intro", Source: "# A test", Metadata: map[string]any{}})
	for i, s := range sources {
		nb.Cells = append(nb.Cells, &notebook.Cell{Type: notebook.Code, ID: "c" + string(rune('a'+i)), Source: s, Metadata: map[string]any{}})
	}
	path := filepath.Join(dir, name)
	if err := notebook.WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
	return path
}

func gospeedRun(t *testing.T, bin string, args ...string) (stdout string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"run"}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("gospeed run hung: %v\n%s%s", ctx.Err(), out.String(), errOut.String())
	}
	return out.String(), err
}

func TestRunInPlaceStoresOutputs(t *testing.T) {
	bin := buildGospeed(t)
	dir := t.TempDir()
	path := writeNotebook(t, dir, "ok.ipynb",
		`import "fmt"`+"\n"+`fmt.Println("hello")`+"\n"+`fmt.Println("again")`,
		`x := 40`+"\n"+`x + 2`,
		`display.Markdown("**bold**")`,
		`p := display.Progress("steps")`+"\n"+`p(1, 3)`+"\n"+`p(2, 3)`+"\n"+`p(3, 3)`,
	)
	untouched, _ := os.ReadFile(path)

	out, err := gospeedRun(t, bin, path)
	if err != nil || !strings.Contains(out, "ok   "+path) {
		t.Fatalf("gospeed run: %v\n%s", err, out)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, untouched) {
		t.Error("without --inplace the notebook was changed")
	}

	if out, err := gospeedRun(t, bin, "--inplace", path); err != nil {
		t.Fatalf("gospeed run --inplace: %v\n%s", err, out)
	}
	nb, err := notebook.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hello, answer, bold := nb.Cells[1], nb.Cells[2], nb.Cells[3]
	if len(hello.Outputs) != 1 || hello.Outputs[0].Type != notebook.Stream || hello.Outputs[0].Text != "hello\nagain\n" {
		t.Errorf("stream outputs not merged into one: %+v", hello.Outputs)
	}
	if len(answer.Outputs) != 1 || answer.Outputs[0].Type != notebook.ExecuteResult || answer.Outputs[0].Data["text/plain"] != "42" {
		t.Errorf("execute_result: %+v", answer.Outputs)
	}
	if answer.ExecutionCount == nil || *answer.ExecutionCount != 2 || *answer.Outputs[0].ExecutionCount != 2 {
		t.Errorf("execution count %v, want 2", answer.ExecutionCount)
	}
	if len(bold.Outputs) != 1 || bold.Outputs[0].Data["text/markdown"] != "**bold**" {
		t.Errorf("markdown result: %+v", bold.Outputs)
	}
	progress := nb.Cells[4].Outputs
	if len(progress) != 1 || progress[0].Type != notebook.DisplayData || !strings.Contains(progress[0].Data["text/plain"].(string), "3/3") {
		t.Errorf("progress display not updated in place to its final state: %+v", progress)
	}
	if li, _ := nb.Metadata["language_info"].(map[string]any); li["name"] != "go" {
		t.Errorf("language_info not recorded: %v", nb.Metadata["language_info"])
	}

	// Running again changes nothing: the stored notebook is stable.
	before, _ := os.ReadFile(path)
	if out, err := gospeedRun(t, bin, "--inplace", path); err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("a second run changed the notebook:\n%s\n---\n%s", before, after)
	}
}

func TestRunFailsAtTheErrorCell(t *testing.T) {
	bin := buildGospeed(t)
	dir := t.TempDir()
	bad := writeNotebook(t, dir, "bad.ipynb", `x := 1`, `undefinedThing()`, `y := 2`)
	good := writeNotebook(t, dir, "good.ipynb", `z := 3`)
	stored, _ := os.ReadFile(bad)

	out, err := gospeedRun(t, bin, "--inplace", bad, good)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1\n%s", err, out)
	}
	if !strings.Contains(out, "FAIL "+bad) || !strings.Contains(out, "cell 2") || !strings.Contains(out, "undefinedThing") {
		t.Errorf("the failure does not name the notebook, cell 2 and its error:\n%s", out)
	}
	if !strings.Contains(out, "ok   "+good) {
		t.Errorf("the good notebook after the bad one did not run:\n%s", out)
	}
	if now, _ := os.ReadFile(bad); !bytes.Equal(now, stored) {
		t.Error("--inplace overwrote a failing notebook")
	}

	outDir := t.TempDir()
	if _, err := gospeedRun(t, bin, "--output", outDir, bad); err == nil {
		t.Fatal("a failing notebook passed")
	}
	nb, err := notebook.ReadFile(filepath.Join(outDir, "bad.ipynb"))
	if err != nil {
		t.Fatalf("--output did not keep the failed notebook: %v", err)
	}
	if outs := nb.Cells[2].Outputs; len(outs) != 1 || outs[0].Type != notebook.ErrorOutput {
		t.Errorf("error output not stored: %+v", outs)
	}
	if nb.Cells[3].ExecutionCount != nil {
		t.Error("the cell after the error ran")
	}

	if out, err := gospeedRun(t, bin, "--allow-errors", bad); err != nil {
		t.Errorf("--allow-errors: %v\n%s", err, out)
	}
}

func TestRunTimesOutACell(t *testing.T) {
	bin := buildGospeed(t)
	dir := t.TempDir()
	path := writeNotebook(t, dir, "slow.ipynb", `import "time"`, `time.Sleep(time.Minute)`, `x := 1`)
	start := time.Now()
	// 3s: the first cell also waits for the kernel's worker to start.
	out, err := gospeedRun(t, bin, "--timeout", "3s", path)
	if err == nil {
		t.Fatalf("a cell over its timeout passed:\n%s", out)
	}
	if !strings.Contains(out, "cell 2") || !strings.Contains(out, "timed out after 3s") {
		t.Errorf("the failure does not name cell 2 and the timeout:\n%s", out)
	}
	if elapsed := time.Since(start); elapsed > 30*time.Second {
		t.Errorf("a 3s timeout took %v to fail", elapsed)
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"--timeout", "0s", "x.ipynb"},
		{"--inplace", "--output", t.TempDir(), "x.ipynb"},
		{"--output", "/does/not/exist", "x.ipynb"},
		{"--no-such-flag", "x.ipynb"},
	} {
		var stdout, stderr bytes.Buffer
		err := runNotebooks(context.Background(), args, &stdout, &stderr)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("run %q: error %v, want a usage error", args, err)
		}
	}
	var stdout, stderr bytes.Buffer
	err := runNotebooks(context.Background(), []string{filepath.Join(t.TempDir(), "missing.ipynb")}, &stdout, &stderr)
	if err == nil || !strings.Contains(stdout.String(), "FAIL") || !strings.Contains(stdout.String(), "missing.ipynb") {
		t.Errorf("a missing notebook: err %v, output %q", err, stdout.String())
	}

	python := filepath.Join(t.TempDir(), "python.ipynb")
	if err := os.WriteFile(python, []byte(`{"nbformat": 4, "nbformat_minor": 5, "cells": [],
		"metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	err = runNotebooks(context.Background(), []string{python}, &stdout, &stderr)
	if err == nil || !strings.Contains(stdout.String(), "kernelspec python3") {
		t.Errorf("a Python notebook: err %v, output %q", err, stdout.String())
	}
}

func TestRunReportsAKernelThatDies(t *testing.T) {
	bin := buildGospeed(t)
	dir := t.TempDir()
	path := writeNotebook(t, dir, "dies.ipynb",
		"import (\n\t\"fmt\"\n\t\"os\"\n\t\"os/exec\"\n)",
		// Cells run in the kernel's worker process: its parent is the kernel.
		`exec.Command("kill", "-9", fmt.Sprint(os.Getppid())).Run()`,
		`x := 1`)
	out, err := gospeedRun(t, bin, path)
	if err == nil {
		t.Fatalf("a notebook whose kernel died passed:\n%s", out)
	}
	if !strings.Contains(out, "cell 2") || !strings.Contains(out, "kernel exited") {
		t.Errorf("the failure does not name cell 2 and the dead kernel:\n%s", out)
	}
}
