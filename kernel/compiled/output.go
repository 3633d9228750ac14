package compiled

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// limiter passes a cell's output on at most rate bytes a second, shared by
// stdout and stderr, and counts what it drops: a program that prints 50 MB
// runs at full speed, and the notebook gets a readable part of it.
type limiter struct {
	rate int

	mu          sync.Mutex
	windowStart time.Time
	windowBytes int
	dropped     int64
}

// pass returns the part of n bytes that may be written now.
func (l *limiter) pass(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.windowStart) >= time.Second {
		l.windowStart, l.windowBytes = now, 0
	}
	keep := min(n, max(l.rate-l.windowBytes, 0))
	l.windowBytes += keep
	l.dropped += int64(n - keep)
	return keep
}

// note says what was dropped, or "" when nothing was.
func (l *limiter) note() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dropped == 0 {
		return ""
	}
	return fmt.Sprintf("\n[gospeed: %s of output dropped: a cell shows at most %s a second]\n", size(l.dropped), size(int64(l.rate)))
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// capture keeps the start and the end of a stream, for the error report.
type capture struct {
	head, tail []byte
	cut        bool
}

const (
	captureHead = 512 << 10
	captureTail = 64 << 10
)

func (c *capture) add(p []byte) {
	if room := captureHead - len(c.head); room > 0 {
		n := min(room, len(p))
		c.head = append(c.head, p[:n]...)
		p = p[n:]
	}
	if len(p) == 0 {
		return
	}
	c.tail = append(c.tail, p...)
	if over := len(c.tail) - captureTail; over > 0 {
		c.tail = append(c.tail[:0], c.tail[over:]...)
		c.cut = true
	}
}

func (c *capture) String() string {
	if c.cut {
		return string(c.head) + "\n...\n" + string(c.tail)
	}
	return string(c.head) + string(c.tail)
}

// pump copies r to w through the limiter until r ends, keeping a capture.
func pump(r io.Reader, w io.Writer, l *limiter, c *capture) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			c.add(buf[:n])
			if keep := l.pass(n); keep > 0 {
				_, _ = w.Write(buf[:keep])
			}
		}
		if err != nil {
			return
		}
	}
}
