package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// fdCapture redirects the process's file descriptors 1 and 2 into pipes, so
// that everything a cell prints reaches the notebook: the interpreter's
// fmt.Print, goroutines the cell started, compiled lessons code, even C code.
// The kernel keeps a duplicate of the original stderr for its own log.
type fdCapture struct {
	Log *os.File // the original stderr

	sink    func(name string, p []byte)
	saved   [2]int // duplicates of the original fds 1 and 2, for restore
	writers [2]*os.File
	acks    [2]chan struct{}
	done    sync.WaitGroup
	syncMu  sync.Mutex
}

// syncMark is written into a pipe by Sync; when the copier reads it, all
// output written before it has been handed to the sink. It is shorter than
// PIPE_BUF, so it is never interleaved with other writes.
var syncMark = []byte("\x00\x1b[gospeed-sync]\x00")

var streamNames = [2]string{"stdout", "stderr"}

// captureFDs starts capturing fds 1 and 2 into sink.
func captureFDs(sink func(name string, p []byte)) (*fdCapture, error) {
	c := &fdCapture{sink: sink}
	logFD, err := unix.Dup(2)
	if err != nil {
		return nil, fmt.Errorf("dup stderr: %w", err)
	}
	unix.CloseOnExec(logFD)
	c.Log = os.NewFile(uintptr(logFD), "/dev/stderr (kernel log)")
	for i, fd := range []int{1, 2} {
		saved, err := unix.Dup(fd)
		if err != nil {
			c.Restore()
			return nil, fmt.Errorf("dup fd %d: %w", fd, err)
		}
		unix.CloseOnExec(saved)
		c.saved[i] = saved
		r, w, err := os.Pipe()
		if err != nil {
			c.Restore()
			return nil, fmt.Errorf("pipe: %w", err)
		}
		// A bigger pipe lets a burst of output through without stalling the cell.
		_, _ = unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 1<<20)
		if err := unix.Dup2(int(w.Fd()), fd); err != nil {
			r.Close()
			w.Close()
			c.Restore()
			return nil, fmt.Errorf("dup2 onto fd %d: %w", fd, err)
		}
		c.writers[i] = w
		c.acks[i] = make(chan struct{}, 1)
		c.done.Add(1)
		go c.copy(i, r)
	}
	return c, nil
}

// copy moves what arrives in pipe i to the sink, acknowledging sync marks.
func (c *fdCapture) copy(i int, r *os.File) {
	defer c.done.Done()
	defer r.Close()
	buf := make([]byte, 64<<10)
	var carry []byte
	for {
		n, err := r.Read(buf)
		data := append(carry, buf[:n]...)
		for {
			at := bytes.Index(data, syncMark)
			if at < 0 {
				break
			}
			if at > 0 {
				c.sink(streamNames[i], data[:at])
			}
			select {
			case c.acks[i] <- struct{}{}:
			default:
			}
			data = data[at+len(syncMark):]
		}
		keep := markPrefixAtEnd(data)
		if len(data)-keep > 0 {
			c.sink(streamNames[i], data[:len(data)-keep])
		}
		carry = append(carry[:0:0], data[len(data)-keep:]...)
		if err != nil {
			if len(carry) > 0 {
				c.sink(streamNames[i], carry)
			}
			return
		}
	}
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

// Sync waits, at most timeout, until everything written to fds 1 and 2
// before the call has reached the sink.
func (c *fdCapture) Sync(timeout time.Duration) error {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for i, w := range c.writers {
		select { // forget a stale acknowledgement
		case <-c.acks[i]:
		default:
		}
		if _, err := w.Write(syncMark); err != nil {
			return fmt.Errorf("sync %s: %w", streamNames[i], err)
		}
	}
	for i := range c.writers {
		select {
		case <-c.acks[i]:
		case <-deadline.C:
			return errors.New("output sync timed out")
		}
	}
	return nil
}

// Restore puts the original fds 1 and 2 back and waits (briefly: a child
// process may still hold a pipe) for the copiers to drain.
func (c *fdCapture) Restore() error {
	var errs []error
	for i, fd := range []int{1, 2} {
		if c.saved[i] > 0 {
			if err := unix.Dup2(c.saved[i], fd); err != nil {
				errs = append(errs, fmt.Errorf("restore fd %d: %w", fd, err))
			}
			unix.Close(c.saved[i])
			c.saved[i] = 0
		}
		if c.writers[i] != nil {
			c.writers[i].Close()
			c.writers[i] = nil
		}
	}
	drained := make(chan struct{})
	go func() { c.done.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(time.Second):
		errs = append(errs, errors.New("output copiers still running (a child process holds stdout or stderr)"))
	}
	return errors.Join(errs...)
}
