package jupyter

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gospeed/gospeed/kernel"
	"github.com/gospeed/gospeed/notebook"
)

// kernelEnv, set, makes this test binary a gospeed kernel: the tests start
// kernels from it, with no gospeed binary built.
const kernelEnv = "GOSPEED_JUPYTER_TEST_KERNEL"

func TestMain(m *testing.M) {
	if os.Getenv(kernelEnv) == "1" {
		if err := kernel.Run(context.Background(), os.Args[1], kernel.Options{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func kernelCommand() *exec.Cmd {
	cmd := exec.Command(os.Args[0], "{connection_file}")
	cmd.Env = append(os.Environ(), kernelEnv+"=1")
	return cmd
}

func writeNotebook(t *testing.T, spec string, sources ...string) string {
	t.Helper()
	nb := &notebook.Notebook{Format: 4, FormatMinor: 5, Metadata: map[string]any{
		"kernelspec": map[string]any{"name": spec, "display_name": spec, "language": "go"},
	}}
	for i, s := range sources {
		nb.Cells = append(nb.Cells, &notebook.Cell{Type: notebook.Code, ID: fmt.Sprint("c", i), Source: s, Metadata: map[string]any{}})
	}
	path := filepath.Join(t.TempDir(), "test.ipynb")
	if err := notebook.WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunRecordsOutputsAndLanguage(t *testing.T) {
	path := writeNotebook(t, "gospeed", `import "fmt"`+"\nfmt.Println(\"hello\")", "40 + 2")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var log bytes.Buffer
	nb, err := Run(ctx, path, kernelCommand(), "gospeed", notebook.Options{}, &log)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	hello, answer := nb.Cells[0], nb.Cells[1]
	if len(hello.Outputs) != 1 || hello.Outputs[0].Text != "hello\n" {
		t.Errorf("the print's outputs: %+v", hello.Outputs)
	}
	if len(answer.Outputs) != 1 || answer.Outputs[0].Data["text/plain"] != "42" || answer.ExecutionCount == nil || *answer.ExecutionCount != 2 {
		t.Errorf("the value's outputs: %+v", answer.Outputs)
	}
	if lang, _ := nb.Metadata["language_info"].(map[string]any); lang["name"] != "go" {
		t.Errorf("language_info = %v", nb.Metadata["language_info"])
	}
	if log.Len() > 0 {
		t.Errorf("a run that passed showed the kernel's log: %s", log.String())
	}
}

func TestRunStopsAtAnErrorAndKeepsTheOutputs(t *testing.T) {
	path := writeNotebook(t, "gospeed", "x := 1", "undefinedName + 1", "x")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nb, err := Run(ctx, path, kernelCommand(), "gospeed", notebook.Options{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "undefined") {
		t.Fatalf("Run = %v, want the cell's error", err)
	}
	if outs := nb.Cells[1].Outputs; len(outs) != 1 || outs[0].Type != notebook.ErrorOutput {
		t.Errorf("the failing cell's outputs: %+v", outs)
	}
	if nb.Cells[2].ExecutionCount != nil {
		t.Errorf("the cell after the error ran")
	}
}

func TestRunRefusesAnotherKernel(t *testing.T) {
	path := writeNotebook(t, "python3", "print(1)")
	_, err := Run(context.Background(), path, exec.Command("false"), "gospeed", notebook.Options{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "python3") {
		t.Errorf("Run of a python3 notebook = %v", err)
	}
}
