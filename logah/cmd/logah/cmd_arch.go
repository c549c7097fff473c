package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/logah-go/logah/logah/arch"
)

func init() {
	register("arch", "print the parameter table and exact parameter count of a model", cmdArch)
}

func cmdArch(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("arch", flag.ContinueOnError)
	brief := fs.Bool("brief", false, "print only the total")
	a, err := parseModelArgs(fs, args)
	if err != nil {
		return err
	}
	if !*brief {
		printParamTable(stdout, a)
	}
	fmt.Fprintf(stdout, "%s: %s parameters\n", a, thousands(arch.NumParams(a)))
	return nil
}

func printParamTable(w io.Writer, a arch.Arch) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tname\tshape\tparams\trole\t")
	for i, p := range a.Params() {
		fmt.Fprintf(tw, "%d\t%s\t%v\t%s\t%s\t\n", i, p.Name, p.Shape, thousands(p.Size()), p.Role)
	}
	tw.Flush()
}

// thousands formats 774030080 as 774,030,080.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}
