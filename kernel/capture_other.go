//go:build !linux

package kernel

import (
	"errors"
	"os"
	"time"
)

type fdCapture struct{ Log *os.File }

func captureFDs(func(string, []byte)) (*fdCapture, error) {
	return nil, errors.New("capturing stdout and stderr needs Linux")
}

func (c *fdCapture) Sync(time.Duration) error { return nil }
func (c *fdCapture) Restore() error           { return nil }
