package main

import (
	"context"
	"io"
	"os"

	"github.com/gospeed/gospeed/lessons"
)

// runWorker serves the multi-process lessons: the lessons package starts
// this executable as `gospeed worker` and talks to it over stdin and stdout.
func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return lessons.ServeWorker(ctx, os.Stdin, stdout)
}
