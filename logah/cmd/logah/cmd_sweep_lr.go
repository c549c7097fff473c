package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/logah-go/logah/logah/experiment"
)

func init() {
	register("sweep-lr", "fine-tune every initialisation at several peak learning rates on a validation split and report each one's best (for compare --lr-from)", cmdSweepLR)
}

func cmdSweepLR(args []string, stdout io.Writer) error {
	s := experiment.LRSweep{Comparison: experiment.DefaultComparison()}
	fs := flag.NewFlagSet("sweep-lr", flag.ContinueOnError)
	cf := addComparisonFlags(fs, &s.Comparison)
	lrs := fs.String("lrs", "3e-4,1e-3,3e-3,1e-2", "the peak learning rates, comma-separated, run in this order")
	fs.IntVar(&s.ExtendEdges, "extend-edges", 0, "for each initialisation whose best rate is the smallest or largest tried, run up to this many rates beyond the grid, one at a time (3e-2 after 3e-4,…,1e-2), for it alone")
	fs.StringVar(&s.Dir, "out", "", "directory of the results, one file per rate (lr0.001.json, …); compare --lr-from reads it")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || s.Dir == "" {
		return usageErrorf("usage: logah sweep-lr --arch A --init random --init logah=DIR --validation 10000 --lrs 3e-4,1e-3,3e-3,1e-2 --out DIR [flags]")
	}
	for _, f := range strings.Split(*lrs, ",") {
		lr, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return usageErrorf("--lrs %q: a comma-separated list of learning rates such as 1e-4,3e-4,1e-3", *lrs)
		}
		s.LRs = append(s.LRs, lr)
	}
	closeInits, err := cf.finish(&s.Comparison)
	defer closeInits()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	metric := experiment.Metric(s.Data)
	runs, err := experiment.SweepLR(ctx, s, func(lr float64, p experiment.RunProgress) {
		if p.Step == p.TotalSteps && p.Eval != nil {
			fmt.Fprintf(os.Stderr, "lr %-7g %s  %-8s seed %d: %s %.4f after %d steps\n", lr, p.Arch, p.Init, p.Seed, metric, p.Eval[metric], p.Step)
		}
	})
	if err != nil {
		return err
	}
	choices, err := experiment.BestLRs(runs, metric, s.InitNames()...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "protocol: %v, peak learning rates %s\n", s.Protocol(), *lrs)
	printSweep(stdout, choices, metric)
	return nil
}

// printSweep prints one row per initialisation: the metric after fine-tuning at every rate
// (mean ± std over architectures and seeds) and the best rate.
func printSweep(w io.Writer, choices []experiment.LRChoice, metric string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	columns, rows := experiment.SweepRows(choices, metric)
	fmt.Fprintln(tw, strings.Join(columns, "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(w, "%s after fine-tuning, mean ± std over architectures and seeds; logah compare --lr-from DIR fine-tunes each initialisation at its best rate\n", metric)
	for _, c := range choices {
		if note := c.EdgeNote(); note != "" {
			fmt.Fprintf(w, "note: %s (--extend-edges 1 does it for you)\n", note)
		}
	}
}
