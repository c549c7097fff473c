package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/logah-go/logah/logah/experiment"
)

func init() {
	register("report", "tabulate saved runs (the --out files of compare, or a sweep-lr directory): mean ± std per initialisation, paired differences, per architecture", cmdReport)
}

func cmdReport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	initsFlag := fs.String("inits", "", "comma-separated initialisations to report, in this order (default: every one, in the order the files hold them)")
	baseline := fs.String("baseline", "", "the initialisation the others are paired with (default: the first of --inits, else random when the files hold it, else the first in the files)")
	byArch := fs.Bool("by-arch", false, "also tabulate every architecture: mean ± std over its seeds")
	atEpoch := fs.Int("at-epoch", 0, "report the runs as they stood at the end of this epoch: exactly the shorter comparison when the learning rate does not depend on the run's length (a constant rate, as the authors' recipe); refused for a cosine schedule")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErrorf("usage: logah report [--inits a,b] [--baseline a] [--by-arch] [--at-epoch N] RUNS.json... | SWEEP_DIR")
	}
	var requested []string
	if *initsFlag != "" {
		requested = strings.Split(*initsFlag, ",")
	}
	if info, err := os.Stat(pos[0]); err == nil && info.IsDir() {
		if len(pos) > 1 {
			return usageErrorf("report: %s is a sweep directory; report it alone (logah report DIR)", pos[0])
		}
		if *atEpoch != 0 {
			return usageErrorf("report: --at-epoch reports files of runs, not the sweep directory %s", pos[0])
		}
		return reportSweep(stdout, pos[0], requested, *baseline, *byArch)
	}
	var runs []experiment.Run
	for _, path := range pos {
		rs, err := experiment.ReadRuns(path)
		if err != nil {
			return err
		}
		if *atEpoch != 0 {
			if rs, err = experiment.RunsAtEpoch(rs, *atEpoch); err != nil {
				return fmt.Errorf("--at-epoch: %s: %w", path, err)
			}
		}
		runs = append(runs, rs...)
	}
	return reportRuns(stdout, runs, strings.Join(pos, ", "), requested, *baseline, *byArch)
}

// reportSweep reports the sweep directory dir (logah sweep-lr --out): each initialisation's
// metric at every rate with its best, then every rate's runs as reportRuns does, in increasing
// rate; only the initialisations a rate holds take part in its report.
func reportSweep(w io.Writer, dir string, requested []string, baseline string, byArch bool) error {
	runs, err := experiment.ReadSweep(dir)
	if err != nil {
		return err
	}
	names := experiment.InitsOf(runs)
	if err := checkRequested(requested, names, dir); err != nil {
		return err
	}
	if len(requested) > 0 {
		names = requested
	}
	metric := "accuracy"
	if len(runs) > 0 {
		metric = runs[0].Protocol.Metric()
	}
	choices, err := experiment.BestLRs(runs, metric, names...)
	if err != nil {
		return err
	}
	printSweep(w, choices, metric)
	for _, lr := range experiment.SweptRates(choices) {
		atRate := slices.DeleteFunc(slices.Clone(runs), func(r experiment.Run) bool { return r.Protocol.LR != lr })
		present := experiment.InitsOf(atRate)
		these := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return !slices.Contains(present, n) })
		base := baseline
		if base == "" && len(requested) == 0 {
			base = "random" // as reportRuns pairs with random by default, wherever the files list it
		}
		if !slices.Contains(these, base) {
			base = ""
		}
		fmt.Fprintf(w, "\npeak learning rate %g:\n", lr)
		if err := reportRuns(w, atRate, dir, these, base, byArch); err != nil {
			return err
		}
	}
	return nil
}

// checkRequested errors when an initialisation of requested has no run in source, which holds
// those of all.
func checkRequested(requested, all []string, source string) error {
	for _, n := range requested {
		if !slices.Contains(all, n) {
			return fmt.Errorf("--inits: no run of %q in %s (it holds %s)", n, source, strings.Join(all, ", "))
		}
	}
	return nil
}

// reportRuns prints each initialisation's protocol, the summary with the paired differences
// from the baseline and, with byArch, the per-architecture table of runs (read from source).
// requested (none: every initialisation of runs) orders them; the baseline defaults to the
// first requested, else random where runs hold it, else the first.
func reportRuns(w io.Writer, runs []experiment.Run, source string, requested []string, baseline string, byArch bool) error {
	all := experiment.InitsOf(runs)
	names := all
	if len(requested) > 0 {
		if err := checkRequested(requested, all, source); err != nil {
			return err
		}
		names = requested
	}
	if len(names) == 0 {
		return fmt.Errorf("%s: no runs", source)
	}
	if baseline == "" && len(requested) == 0 && slices.Contains(names, "random") {
		baseline = "random"
	}
	if baseline != "" {
		i := slices.Index(names, baseline)
		if i < 0 {
			return fmt.Errorf("--baseline %q: not among the initialisations reported (%s)", baseline, strings.Join(names, ", "))
		}
		names = append([]string{baseline}, slices.Delete(slices.Clone(names), i, i+1)...)
	}
	protocols, err := protocolsOf(runs, names)
	if err != nil {
		return err
	}
	metric := protocols[0].Metric()
	for i, name := range names {
		fmt.Fprintf(w, "%s: %v\n", name, protocols[i])
	}
	printRunsSummary(w, runs, names, metric, budgetLabel(protocols[0]))
	if byArch {
		printByArch(w, runs, names, metric)
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
