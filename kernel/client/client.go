// Package client is a Go Jupyter client: it starts a kernel process (or
// connects to a running kernel) and runs code on it over ZeroMQ, speaking the
// Jupyter messaging protocol 5.3 with HMAC-SHA256 signatures.
//
//	c, err := client.Start(ctx, "gospeed", "kernel", "{connection_file}")
//	if err != nil { ... }
//	defer c.Close()
//	reply, outputs, err := c.Execute(ctx, `fmt.Println("hello")`)
//
// outputs are the iopub messages the request caused (stream, display_data,
// update_display_data, execute_result, error, clear_output), in order; the
// reply says whether the cell succeeded. A Client is safe for concurrent use.
package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gospeed/gospeed/kernel/wire"
)

// Channels a request can go to.
const (
	Shell   = "shell"
	Control = "control"
)

// Client talks to one kernel.
type Client struct {
	info    wire.ConnectionInfo
	signer  *wire.Signer
	session string

	shell, control, iopub zmq4.Socket
	sendMu                sync.Mutex
	stopSockets           context.CancelFunc
	readers               sync.WaitGroup

	mu    sync.Mutex
	calls map[string]*call // pending requests by msg_id

	// Set when the client started the kernel process.
	cmd     *exec.Cmd
	dir     string
	exited  chan struct{}
	waitErr error

	ready     bool // the kernel answered once
	closeOnce sync.Once
	closeErr  error
}

// Start starts a kernel process from argv, in which "{connection_file}" is
// replaced by a new connection file in a temporary directory (appended when
// absent), and waits, until ctx is done, for the kernel to answer. The
// kernel's stdout and stderr go to this process's stderr.
func Start(ctx context.Context, argv ...string) (*Client, error) {
	if len(argv) == 0 {
		return nil, errors.New("client: no kernel command")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return StartCommand(ctx, cmd)
}

// StartCommand is Start with a prepared command (for its environment,
// directory or output); "{connection_file}" in cmd.Args is replaced.
func StartCommand(ctx context.Context, cmd *exec.Cmd) (*Client, error) {
	info, err := wire.NewLocalConnection()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gospeed-kernel-")
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	file := filepath.Join(dir, "kernel.json")
	if err := info.WriteFile(file); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	replaced := false
	for i, a := range cmd.Args {
		if strings.Contains(a, "{connection_file}") {
			cmd.Args[i] = strings.ReplaceAll(a, "{connection_file}", file)
			replaced = true
		}
	}
	if !replaced {
		cmd.Args = append(cmd.Args, file)
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("client: starting the kernel: %w", err)
	}
	exited := make(chan struct{})
	c := &Client{cmd: cmd, dir: dir, exited: exited}
	go func() {
		c.waitErr = cmd.Wait()
		close(exited)
	}()
	if err := c.connect(ctx, info); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Connect connects to a running kernel and waits, until ctx is done, for it
// to answer.
func Connect(ctx context.Context, info wire.ConnectionInfo) (*Client, error) {
	c := &Client{exited: make(chan struct{})}
	if err := c.connect(ctx, info); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Client) connect(ctx context.Context, info wire.ConnectionInfo) error {
	signer, err := wire.NewSigner(info.Key, info.SignatureScheme)
	if err != nil {
		return err
	}
	c.info, c.signer, c.session = info, signer, wire.NewID()
	// Stop waiting as soon as a started kernel dies.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-c.exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	c.calls = map[string]*call{}
	sockCtx, stop := context.WithCancel(context.Background())
	c.stopSockets = stop
	// Dialing retries until the kernel listens; give up when ctx is done.
	defer context.AfterFunc(ctx, stop)()
	// zmq4 blocks a send until the peer is connected, by default for five
	// minutes: bound it, so that a dead kernel cannot hang the client.
	opts := []zmq4.Option{zmq4.WithDialerRetry(10 * time.Millisecond), zmq4.WithDialerMaxRetries(-1), zmq4.WithTimeout(10 * time.Second)}
	id := zmq4.SocketIdentity(c.session)
	c.shell = zmq4.NewDealer(sockCtx, append(opts, zmq4.WithID(id))...)
	c.control = zmq4.NewDealer(sockCtx, append(opts, zmq4.WithID(id))...)
	c.iopub = zmq4.NewSub(sockCtx, opts...)
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		return fmt.Errorf("client: subscribing to iopub: %w", err)
	}
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{c.iopub, info.IOPubPort}, {c.shell, info.ShellPort}, {c.control, info.ControlPort}} {
		if err := s.sock.Dial(info.Endpoint(s.port)); err != nil {
			if ctx.Err() != nil {
				return c.notReady(ctx.Err())
			}
			return fmt.Errorf("client: %w", err)
		}
	}
	for _, s := range []zmq4.Socket{c.shell, c.control, c.iopub} {
		c.readers.Go(func() { c.read(s) })
	}
	if err := c.waitReady(ctx); err != nil {
		return err
	}
	c.ready = true
	return nil
}

