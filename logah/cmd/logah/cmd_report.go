package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/logah-go/logah/logah/experiment"
)

func init() {
	register("report", "tabulate saved runs (the --out files of compare): mean ± std per initialisation, paired differences, per architecture", cmdReport)
}

func cmdReport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	initsFlag := fs.String("inits", "", "comma-separated initialisations to report, in this order (default: every one, in the order the files hold them)")
	baseline := fs.String("baseline", "", "the initialisation the others are paired with (default: the first of --inits, else random when the files hold it, else the first in the files)")
	byArch := fs.Bool("by-arch", false, "also tabulate every architecture: mean ± std over its seeds")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErrorf("usage: logah report [--inits a,b] [--baseline a] [--by-arch] RUNS.json...")
	}
	var runs []experiment.Run
	for _, path := range pos {
		rs, err := experiment.ReadRuns(path)
		if err != nil {
			return err
		}
		runs = append(runs, rs...)
	}
	all := experiment.InitsOf(runs)
	names := all
	if *initsFlag != "" {
		names = strings.Split(*initsFlag, ",")
		for _, n := range names {
			if !slices.Contains(all, n) {
				return fmt.Errorf("--inits: no run of %q in %s (it holds %s)", n, strings.Join(pos, ", "), strings.Join(all, ", "))
			}
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("%s: no runs", strings.Join(pos, ", "))
	}
	if *baseline == "" && *initsFlag == "" && slices.Contains(names, "random") {
		*baseline = "random"
	}
	if *baseline != "" {
		i := slices.Index(names, *baseline)
		if i < 0 {
			return fmt.Errorf("--baseline %q: not among the initialisations reported (%s)", *baseline, strings.Join(names, ", "))
		}
		names = append([]string{*baseline}, slices.Delete(slices.Clone(names), i, i+1)...)
	}
	protocols, err := protocolsOf(runs, names)
	if err != nil {
		return err
	}
	metric := "accuracy"
	if protocols[0].IsText() {
		metric = "perplexity"
	}
	for i, name := range names {
		fmt.Fprintf(stdout, "%s: %v\n", name, protocols[i])
	}
	printRunsSummary(stdout, runs, names, metric, budgetLabel(protocols[0]))
	if *byArch {
		printByArch(stdout, runs, names, metric)
	}
	return nil
}

// protocolsOf is the protocol of each initialisation's runs, which must be one: runs of another
// protocol belong to another experiment.
func protocolsOf(runs []experiment.Run, names []string) ([]experiment.Protocol, error) {
	out := make([]experiment.Protocol, len(names))
	for i, name := range names {
		seen := false
		for _, r := range runs {
			if r.Init != name {
				continue
			}
			if seen && r.Protocol != out[i] {
				return nil, fmt.Errorf("%s's runs were made with two protocols (%v; %v): report one experiment at a time", name, out[i], r.Protocol)
			}
			out[i], seen = r.Protocol, true
		}
	}
	return out, nil
}

// budgetLabel describes p's fine-tuning budget ("1 epoch", "500 steps").
func budgetLabel(p experiment.Protocol) string {
	return experiment.Comparison{Epochs: p.Epochs, Steps: p.Steps}.BudgetLabel()
}

// printRunsSummary prints mean ± std of metric before and after fine-tuning per initialisation,
// then each initialisation's paired difference from the first one over the (architecture,
// seed) pairs they share, with a 95 % confidence interval.
func printRunsSummary(w io.Writer, runs []experiment.Run, names []string, metric, budget string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "initialisation\truns\t%s, no fine-tuning\t%s after %s\n", metric, metric, budget)
	for _, row := range experiment.SummaryRows(experiment.Summarize(runs, metric, names...), metric) {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	for _, name := range names[1:] {
		before, err := experiment.Paired(runs, metric, names[0], name, false, 0.95)
		if err != nil {
			continue // fewer than two shared pairs: nothing to say
		}
		after, _ := experiment.Paired(runs, metric, names[0], name, true, 0.95)
		fmt.Fprintf(w, "paired, no fine-tuning:  %s\npaired, after %s: %s\n", before, budget, after)
	}
}

// printByArch prints, for every architecture, each initialisation's metric after fine-tuning:
// mean ± std over its seeds (and their number), or the one run's value.
func printByArch(w io.Writer, runs []experiment.Run, names []string, metric string) {
	var archs []string
	for _, r := range runs {
		if !slices.Contains(archs, r.Arch) {
			archs = append(archs, r.Arch)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "architecture\t%s\n", strings.Join(names, "\t"))
	for _, a := range archs {
		row := []string{a}
		for _, name := range names {
			var after []float64
			for _, r := range runs {
				if r.Arch == a && r.Init == name {
					after = append(after, r.Final[metric])
				}
			}
			cell := "-"
			switch ms := experiment.NewMeanStd(after); len(after) {
			case 0:
			case 1: // no spread to show
				cell, _, _ = strings.Cut(ms.Format(metric), " ±")
			default:
				cell = fmt.Sprintf("%s (%d)", ms.Format(metric), len(after))
			}
			row = append(row, cell)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}
