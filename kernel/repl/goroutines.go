package repl

import (
	"bytes"
	"reflect"
	"time"
	"unsafe"

	"github.com/traefik/yaegi/interp"

	"github.com/gospeed/gospeed/kernel/internal/goroutine"
)

// yaegi v0.16.1 stops interpreted goroutines at their next step when an
// evaluation is cancelled, but a goroutine blocked in a channel operation
// wakes only when the channel of the evaluation that started it is closed
// (interp.Interpreter.done, unexported, a new one per evaluation), and yaegi
// closes only the current one. So the session keeps each evaluation's
// channel, read from that field, and StopGoroutines closes them all.

// StopGoroutines stops the goroutines that earlier cells left running, when
// no cell runs, and returns how many stopped (within a second: one inside a
// compiled call stops when the call returns). yaegi stops all interpreted
// goroutines at once or none, so an interrupted cell stops them too.
func (s *Session) StopGoroutines() (stopped int) {
	if !s.run.TryLock() {
		return 0
	}
	defer s.run.Unlock()
	before := cellGoroutines()
	if before == 0 {
		return 0
	}
	s.stopAll()
	s.mu.Lock()
	for _, done := range s.dones {
		closeOnce(done)
	}
	s.dones = nil
	s.mu.Unlock()
	left := before
	for wait := time.Millisecond; left > 0 && wait < time.Second; wait *= 2 {
		time.Sleep(wait)
		left = cellGoroutines()
	}
	return before - left
}

// noteDone keeps the channel of the evaluation that just ran.
func (s *Session) noteDone() {
	done, ok := evalDone(s.in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok && (len(s.dones) == 0 || s.dones[len(s.dones)-1] != done) {
		s.dones = append(s.dones, done)
	}
}

// awaitStop returns once the running evaluation is stopped (or after a
// second): see stopAll.
func (s *Session) awaitStop() {
	if done, ok := evalDone(s.in); ok {
		select {
		case <-done:
		case <-time.After(time.Second):
		}
	}
}

// evalDone reads the interpreter's done field.
func evalDone(in *interp.Interpreter) (chan struct{}, bool) {
	f := reflect.ValueOf(in).Elem().FieldByName("done")
	if !f.IsValid() || f.Type() != reflect.TypeOf((chan struct{})(nil)) {
		return nil, false
	}
	return *(*chan struct{})(unsafe.Pointer(f.UnsafeAddr())), true
}

// closeOnce closes c unless yaegi did (an interrupted evaluation's).
func closeOnce(c chan struct{}) {
	select {
	case <-c:
	default:
		close(c)
	}
}

// cellGoroutines counts the goroutines that run interpreted code and are not
// an evaluation: those that cells started with go statements.
func cellGoroutines() int {
	n := 0
	for _, line := range bytes.Split(goroutine.Stacks(), []byte("\n")) {
		if bytes.HasPrefix(line, []byte("created by github.com/traefik/yaegi/interp.")) && !bytes.Contains(line, []byte("WithContext")) {
			n++
		}
	}
	return n
}
