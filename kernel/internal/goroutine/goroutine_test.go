package goroutine

import (
	"bytes"
	"fmt"
	"testing"
)

func TestIDAndStacks(t *testing.T) {
	ids, release := make(chan int64), make(chan struct{})
	go func() {
		ids <- ID()
		<-release // parked, so that its stack is in the dump
	}()
	defer close(release)
	mine, other := ID(), <-ids
	if mine == 0 || other == 0 || mine == other {
		t.Fatalf("ID() = %d here, %d in another goroutine", mine, other)
	}
	stacks := Stacks()
	for _, id := range []int64{mine, other} {
		if header := fmt.Sprintf("goroutine %d [", id); !bytes.Contains(stacks, []byte(header)) {
			t.Errorf("Stacks() has no %q", header)
		}
	}
	if !bytes.Contains(stacks, []byte("TestIDAndStacks.func1")) {
		t.Error("Stacks() does not show where the other goroutine is")
	}
}
