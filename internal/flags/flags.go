// Package flags holds the command-line helpers shared by the project's two programs, the
// `logah` command and the Jupyter kernel's installer: flags that may follow positional
// arguments, and repeatable flags.
package flags

import (
	"flag"
	"strings"
)

// Interspersed parses flags that may come before, between or after positional arguments
// ("logah graph gpt2 --format svg", "kernel nbrun NOTEBOOK --html OUT"), which the flag
// package alone stops at, and returns the positional arguments in order. A "--" ends the
// flags: everything after it is positional. Errors are the FlagSet's, flag.ErrHelp included;
// where they are printed is the FlagSet's output.
func Interspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// List is a repeatable string flag: each occurrence appends its value
// (fs.Var(&list, "init", …) then --init a --init b).
type List []string

// String implements flag.Value.
func (l *List) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

// Set implements flag.Value.
func (l *List) Set(v string) error { *l = append(*l, v); return nil }
