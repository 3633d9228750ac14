package worker

import (
	"fmt"
	"regexp"
	"strings"
)

// A crash is how the worker died, told for a learner: the runtime's own
// reason, the frames of the goroutine that failed that a learner can read,
// and what the reason means.
type crash struct {
	reason  string   // "fatal error: concurrent map writes"
	frames  []string // "sync.(*Mutex).Unlock" lines, with their file:line
	others  int      // goroutines of the dump not shown
	explain string
}

var goroutineHeader = regexp.MustCompile(`^goroutine \d+ \[[^\]]*\]:$`)

// parseReport reads what the Go runtime wrote before ending the worker.
// Without a report (killed by a signal, by the memory watch), exit says why.
func parseReport(report, exit string) crash {
	lines := strings.Split(strings.TrimRight(report, "\n"), "\n")
	var c crash
	var reason []string
	i := 0
	for ; i < len(lines) && !goroutineHeader.MatchString(lines[i]); i++ {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "[signal ") {
			reason = append(reason, l)
		}
	}
	c.reason = strings.Join(reason, "\n")
	if c.reason == "" {
		c.reason = exit
	}
	first := true
	for ; i < len(lines); i++ {
		l := lines[i]
		if goroutineHeader.MatchString(l) {
			if !first {
				c.others++
			}
			continue
		}
		if !first || c.others > 0 {
			continue
		}
		if l == "" {
			first = false
			continue
		}
		if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "created by ") {
			continue
		}
		if i+1 < len(lines) && readable(l) {
			c.frames = append(c.frames, l, lines[i+1])
		}
	}
	c.explain = explain(c.reason)
	return c
}

// readable says whether a frame's function means something to a learner:
// not the runtime, the interpreter, reflection or the kernel's own code.
func readable(fn string) bool {
	for _, p := range []string{"runtime.", "runtime/", "internal/", "reflect.", "github.com/traefik/yaegi/", "github.com/gospeed/gospeed/kernel/", "main.", "panic("} {
		if strings.HasPrefix(fn, p) {
			return false
		}
	}
	return true
}

// explanations say what a reason means and what to do, by a part of it.
var explanations = []struct{ match, text string }{
	{"concurrent map", "Two goroutines used the same map at the same time, and at least one of them wrote to it. Go stops the whole program when it catches this, because the map may already be broken. Guard the map with a sync.Mutex, or let one goroutine own it and talk to it over a channel."},
	{"unlock of unlocked mutex", "Unlock was called on a sync.Mutex that was not locked: one Unlock too many, or an Unlock of a copy of the mutex. Pair each Lock with one Unlock (mu.Lock(); defer mu.Unlock()), and share a mutex by pointer, never by copy."},
	{"RUnlock of unlocked RWMutex", "RUnlock was called on a sync.RWMutex that held no read lock. Pair each RLock with one RUnlock, and share the mutex by pointer."},
	{"Unlock of unlocked RWMutex", "Unlock was called on a sync.RWMutex that was not locked for writing. Pair each Lock with one Unlock, and share the mutex by pointer."},
	{"out of memory", "The cell asked for more memory than the worker may use. Work on smaller data, or process it as it streams in instead of holding all of it."},
	{"thread", "Too many goroutines were blocked in system calls at once, each holding an operating-system thread. Bound the concurrency, for instance with a worker pool or a semaphore."},
	{"stack", "A function called itself without end, or a goroutine's stack grew too large."},
	{"panic: ", "A goroutine panicked where nothing could recover it: a callback that a library or the runtime runs on a goroutine of its own (time.AfterFunc, context.AfterFunc) is outside the cell. Recover inside the callback, or report the failure with an error instead."},
}

func explain(reason string) string {
	for _, e := range explanations {
		if strings.Contains(reason, e.match) {
			return e.text
		}
	}
	return "The Go runtime stopped the worker process that runs your cells."
}

// ename names the crash as the error's name.
func (c crash) ename() string {
	switch {
	case strings.Contains(c.reason, "fatal error:"):
		return "FatalError"
	case strings.HasPrefix(c.reason, "panic:"):
		return "Panic"
	}
	return "WorkerDied"
}

// value is the reason in one line.
func (c crash) value() string {
	lines := strings.Split(c.reason, "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "panic:") {
			return l
		}
	}
	return lines[len(lines)-1]
}

// text is the report a learner reads.
func (c crash) text() string {
	var b strings.Builder
	b.WriteString(c.reason)
	b.WriteString("\n")
	if len(c.frames) > 0 {
		b.WriteString("\nwhere it happened (Go functions; the interpreted cell itself has no Go frames):\n")
		for _, f := range c.frames {
			b.WriteString(f)
			b.WriteString("\n")
		}
	}
	if c.others > 0 {
		fmt.Fprintf(&b, "(%d more goroutines in the dump: the kernel's log has all of it)\n", c.others)
	}
	b.WriteString("\n")
	b.WriteString(c.explain)
	b.WriteString("\n")
	return b.String()
}
