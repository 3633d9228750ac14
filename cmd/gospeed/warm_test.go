package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestWarmRejectsArguments(t *testing.T) {
	var out, errOut bytes.Buffer
	err := runWarm(context.Background(), []string{"now"}, &out, &errOut)
	var u usageError
	if !errors.As(err, &u) {
		t.Fatalf("err = %v, want a usage error", err)
	}
}

// TestWarmBuildsEveryCellKind builds four programs, two with -race: slow
// when the build cache is cold.
func TestWarmBuildsEveryCellKind(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with and without -race")
	}
	var out, errOut bytes.Buffer
	if err := runWarm(context.Background(), nil, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	for _, magic := range []string{"%%go run:", "%%go run -race:", "%%go test:", "%%go test -race:"} {
		if !strings.Contains(out.String(), magic) {
			t.Errorf("no %q in\n%s", magic, out.String())
		}
	}
}
