package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gospeed/gospeed/kernel"
	"github.com/gospeed/gospeed/kernel/client"
	"github.com/gospeed/gospeed/kernel/display"
	"github.com/gospeed/gospeed/kernel/internal/syncbuf"
	"github.com/gospeed/gospeed/kernel/repl"
	"github.com/gospeed/gospeed/kernel/wire"
)

// The test binary is also the worker: the kernel under test re-runs it with
// GOSPEED_TEST_WORKER set to the evaluator it should serve.
func TestMain(m *testing.M) {
	switch os.Getenv("GOSPEED_TEST_WORKER") {
	case "":
		os.Exit(m.Run())
	case "script":
		exitWith(Main(func(o kernel.Outputs) (kernel.Evaluator, error) { return &scriptEvaluator{out: o}, nil }))
	case "repl":
		exitWith(Main(func(o kernel.Outputs) (kernel.Evaluator, error) {
			return repl.New(repl.Config{Stdout: o.Stdout, Stderr: o.Stderr, Display: o.Display, Clear: o.Clear, Comm: o.Comm})
		}))
	}
}

func exitWith(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// scriptEvaluator fails in the ways a learner's cell can kill its process,
// in compiled Go, so that supervision is tested under the race detector
// without the interpreter. A cell is a command and its argument.
type scriptEvaluator struct {
	out kernel.Outputs
	mu  sync.Mutex
	x   int
}

func (e *scriptEvaluator) Execute(ctx context.Context, code string) (display.Data, bool, error) {
	cmd, arg, _ := strings.Cut(code, " ")
	switch cmd {
	case "":
		return display.Data{}, false, nil
	case "set":
		n, err := strconv.Atoi(arg)
		if err != nil {
			return display.Data{}, false, err
		}
		e.mu.Lock()
		e.x = n
		e.mu.Unlock()
		return display.Data{}, false, nil
	case "get":
		e.mu.Lock()
		defer e.mu.Unlock()
		return display.Data{Data: display.MIMEMap{display.MIMETypeText: strconv.Itoa(e.x)}}, true, nil
	case "print":
		fmt.Fprint(e.out.Stdout, arg)
		e.out.Display(display.Data{Data: display.MIMEMap{display.MIMETypeText: "shown"}}, false)
		fmt.Fprint(os.Stderr, arg) // straight to fd 2, as compiled code does
		e.out.Clear(true)
		return display.Data{}, false, nil
	case "echo": // text alone, to fd 1 through Outputs and to fd 2 directly;
		// then a pause, in which the kernel drains the pipes
		fmt.Fprint(e.out.Stdout, arg)
		fmt.Fprint(os.Stderr, arg)
		time.Sleep(2 * time.Millisecond)
		return display.Data{}, false, nil
	case "fail":
		return display.Data{}, false, &repl.Error{Name: "ScriptError", Value: arg, Traceback: []string{arg}}
	case "map-writes":
		m := map[int]int{}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 1_000_000 {
					m[i] = g
				}
			})
		}
		wg.Wait()
		return display.Data{}, false, nil
	case "unlock":
		var mu sync.Mutex
		mu.Unlock()
	case "afterfunc-panic":
		time.AfterFunc(time.Millisecond, func() { panic("boom") })
		time.Sleep(5 * time.Second)
	case "alloc":
		mib, _ := strconv.Atoi(arg)
		b := bytes.Repeat([]byte{1}, mib<<20)
		time.Sleep(time.Second)
		return display.Data{Data: display.MIMEMap{display.MIMETypeText: strconv.Itoa(len(b))}}, true, nil
	case "stuck": // ignores the interrupt, as wg.Wait does
		select {}
	case "loop":
		<-ctx.Done()
		return display.Data{}, false, &repl.Error{Name: "KeyboardInterrupt", Value: "interrupted"}
	}
	return display.Data{}, false, fmt.Errorf("unknown script %q", code)
}

func (e *scriptEvaluator) IsComplete(string) (string, string) { return "complete", "" }
func (e *scriptEvaluator) Complete(code string, cursor int) ([]string, int, int) {
	return []string{"get", "set"}, 0, cursor
}
func (e *scriptEvaluator) Inspect(string, int) (display.Data, bool) { return display.Data{}, false }
func (e *scriptEvaluator) Close() error                             { return nil }

// harness is a kernel in this process with its worker, and a client.
type harness struct {
	c   *client.Client
	log *syncbuf.Buffer
}

// slowBuffer takes 5 ms to take each write.
type slowBuffer struct{ syncbuf.Buffer }

func (s *slowBuffer) Write(p []byte) (int, error) {
	time.Sleep(5 * time.Millisecond)
	return s.Buffer.Write(p)
}

