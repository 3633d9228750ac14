package kernel

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"go.uber.org/goleak"

	"github.com/gospeed/gospeed/kernel/display"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		// zmq4 v0.17.0 never stops the writer goroutine of a PUB socket
		// (socket.Close does not close it): one idle goroutine per kernel.
		if err := goleak.Find(goleak.IgnoreAnyFunction("github.com/go-zeromq/zmq4.(*pubMWriter).run")); err != nil {
			fmt.Fprintln(os.Stderr, "leaked goroutines:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// scriptEvaluator plays a few fixed cells, to test the kernel's side of
// output without the interpreter.
type scriptEvaluator struct {
	nopEvaluator
	out Outputs
}

func (e *scriptEvaluator) Execute(ctx context.Context, code string) (display.Data, bool, error) {
	switch code {
	case "display":
		e.out.Display(display.Data{Data: display.MIMEMap{"text/plain": "0%"}, Transient: display.MIMEMap{"display_id": "p1"}}, false)
		e.out.Display(display.Data{Data: display.MIMEMap{"text/plain": "100%"}, Transient: display.MIMEMap{"display_id": "p1"}}, true)
		return display.Data{}, false, nil
	case "print then result":
		fmt.Fprint(e.out.Stdout, "before")
		fmt.Fprint(e.out.Stderr, "warn")
		return display.Data{Data: display.MIMEMap{"text/plain": "after"}}, true, nil
	case "clear":
		e.out.Clear(true)
		return display.Data{}, false, nil
	case "evaluator bug":
		panic("a bug in the evaluator")
	}
	return display.Data{}, false, fmt.Errorf("unknown script %q", code)
}

func scripted(o Outputs) (Evaluator, error) { return &scriptEvaluator{out: o}, nil }

func TestDisplayAndUpdate(t *testing.T) {
	h := startKernel(t, Options{NewEvaluator: scripted})
	r, out := execute(t, h, "display")
	if r.Status != "ok" || len(out) != 2 || out[0].Type() != "display_data" || out[1].Type() != "update_display_data" {
		t.Fatalf("%+v %v", r, out)
	}
	for i, want := range []string{"0%", "100%"} {
		c := content(t, out[i])
		if c["data"].(map[string]any)["text/plain"] != want || c["transient"].(map[string]any)["display_id"] != "p1" {
			t.Errorf("%s: %v", out[i].Type(), c)
		}
	}
}

func TestClearOutput(t *testing.T) {
	h := startKernel(t, Options{NewEvaluator: scripted})
	_, out := execute(t, h, "clear")
	if len(out) != 1 || out[0].Type() != "clear_output" || content(t, out[0])["wait"] != true {
		t.Errorf("outputs %v", out)
	}
}

func TestOutputBeforeResult(t *testing.T) {
	h := startKernel(t, Options{NewEvaluator: scripted})
	_, out := execute(t, h, "print then result")
	var types []string
	for _, m := range out {
		types = append(types, m.Type())
	}
	if len(out) != 3 || out[2].Type() != "execute_result" || streamText(t, out, "stdout") != "before" || streamText(t, out, "stderr") != "warn" {
		t.Errorf("outputs %v", types)
	}
}

func TestEvaluatorPanicIsACellError(t *testing.T) {
	h := startKernel(t, Options{NewEvaluator: scripted})
	r, _ := execute(t, h, "evaluator bug")
	if r.Status != "error" || r.EName != "InternalError" {
		t.Errorf("%+v", r)
	}
	if r, _ := execute(t, h, "print then result"); r.Status != "ok" {
		t.Errorf("after an evaluator panic: %+v", r)
	}
}

func TestHeartbeatEchoes(t *testing.T) {
	h := startKernel(t, Options{NewEvaluator: scripted})
	req := zmq4.NewReq(context.Background())
	defer req.Close()
	if err := req.Dial(h.info.Endpoint(h.info.HBPort)); err != nil {
		t.Fatal(err)
	}
	if err := req.Send(zmq4.NewMsgString("ping")); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		m, err := req.Recv()
		if err == nil {
			got <- string(m.Bytes())
		}
	}()
	select {
	case s := <-got:
		if s != "ping" {
			t.Errorf("heartbeat echoed %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no heartbeat echo")
	}
}
