package lessons

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// WorkerEnv is the environment variable that marks a process started by
// StartProcessPool as a worker.
const WorkerEnv = "GOSPEED_LESSONS_WORKER"

// startTimeout bounds how long a new worker process may take to say it is
// ready; a binary that does not serve workers never does.
const startTimeout = 10 * time.Second

// IsWorker reports whether this process was started as a lessons worker.
func IsWorker() bool { return os.Getenv(WorkerEnv) == "1" }

// Task is one piece of work sent to a worker process, as a line of JSON.
type Task struct {
	Kind string `json:"kind"`          // "get" (download URL), a CPU job: "fib", "squares", or "ticker" (RunTicker, busy N ns)
	URL  string `json:"url,omitempty"` // for "get"
	N    int    `json:"n,omitempty"`   // for CPU jobs
}

// Reply is a worker's answer to one Task, as a line of JSON.
type Reply struct {
	Bytes int64  `json:"bytes,omitempty"` // "get": the page's size
	Value int    `json:"value,omitempty"` // CPU jobs: the result
	Ticks *Ticks `json:"ticks,omitempty"` // "ticker": what the ticker saw
	Err   string `json:"err,omitempty"`
}

// ready is the first line a worker writes, so its parent knows it is one.
type ready struct {
	Ready bool `json:"ready"`
	PID   int  `json:"pid"`
}

// ServeWorker is a worker process's whole life: it says it is ready, then
// reads tasks from in, one JSON line each, and writes one reply line for
// each to out, until in ends. Like a multiprocessing.Pool initializer, it
// makes one http.Client for all the process's downloads.
func ServeWorker(ctx context.Context, in io.Reader, out io.Writer) error {
	client := NewClient(1)
	defer client.CloseIdleConnections()
	enc := json.NewEncoder(out)
	if err := enc.Encode(ready{Ready: true, PID: os.Getpid()}); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		var t Task
		var r Reply
		if err := json.Unmarshal(lines.Bytes(), &t); err != nil {
			r.Err = fmt.Sprintf("bad task %q: %v", lines.Text(), err)
		} else {
			r = t.run(ctx, client)
		}
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("worker: %w", err)
		}
	}
	if err := lines.Err(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	return nil
}

// run does the task in this process.
func (t Task) run(ctx context.Context, client *http.Client) Reply {
	var r Reply
	switch t.Kind {
	case "get":
		n, err := download(ctx, client, t.URL)
		r.Bytes = n
		if err != nil {
			r.Err = err.Error()
		}
	case "ticker":
		ticks := tick(ctx, time.Duration(t.N))
		ticks.Preemptive = preemptive()
		r.Ticks = &ticks
	default:
		f, err := jobFunc(t.Kind)
		if err != nil {
			r.Err = err.Error()
			break
		}
		r.Value = f(t.N)
	}
	return r
}

// preemptive reports whether this process may pre-empt goroutines: not
// when started with GODEBUG=asyncpreemptoff=1.
func preemptive() bool {
	for _, setting := range strings.Split(os.Getenv("GODEBUG"), ",") {
		if strings.TrimSpace(setting) == "asyncpreemptoff=1" {
			return false
		}
	}
	return true
}

// A ProcessPool is a set of worker processes: this executable, re-run with
// WorkerEnv set, talking JSON lines over its stdin and stdout.
type ProcessPool struct {
	procs []*process
}

// process is one worker process and its pipes.
type process struct {
	cmd         *exec.Cmd
	stdin       io.WriteCloser
	stdout      *bufio.Scanner
	stderr      *tailBuffer
	waited      chan struct{} // closed once cmd.Wait has returned
	closeStdout func() error
	err         error // cmd.Wait's error, once waited is closed
}

// StartProcessPool starts n worker processes from os.Executable(), with env
// added to this process's environment, and waits until each says it is
// ready. The executable must call ServeWorker when IsWorker (see the package
// documentation). Close the pool when done.
func StartProcessPool(ctx context.Context, n int, env ...string) (*ProcessPool, error) {
	if n < 1 {
		return nil, fmt.Errorf("process pool: need at least 1 process, got %d", n)
	}
	if IsWorker() {
		return nil, errors.New("process pool: a worker process may not start workers of its own")
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("process pool: %w", err)
	}
	// Start them all at once: each takes a few milliseconds to be ready.
	pool := &ProcessPool{procs: make([]*process, n)}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { pool.procs[i], errs[i] = startProcess(ctx, exe, env) })
	}
	wg.Wait()
	// Report the first failure: the others are most likely the same one.
	if i := slices.IndexFunc(errs, func(err error) bool { return err != nil }); i >= 0 {
		err := errs[i]
		pool.procs = slices.DeleteFunc(pool.procs, func(p *process) bool { return p == nil })
		pool.Close()
		return nil, err
	}
	return pool, nil
}