// waitReady asks for kernel_info until a reply and its iopub status both
// arrive: then requests are answered and published output is received.
func (c *Client) waitReady(ctx context.Context) error {
	for {
		attempt, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		_, _, err := c.Request(attempt, Shell, "kernel_info_request", map[string]any{})
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return c.notReady(fmt.Errorf("%w (last: %v)", ctx.Err(), err))
		}
	}
}

func (c *Client) notReady(err error) error {
	select {
	case <-c.exited:
		return fmt.Errorf("client: kernel exited before it answered: %v", c.waitErr)
	default:
		return fmt.Errorf("client: kernel did not answer: %w", err)
	}
}

// A call is a request waiting for its reply and for the kernel to be idle.
type call struct {
	mu     sync.Mutex
	reply  *wire.Message
	iopub  []wire.Message
	idle   bool
	notify chan struct{}
}

func (k *call) wake() {
	select {
	case k.notify <- struct{}{}:
	default:
	}
}

// read dispatches messages from sock to the calls they answer.
func (c *Client) read(sock zmq4.Socket) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			return
		}
		m, err := c.signer.Decode(raw.Frames)
		if err != nil {
			continue // not for us, or forged
		}
		c.mu.Lock()
		k := c.calls[m.ParentHeader.MsgID]
		c.mu.Unlock()
		if k == nil {
			continue
		}
		k.mu.Lock()
		if sock == c.iopub {
			if m.Type() == "status" {
				k.idle = k.idle || isIdle(m)
			} else {
				k.iopub = append(k.iopub, m)
			}
		} else {
			k.reply = &m
		}
		k.mu.Unlock()
		k.wake()
	}
}

func isIdle(m wire.Message) bool {
	var s struct {
		State string `json:"execution_state"`
	}
	return m.Decode(&s) == nil && s.State == "idle"
}

func (c *Client) send(sock zmq4.Socket, m wire.Message) error {
	frames, err := c.signer.Encode(m)
	if err != nil {
		return err
	}
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	return sock.Send(zmq4.NewMsgFrom(frames...))
}

// Request sends msgType with content on channel (Shell or Control) and
// waits until ctx is done for the reply and the kernel's idle status; iopub
// holds what the kernel published for it, apart from status and
// execute_input messages.
func (c *Client) Request(ctx context.Context, channel, msgType string, content any) (reply wire.Message, iopub []wire.Message, err error) {
	return c.request(ctx, channel, msgType, content, nil)
}

func (c *Client) request(ctx context.Context, channel, msgType string, content any, onIOPub func(wire.Message)) (wire.Message, []wire.Message, error) {
	sock := c.shell
	if channel == Control {
		sock = c.control
	}
	m, err := wire.NewMessage(c.session, msgType, nil, content)
	if err != nil {
		return wire.Message{}, nil, err
	}
	k := &call{notify: make(chan struct{}, 1)}
	c.mu.Lock()
	c.calls[m.Header.MsgID] = k
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.calls, m.Header.MsgID)
		c.mu.Unlock()
	}()
	if err := c.send(sock, m); err != nil {
		return wire.Message{}, nil, fmt.Errorf("client: sending %s: %w", msgType, err)
	}
	var all []wire.Message
	for {
		k.mu.Lock()
		fresh := k.iopub
		k.iopub = nil
		reply, idle := k.reply, k.idle
		k.mu.Unlock()
		for _, o := range fresh {
			if o.Type() == "execute_input" {
				continue
			}
			all = append(all, o)
			if onIOPub != nil {
				onIOPub(o)
			}
		}
		if reply != nil && idle {
			return *reply, all, nil
		}
		select {
		case <-k.notify:
		case <-ctx.Done():
			return wire.Message{}, all, fmt.Errorf("client: waiting for %s: %w", strings.TrimSuffix(msgType, "_request")+"_reply", ctx.Err())
		case <-c.exited:
			return wire.Message{}, all, fmt.Errorf("client: kernel exited: %v", c.waitErr)
		}
	}
}

