// Package kernel is gospeed's Jupyter kernel: it speaks the Jupyter
// messaging protocol (version 5.3) over ZeroMQ and hands cells to an
// Evaluator, by default the yaegi-based repl.Session.
//
// Shell requests are served one at a time, in order, on their own goroutine;
// control requests (interrupt, shutdown) on another, so they are answered
// while a cell runs. Every incoming message's HMAC-SHA256 signature is
// checked, and a signature seen before is refused (a replayed message); a
// message that fails is logged and dropped, and the kernel serves on. A peer
// that announces a frame over Options.MaxFrame is disconnected before
// anything is allocated for it.
//
// The kernel itself needs no interpreter: `gospeed kernel` gives it an
// Evaluator that runs cells in a worker process (package kernel/worker), so
// that a fatal error of the Go runtime ends the worker, not the kernel.
package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/docs"
	"github.com/gospeed/gospeed/kernel/repl"
	"github.com/gospeed/gospeed/kernel/wire"
)

// Version is the kernel's implementation version.
const Version = "0.1.0"

// Evaluator runs cells; *repl.Session is the real one.
type Evaluator interface {
	Execute(ctx context.Context, code string) (result display.Data, ok bool, err error)
	IsComplete(code string) (status, indent string)
	Complete(code string, cursor int) (matches []string, start, end int)
	Inspect(code string, cursor int) (display.Data, bool)
	Close() error
}

// Outputs are where an Evaluator writes: the cell's streams and rich displays.
type Outputs struct {
	Stdout, Stderr io.Writer
	// Display sends display_data, or update_display_data when update is true.
	Display func(d display.Data, update bool)
	// Comm sends comm_open, comm_msg or comm_close (comm.go).
	Comm func(msgType string, content map[string]any, buffers [][]byte)
	// Clear sends clear_output; with wait, the frontend clears when new output arrives.
	Clear func(wait bool)
}

// Options configure Run.
type Options struct {
	// Log receives the kernel's own log. Default: os.Stderr.
	Log io.Writer
	// NewEvaluator builds the evaluator. Default: repl.New with Doc, in this process
	// (tests; `gospeed kernel` runs a worker process instead).
	NewEvaluator func(Outputs) (Evaluator, error)
	// MaxFrame is the largest ZeroMQ frame accepted from a peer; a peer that
	// announces a bigger one is disconnected. Default wire.DefaultMaxFrame.
	MaxFrame uint64
	// Doc is what inspect shows in the default evaluator. Default: docs.Standard().
	Doc docs.Provider
	// OutputRate caps a cell's stream output in bytes per second; the rest
	// is dropped and counted. Default 1 MiB.
	OutputRate int
	// Signals, if not nil, delivers signals: SIGINT interrupts the running
	// cell (interrupt_mode "signal"), any other signal shuts the kernel down.
	Signals <-chan os.Signal
}

// Run serves the kernel described by connectionFile until a shutdown_request
// or until ctx is done.
func Run(ctx context.Context, connectionFile string, opt Options) error {
	info, err := wire.ReadConnectionFile(connectionFile)
	if err != nil {
		return err
	}
	return Serve(ctx, info, opt)
}

