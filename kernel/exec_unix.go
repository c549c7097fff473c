//go:build unix

package main

import (
	"fmt"
	"syscall"
)

// execProgram replaces the current process with path (so Jupyter's signals and the
// process id reach GoNB directly).
func execProgram(path string, argv, environ []string) error {
	err := syscall.Exec(path, argv, environ)
	return fmt.Errorf("launch: exec %s: %w", path, err)
}
