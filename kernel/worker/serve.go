package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gospeed/gospeed/kernel"
	"github.com/gospeed/gospeed/kernel/display"
)

// syncMark is what the worker writes into its stdout and stderr pipes before
// each message (see protocol.go). It is shorter than PIPE_BUF, so it is
// never interleaved with other writes.
var syncMark = []byte("\x00\x1b[gospeed-sync]\x00")

// connFD is the worker's end of the socket pair: the first of exec.Cmd's
// ExtraFiles.
const connFD = 3

// Main is the worker process: it serves the kernel that started it (on fd
// 3, with fds 1 and 2 as its output) with the evaluator newEval makes, until
// the kernel closes the connection. Call it from the worker's main.
func Main(newEval func(kernel.Outputs) (kernel.Evaluator, error)) error {
	// Non-blocking, so that the runtime's poller waits for requests instead
	// of a thread blocked in read.
	_ = unix.SetNonblock(connFD, true)
	conn := os.NewFile(connFD, "kernel connection")
	if conn == nil {
		return errors.New("worker: no kernel connection on fd 3 (the kernel starts workers itself)")
	}
	defer conn.Close()
	// An interrupt is the kernel's to give, as a message; a SIGINT sent to
	// the kernel's process group must not end the session.
	signal.Ignore(os.Interrupt)
	return Serve(context.Background(), conn, os.Stdout, os.Stderr, newEval)
}

// Serve answers the kernel's requests on conn with an evaluator whose text
// output goes to stdout and stderr. It returns when the kernel sends close
// or the connection ends.
func Serve(ctx context.Context, conn io.ReadWriter, stdout, stderr io.Writer, newEval func(kernel.Outputs) (kernel.Evaluator, error)) error {
	s := &server{c: newCodec(conn), stdout: stdout, stderr: stderr, pipes: rawConns(stdout, stderr)}
	eval, err := newEval(kernel.Outputs{Stdout: stdout, Stderr: stderr, Display: s.display, Clear: s.clear, Comm: s.comm})
	if err != nil {
		_ = s.send(message{Event: evReady, Err: asError(err)})
		return fmt.Errorf("starting the evaluator: %w", err)
	}
	s.eval = eval
	defer eval.Close()
	if err := s.send(message{Event: evReady}); err != nil {
		return err
	}
	done := make(chan error, 1)
	go s.serve(ctx, done)
	return <-done
}

// serve answers requests until the kernel sends close or the connection
// ends, and says which on done. A cell runs on the goroutine that read it,
// while a new one goes on reading: the cell starts at once, not when the
// scheduler gets to a goroutine started for it (tens of microseconds on a
// busy machine, on every cell's round trip).
func (s *server) serve(ctx context.Context, done chan<- error) {
	for {
		m, err := s.c.read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil // the kernel is gone
			} else {
				err = fmt.Errorf("worker: reading a request: %w", err)
			}
			done <- err
			return
		}
		switch m.Op {
		case opExecute:
			go s.serve(ctx, done)
			s.execute(ctx, m)
			return
		case opInterrupt:
			s.interrupt(m)
		case opIsComplete, opComplete, opInspect, opComm:
			go s.answer(m)
		case opStopComms:
			if i, ok := s.eval.(kernel.Interrupter); ok {
				i.Interrupt()
			}
		case opClose:
			done <- s.send(message{ID: m.ID})
			return
		default:
			fmt.Fprintf(s.stderr, "gospeed worker: ignored an unknown request %q\n", m.Op)
		}
	}
}

type server struct {
	c              *codec
	stdout, stderr io.Writer
	pipes          []syscall.RawConn // stdout's and stderr's, when both are files (see drained)
	eval           kernel.Evaluator

	markMu sync.Mutex
	marks  uint64

	mu     sync.Mutex
	cancel context.CancelFunc // of the running cell, or nil
}

// send writes a sync mark into both output pipes, then m numbered with it.
// A reply goes without marks when the pipes are empty: the kernel has read
// all the text before it, and settles it before the reply (pipeReader.settle).
// That saves a cell's round trip two writes here and two wake-ups there.
func (s *server) send(m message) error {
	s.markMu.Lock()
	defer s.markMu.Unlock()
	if m.Event != "" || !s.drained() {
		s.marks++
		m.Mark = s.marks
		for _, w := range []io.Writer{s.stdout, s.stderr} {
			if _, err := w.Write(syncMark); err != nil {
				return fmt.Errorf("writing a sync mark: %w", err)
			}
		}
	}
	// Under the mark's lock: messages leave in the order of their marks.
	return s.c.write(m)
}

