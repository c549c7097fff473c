//go:build unix && !linux

package jupyter

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts the kernel in its own process group, so that Close can stop the
// kernel and the cell programs it spawned together.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
