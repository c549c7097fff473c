//go:build !unix

package main

import (
	"os"
	"os/exec"
)

// execProgram runs path as a child with the same standard streams and exits with its status
// (there is no exec(2) on this system).
func execProgram(path string, argv, environ []string) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = environ
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		return err
	}
	os.Exit(0)
	return nil
}
