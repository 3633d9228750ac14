package kernel

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gospeed/gospeed/kernel/client"
	"github.com/gospeed/gospeed/kernel/wire"

	"github.com/gospeed/gospeed/kernel/display"
)

// nopEvaluator answers every cell at once, to measure the protocol alone.
type nopEvaluator struct{}

func (nopEvaluator) Execute(context.Context, string) (display.Data, bool, error) {
	return display.Data{Data: display.MIMEMap{"text/plain": "1"}}, true, nil
}
func (nopEvaluator) IsComplete(string) (string, string)        { return "complete", "" }
func (nopEvaluator) Complete(string, int) ([]string, int, int) { return nil, 0, 0 }
func (nopEvaluator) Inspect(string, int) (display.Data, bool)  { return display.Data{}, false }
func (nopEvaluator) Close() error                              { return nil }

// BenchmarkProtocolRoundTrip is a cell's round trip over ZeroMQ with an
// evaluator that costs nothing: the protocol's share of a round trip.
func BenchmarkProtocolRoundTrip(b *testing.B) {
	benchmarkRoundTrip(b, Options{NewEvaluator: func(Outputs) (Evaluator, error) { return nopEvaluator{}, nil }})
}

// BenchmarkInProcessRoundTrip is a trivial cell's round trip with the real
// interpreter, kernel and client in one process.
func BenchmarkInProcessRoundTrip(b *testing.B) {
	benchmarkRoundTrip(b, Options{})
}

func benchmarkRoundTrip(b *testing.B, opt Options) {
	h := startKernelTB(b, opt)
	ctx := context.Background()
	for b.Loop() {
		r, _, err := h.c.Execute(ctx, "1")
		if err != nil || r.Status != "ok" {
			b.Fatalf("%+v %v", r, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkInterrupt is the time from sending interrupt_request to the
// reply of a cell spinning in `for {}` (the target: well under a second).
func BenchmarkInterrupt(b *testing.B) {
	h := startKernelTB(b, Options{})
	ctx := context.Background()
	if r, _, err := h.c.Execute(ctx, `import "fmt"`); err != nil || r.Status != "ok" {
		b.Fatalf("%+v %v", r, err)
	}
	var total time.Duration
	for b.Loop() {
		started := make(chan struct{})
		done := make(chan time.Time, 1)
		go func() {
			var once sync.Once
			h.c.ExecuteFunc(ctx, client.ExecuteRequest{Code: "fmt.Println(1)\nfor {}"}, func(wire.Message) { once.Do(func() { close(started) }) })
			done <- time.Now()
		}()
		<-started
		begin := time.Now()
		if err := h.c.Interrupt(ctx); err != nil {
			b.Fatal(err)
		}
		total += (<-done).Sub(begin)
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/interrupt")
}
