package main

import (
	"context"
	"errors"
	"io"
)

// runCPU is a placeholder: the owner of this file replaces it.
func runCPU(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not implemented yet")
}
