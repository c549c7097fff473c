package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// cmdLaunch is the kernelspec's entry point: Jupyter runs
//
//	<repo>/bin/logah-kernel launch --repo <repo> --gonb <repo>/bin/gonb [--go-bin DIR] [--backend B] {connection_file} [gonb flags...]
//
// It completes the environment (see kernelEnv) and replaces itself with GoNB serving the
// connection file, with the checkout as its Go workspace (-go_work).
func cmdLaunch(args []string) error {
	fs := flag.NewFlagSet("launch", flag.ContinueOnError)
	repo := fs.String("repo", "", "the LoGAH checkout (default: found from the executable's location)")
	gonb := fs.String("gonb", "", "the GoNB binary (default: <repo>/bin/gonb)")
	goBin := fs.String("go-bin", "", "directory of the go command, added to PATH when go is not on it")
	backend := fs.String("backend", "", `default GOMLX_BACKEND when unset ("go", "xla:cpu", "xla:cuda", "xla:/abs/plugin.so")`)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: logah-kernel launch [flags] CONNECTION_FILE [extra GoNB flags...]\n\nRun by Jupyter (see kernel.json); starts GoNB for the LoGAH checkout.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return fmt.Errorf("launch: missing the connection file (Jupyter passes it as {connection_file})")
	}
	root, err := findRepo(*repo)
	if err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	if *gonb == "" {
		*gonb = filepath.Join(root, "bin", "gonb")
	}
	if _, err := os.Stat(*gonb); err != nil {
		return fmt.Errorf("launch: GoNB binary %s is missing: run ./install.sh (or go run ./kernel install) in %s", *gonb, root)
	}
	e := kernelEnv(os.Environ(), kernelEnvOptions{Repo: root, GoBin: *goBin, Backend: *backend})
	if _, ok := e.LookPath("goimports"); !ok {
		fmt.Fprintln(os.Stderr, "logah-kernel: warning: goimports is not on PATH, so every cell will fail: install it with `go install golang.org/x/tools/cmd/goimports@v0.44.0` (./install.sh does)")
	}
	argv := append([]string{*gonb, "--kernel", fs.Arg(0), "-go_work=" + root}, fs.Args()[1:]...)
	return execProgram(*gonb, argv, e.vars)
}
