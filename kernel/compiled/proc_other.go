//go:build !unix

package compiled

import "os/exec"

// inGroup does nothing here: without Unix process groups only the program
// itself is stopped, not the children it starts.
func inGroup(cmd *exec.Cmd) {}

// killGroup kills cmd's process.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
