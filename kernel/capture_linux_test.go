package kernel

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCaptureFDs redirects this test process's own fds 1 and 2: output of
// fmt, of a goroutine and of a child process must all reach the sink, and a
// Sync must see everything printed before it.
func TestCaptureFDs(t *testing.T) {
	var mu sync.Mutex
	got := map[string]*strings.Builder{"stdout": {}, "stderr": {}}
	c, err := captureFDs(func(name string, p []byte) {
		mu.Lock()
		got[name].Write(p)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("from fmt")
	done := make(chan struct{})
	go func() { fmt.Fprintln(os.Stderr, "from a goroutine"); close(done) }()
	<-done
	cmd := exec.Command("sh", "-c", "echo from a child; echo child err >&2")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	runErr := cmd.Run()
	for i := range 1000 { // many syncs: each must wait for its own mark
		fmt.Printf("%d,", i)
		if i%100 == 0 {
			if err := c.Sync(5 * time.Second); err != nil {
				c.Restore()
				t.Fatal(err)
			}
			mu.Lock()
			ok := strings.HasSuffix(got["stdout"].String(), fmt.Sprintf("%d,", i))
			mu.Unlock()
			if !ok {
				c.Restore()
				t.Fatalf("after Sync, output up to %d is not in the sink", i)
			}
		}
	}
	syncErr := c.Sync(5 * time.Second)
	restoreErr := c.Restore()
	if _, err := c.Log.Stat(); err != nil {
		t.Errorf("the log file: %v", err)
	}
	if runErr != nil || syncErr != nil || restoreErr != nil {
		t.Fatal(runErr, syncErr, restoreErr)
	}
	out, errOut := got["stdout"].String(), got["stderr"].String()
	if !strings.HasPrefix(out, "from fmt\nfrom a child\n0,1,") || !strings.HasSuffix(out, "999,") || strings.Contains(out, "gospeed-sync") {
		t.Errorf("stdout %q", out)
	}
	if errOut != "from a goroutine\nchild err\n" {
		t.Errorf("stderr %q", errOut)
	}
}