// Serve is Run with the connection already read.
func Serve(ctx context.Context, info wire.ConnectionInfo, opt Options) error {
	signer, err := wire.NewSigner(info.Key, info.SignatureScheme)
	if err != nil {
		return err
	}
	if opt.OutputRate <= 0 {
		opt.OutputRate = 1 << 20
	}
	if opt.NewEvaluator == nil {
		opt.NewEvaluator = newRepl(opt.Doc)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opt.MaxFrame > 0 {
		ctx = wire.WithMaxFrame(ctx, opt.MaxFrame)
	}
	k := &kernel{
		info:    info,
		signer:  signer,
		session: wire.NewID(),
		stop:    cancel,
	}
	k.out = newStreamer(opt.OutputRate, k.publishStream)
	defer k.out.Close()

	logTo := opt.Log
	if logTo == nil {
		logTo = os.Stderr
	}
	k.log = log.New(logTo, "gospeed kernel: ", log.LstdFlags)
	outputs := Outputs{Stdout: k.out.Writer("stdout"), Stderr: k.out.Writer("stderr"), Display: k.display, Clear: k.clear, Comm: k.sendComm}

	if err := k.bind(ctx); err != nil {
		k.closeSockets()
		return err
	}
	defer k.closeSockets()

	k.eval, err = opt.NewEvaluator(outputs)
	if err != nil {
		return fmt.Errorf("starting the interpreter: %w", err)
	}

	shellQ := make(chan queued, 1024)
	controlQ := make(chan queued, 64)
	var wg sync.WaitGroup
	wg.Go(func() { k.heartbeat(ctx) })
	shellIn := k.serveCommsApart(ctx, &wg, shellQ) // comm.go
	wg.Go(func() { k.receive(ctx, k.shell, "shell", shellIn) })
	wg.Go(func() { k.receive(ctx, k.control, "control", controlQ) })
	wg.Go(func() { k.receive(ctx, k.stdin, "stdin", nil) })
	wg.Go(func() { k.serveControl(ctx, controlQ) })
	shellDone := make(chan struct{})
	go func() {
		defer close(shellDone)
		k.serveShell(ctx, shellQ)
	}()

	k.waitForEnd(ctx, opt.Signals)
	cancel()
	k.interrupt()
	stopped := true
	select {
	case <-shellDone:
	case <-time.After(2 * time.Second):
		stopped = false
		k.log.Printf("the running cell did not stop within 2s of shutdown")
	}
	k.out.Flush()
	if stopped { // else the cell still uses the interpreter
		if err := k.eval.Close(); err != nil {
			k.log.Printf("closing the interpreter: %v", err)
		}
	}
	// The PUB socket sends from a queue: give the last status and the
	// shutdown reply's neighbours a moment to leave before closing.
	time.Sleep(50 * time.Millisecond)
	k.closeSockets()
	wg.Wait()
	return nil
}

// waitForEnd returns when ctx is done (shutdown_request) or a signal other
// than SIGINT arrives; SIGINT interrupts the running cell.
func (k *kernel) waitForEnd(ctx context.Context, signals <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-signals:
			if sig != os.Interrupt && sig != syscall.SIGINT {
				k.log.Printf("%v: shutting down", sig)
				return
			}
			k.log.Printf("SIGINT: interrupting the running cell")
			k.interruptRequest()
		}
	}
}

func newRepl(doc docs.Provider) func(Outputs) (Evaluator, error) {
	return func(o Outputs) (Evaluator, error) {
		return repl.New(repl.Config{Stdout: o.Stdout, Stderr: o.Stderr, Display: o.Display, Clear: o.Clear, Comm: o.Comm, Doc: doc})
	}
}

type kernel struct {
	info    wire.ConnectionInfo
	signer  *wire.Signer
	replays wire.ReplayGuard
	session string
	log     *log.Logger
	eval    Evaluator
	out     *streamer
	stop    context.CancelFunc
	comms   commRegistry

	hb, shell, control, stdin, iopub zmq4.Socket
	sendMu                           sync.Mutex // zmq4 sockets are not for concurrent senders
	closeOnce                        sync.Once

	cellMu     sync.Mutex
	cancelCell context.CancelFunc // of the running cell, nil between cells

	// arrivals numbers the requests as they are queued, so that a failed
	// cell aborts only the requests queued before its reply.
	arrivals atomic.Uint64

	// Owned by the shell goroutine.
	execCount int
	history   []historyEntry
}

// queued is a request in a queue, numbered in order of arrival.
type queued struct {
	wire.Message
	seq uint64
}

type historyEntry struct {
	session, line int
	input         string
	output        any // the result's text/plain, or nil
}

func (k *kernel) bind(ctx context.Context) error {
	// zmq4 logs a peer it drops (a bad handshake, an oversized frame):
	// into the kernel's log, not onto the process's stderr.
	logTo := zmq4.WithLogger(k.log)
	k.hb = zmq4.NewRep(ctx, logTo)
	k.shell = zmq4.NewRouter(ctx, logTo)
	k.control = zmq4.NewRouter(ctx, logTo)
	k.stdin = zmq4.NewRouter(ctx, logTo)
	k.iopub = zmq4.NewPub(ctx, logTo)
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{k.hb, k.info.HBPort}, {k.shell, k.info.ShellPort}, {k.control, k.info.ControlPort}, {k.stdin, k.info.StdinPort}, {k.iopub, k.info.IOPubPort}} {
		if err := s.sock.Listen(k.info.Endpoint(s.port)); err != nil {
			return fmt.Errorf("binding %s: %w", k.info.Endpoint(s.port), err)
		}
	}
	return nil
}