func startProcess(ctx context.Context, exe string, env []string) (*process, error) {
	// "worker" is the gospeed command's hidden subcommand; a test binary
	// never gets as far as reading its arguments.
	cmd := exec.Command(exe, "worker")
	cmd.Env = append(append(os.Environ(), WorkerEnv+"=1"), env...)
	p := &process{cmd: cmd, stderr: &tailBuffer{max: 4096}, waited: make(chan struct{})}
	cmd.Stderr = p.stderr
	cmd.WaitDelay = time.Second // if a child of the process holds stderr open, stop waiting for it
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("worker process: %w", err)
	}
	// Our own pipe rather than cmd.StdoutPipe: Wait would close that one
	// under a reader; this one just ends (EOF) when the process does.
	stdout, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("worker process: %w", err)
	}
	cmd.Stdout = w
	err = cmd.Start()
	w.Close()
	if err != nil {
		stdin.Close()
		stdout.Close()
		return nil, fmt.Errorf("start worker process %s: %w", exe, err)
	}
	p.stdin, p.stdout = stdin, bufio.NewScanner(stdout)
	go func() {
		p.err = cmd.Wait()
		close(p.waited)
	}()
	p.closeStdout = stdout.Close

	// Wait for the ready line, but not forever: a binary that is not a
	// worker prints something else, or nothing.
	hello := make(chan error, 1)
	go func() {
		var r ready
		line, err := p.readLine()
		if err == nil && (json.Unmarshal(line, &r) != nil || !r.Ready) {
			err = fmt.Errorf("it said %q instead of ready; does %s call lessons.ServeWorker when lessons.IsWorker()?", line, exe)
		}
		hello <- err
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	heard := false
	select {
	case err = <-hello:
		heard = true
	case <-timer.C:
		err = fmt.Errorf("not ready after %v; does %s call lessons.ServeWorker when lessons.IsWorker()?", startTimeout, exe)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		p.kill()
		stdout.Close() // ends the reader, even if a child of the process holds the pipe open
		if !heard {
			<-hello
		}
		stdin.Close()
		return nil, fmt.Errorf("start worker process: %w", err)
	}
	return p, nil
}

// readLine reads the process's next line of output; at the end of it, the
// process has died, and the error says how.
func (p *process) readLine() ([]byte, error) {
	if p.stdout.Scan() {
		return p.stdout.Bytes(), nil
	}
	<-p.waited
	err := p.err // how it ended, such as "signal: killed"
	if err == nil {
		err = p.stdout.Err()
	}
	if err == nil {
		err = errors.New("it exited")
	}
	return nil, fmt.Errorf("worker process %d died: %v%s", p.cmd.Process.Pid, err, p.stderr.suffix())
}

// call sends one task and reads its reply.
func (p *process) call(t Task) (Reply, error) {
	var r Reply
	b, err := json.Marshal(t)
	if err != nil {
		return r, fmt.Errorf("task: %w", err)
	}
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		// The pipe broke: the process is gone. Say how it went.
		_, err = p.readLine()
		return r, err
	}
	line, err := p.readLine()
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(line, &r); err != nil {
		return r, fmt.Errorf("worker process %d: bad reply %q: %w", p.cmd.Process.Pid, line, err)
	}
	if r.Err != "" {
		return r, fmt.Errorf("worker process %d: %s", p.cmd.Process.Pid, r.Err)
	}
	return r, nil
}

// kill ends the process at once and waits for it.
func (p *process) kill() {
	p.cmd.Process.Kill()
	<-p.waited
}

// Map sends each task to the next free worker process and returns the
// replies in task order. The first failure, a worker that dies, or ctx
// ending stops the whole pool (its processes are killed) and is returned.
func (pool *ProcessPool) Map(ctx context.Context, tasks []Task, progress ProgressFunc) ([]Reply, error) {
	count := counter(len(tasks), progress)
	replies := make([]Reply, len(tasks))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// A process busy with a task cannot see ctx: to stop, kill them all.
	killed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		pool.kill()
		close(killed)
	})

	var g errgroup.Group
	next := feed(ctx, &g, len(tasks))
	for _, p := range pool.procs {
		g.Go(func() error {
			for i := range next {
				r, err := p.call(tasks[i])
				if err != nil {
					if ctx.Err() != nil {
						return context.Cause(ctx) // we killed it, or were told to stop
					}
					cancel(err)
					return err
				}
				replies[i] = r
				count()
			}
			return nil
		})
	}
	err := g.Wait()
	if !stop() {
		<-killed // the kill had begun: let it finish
	}
	return replies, err
}

func (pool *ProcessPool) kill() {
	var wg sync.WaitGroup
	for _, p := range pool.procs {
		wg.Go(p.kill)
	}
	wg.Wait()
}

// Close ends the worker processes: closing their input tells them to exit;
// one that has not within a second is killed. It waits for all of them.
func (pool *ProcessPool) Close() error {
	var wg sync.WaitGroup
	for _, p := range pool.procs {
		p.stdin.Close()
		wg.Go(func() {
			timer := time.NewTimer(time.Second)
			defer timer.Stop()
			select {
			case <-p.waited:
			case <-timer.C:
				p.kill()
			}
			p.closeStdout()
		})
	}
	wg.Wait()
	return nil
}

// tailBuffer keeps the last max bytes written to it: a worker's last words.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(b), nil
}

// suffix is ": stderr: ..." with what the process wrote, or "".
func (t *tailBuffer) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(bytes.ToValidUTF8(t.buf, nil)))
	if s == "" {
		return ""
	}
	return "; its stderr: " + s
}
