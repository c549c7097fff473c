package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/logah-go/logah/logah/arch"
)

func init() {
	register("family", "list or summarise the architectures of a family (vits1k, gpts1k, vits-mini, gpts-mini)", cmdFamily)
}

func cmdFamily(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("family", flag.ContinueOnError)
	n := fs.Int("n", 0, "number of members (default: the family's fixed list, e.g. 1000 for vits1k)")
	seed := fs.Uint64("seed", 0, "sampling seed (default: the family's, 1)")
	summary := fs.Bool("summary", false, "print a summary instead of the list")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("give one family name: %v", arch.FamilyNames())
	}
	f, err := arch.FamilyByName(pos[0])
	if err != nil {
		return err
	}
	if *n < 0 {
		return usageErrorf("--n must be positive, got %d", *n)
	}
	count, s := f.DefaultSize, f.DefaultSeed
	if *n > 0 {
		count = *n
	}
	if *seed != 0 {
		s = *seed
	}
	members := f.Sample(s, count)
	if *summary {
		printSummary(stdout, f, arch.Summarize(members))
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tarchitecture\tparams")
	for i, a := range members {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", i, a, thousands(arch.NumParams(a)))
	}
	return tw.Flush()
}

func printSummary(w io.Writer, f arch.Family, s arch.Summary) {
	fmt.Fprintf(w, "%s — %s\n", f.Name, f.Description)
	fmt.Fprintf(w, "members: %d (%d distinct)\n", s.Count, s.Unique)
	fmt.Fprintf(w, "params:  min %s  median %s  max %s\n", thousands(s.MinParams), thousands(s.MedianParams), thousands(s.MaxParams))
	fmt.Fprintf(w, "depth:   %s\n", histogram(s.DepthHist))
	fmt.Fprintf(w, "width:   %s\n", histogram(s.WidthHist))
}

func histogram(h map[int]int) string {
	keys := make([]int, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += "  "
		}
		out += fmt.Sprintf("%d:%d", k, h[k])
	}
	return out
}