func (k *kernel) closeSockets() {
	k.closeOnce.Do(func() {
		for _, s := range []zmq4.Socket{k.hb, k.shell, k.control, k.stdin, k.iopub} {
			if s != nil {
				s.Close()
			}
		}
	})
}

// heartbeat echoes every ping, so the frontend knows the kernel is alive.
func (k *kernel) heartbeat(ctx context.Context) {
	for {
		msg, err := k.hb.Recv()
		if err != nil {
			return
		}
		if err := k.hb.Send(msg); err != nil && ctx.Err() == nil {
			k.log.Printf("heartbeat: echoing a ping: %v", err)
		}
	}
}

// receive reads a socket, checks each message and queues the good ones on q
// (or drops them all when q is nil).
func (k *kernel) receive(ctx context.Context, sock zmq4.Socket, name string, q chan<- queued) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			return // the socket was closed: zmq4 drops a failing peer on its own
		}
		m, err := k.signer.Decode(raw.Frames)
		if err == nil {
			err = k.replays.Check(raw.Frames)
		}
		if err != nil {
			k.log.Printf("%s: dropped a message: %v", name, err)
			continue
		}
		if q == nil {
			k.log.Printf("%s: ignored %s (no input is requested)", name, m.Type())
			continue
		}
		select {
		case q <- queued{m, k.arrivals.Add(1)}:
		case <-ctx.Done():
			return
		}
	}
}

// send signs and sends m on sock.
func (k *kernel) send(sock zmq4.Socket, m wire.Message) {
	frames, err := k.signer.Encode(m)
	if err != nil {
		k.log.Printf("encoding a %s message: %v", m.Type(), err)
		return
	}
	k.sendMu.Lock()
	err = sock.Send(zmq4.NewMsgFrom(frames...))
	k.sendMu.Unlock()
	if err != nil {
		k.log.Printf("sending a %s message: %v", m.Type(), err)
	}
}

// reply answers request on sock with msgType and content.
func (k *kernel) reply(sock zmq4.Socket, request *wire.Message, msgType string, content any) {
	m, err := wire.NewMessage(k.session, msgType, request, content)
	if err != nil {
		k.log.Printf("making the %s to %s: %v", msgType, request.Type(), err)
		return
	}
	m.Metadata = map[string]any{}
	k.send(sock, m)
}

// publish sends an iopub message whose parent is parent (nil: none).
func (k *kernel) publish(parent *wire.Message, msgType string, content any) {
	m, err := wire.NewMessage(k.session, msgType, nil, content)
	if err != nil {
		k.log.Printf("making an iopub %s message: %v", msgType, err)
		return
	}
	if parent != nil {
		m.ParentHeader = parent.Header
	}
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	k.send(k.iopub, m)
}

func (k *kernel) publishStatus(parent *wire.Message, state string) {
	k.publish(parent, "status", map[string]string{"execution_state": state})
}

func (k *kernel) publishStream(parent *wire.Message, name, text string) {
	k.publish(parent, "stream", map[string]string{"name": name, "text": text})
}

// syncOutput makes sure all output printed so far has been sent, so that
// what follows (a result, an error, idle) comes after it. (The evaluator has
// already handed over all of a cell's output when Execute returns or
// Display is called: a worker syncs its pipes first.)
func (k *kernel) syncOutput() {
	k.out.Flush()
}

// display is the evaluator's Display callback: rich output of the cell
// currently running (or of the last one, for a straggling goroutine).
func (k *kernel) display(d display.Data, update bool) {
	k.syncOutput()
	msgType := "display_data"
	if update {
		msgType = "update_display_data"
	}
	k.publish(k.out.Parent(), msgType, bundle(d, true))
}

// clear is the evaluator's Clear callback: clear_output for the cell
// currently running (or the last one), after the output sent before it.
func (k *kernel) clear(wait bool) {
	k.syncOutput()
	k.publish(k.out.Parent(), "clear_output", map[string]bool{"wait": wait})
}

