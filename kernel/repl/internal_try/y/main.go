package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

func main() {
	in := interp.New(interp.Options{Stdout: os.Stdout, Stderr: os.Stderr})
	in.Use(stdlib.Symbols)
	for _, c := range os.Args[1:] {
		func() {
			defer func() {
				if r := recover(); r != nil {
					fmt.Printf("PANIC: %v\n", r)
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			v, err := in.EvalWithContext(ctx, c)
			if v.IsValid() && v.CanInterface() {
				fmt.Printf("=> %T %v err=%v\n", v.Interface(), v, err)
			} else {
				fmt.Printf("=> invalid(%v) err=%v\n", v.IsValid(), err)
			}
		}()
	}
}
