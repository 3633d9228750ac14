package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/repl"
)

func main() {
	s, err := repl.New(repl.Config{Stdout: os.Stdout, Stderr: os.Stderr, Display: func(d display.Data, u bool) { fmt.Printf("DISPLAY(%v) %v\n", u, d) }})
	if err != nil {
		panic(err)
	}
	for _, c := range os.Args[1:] {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		d, ok, err := s.Execute(ctx, c)
		cancel()
		fmt.Printf("=> %v %v %v\n", d.Data, ok, err)
	}
}
