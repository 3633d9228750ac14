package worker

import (
	"bytes"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pipeReader copies one of the worker's output pipes (fd 1 or 2) to where
// the kernel wants it, takes the sync marks out and counts them, and, on
// stderr, holds back a report of the Go runtime: when the worker dies of a
// fatal error, its last words are for the crash report, not the stream.
type pipeReader struct {
	r     *os.File
	crash bool // watch for a runtime report (stderr)

	mu    sync.Mutex
	cond  *sync.Cond
	busy  bool      // bytes read from the pipe are not all passed on yet
	sink  io.Writer // where text goes now (nil: discard, while restoring)
	marks uint64    // sync marks read
	// released is the last mark whose message has been passed on: text
	// after a mark waits for it, so that it follows that message.
	released uint64
	eof      bool
	held     bytes.Buffer // a runtime report, held back
	heldAt   time.Time    // when holding began; zero: not holding
	lineEnd  bool         // the last byte passed on ended a line
}

// maxHeld bounds a held report: the reason and the first goroutines are at
// its start, and a dump of thousands of goroutines is of no use beyond.
const maxHeld = 256 << 10

// holdFor is how long a suspected runtime report is held while the worker
// lives on: then it was ordinary output after all, and is passed on.
const holdFor = 2 * time.Second

func newPipeReader(r *os.File, crash bool) *pipeReader {
	p := &pipeReader{r: r, crash: crash, lineEnd: true}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// run copies until the pipe ends (when the worker and every process that
// inherited the pipe have exited).
func (p *pipeReader) run() {
	defer p.r.Close()
	raw, err := p.r.SyscallConn()
	if err != nil { // not a pipe that can be read: nothing will come
		p.mu.Lock()
		p.eof = true
		p.cond.Broadcast()
		p.mu.Unlock()
		return
	}
	buf := make([]byte, 64<<10)
	var carry []byte
	for {
		n, err := p.readLocked(raw, buf)
		p.busy = true
		data := append(carry, buf[:n]...)
		for {
			at := bytes.Index(data, syncMark)
			if at < 0 {
				break
			}
			p.pass(data[:at])
			p.marks++
			p.cond.Broadcast()
			p.awaitRelease(p.marks)
			data = data[at+len(syncMark):]
		}
		keep := markPrefixAtEnd(data)
		p.pass(data[:len(data)-keep])
		carry = append(carry[:0:0], data[len(data)-keep:]...)
		if err != nil {
			p.pass(carry)
			p.eof = true
		}
		p.busy = false
		p.cond.Broadcast()
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// readLocked reads what the pipe holds into buf, and returns with p.mu held
// from before the read: whoever takes p.mu after the pipe is drained finds
// its bytes passed on, or the reader busy with them (see settle).
func (p *pipeReader) readLocked(raw syscall.RawConn, buf []byte) (int, error) {
	var n int
	var readErr error
	locked := false
	err := raw.Read(func(fd uintptr) bool {
		p.mu.Lock()
		n, readErr = unix.Read(int(fd), buf)
		if readErr == unix.EAGAIN || readErr == unix.EINTR {
			p.mu.Unlock()
			return false // wait until the pipe has bytes
		}
		locked = true
		return true
	})
	if !locked {
		p.mu.Lock()
	}
	switch {
	case err != nil:
		return 0, err
	case readErr != nil:
		return 0, readErr
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// settle returns once every byte read from the pipe so far has been passed
// on: for a message sent without a mark, when the worker found the pipe
// drained.
func (p *pipeReader) settle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.busy {
		p.cond.Wait()
	}
}

// runtimeReport are the line starts with which the Go runtime begins what it
// writes before it ends the process.
var runtimeReport = [][]byte{
	[]byte("fatal error: "),
	[]byte("panic: "),
	[]byte("runtime: "),
	[]byte("SIGSEGV: "),
	[]byte("SIGBUS: "),
	[]byte("unexpected fault address "),
}

// pass hands b on, or holds it once a runtime report has begun. p.mu is held.
func (p *pipeReader) pass(b []byte) {
	if len(b) == 0 {
		return
	}
	if p.crash && p.heldAt.IsZero() {
		if at := reportStart(b, p.lineEnd); at >= 0 {
			p.write(b[:at])
			b = b[at:]
			began := time.Now()
			p.heldAt = began
			time.AfterFunc(holdFor, func() { p.release(began) })
		}
	}
	if !p.heldAt.IsZero() {
		if time.Since(p.heldAt) < holdFor {
			if room := maxHeld - p.held.Len(); room > 0 {
				p.held.Write(b[:min(len(b), room)])
			}
			return
		}
		// The worker lived on: it was a learner's own text.
		p.write(p.held.Bytes())
		p.held.Reset()
		p.heldAt = time.Time{}
	}
	p.write(b)
}

// release passes on a report held since began if the worker still lives
// (a dead worker's pipe has ended by then, and its report is kept).
func (p *pipeReader) release(began time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.heldAt.Equal(began) && !p.eof {
		p.write(p.held.Bytes())
		p.held.Reset()
		p.heldAt = time.Time{}
	}
}

func (p *pipeReader) write(b []byte) {
	if len(b) == 0 {
		return
	}
	p.lineEnd = b[len(b)-1] == '\n'
	if p.sink != nil {
		p.sink.Write(b)
	}
}

// reportStart is where in b a runtime report begins at a line start, or -1;
// atLineStart says whether b itself begins a line.
func reportStart(b []byte, atLineStart bool) int {
	for i := 0; i < len(b); {
		if i > 0 || atLineStart {
			for _, prefix := range runtimeReport {
				if bytes.HasPrefix(b[i:], prefix) {
					return i
				}
			}
		}
		nl := bytes.IndexByte(b[i:], '\n')
		if nl < 0 {
			return -1
		}
		i += nl + 1
	}
	return -1
}

// markPrefixAtEnd is the length of the longest end of p that could be the
// start of a sync mark split across reads.
func markPrefixAtEnd(p []byte) int {
	for n := min(len(syncMark)-1, len(p)); n > 0; n-- {
		if bytes.HasPrefix(syncMark, p[len(p)-n:]) {
			return n
		}
	}
	return 0
}

// releaseWait bounds how long text waits for the message of its mark (a
// message that never comes must not stop the output).
const releaseWait = time.Second

// awaitRelease waits until the message of mark n has been passed on. p.mu is held.
func (p *pipeReader) awaitRelease(n uint64) {
	if p.released >= n {
		return
	}
	timer := time.AfterFunc(releaseWait, func() {
		p.mu.Lock()
		p.released = max(p.released, n)
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer timer.Stop()
	for p.released < n {
		p.cond.Wait()
	}
}

// release lets the text after mark n through: its message has been passed on.
func (p *pipeReader) releaseMark(n uint64) {
	p.mu.Lock()
	p.released = max(p.released, n)
	p.cond.Broadcast()
	p.mu.Unlock()
}

// marksRead is how many sync marks have been read.
func (p *pipeReader) marksRead() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.marks
}

// setSink changes where text goes (nil: nowhere).
func (p *pipeReader) setSink(w io.Writer) {
	p.mu.Lock()
	p.sink = w
	p.mu.Unlock()
}

// waitMarks waits until n marks have been read, the pipe has ended, or the
// deadline passes; it reports whether n marks were read.
func (p *pipeReader) waitMarks(n uint64, deadline time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waitLocked(deadline, func() bool { return p.marks >= n })
	return p.marks >= n
}

// report waits (until deadline) for the pipe to end and returns the held
// runtime report, if any.
func (p *pipeReader) report(deadline time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waitLocked(deadline, func() bool { return false })
	return p.held.String()
}

// waitLocked waits until done, the pipe's end, or the deadline. p.mu is held.
func (p *pipeReader) waitLocked(deadline time.Time, done func() bool) {
	stop := time.AfterFunc(time.Until(deadline), func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer stop.Stop()
	for !done() && !p.eof && time.Now().Before(deadline) {
		p.cond.Wait()
	}
}
