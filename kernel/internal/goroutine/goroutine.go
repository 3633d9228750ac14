// Package goroutine reads what the runtime's stack dumps tell of
// goroutines, which Go gives no other handle on: the calling goroutine's id,
// and the stacks of all of them.
package goroutine

import (
	"bytes"
	"runtime"
	"strconv"
)

// ID is the id of the calling goroutine, from its stack header.
func ID() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	buf = bytes.TrimPrefix(buf, []byte("goroutine "))
	if i := bytes.IndexByte(buf, ' '); i > 0 {
		if id, err := strconv.ParseInt(string(buf[:i]), 10, 64); err == nil {
			return id
		}
	}
	return 0
}

// Stacks is the runtime's dump of every goroutine's stack.
func Stacks() []byte {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
