package lessons_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

// Under GOMAXPROCS(1), Go pre-empts a loop that makes no call, so a ticker
// beside it still ticks while it runs; without asynchronous pre-emption
// (Go before 1.14) no tick comes until the loop is done. Whether ticks came
// during the loop is the behaviour; how late they were is the machine's.
func TestRunTicker(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	for _, row := range []struct {
		opt        lessons.TickerOptions
		preemptive bool
		during     bool // some ticks came while the loop ran
		says       string
	}{
		{lessons.TickerOptions{}, true, false, "ticker alone"},
		{lessons.TickerOptions{Busy: 300 * time.Millisecond}, true, true, "pre-emptive"},
		{lessons.TickerOptions{Busy: 300 * time.Millisecond, NoPreemption: true}, false, false, "no pre-emption"},
	} {
		ticks, err := lessons.RunTicker(context.Background(), row.opt)
		if err != nil {
			t.Fatalf("%+v: %v", row.opt, err)
		}
		text := ticks.String()
		if ticks.Preemptive != row.preemptive || (ticks.During > 0) != row.during || !strings.Contains(text, row.says) {
			t.Errorf("%+v: preemptive %v, %d ticks during the loop; want %v, during %v, and to say %q:\n%s",
				row.opt, ticks.Preemptive, ticks.During, row.preemptive, row.during, row.says, text)
		}
		if len(ticks.Late) == 0 || (row.opt.Busy > 0 && ticks.Busy < row.opt.Busy/4) {
			t.Errorf("%+v: %d ticks, busy %v:\n%s", row.opt, len(ticks.Late), ticks.Busy, text)
		}
		if row.opt.Busy > 0 && !row.preemptive && ticks.Late[0] < ticks.Busy/2 {
			t.Errorf("without pre-emption the first tick waited only %v for a loop of %v", ticks.Late[0], ticks.Busy)
		}
		svg := ticks.SVG()
		checkXML(t, svg)
		if !strings.Contains(string(ticks.HTML()), "<svg") {
			t.Errorf("the HTML has no chart")
		}
	}
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Errorf("GOMAXPROCS is %d after the runs, was %d", after, before)
	}
	if _, err := lessons.RunTicker(context.Background(), lessons.TickerOptions{Busy: -time.Second}); err == nil {
		t.Error("a negative busy time was accepted")
	}
}