// bundle is the content of a display_data-like message.
func bundle(d display.Data, transient bool) map[string]any {
	c := map[string]any{"data": nonNil(d.Data), "metadata": nonNil(d.Metadata)}
	if transient {
		c["transient"] = nonNil(d.Transient)
	}
	return c
}

func nonNil(m display.MIMEMap) display.MIMEMap {
	if m == nil {
		return display.MIMEMap{}
	}
	return m
}

// interrupt cancels the running cell, if any, and the evaluator's work
// outside cells (widget callbacks).
func (k *kernel) interrupt() (cellRunning bool) {
	k.cellMu.Lock()
	if k.cancelCell != nil {
		k.cancelCell()
		cellRunning = true
	}
	k.cellMu.Unlock()
	k.interruptComms()
	return cellRunning
}

// GoroutineStopper is an Evaluator that can stop the goroutines earlier
// cells left running: what an interrupt means when no cell runs.
type GoroutineStopper interface {
	StopGoroutines() (stopped int)
}

// interruptRequest is the learner's interrupt (interrupt_request, SIGINT):
// it stops the running cell, or with none, the goroutines cells left running.
func (k *kernel) interruptRequest() {
	if k.interrupt() {
		return
	}
	if st, ok := k.eval.(GoroutineStopper); ok {
		if n := st.StopGoroutines(); n > 0 {
			k.log.Printf("interrupt with no cell running: stopped %d goroutines left running by earlier cells", n)
		}
	}
}

func (k *kernel) setCancel(cancel context.CancelFunc) {
	k.cellMu.Lock()
	k.cancelCell = cancel
	k.cellMu.Unlock()
}

// serveControl answers control requests; it never waits for a cell.
func (k *kernel) serveControl(ctx context.Context, q <-chan queued) {
	for {
		select {
		case <-ctx.Done():
			return
		case qm := <-q:
			m := qm.Message
			k.publishStatus(&m, "busy")
			switch m.Type() {
			case "interrupt_request":
				k.interruptRequest()
				k.reply(k.control, &m, "interrupt_reply", map[string]string{"status": "ok"})
			case "shutdown_request":
				k.shutdown(&m, k.control)
			case "kernel_info_request":
				k.reply(k.control, &m, "kernel_info_reply", kernelInfo())
			default:
				k.log.Printf("control: ignored unknown message type %q", m.Type())
			}
			k.publishStatus(&m, "idle")
		}
	}
}

// shutdown replies and ends Serve; with restart, the frontend starts a new
// kernel process.
func (k *kernel) shutdown(m *wire.Message, sock zmq4.Socket) {
	var req struct {
		Restart bool `json:"restart"`
	}
	if err := m.Decode(&req); err != nil {
		k.log.Printf("shutdown: %v (shutting down anyway)", err)
	}
	k.reply(sock, m, "shutdown_reply", map[string]any{"status": "ok", "restart": req.Restart})
	k.log.Printf("shutdown requested (restart=%v)", req.Restart)
	k.stop()
}

// serveShell answers shell requests one at a time, in order.
//
// After a failed cell that asked to stop on errors, the execute requests
// that were already queued when it failed are answered "aborted", as
// ipykernel does for stop_on_error, so a "run all" stops at the first error;
// requests that arrive after its reply run. Other requests are served as usual.
func (k *kernel) serveShell(ctx context.Context, q <-chan queued) {
	var abortUpTo uint64 // requests numbered up to this one are aborted
	for {
		select {
		case <-ctx.Done():
			return
		case qm := <-q:
			m := qm.Message
			if m.Type() == "execute_request" && qm.seq <= abortUpTo {
				k.publishStatus(&m, "busy")
				k.reply(k.shell, &m, "execute_reply", map[string]any{"status": "aborted", "execution_count": k.execCount})
				k.publishStatus(&m, "idle")
				continue
			}
			k.handleShell(ctx, &m, &abortUpTo)
		}
	}
}

