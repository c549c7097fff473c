package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

const usage = `logah-kernel: the "Go (LoGAH)" Jupyter kernel (GoNB, pinned in go.mod, plus a launcher).

usage: go run ./kernel COMMAND [flags]     (or bin/logah-kernel COMMAND once installed)

commands:
  install    build bin/gonb if missing, copy the launcher to bin/logah-kernel and write the
             kernelspec "logah" (--user: the default; --system; --prefix DIR)
  uninstall  remove the kernelspec (same location flags)
  doctor     check everything the kernel needs and say how to fix what is missing
  nbrun      execute notebooks through the installed kernel (jupyter nbconvert), optionally to HTML
  launch     start GoNB for Jupyter (the kernelspec's argv; not for interactive use)

Run "go run ./kernel COMMAND -h" for a command's flags.
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "logah-kernel:", err)
		}
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("missing command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "install":
		return cmdInstall(rest)
	case "uninstall":
		return cmdUninstall(rest)
	case "launch":
		return cmdLaunch(rest)
	case "doctor":
		return cmdDoctor(rest)
	case "nbrun":
		return cmdNBRun(rest)
	case "help", "-h", "-help", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