// ExecuteRequest is the content of an execute_request.
type ExecuteRequest struct {
	Code         string `json:"code"`
	Silent       bool   `json:"silent"`
	StoreHistory bool   `json:"store_history"`
	StopOnError  bool   `json:"stop_on_error"`
	AllowStdin   bool   `json:"allow_stdin"`
	// UserExpressions is always sent empty.
	UserExpressions map[string]any `json:"user_expressions"`
}

// Reply is an execute_reply.
type Reply struct {
	Status         string // "ok", "error" or "aborted"
	ExecutionCount int
	EName, EValue  string
	Traceback      []string
	Msg            wire.Message
}

// Err is nil for status "ok", else an error naming the failure.
func (r Reply) Err() error {
	switch r.Status {
	case "ok":
		return nil
	case "error":
		return fmt.Errorf("%s: %s", r.EName, r.EValue)
	}
	return fmt.Errorf("execution %s", r.Status)
}

// Execute runs code as a notebook cell would (stored in history, stopping
// queued cells on error) and returns the reply and the cell's outputs.
// err reports only a failure to talk to the kernel; a failing cell is
// reply.Status "error". When ctx is done first, the cell is interrupted.
func (c *Client) Execute(ctx context.Context, code string) (Reply, []wire.Message, error) {
	return c.ExecuteFunc(ctx, ExecuteRequest{Code: code, StoreHistory: true, StopOnError: true}, nil)
}

// ExecuteFunc runs req, calling onOutput (if not nil) with each output as it
// arrives, from the calling goroutine.
func (c *Client) ExecuteFunc(ctx context.Context, req ExecuteRequest, onOutput func(wire.Message)) (Reply, []wire.Message, error) {
	if req.UserExpressions == nil {
		req.UserExpressions = map[string]any{}
	}
	m, outputs, err := c.request(ctx, Shell, "execute_request", req, onOutput)
	if err != nil {
		if ctx.Err() != nil {
			ictx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			c.Interrupt(ictx)
			cancel()
		}
		return Reply{}, outputs, err
	}
	var r struct {
		Status         string   `json:"status"`
		ExecutionCount int      `json:"execution_count"`
		EName          string   `json:"ename"`
		EValue         string   `json:"evalue"`
		Traceback      []string `json:"traceback"`
	}
	if err := m.Decode(&r); err != nil {
		return Reply{}, outputs, err
	}
	return Reply{r.Status, r.ExecutionCount, r.EName, r.EValue, r.Traceback, m}, outputs, nil
}

// Interrupt asks the kernel, on the control channel, to stop the running cell.
func (c *Client) Interrupt(ctx context.Context) error {
	_, _, err := c.Request(ctx, Control, "interrupt_request", map[string]any{})
	return err
}

// Shutdown asks the kernel to exit and, for a kernel this client started,
// waits until ctx is done for the process to end.
func (c *Client) Shutdown(ctx context.Context) error {
	if _, _, err := c.Request(ctx, Control, "shutdown_request", map[string]any{"restart": false}); err != nil {
		return err
	}
	if c.cmd == nil {
		return nil
	}
	select {
	case <-c.exited:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("client: kernel still running after shutdown: %w", ctx.Err())
	}
}

// Process is the kernel process this client started, or nil.
func (c *Client) Process() *os.Process {
	if c.cmd == nil {
		return nil
	}
	return c.cmd.Process
}

// Exited is closed when a kernel this client started has exited.
func (c *Client) Exited() <-chan struct{} { return c.exited }

// Close shuts a started kernel down (killing it if it does not exit within
// two seconds), closes the connection and removes the connection file.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		if c.cmd != nil {
			select {
			case <-c.exited:
			default:
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				if c.ready && c.Shutdown(ctx) == nil {
					cancel()
					break
				}
				cancel()
				c.cmd.Process.Kill()
				<-c.exited
			}
		}
		if c.stopSockets != nil {
			c.stopSockets()
			for _, s := range []zmq4.Socket{c.shell, c.control, c.iopub} {
				if s != nil {
					s.Close()
				}
			}
			c.readers.Wait()
		}
		if c.dir != "" {
			c.closeErr = os.RemoveAll(c.dir)
		}
	})
	return c.closeErr
}
