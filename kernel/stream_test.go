package kernel

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gospeed/gospeed/kernel/wire"
)

type sent struct {
	parent     *wire.Message
	name, text string
}

type recorder struct {
	mu   sync.Mutex
	msgs []sent
}

func (r *recorder) send(parent *wire.Message, name, text string) {
	r.mu.Lock()
	r.msgs = append(r.msgs, sent{parent, name, text})
	r.mu.Unlock()
}

func (r *recorder) all() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.msgs...)
}

func TestStreamerBatchesInOrder(t *testing.T) {
	var r recorder
	s := newStreamer(1<<20, r.send)
	s.interval = time.Hour // only explicit flushes
	cell := &wire.Message{Header: wire.Header{MsgID: "cell"}}
	s.SetParent(cell)
	for i := range 100 {
		fmt.Fprintf(s.Writer("stdout"), "%d\n", i)
	}
	s.Write("stderr", []byte("oops\n"))
	s.Write("stdout", []byte("more\n"))
	if got := r.all(); len(got) != 0 {
		t.Fatalf("sent before a flush: %v", got)
	}
	s.EndCell()
	got := r.all()
	if len(got) != 3 || got[0].name != "stdout" || got[1].text != "oops\n" || got[2].text != "more\n" {
		t.Fatalf("want stdout, stderr, stdout batches, got %v", got)
	}
	if !strings.HasPrefix(got[0].text, "0\n1\n") || !strings.HasSuffix(got[0].text, "99\n") || got[0].parent != cell {
		t.Errorf("first batch %q parent %v", got[0].text, got[0].parent)
	}
}

func TestStreamerFlushesOnTimerAndSize(t *testing.T) {
	var r recorder
	s := newStreamer(1<<30, r.send)
	s.interval = 10 * time.Millisecond
	s.Write("stdout", []byte("tick"))
	deadline := time.Now().Add(5 * time.Second)
	for len(r.all()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := r.all(); len(got) != 1 || got[0].text != "tick" {
		t.Fatalf("timer flush: %v", got)
	}
	s.interval = time.Hour
	s.Write("stdout", make([]byte, s.maxChunk))
	if got := r.all(); len(got) != 2 || len(got[1].text) != s.maxChunk {
		t.Fatalf("size flush: %d messages", len(got))
	}
	s.Close()
}

func TestStreamerThrottles(t *testing.T) {
	var r recorder
	now := time.Unix(0, 0)
	s := newStreamer(1000, r.send)
	s.interval = time.Hour
	s.now = func() time.Time { return now }
	s.SetParent(&wire.Message{})
	for range 30 {
		s.Write("stdout", make([]byte, 100)) // 3000 bytes in one second
	}
	now = now.Add(time.Second)
	s.Write("stdout", make([]byte, 100)) // a new second: allowed again
	s.EndCell()
	var out, notes int
	for _, m := range r.all() {
		if m.name == "stdout" {
			out += len(m.text)
		} else {
			notes++
			if !strings.Contains(m.text, "[output throttled: 2000 bytes dropped]") {
				t.Errorf("note %q", m.text)
			}
		}
	}
	if out != 1100 || notes != 1 {
		t.Errorf("sent %d bytes with %d notes; want 1100 and 1", out, notes)
	}
}

func TestStreamerKeepsRunesWhole(t *testing.T) {
	var r recorder
	s := newStreamer(1<<20, r.send)
	s.interval = time.Hour
	s.maxChunk = 8
	text := strings.Repeat("é€", 20)
	b := []byte(text)
	for i := range b { // byte by byte: chunk limits fall inside characters
		s.Write("stdout", b[i:i+1])
	}
	s.EndCell()
	var joined strings.Builder
	for _, m := range r.all() {
		if !utf8.ValidString(m.text) {
			t.Errorf("message %q cuts a character", m.text)
		}
		joined.WriteString(m.text)
	}
	if joined.String() != text {
		t.Errorf("got %q", joined.String())
	}
}