// rawConns are the raw connections of ws, or nil when one is not a file.
func rawConns(ws ...io.Writer) []syscall.RawConn {
	var raws []syscall.RawConn
	for _, w := range ws {
		f, ok := w.(*os.File)
		if !ok {
			return nil
		}
		raw, err := f.SyscallConn()
		if err != nil {
			return nil
		}
		raws = append(raws, raw)
	}
	return raws
}

// drained reports whether the kernel has read all that was written to the
// output pipes (by this process, or by any process that shares them):
// FIONREAD (TIOCINQ on Linux) counts the bytes a pipe holds. Outputs that
// are not files are never known to be drained.
func (s *server) drained() bool {
	if s.pipes == nil {
		return false
	}
	for _, raw := range s.pipes {
		var n int
		var ioctlErr error
		if err := raw.Control(func(fd uintptr) { n, ioctlErr = unix.IoctlGetInt(int(fd), unix.TIOCINQ) }); err != nil || ioctlErr != nil || n > 0 {
			return false
		}
	}
	return true
}

func (s *server) display(d display.Data, update bool) {
	if err := s.send(message{Event: evDisplay, Data: &d, Update: update}); err != nil {
		fmt.Fprintf(s.stderr, "gospeed worker: %v\n", err)
	}
}

func (s *server) clear(wait bool) {
	if err := s.send(message{Event: evClear, Update: wait}); err != nil {
		fmt.Fprintf(s.stderr, "gospeed worker: %v\n", err)
	}
}

func (s *server) comm(msgType string, content map[string]any, buffers [][]byte) {
	if err := s.send(message{Event: evComm, MsgType: msgType, Content: content, Buffers: buffers}); err != nil {
		fmt.Fprintf(s.stderr, "gospeed worker: %v\n", err)
	}
}

func (s *server) execute(ctx context.Context, m message) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	res, ok, err := s.safeExecute(ctx, m.Code)
	s.mu.Lock()
	s.cancel = nil
	s.mu.Unlock()
	reply := message{ID: m.ID, OK: ok, Err: asError(err)}
	if ok {
		reply.Data = &res
	}
	if ctx.Err() != nil {
		reply.Stuck = !s.settled()
	}
	if err := s.send(reply); err != nil {
		fmt.Fprintf(s.stderr, "gospeed worker: %v\n", err)
	}
}

// safeExecute turns a panic of the evaluator itself into the cell's error,
// as the kernel does in its own process.
func (s *server) safeExecute(ctx context.Context, code string) (res display.Data, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Name: "InternalError", Value: fmt.Sprintf("the kernel's evaluator panicked: %v", r)}
		}
	}()
	return s.eval.Execute(ctx, code)
}

// settleTime is how long an interrupted cell has to really stop.
const settleTime = 900 * time.Millisecond

// settled reports whether an interrupted cell has stopped within settleTime.
// An evaluator may return from an interrupted cell while the cell's code is
// still blocked inside a compiled call (wg.Wait, mu.Lock); it runs the next
// cell only once that call has returned, so an empty cell tells.
func (s *server) settled() bool {
	ctx, cancel := context.WithTimeout(context.Background(), settleTime)
	defer cancel()
	_, _, err := s.eval.Execute(ctx, "")
	return err == nil && ctx.Err() == nil
}

// interrupt stops the running cell; with none, it stops the goroutines that
// earlier cells left running, when the evaluator can, and says how many.
func (s *server) interrupt(m message) {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	reply := message{ID: m.ID}
	if cancel != nil {
		cancel()
	} else if st, ok := s.eval.(interface{ StopGoroutines() int }); ok {
		reply.Stopped = st.StopGoroutines()
	}
	if err := s.send(reply); err != nil {
		fmt.Fprintf(s.stderr, "gospeed worker: %v\n", err)
	}
}

func (s *server) answer(m message) {
	reply := message{ID: m.ID}
	defer func() {
		// A panic here answers "nothing found", as the kernel does.
		if r := recover(); r != nil {
			fmt.Fprintf(s.stderr, "gospeed worker: %s panicked: %v\n", m.Op, r)
			reply = message{ID: m.ID}
		}
		if err := s.send(reply); err != nil {
			fmt.Fprintf(s.stderr, "gospeed worker: %v\n", err)
		}
	}()
	switch m.Op {
	case opIsComplete:
		reply.Status, reply.Indent = s.eval.IsComplete(m.Code)
	case opComplete:
		reply.Matches, reply.Start, reply.End = s.eval.Complete(m.Code, m.Cursor)
	case opInspect:
		d, found := s.eval.Inspect(m.Code, m.Cursor)
		if found {
			reply.Data, reply.OK = &d, true
		}
	case opComm:
		// What the handler sends on the comm leaves before this answer, so
		// the kernel gives it the frontend's message as parent.
		if h, ok := s.eval.(kernel.CommHandler); ok {
			h.HandleComm(m.MsgType, m.Content, m.Buffers)
		}
	}
}
