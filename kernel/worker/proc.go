package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// errDied is what a request gets when the worker process has ended.
var errDied = errors.New("the worker process ended")

// proc is one worker process and the kernel's ends of its connection and
// output pipes.
type proc struct {
	cmd            *exec.Cmd
	c              *codec
	conn           *os.File
	stdout, stderr *pipeReader
	display        func(p *proc, m message) // rich output events
	shown          atomic.Bool              // its output reaches the notebook (not while restoring)
	memLimit       int64

	ready    chan struct{} // closed when the evaluator is up, or the process ended
	readyErr error         // set before ready is closed
	dead     chan struct{} // closed when the process has ended
	oom      atomic.Bool   // the memory watch ended it

	mu      sync.Mutex
	pending map[uint64]chan message
	nextID  uint64
}

// startProc starts a worker whose text goes to stdout and stderr (nil:
// nowhere) and whose rich output goes to display.
func startProc(cfg Config, stdout, stderr io.Writer, display func(*proc, message)) (*proc, error) {
	// Non-blocking, so that Go's poller waits for the worker's messages
	// instead of a thread blocked in read (the child's end is made blocking
	// again when it is passed on, and Main sets it back).
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("worker: socket pair: %w", err)
	}
	conn, childConn := os.NewFile(uintptr(fds[0]), "worker connection"), os.NewFile(uintptr(fds[1]), "kernel connection")
	defer childConn.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("worker: stdout pipe: %w", err)
	}
	defer outW.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		conn.Close()
		outR.Close()
		return nil, fmt.Errorf("worker: stderr pipe: %w", err)
	}
	defer errW.Close()
	for _, w := range []*os.File{outW, errW} {
		// A bigger pipe lets a burst of output through without stalling the cell.
		_, _ = unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 1<<20)
	}

	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Env = append(os.Environ(), cfg.Env...)
	// The runtime's garbage collector works harder as the worker nears its
	// limit, before the memory watch has to end it.
	cmd.Env = append(cmd.Env, "GOMEMLIMIT="+strconv.FormatInt(cfg.MemoryLimit/10*9, 10))
	cmd.Stdout, cmd.Stderr = outW, errW // stdin: /dev/null, so a cell reading it gets EOF
	cmd.ExtraFiles = []*os.File{childConn}
	// Its own process group: a SIGINT meant for the kernel does not reach
	// it, and killing the group ends what the cells started too. Pdeathsig:
	// it never outlives the kernel.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		conn.Close()
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("worker: starting %s: %w", strings.Join(cfg.Command, " "), err)
	}
	p := &proc{
		cmd: cmd, c: newCodec(conn), conn: conn,
		stdout: newPipeReader(outR, false), stderr: newPipeReader(errR, true),
		display: display, memLimit: cfg.MemoryLimit,
		ready: make(chan struct{}), dead: make(chan struct{}),
		pending: map[uint64]chan message{},
	}
	p.stdout.sink, p.stderr.sink = stdout, stderr
	go p.stdout.run()
	go p.stderr.run()
	go p.readLoop()
	go p.wait()
	go p.watchMemory()
	return p, nil
}

// readLoop passes the worker's messages on, each after the text written
// before it.
func (p *proc) readLoop() {
	var readyOnce sync.Once
	markReady := func(err error) {
		readyOnce.Do(func() { p.readyErr = err; close(p.ready) })
	}
	defer markReady(errDied)
	defer func() { // nothing more will come: let all text through
		p.stdout.releaseMark(^uint64(0))
		p.stderr.releaseMark(^uint64(0))
	}()
	for {
		m, err := p.c.read()
		if err != nil {
			return
		}
		if m.Mark > 0 {
			deadline := time.Now().Add(time.Second)
			p.stdout.waitMarks(m.Mark, deadline)
			p.stderr.waitMarks(m.Mark, deadline)
		} else {
			p.stdout.settle()
			p.stderr.settle()
		}
		switch {
		case m.Event == evReady:
			if m.Err != nil {
				markReady(m.Err)
			} else {
				markReady(nil)
			}
		case m.Event != "":
			p.display(p, m)
		default:
			p.mu.Lock()
			ch := p.pending[m.ID]
			delete(p.pending, m.ID)
			p.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		}
		p.stdout.releaseMark(m.Mark)
		p.stderr.releaseMark(m.Mark)
	}
}

