package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gospeed/gospeed/kernel/client"
	"github.com/gospeed/gospeed/kernel/wire"
)

// gospeed is the binary under test, built once by TestMain.
var gospeed string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gospeed-client-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gospeed = filepath.Join(dir, "gospeed")
	build := exec.Command("go", "build", "-o", gospeed, "github.com/gospeed/gospeed/cmd/gospeed")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building gospeed:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "leaked goroutines:", err)
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func start(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.Start(ctxFor(t, 20*time.Second), gospeed, "kernel", "{connection_file}")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	return c
}

func text(m wire.Message) (name, text string) {
	var c struct {
		Name string            `json:"name"`
		Text string            `json:"text"`
		Data map[string]string `json:"data"`
	}
	json.Unmarshal(m.Content, &c)
	if m.Type() == "stream" {
		return c.Name, c.Text
	}
	return m.Type(), c.Data["text/plain"]
}

// TestBinaryOutput runs the real `gospeed kernel`: output printed through
// fmt, os.Stdout and os.Stderr, and from a goroutine, arrives as stream
// messages of the cell, before its result.
func TestBinaryOutput(t *testing.T) {
	c := start(t)
	ctx := ctxFor(t, 20*time.Second)
	reply, outputs, err := c.Execute(ctx, `import ("fmt"; "os"; "sync")
fmt.Println("one")
os.Stdout.WriteString("two\n")
fmt.Fprintln(os.Stderr, "three")
var wg sync.WaitGroup
wg.Add(1)
go func() { defer wg.Done(); fmt.Println("four") }()
wg.Wait()
"five"`)
	if err != nil || reply.Status != "ok" {
		t.Fatalf("%+v %v", reply, err)
	}
	var stdout, stderr strings.Builder
	last := ""
	for _, m := range outputs {
		name, s := text(m)
		switch name {
		case "stdout":
			stdout.WriteString(s)
		case "stderr":
			stderr.WriteString(s)
		}
		last = name
	}
	if stdout.String() != "one\ntwo\nfour\n" || stderr.String() != "three\n" || last != "execute_result" {
		t.Errorf("stdout %q, stderr %q, last output %s; outputs %v", stdout.String(), stderr.String(), last, outputs)
	}
}

// TestBinarySIGINTInterrupts: interrupt_mode "signal" must stop the cell,
// not the kernel.
func TestBinarySIGINTInterrupts(t *testing.T) {
	c := start(t)
	ctx := ctxFor(t, 20*time.Second)
	if r, _, err := c.Execute(ctx, `import "fmt"
n := 7`); err != nil || r.Status != "ok" {
		t.Fatalf("%+v %v", r, err)
	}
	started := make(chan struct{}, 1)
	go func() {
		<-started
		c.Process().Signal(syscall.SIGINT)
	}()
	r, _, err := c.ExecuteFunc(ctx, client.ExecuteRequest{Code: "fmt.Println(\"spinning\")\nfor {}", StoreHistory: true},
		func(wire.Message) {
			select {
			case started <- struct{}{}:
			default:
			}
		})
	if err != nil || r.EName != "KeyboardInterrupt" {
		t.Fatalf("after SIGINT: %+v %v", r, err)
	}
	r, outputs, err := c.Execute(ctx, "n * 6")
	if err != nil || r.Status != "ok" || len(outputs) != 1 {
		t.Fatalf("after SIGINT the session is gone: %+v %v %v", r, outputs, err)
	}
	if _, v := text(outputs[0]); v != "42" {
		t.Errorf("n * 6 = %q", v)
	}
}

// TestBinaryShutdown: the process exits after shutdown_request, and a cell
// cannot end it with os.Exit first.
func TestBinaryShutdown(t *testing.T) {
	c := start(t)
	ctx := ctxFor(t, 20*time.Second)
	r, _, err := c.Execute(ctx, `import "os"
os.Exit(0)`)
	if err != nil {
		t.Fatalf("os.Exit in a cell: %v", err)
	}
	t.Logf("os.Exit(0) in a cell: %s %s", r.EName, r.EValue)
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Exited():
	default:
		t.Fatal("kernel still running after Shutdown")
	}
}

func TestStartFailsClearly(t *testing.T) {
	_, err := client.Start(ctxFor(t, 10*time.Second), gospeed, "kernel", "--no-such-flag", "{connection_file}")
	if err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("starting with a bad connection file: %v", err)
	}
}