func startKernel(t testing.TB, evaluator string, cfg Config) *harness {
	t.Helper()
	info, err := wire.NewLocalConnection()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{log: &syncbuf.Buffer{}}
	cfg.Command = []string{os.Args[0]}
	cfg.Env = append(cfg.Env, "GOSPEED_TEST_WORKER="+evaluator)
	cfg.Log = log.New(h.log, "worker: ", 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- kernel.Serve(ctx, info, kernel.Options{Log: h.log, NewEvaluator: New(cfg)}) }()
	cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ccancel()
	h.c, err = client.Connect(cctx, info)
	if err != nil {
		cancel()
		t.Fatalf("connect: %v\nlog:\n%s", err, h.log)
	}
	t.Cleanup(func() {
		h.c.Close()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return")
		}
	})
	return h
}

func (h *harness) execute(t testing.TB, code string) (client.Reply, []wire.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, out, err := h.c.Execute(ctx, code)
	if err != nil {
		t.Fatalf("execute %q: %v\nlog:\n%s", code, err, h.log)
	}
	return r, out
}

// interrupted runs code, interrupts it after a while, and returns its
// reply and when the interrupt was sent.
func (h *harness) interrupted(t testing.TB, code string, after time.Duration) (client.Reply, time.Time) {
	t.Helper()
	type answer struct {
		r   client.Reply
		err error
	}
	done := make(chan answer, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		r, _, err := h.c.Execute(ctx, code)
		done <- answer{r, err}
	}()
	time.Sleep(after)
	begin := time.Now()
	if err := h.c.Interrupt(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := <-done
	if a.err != nil {
		t.Fatalf("execute %q: %v\nlog:\n%s", code, a.err, h.log)
	}
	return a.r, begin
}

// result is the text/plain of the cell's execute_result.
func result(t testing.TB, out []wire.Message) string {
	for _, m := range out {
		if m.Type() == "execute_result" {
			var c struct {
				Data map[string]any `json:"data"`
			}
			if err := json.Unmarshal(m.Content, &c); err != nil {
				t.Fatal(err)
			}
			s, _ := c.Data[display.MIMETypeText].(string)
			return s
		}
	}
	return ""
}

// streams joins the text of a cell's stream messages.
func streams(t testing.TB, out []wire.Message) string {
	var b strings.Builder
	for _, m := range out {
		if m.Type() == "stream" {
			var c struct{ Text string }
			if err := json.Unmarshal(m.Content, &c); err != nil {
				t.Fatal(err)
			}
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

func TestCrashesShowTheirReasonAndTheSessionComesBack(t *testing.T) {
	h := startKernel(t, "script", Config{MemoryLimit: 300 << 20})
	for _, tc := range []struct{ cell, ename, reason string }{
		{"map-writes", "FatalError", "fatal error: concurrent map writes"},
		{"unlock", "FatalError", "fatal error: sync: unlock of unlocked mutex"},
		{"afterfunc-panic", "Panic", "panic: boom"},
		{"alloc 600", "WorkerDied", "runtime: out of memory"},
	} {
		t.Run(tc.cell, func(t *testing.T) {
			h.execute(t, "set 41")
			r, out := h.execute(t, tc.cell)
			if r.Status != "error" || r.EName != tc.ename || !strings.Contains(r.EValue+strings.Join(r.Traceback, "\n"), tc.reason) {
				t.Fatalf("reply %s %s: %q; want %s with %q\ntraceback:\n%s\nlog:\n%s", r.Status, r.EName, r.EValue, tc.ename, tc.reason, strings.Join(r.Traceback, "\n"), h.log)
			}
			if text := streams(t, out); !strings.Contains(text, "A new worker restored the session:") {
				t.Errorf("the cell does not say the session was restored:\n%s", text)
			}
			r, out = h.execute(t, "get")
			if r.Status != "ok" || result(t, out) != "41" {
				t.Fatalf("after the crash: %+v %q, want 41", r, result(t, out))
			}
		})
	}
}

func TestOutputInOrderThroughTheWorker(t *testing.T) {
	h := startKernel(t, "script", Config{})
	r, out := h.execute(t, "print hello")
	if r.Status != "ok" {
		t.Fatalf("%+v", r)
	}
	var kinds []string
	for _, m := range out {
		kinds = append(kinds, m.Type())
	}
	if got, want := strings.Join(kinds, " "), "stream display_data stream clear_output"; got != want {
		t.Errorf("messages %q, want %q", got, want)
	}
	if s := streams(t, out); s != "hellohello" {
		t.Errorf("streams %q", s)
	}
}

// A reply that leaves with the pipes drained carries no sync mark; the
// text before it must still be passed on before Execute returns.
// The kernel's side is slow to pass text on (a slow sink), so the worker
// finds the pipes drained while the text is still on its way.
func TestTextBeforeAnUnmarkedReply(t *testing.T) {
	stdout, stderr := &slowBuffer{}, &slowBuffer{}
	ev, err := New(Config{Command: []string{os.Args[0]}, Env: []string{"GOSPEED_TEST_WORKER=script"}, Log: log.New(io.Discard, "", 0)})(kernel.Outputs{Stdout: stdout, Stderr: stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	for i := range 100 {
		word := fmt.Sprintf("<%d>", i)
		if _, _, err := ev.Execute(context.Background(), "echo "+word); err != nil {
			t.Fatal(err)
		}
		for _, b := range []*slowBuffer{stdout, stderr} {
			if got := b.String(); !strings.HasSuffix(got, word) {
				t.Fatalf("cell %d: the text so far ends %q, not with %q", i, got[max(0, len(got)-20):], word)
			}
		}
	}
	// Without text, the pipes are always drained: no marks at all.
	p := ev.(*Client).current()
	before := p.stdout.marksRead()
	for range 100 {
		if _, _, err := ev.Execute(context.Background(), "get"); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.stdout.marksRead() - before; n != 0 {
		t.Errorf("%d sync marks for 100 replies after no text: they need none", n)
	}
}

func TestInterruptOfAStuckCellGivesAWorkingSession(t *testing.T) {
	h := startKernel(t, "script", Config{})
	h.execute(t, "set 41")
	r, begin := h.interrupted(t, "stuck", 200*time.Millisecond)
	if r.EName != "KeyboardInterrupt" {
		t.Fatalf("interrupted stuck cell: %+v", r)
	}
	r2, out := h.execute(t, "get")
	t.Logf("interrupt to a working session: %v", time.Since(begin))
	if r2.Status != "ok" || result(t, out) != "41" {
		t.Fatalf("after the interrupt: %+v %q", r2, result(t, out))
	}
}

func TestInterruptOfAWillingCellKeepsTheWorker(t *testing.T) {
	h := startKernel(t, "script", Config{})
	h.execute(t, "set 7")
	if r, _ := h.interrupted(t, "loop", 200*time.Millisecond); r.EName != "KeyboardInterrupt" {
		t.Fatalf("interrupted cell: %+v", r)
	}
	if strings.Contains(h.log.String(), "restored") {
		t.Errorf("a cell that stopped on interrupt restarted the worker:\n%s", h.log)
	}
	if r, out := h.execute(t, "get"); result(t, out) != "7" {
		t.Fatalf("after the interrupt: %+v", r)
	}
}

func TestFailedCellsAreNotRestored(t *testing.T) {
	h := startKernel(t, "script", Config{})
	h.execute(t, "set 5")
	h.execute(t, "fail on purpose")
	_, out := h.execute(t, "unlock")
	if text := streams(t, out); !strings.Contains(text, "1 of 1 cells re-run") {
		t.Errorf("restore note: %q", text)
	}
}

func TestCompletionThroughTheWorker(t *testing.T) {
	h := startKernel(t, "script", Config{})
	reply, _, err := h.c.Request(context.Background(), client.Shell, "complete_request", map[string]any{"code": "ge", "cursor_pos": 2})
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Matches []string }
	if err := json.Unmarshal(reply.Content, &c); err != nil || len(c.Matches) != 2 {
		t.Fatalf("complete_reply %s (%v)", reply.Content, err)
	}
}

func TestParseReport(t *testing.T) {
	for _, tc := range []struct{ report, reason, frame, explain string }{
		{
			report:  "fatal error: concurrent map writes\n\ngoroutine 7 [running]:\ninternal/runtime/maps.fatal({0x5a1b2c?, 0x0?})\n\t/usr/lib/go/src/runtime/panic.go:1058 +0x18\ngithub.com/gospeed/gospeed/lessons.Fib(0x3)\n\t/src/lessons/cpu.go:10 +0x20\ncreated by main.main in goroutine 1\n\t/x.go:3\n\ngoroutine 1 [chan receive]:\nmain.main()\n",
			reason:  "fatal error: concurrent map writes",
			frame:   "github.com/gospeed/gospeed/lessons.Fib(0x3)",
			explain: "Guard the map with a sync.Mutex",
		},
		{
			report:  "runtime: out of memory: cannot allocate 32212254720-byte block (3833856 in use)\nfatal error: out of memory\n\ngoroutine 1 [running]:\n",
			reason:  "fatal error: out of memory",
			explain: "more memory than the worker may use",
		},
	} {
		c := parseReport(tc.report, "exit status 2")
		if !strings.Contains(c.reason, tc.reason) || !strings.Contains(c.explain, tc.explain) {
			t.Errorf("parseReport: %+v", c)
		}
		if tc.frame != "" && (len(c.frames) != 2 || c.frames[0] != tc.frame || c.others != 1) {
			t.Errorf("frames %q, others %d; want only %q and 1 other", c.frames, c.others, tc.frame)
		}
		if c.value() != tc.reason {
			t.Errorf("value %q, want %q", c.value(), tc.reason)
		}
	}
}