// handleShell serves one shell request. An execute request that fails and
// asked to stop on errors sets *abortUpTo to the last request queued before
// its reply.
func (k *kernel) handleShell(ctx context.Context, m *wire.Message, abortUpTo *uint64) {
	k.publishStatus(m, "busy")
	defer k.publishStatus(m, "idle")
	switch m.Type() {
	case "kernel_info_request":
		k.reply(k.shell, m, "kernel_info_reply", kernelInfo())
	case "execute_request":
		k.execute(ctx, m, abortUpTo)
	case "is_complete_request":
		k.isComplete(m)
	case "complete_request":
		k.complete(m)
	case "inspect_request":
		k.inspect(m)
	case "history_request":
		k.historyReply(m)
	case "comm_info_request", "comm_open", "comm_msg", "comm_close":
		k.handleComm(m) // comm.go; normally served apart, see serveCommsApart
	case "shutdown_request": // older frontends send it on shell
		k.shutdown(m, k.shell)
	default:
		k.log.Printf("shell: ignored unknown message type %q", m.Type())
	}
}

func kernelInfo() map[string]any {
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       wire.ProtocolVersion,
		"implementation":         "gospeed",
		"implementation_version": Version,
		"language_info": map[string]any{
			"name":            "go",
			"version":         runtime.Version(),
			"mimetype":        "text/x-go",
			"file_extension":  ".go",
			"codemirror_mode": "go",
			"pygments_lexer":  "go",
		},
		"banner": fmt.Sprintf("gospeed %s: Go %s on yaegi, with the lessons compiled in", Version, runtime.Version()),
		"help_links": []map[string]string{
			{"text": "Go documentation", "url": "https://go.dev/doc/"},
			{"text": "Go standard library", "url": "https://pkg.go.dev/std"},
			{"text": "yaegi", "url": "https://github.com/traefik/yaegi"},
		},
		"debugger": false,
	}
}

type executeRequest struct {
	Code            string         `json:"code"`
	Silent          bool           `json:"silent"`
	StoreHistory    *bool          `json:"store_history"`
	UserExpressions map[string]any `json:"user_expressions"`
	AllowStdin      bool           `json:"allow_stdin"`
	StopOnError     *bool          `json:"stop_on_error"`
}

// execute runs a cell: execute_input, its output as it comes, then
// execute_result or error, then the reply.
func (k *kernel) execute(ctx context.Context, m *wire.Message, abortUpTo *uint64) {
	var req executeRequest
	if err := m.Decode(&req); err != nil {
		k.log.Printf("execute: bad request: %v", err)
		k.reply(k.shell, m, "execute_reply", errorContent("BadRequest", err.Error(), nil, k.execCount))
		return
	}
	store := !req.Silent && (req.StoreHistory == nil || *req.StoreHistory)
	// As in ipykernel, only a visible cell's error stops the queue.
	stopOnError := !req.Silent && (req.StopOnError == nil || *req.StopOnError)
	if store {
		k.execCount++
	}
	count := k.execCount
	if !req.Silent {
		k.publish(m, "execute_input", map[string]any{"code": req.Code, "execution_count": count})
	}
	k.out.SetParent(m)

	cellCtx, cancel := context.WithCancel(ctx)
	k.setCancel(cancel)
	result, ok, err := k.evaluate(cellCtx, req.Code)
	k.setCancel(nil)
	cancel()
	if store {
		var output any
		if ok {
			output = result.Data[display.MIMETypeText]
		}
		k.history = append(k.history, historyEntry{1, count, req.Code, output})
	}
	k.syncOutput()
	k.out.EndCell()

	if err != nil {
		name, value, traceback := cellError(err)
		k.publish(m, "error", map[string]any{"ename": name, "evalue": value, "traceback": nonNilStrings(traceback)})
		if stopOnError {
			// Before the reply leaves: what is queued now was sent before
			// the client could know of the error.
			*abortUpTo = k.arrivals.Load()
		}
		k.reply(k.shell, m, "execute_reply", errorContent(name, value, traceback, count))
		return
	}
	if ok && !req.Silent {
		content := bundle(result, false)
		content["execution_count"] = count
		k.publish(m, "execute_result", content)
	}
	k.reply(k.shell, m, "execute_reply", map[string]any{
		"status": "ok", "execution_count": count, "user_expressions": map[string]any{}, "payload": []any{},
	})
}

