// Command logah is the command line of LoGAH Lab: inspect architectures and their graphs,
// train hypernetworks, predict parameters and fine-tune target networks.
//
//	logah arch NAME | --config file.json      parameter table and exact count
//	logah family NAME [--n N] [--seed S] [--summary]
//	logah graph NAME | --config file.json [--format svg|dot|json] [--out FILE]
//
// Run "logah help" for every command. Errors are one line on stderr and a non-zero exit.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/logah-go/logah/internal/flags"
	"github.com/logah-go/logah/logah/backend"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(args []string, stdout io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout io.Writer) error) {
	commands[name] = command{summary, run}
}

// errUsage marks errors caused by the command line (exit code 2).
var errUsage = errors.New("usage")

func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes a command line and returns the exit code; panics become one-line errors.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			var unavailable *backend.UnavailableError
			if err, ok := r.(error); ok && errors.As(err, &unavailable) {
				fmt.Fprintf(stderr, "logah: %v\n", unavailable)
				code = 1
				return
			}
			fmt.Fprintf(stderr, "logah: internal error: %v (please report it)\n", r)
			code = 3
		}
	}()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "logah: unknown command %q: run 'logah help' for the list\n", args[0])
		return 2
	}
	if err := cmd.run(args[1:], stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		fmt.Fprintf(stderr, "logah %s: %s\n", args[0], msg)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "logah — LoGAH Lab command line\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'logah COMMAND -h' for the flags of a command.")
}

// parseInterspersed parses flags that may come before or after positional arguments
// ("logah graph gpt2 --format svg") and returns the positionals (see flags.Interspersed). A
// flag error is a usage error of one line; -h prints the flags to standard output.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	pos, err := flags.Interspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(os.Stdout)
		fs.Usage()
		return nil, err
	case err != nil:
		return nil, usageErrorf("%v", err)
	}
	return pos, nil
}
