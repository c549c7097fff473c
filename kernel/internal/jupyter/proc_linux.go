//go:build linux

package jupyter

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts the kernel in its own process group, so that Close can stop the
// kernel and the cell programs it spawned together, and asks Linux to send it SIGTERM if this
// process dies first (a test binary killed by its timeout must not leave kernels behind;
// GoNB shuts down cleanly on SIGTERM, gopls included).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
