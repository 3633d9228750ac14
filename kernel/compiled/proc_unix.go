//go:build unix

package compiled

import (
	"os/exec"
	"syscall"
)

// inGroup makes cmd the leader of a new process group, so that killGroup
// stops it and every child it forks.
func inGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills cmd's process group, what is left of it.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
