package worker

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/gospeed/gospeed/kernel"
	"github.com/gospeed/gospeed/kernel/display"
)

// The kernel and its worker talk over a socket pair (the worker's fd 3) in
// messages: a 4-byte big-endian length, then JSON. The kernel sends requests
// with an ID; the worker answers each with a message of the same ID, and
// sends events (rich output) with ID 0 at any time.
//
// Text output does not travel here: the worker's fds 1 and 2 are pipes that
// the kernel reads, so that output of compiled code, of goroutines and of
// the Go runtime itself (a fatal error's report) reaches the kernel even
// when the worker dies. To keep text and rich output in order, the worker
// writes a sync mark into both pipes before every event, and numbers it in
// the message; the kernel passes the message on once it has read that many
// marks from both pipes. A reply needs no mark when the pipes are drained
// as it leaves: the kernel has read all the text before it.

// Requests.
const (
	opExecute    = "execute"
	opIsComplete = "is_complete"
	opComplete   = "complete"
	opInspect    = "inspect"
	opInterrupt  = "interrupt"  // stop the running cell, or with none, the session's goroutines
	opComm       = "comm"       // a comm message from the frontend (widgets)
	opStopComms  = "stop_comms" // stop the evaluator's work outside cells (widget callbacks)
	opClose      = "close"
)

// Events.
const (
	evReady   = "ready"   // the evaluator is up (or Err says why not)
	evDisplay = "display" // Data, Update
	evComm    = "comm"    // MsgType, Content, Buffers: a comm message to the frontend
	evClear   = "clear"   // clear the cell's output; Update: wait for new output first
)

// message is every message of either side; each kind uses a few fields.
type message struct {
	ID    uint64 `json:"id,omitempty"`
	Op    string `json:"op,omitempty"`
	Event string `json:"event,omitempty"`
	Mark  uint64 `json:"mark,omitempty"` // sync marks written before this message

	Code   string `json:"code,omitempty"`
	Cursor int    `json:"cursor,omitempty"`

	Data    *display.Data `json:"data,omitempty"`
	OK      bool          `json:"ok,omitempty"`
	Update  bool          `json:"update,omitempty"`
	Err     *Error        `json:"err,omitempty"`
	Status  string        `json:"status,omitempty"`
	Indent  string        `json:"indent,omitempty"`
	Matches []string      `json:"matches,omitempty"`
	Start   int           `json:"start,omitempty"`
	End     int           `json:"end,omitempty"`
	Stopped int           `json:"stopped,omitempty"` // goroutines an idle interrupt stopped
	Stuck   bool          `json:"stuck,omitempty"`   // the interrupted cell is still running

	MsgType string         `json:"msg_type,omitempty"`
	Content map[string]any `json:"content,omitempty"`
	Buffers [][]byte       `json:"buffers,omitempty"`
}

// maxMessage bounds what one message may claim, so a corrupt length cannot
// make either side allocate without end.
const maxMessage = 1 << 30

// codec reads and writes messages on one connection; Write may be called
// from several goroutines.
type codec struct {
	r  *bufio.Reader
	mu sync.Mutex
	w  io.Writer
}

func newCodec(rw io.ReadWriter) *codec {
	return &codec{r: bufio.NewReaderSize(rw, 64<<10), w: rw}
}

func (c *codec) write(m message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding a %s%s message: %w", m.Op, m.Event, err)
	}
	buf := make([]byte, 4+len(b))
	binary.BigEndian.PutUint32(buf, uint32(len(b)))
	copy(buf[4:], b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.w.Write(buf); err != nil {
		return fmt.Errorf("writing a %s%s message: %w", m.Op, m.Event, err)
	}
	return nil
}

func (c *codec) read() (message, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(c.r, hdr[:]); err != nil {
		return message{}, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxMessage {
		return message{}, fmt.Errorf("a message claims %d bytes, over the limit of %d", n, maxMessage)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c.r, b); err != nil {
		return message{}, fmt.Errorf("reading a message: %w", errors.Join(err, io.ErrUnexpectedEOF))
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		return message{}, fmt.Errorf("decoding a message: %w", err)
	}
	return m, nil
}

// Error is a cell's error as the kernel shows it. It crosses the pipe as
// it is, and tells the kernel its ename, evalue and traceback.
type Error struct {
	Name      string   `json:"ename"`
	Value     string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

func (e *Error) Error() string { return e.Name + ": " + e.Value }

// JupyterError is how the kernel shows e.
func (e *Error) JupyterError() (ename, evalue string, traceback []string) {
	return e.Name, e.Value, e.Traceback
}

// asError keeps what an evaluator's error says about itself.
func asError(err error) *Error {
	if err == nil {
		return nil
	}
	if je, ok := errors.AsType[kernel.JupyterError](err); ok {
		n, v, tb := je.JupyterError()
		return &Error{n, v, tb}
	}
	return &Error{Name: "Error", Value: err.Error(), Traceback: []string{err.Error()}}
}
