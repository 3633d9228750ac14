package kernel

import (
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gospeed/gospeed/kernel/wire"
)

// streamer turns a cell's stdout and stderr into Jupyter stream messages.
// Writes are batched (one message per interval or per maxChunk bytes) so a
// loop of small prints does not become thousands of messages, and throttled
// to rate bytes per second so a flood cannot hang the kernel or the browser;
// what is dropped is counted and reported once, when the cell ends.
type streamer struct {
	send     func(parent *wire.Message, name, text string)
	interval time.Duration
	maxChunk int
	rate     int
	now      func() time.Time

	mu          sync.Mutex
	parent      *wire.Message
	pending     []segment
	size        int
	timer       *time.Timer
	windowStart time.Time
	windowBytes int
	dropped     int64
}

type segment struct {
	name string // "stdout" or "stderr"
	data []byte
}

func newStreamer(rate int, send func(parent *wire.Message, name, text string)) *streamer {
	return &streamer{
		send:     send,
		interval: 50 * time.Millisecond,
		maxChunk: 64 << 10,
		rate:     rate,
		now:      time.Now,
	}
}

// Writer returns the io.Writer of one stream; it never blocks on the frontend.
func (s *streamer) Writer(name string) io.Writer { return streamWriter{s, name} }

type streamWriter struct {
	s    *streamer
	name string
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.s.Write(w.name, p)
	return len(p), nil
}

// Write queues p on stream name, within the rate limit.
func (s *streamer) Write(name string, p []byte) {
	if len(p) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Sub(s.windowStart) >= time.Second {
		s.windowStart, s.windowBytes = now, 0
	}
	keep := min(len(p), max(s.rate-s.windowBytes, 0))
	s.dropped += int64(len(p) - keep)
	if keep == 0 {
		return
	}
	s.windowBytes += keep
	if n := len(s.pending); n > 0 && s.pending[n-1].name == name {
		s.pending[n-1].data = append(s.pending[n-1].data, p[:keep]...)
	} else {
		s.pending = append(s.pending, segment{name, append([]byte(nil), p[:keep]...)})
	}
	s.size += keep
	if s.size >= s.maxChunk {
		s.flushLocked(false)
		return
	}
	if s.timer == nil {
		s.timer = time.AfterFunc(s.interval, s.Flush)
	}
}

// Flush sends what is pending now.
func (s *streamer) Flush() {
	s.mu.Lock()
	s.flushLocked(true)
	s.mu.Unlock()
}

// flushLocked sends the pending segments. Unless complete, a multi-byte
// character cut by a chunk boundary waits for its last bytes.
func (s *streamer) flushLocked(complete bool) {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	var held segment
	for i, seg := range s.pending {
		data := seg.data
		if !complete && i == len(s.pending)-1 {
			cut := incompleteTail(data)
			held = segment{seg.name, append([]byte(nil), data[len(data)-cut:]...)}
			data = data[:len(data)-cut]
		}
		if len(data) > 0 {
			s.send(s.parent, seg.name, string(data))
		}
	}
	s.pending, s.size = s.pending[:0], 0
	if len(held.data) > 0 {
		s.pending = append(s.pending, held)
		s.size = len(held.data)
	}
}

// incompleteTail is how many bytes at the end of p begin a UTF-8 character
// that is not finished yet.
func incompleteTail(p []byte) int {
	for n := 1; n <= utf8.UTFMax-1 && n <= len(p); n++ {
		b := p[len(p)-n]
		if utf8.RuneStart(b) {
			if !utf8.FullRune(p[len(p)-n:]) {
				return n
			}
			return 0
		}
	}
	return 0
}

// SetParent flushes output of the previous request and sends what follows
// with parent as its parent header.
func (s *streamer) SetParent(parent *wire.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked(true)
	s.parent = parent
	s.windowStart, s.windowBytes, s.dropped = s.now(), 0, 0
}

// Parent is the request output currently belongs to.
func (s *streamer) Parent() *wire.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.parent
}

// EndCell flushes and, if the cell's output was throttled, says how much
// was dropped.
func (s *streamer) EndCell() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked(true)
	if s.dropped > 0 {
		s.send(s.parent, "stderr", fmt.Sprintf("\n[output throttled: %d bytes dropped]\n", s.dropped))
		s.dropped = 0
	}
}

// Close sends what is pending and stops the batching timer.
func (s *streamer) Close() {
	s.Flush()
}