func (p *proc) wait() {
	_ = p.cmd.Wait()
	close(p.dead)
	p.conn.Close()
}

// memoryPoll is how often the memory watch reads the worker's size.
const memoryPoll = 100 * time.Millisecond

// watchMemory ends the worker when its resident memory goes over the limit,
// before it can push the machine (and the kernel) out of memory.
func (p *proc) watchMemory() {
	statm := fmt.Sprintf("/proc/%d/statm", p.cmd.Process.Pid)
	page := int64(os.Getpagesize())
	tick := time.NewTicker(memoryPoll)
	defer tick.Stop()
	for {
		select {
		case <-p.dead:
			return
		case <-tick.C:
		}
		b, err := os.ReadFile(statm)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			continue
		}
		pages, _ := strconv.ParseInt(f[1], 10, 64)
		if pages*page > p.memLimit {
			p.oom.Store(true)
			p.kill()
			return
		}
	}
}

// kill ends the worker and every process its cells started.
func (p *proc) kill() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// call sends a request and waits for its answer, for the process to end,
// or for ctx.
func (p *proc) call(ctx context.Context, m message) (message, error) {
	a, err := p.send(ctx, m)
	if err != nil {
		return message{}, err
	}
	defer a.forget()
	return a.wait(ctx)
}

// An answer is a request's answer to come.
type answer struct {
	p  *proc
	id uint64
	ch chan message
}

// send sends a request, once the worker is ready.
func (p *proc) send(ctx context.Context, m message) (*answer, error) {
	select {
	case <-p.ready:
		if p.readyErr != nil {
			return nil, p.readyErr
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	a := &answer{p: p, ch: make(chan message, 1)}
	p.mu.Lock()
	p.nextID++
	a.id, m.ID = p.nextID, p.nextID
	p.pending[a.id] = a.ch
	p.mu.Unlock()
	if err := p.c.write(m); err != nil {
		a.forget()
		select {
		case <-p.dead:
			return nil, errDied
		case <-time.After(time.Second):
			return nil, err
		}
	}
	return a, nil
}

// wait waits for the answer, the process's end, or ctx.
func (a *answer) wait(ctx context.Context) (message, error) {
	select {
	case r := <-a.ch:
		return r, nil
	case <-a.p.dead:
		// An answer may have come just before the end.
		select {
		case r := <-a.ch:
			return r, nil
		case <-time.After(50 * time.Millisecond):
		}
		return message{}, errDied
	case <-ctx.Done():
		return message{}, ctx.Err()
	}
}

func (a *answer) forget() {
	a.p.mu.Lock()
	delete(a.p.pending, a.id)
	a.p.mu.Unlock()
}

// alive reports whether the process still runs.
func (p *proc) alive() bool {
	select {
	case <-p.dead:
		return false
	default:
		return true
	}
}

// crash waits for the process's end and tells how it died.
func (p *proc) crash() (crash, string) {
	<-p.dead
	report := p.stderr.report(time.Now().Add(500 * time.Millisecond))
	exit := "the worker process ended (" + p.cmd.ProcessState.String() + ")"
	if p.oom.Load() {
		report = fmt.Sprintf("runtime: out of memory: the worker used more than its limit of %s\n", bytesText(p.memLimit))
	}
	return parseReport(report, exit), report
}

// close asks the worker to end, and ends it if it does not within a second.
func (p *proc) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if p.alive() {
		_, _ = p.call(ctx, message{Op: opClose})
	}
	select {
	case <-p.dead:
	case <-time.After(time.Second):
		p.kill()
		<-p.dead
	}
}

func bytesText(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MiB", n>>20)
}