// evaluate runs the evaluator, turning even its own panics into an error.
func (k *kernel) evaluate(ctx context.Context, code string) (result display.Data, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			k.log.Printf("evaluator panicked: %v", r)
			err = &repl.Error{Name: "InternalError", Value: fmt.Sprintf("the kernel's evaluator panicked: %v", r)}
		}
	}()
	return k.eval.Execute(ctx, code)
}

// safely runs an evaluator call; a panic in it is logged, and the request
// gets the reply for "nothing found".
func (k *kernel) safely(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			k.log.Printf("%s: the evaluator panicked: %v", what, r)
		}
	}()
	f()
}

// JupyterError is an error that knows how Jupyter shows it: the ename,
// evalue and traceback of an error reply (*repl.Error, compiled cells' and
// the worker's errors).
type JupyterError interface {
	error
	JupyterError() (ename, evalue string, traceback []string)
}

func cellError(err error) (name, value string, traceback []string) {
	if je, ok := errors.AsType[JupyterError](err); ok {
		return je.JupyterError()
	}
	return "Error", err.Error(), []string{err.Error()}
}

func errorContent(name, value string, traceback []string, count int) map[string]any {
	return map[string]any{
		"status": "error", "ename": name, "evalue": value, "traceback": nonNilStrings(traceback),
		"execution_count": count,
	}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (k *kernel) isComplete(m *wire.Message) {
	var req struct {
		Code string `json:"code"`
	}
	if err := m.Decode(&req); err != nil {
		k.reply(k.shell, m, "is_complete_reply", map[string]string{"status": "unknown"})
		return
	}
	status, indent := "unknown", ""
	k.safely("is_complete", func() { status, indent = k.eval.IsComplete(req.Code) })
	content := map[string]string{"status": status}
	if status == "incomplete" {
		content["indent"] = indent
	}
	k.reply(k.shell, m, "is_complete_reply", content)
}

func (k *kernel) complete(m *wire.Message) {
	var req struct {
		Code      string `json:"code"`
		CursorPos int    `json:"cursor_pos"`
	}
	matches, start, end := []string{}, 0, 0
	if err := m.Decode(&req); err == nil {
		start, end = req.CursorPos, req.CursorPos
		k.safely("complete", func() {
			if got, s, e := k.eval.Complete(req.Code, req.CursorPos); got != nil {
				matches, start, end = got, s, e
			}
		})
	}
	k.reply(k.shell, m, "complete_reply", map[string]any{
		"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": end, "metadata": map[string]any{},
	})
}

func (k *kernel) inspect(m *wire.Message) {
	var req struct {
		Code      string `json:"code"`
		CursorPos int    `json:"cursor_pos"`
	}
	content := map[string]any{"status": "ok", "found": false, "data": map[string]any{}, "metadata": map[string]any{}}
	if err := m.Decode(&req); err == nil {
		k.safely("inspect", func() {
			if d, found := k.eval.Inspect(req.Code, req.CursorPos); found {
				content["found"], content["data"], content["metadata"] = true, nonNil(d.Data), nonNil(d.Metadata)
			}
		})
	}
	k.reply(k.shell, m, "inspect_reply", content)
}

// historyReply serves "tail" (the last n cells), "range" and "search"
// (a glob, * and ?) from this process's history. With output, each entry's
// input becomes [input, output], output being the result's text or null.
func (k *kernel) historyReply(m *wire.Message) {
	var req struct {
		Output         bool   `json:"output"`
		Raw            bool   `json:"raw"`
		HistAccessType string `json:"hist_access_type"`
		Session        int    `json:"session"`
		Start          int    `json:"start"`
		Stop           int    `json:"stop"`
		N              int    `json:"n"`
		Pattern        string `json:"pattern"`
		Unique         bool   `json:"unique"`
	}
	if err := m.Decode(&req); err != nil {
		k.log.Printf("history: bad request, answering with the whole history: %v", err)
	}
	entries := selectHistory(k.history, req.HistAccessType, req.N, req.Session, req.Start, req.Stop, req.Pattern, req.Unique)
	rows := make([][3]any, len(entries))
	for i, e := range entries {
		rows[i] = [3]any{e.session, e.line, e.input}
		if req.Output {
			rows[i][2] = [2]any{e.input, e.output}
		}
	}
	k.reply(k.shell, m, "history_reply", map[string]any{"status": "ok", "history": rows})
}