// BenchmarkRoundTrip is a trivial cell's round trip through ZeroMQ to the
// real kernel process and back, as a frontend sees it.
func BenchmarkRoundTrip(b *testing.B) {
	c := start(b)
	benchRoundTrip(b, c, "1")
}

// BenchmarkRoundTripIPykernel is the same round trip to ipykernel, when
// Debian's python3-ipykernel is installed, for comparison in one run.
func BenchmarkRoundTripIPykernel(b *testing.B) {
	if err := exec.Command("/usr/bin/python3", "-c", "import ipykernel").Run(); err != nil {
		b.Skip("no ipykernel for /usr/bin/python3")
	}
	c, err := client.Start(ctxFor(b, 60*time.Second), "/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	benchRoundTrip(b, c, "1")
}

func benchRoundTrip(b *testing.B, c *client.Client, code string) {
	ctx := ctxFor(b, 10*time.Minute)
	for b.Loop() {
		r, _, err := c.Execute(ctx, code)
		if err != nil || r.Status != "ok" {
			b.Fatalf("%+v %v", r, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkStart is the time from starting `gospeed kernel` to its
// kernel_info reply (and iopub) being received.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		c, err := client.Start(ctxFor(b, 20*time.Second), gospeed, "kernel", "{connection_file}")
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		c.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// TestRoundTripVsIPykernel measures, in one run and with the same client, a
// trivial cell's round trip on gospeed and on ipykernel (when Debian's
// python3-ipykernel is installed): gospeed must not be slower.
func TestRoundTripVsIPykernel(t *testing.T) {
	if testing.Short() {
		t.Skip("timing comparison")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import ipykernel").Run(); err != nil {
		t.Skip("no ipykernel for /usr/bin/python3")
	}
	py, err := client.Start(ctxFor(t, 60*time.Second), "/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}")
	if err != nil {
		t.Fatal(err)
	}
	defer py.Close()
	gospeedMedian := medianRoundTrip(t, start(t), "1")
	ipykernelMedian := medianRoundTrip(t, py, "1")
	t.Logf("median round trip: gospeed %v, ipykernel %v (ratio %.2f)", gospeedMedian, ipykernelMedian,
		float64(gospeedMedian)/float64(ipykernelMedian))
	if gospeedMedian > ipykernelMedian {
		t.Errorf("gospeed's round trip (%v) is slower than ipykernel's (%v)", gospeedMedian, ipykernelMedian)
	}
}

func medianRoundTrip(t *testing.T, c *client.Client, code string) time.Duration {
	ctx := ctxFor(t, time.Minute)
	var times []time.Duration
	for i := range 110 {
		begin := time.Now()
		r, _, err := c.Execute(ctx, code)
		if err != nil || r.Status != "ok" {
			t.Fatalf("%+v %v", r, err)
		}
		if i >= 10 { // warm up first
			times = append(times, time.Since(begin))
		}
	}
	slices.Sort(times)
	return times[len(times)/2]
}

// TestBinaryFloodThrottled: a cell writing 32 MiB to fd 1 as fast as it can
// finishes, the kernel stays responsive, and the notebook gets at most the
// rate limit (1 MiB/s) plus a note of what was dropped.
func TestBinaryFloodThrottled(t *testing.T) {
	c := start(t)
	ctx := ctxFor(t, 60*time.Second)
	begin := time.Now()
	r, outputs, err := c.Execute(ctx, `import ("os"; "bytes")
line := append(bytes.Repeat([]byte("y"), 1023), '\n')
for i := 0; i < 32*1024; i++ { os.Stdout.Write(line) }`)
	elapsed := time.Since(begin)
	if err != nil || r.Status != "ok" {
		t.Fatalf("%+v %v", r, err)
	}
	var stdout int
	var note string
	for _, m := range outputs {
		name, s := text(m)
		switch name {
		case "stdout":
			stdout += len(s)
		case "stderr":
			note += s
		}
	}
	t.Logf("32 MiB flood: %d bytes shown in %v; %q", stdout, elapsed, strings.TrimSpace(note))
	if limit := (1 << 20) * (int(elapsed/time.Second) + 1); stdout == 0 || stdout > limit {
		t.Errorf("%d bytes of stdout in %v, limit %d", stdout, elapsed, limit)
	}
	if !strings.Contains(note, "[output throttled: ") {
		t.Errorf("no throttle note: %q", note)
	}
	if r, _, err := c.Execute(ctx, "1"); err != nil || r.Status != "ok" {
		t.Errorf("after a flood: %+v %v", r, err)
	}
}
