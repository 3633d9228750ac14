package display

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDisplayOutsideTheKernel: a compiled program run without the kernel's
// display pipe prints what it displays as text. The check runs in a child
// process, whose stdout it can read.
func TestDisplayOutsideTheKernel(t *testing.T) {
	if os.Getenv("GOSPEED_TEST_DISPLAY_CHILD") == "1" {
		if err := Display(HTML("<b>bold</b>")); err != nil {
			t.Fatal(err)
		}
		if err := Display(PNG([]byte{1})); err != nil {
			t.Fatal(err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDisplayOutsideTheKernel$")
	cmd.Env = append(os.Environ(), "GOSPEED_TEST_DISPLAY_CHILD=1", displayFDEnv+"=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "<b>bold</b>\n<image/png>\n") {
		t.Errorf("printed %q", out)
	}
}
