package show

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/logah-go/logah/logah/experiment"
)

// Comparisons of initialisations (experiment.Compare): run them with a progress line, plot
// their fine-tuning curves, summarise them in tables.

// Compare runs the comparison c (experiment.Compare) with a progress line that advances when a
// run finishes and shows its final headline metric (experiment.Metric). Runs taken back from
// c.SaveTo (c.Resume) count at the end; the final line says how many ran now and how many were
// read back.
func Compare(ctx context.Context, c experiment.Comparison) ([]experiment.Run, error) {
	total := len(c.Archs) * len(c.Inits) * c.Seeds
	return runsWithProgress(c, total, filepath.Base(c.SaveTo), func(report func(string, experiment.RunProgress)) ([]experiment.Run, error) {
		return experiment.Compare(ctx, c, func(p experiment.RunProgress) { report("", p) })
	})
}

// SweepLR runs the learning-rate sweep s (experiment.SweepLR) with a progress line, as Compare
// does, and returns the runs of every rate.
func SweepLR(ctx context.Context, s experiment.LRSweep) ([]experiment.Run, error) {
	total := len(s.LRs) * len(s.Archs) * len(s.Inits) * s.Seeds
	return runsWithProgress(s.Comparison, total, filepath.Base(s.Dir), func(report func(string, experiment.RunProgress)) ([]experiment.Run, error) {
		return experiment.SweepLR(ctx, s, func(lr float64, p experiment.RunProgress) { report(fmt.Sprintf("lr %g, ", lr), p) })
	})
}

// runsWithProgress calls run, which reports every step of every fine-tuning run (with a label
// prefix), and shows a progress line over the total runs of c's budget; savedIn names where
// resumed runs were read back from.
func runsWithProgress(c experiment.Comparison, total int, savedIn string,
	run func(report func(prefix string, p experiment.RunProgress)) ([]experiment.Run, error)) ([]experiment.Run, error) {
	metric := experiment.Metric(c.Data)
	progress := NewProgress("fine-tuning runs", total)
	defer progress.Done()
	ran := 0
	runs, err := run(func(prefix string, p experiment.RunProgress) {
		if p.Step == p.TotalSteps {
			ran++
			progress.Set(ran, "%s%s, %s, seed %d: %s", prefix, p.Arch, p.Init, p.Seed, formatRunMetric(metric, p.Eval[metric]))
		}
	})
	if err != nil {
		return runs, err
	}
	budget := "evaluation only"
	if c.Steps > 0 || c.Epochs > 0 {
		budget = c.BudgetLabel()
	}
	status := fmt.Sprintf("%d runs, %s each", len(runs), budget)
	if back := len(runs) - ran; back > 0 {
		status += fmt.Sprintf(": %d run now, %d read back from %s", ran, back, savedIn)
	}
	progress.Set(len(runs), "%s", status)
	return runs, nil
}

// formatRunMetric is "accuracy 0.812" or "perplexity 25.41".
func formatRunMetric(metric string, v float64) string {
	if metric == "accuracy" {
		return fmt.Sprintf("accuracy %.3f", v)
	}
	return fmt.Sprintf("%s %.2f", metric, v)
}

// RunCurvesOptions says what [RunCurves] draws.
type RunCurvesOptions struct {
	// Metric is the evaluation drawn (default: accuracy when the runs have it, else perplexity).
	Metric string
	// Inits orders the lines (default: order of first appearance in the runs).
	Inits []string
	// PerSeed draws one line per seed instead of the mean over seeds, the random
	// initialisation's dashed.
	PerSeed bool
	// Width and Height of each plot (default 560×320).
	Width, Height int
}

// RunCurves plots comparison runs along fine-tuning: one plot per architecture (in order of first
// appearance), one line per initialisation, the mean over its seeds of the metric at each
// evaluation. The x axis is the step when the runs had a budget in steps and the epoch
// otherwise; accuracy is drawn from 0 to 1, perplexity on a log axis. Show them with [Panels].
func RunCurves(runs []experiment.Run, o RunCurvesOptions) []*Plot {
	if o.Metric == "" {
		o.Metric = "perplexity"
		if len(runs) > 0 {
			if _, ok := runs[0].Final["accuracy"]; ok {
				o.Metric = "accuracy"
			}
		}
	}
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 560, 320
	}
	inits := o.Inits
	if len(inits) == 0 {
		inits = distinct(runs, func(r experiment.Run) string { return r.Init })
	}
	var plots []*Plot
	for _, a := range distinct(runs, func(r experiment.Run) string { return r.Arch }) {
		p := &Plot{Title: a, XLabel: "epoch (fine-tuning)", YLabel: o.Metric, Width: o.Width, Height: o.Height}
		switch o.Metric {
		case "accuracy":
			p.YLabel, p.YMin, p.YMax = "test accuracy", 0, 1
		case "perplexity":
			p.YLabel, p.LogY = "validation perplexity", true
		}
		for _, in := range inits {
			var mine []experiment.Run
			for _, r := range runs {
				if r.Arch == a && r.Init == in {
					mine = append(mine, r)
				}
			}
			if len(mine) == 0 {
				continue
			}
			if mine[0].Protocol.Steps > 0 {
				p.XLabel = "fine-tuning step"
			}
			if o.PerSeed {
				for _, r := range mine {
					xs, ys := runCurve([]experiment.Run{r}, o.Metric)
					p.Series = append(p.Series, Series{Name: fmt.Sprintf("%s, seed %d", in, r.Seed), X: xs, Y: ys, Dashed: in == "random"})
				}
				continue
			}
			xs, ys := runCurve(mine, o.Metric)
			p.Series = append(p.Series, Series{Name: in, X: xs, Y: ys})
		}
		plots = append(plots, p)
	}
	return plots
}

// runCurve is the mean of metric over runs at each evaluation of the first run (by step when
// the runs count steps, by epoch otherwise), over the runs that have that evaluation.
func runCurve(runs []experiment.Run, metric string) (xs, ys []float64) {
	steps := runs[0].Protocol.Steps > 0
	for i, rec := range runs[0].Curve {
		x := rec.Epoch
		if steps {
			x = float64(rec.Step)
		}
		sum, n := 0.0, 0
		for _, r := range runs {
			if i < len(r.Curve) {
				sum += r.Curve[i].Values[metric]
				n++
			}
		}
		xs, ys = append(xs, x), append(ys, sum/float64(n))
	}
	return xs, ys
}

// distinct lists key(r) over runs in order of first appearance.
func distinct(runs []experiment.Run, key func(experiment.Run) string) []string {
	var out []string
	for _, r := range runs {
		if k := key(r); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// SummaryTable is the mean ± sample standard deviation of metric over the runs of each
// initialisation (in the order of inits, or of first appearance), before fine-tuning and after
// the runs' budget (experiment.Summarize): columns initialisation, runs, "METRIC, no
// fine-tuning", "METRIC after BUDGET".
func SummaryTable(title string, runs []experiment.Run, metric string, inits ...string) *Table {
	budget := "fine-tuning"
	if len(runs) > 0 {
		p := runs[0].Protocol
		if p.Epochs == 0 && p.Steps == 0 { // evaluation only: no "after" column
			t := NewTable(title, "initialisation", "runs", metric+", no fine-tuning")
			for _, row := range experiment.SummaryRows(experiment.Summarize(runs, metric, inits...), metric) {
				t.Add(row[0], row[1], row[2])
			}
			return t
		}
		budget = experiment.Comparison{Epochs: p.Epochs, Steps: p.Steps}.BudgetLabel()
	}
	t := NewTable(title, "initialisation", "runs", metric+", no fine-tuning", metric+" after "+budget)
	for _, row := range experiment.SummaryRows(experiment.Summarize(runs, metric, inits...), metric) {
		t.Add(row[0], row[1], row[2], row[3])
	}
	return t
}

// ArchSummaryTable is [SummaryTable] per architecture (in order of first appearance), in one
// table with the architecture first: the spread over seeds alone.
func ArchSummaryTable(title string, runs []experiment.Run, metric string, inits ...string) *Table {
	var t *Table
	for _, a := range distinct(runs, func(r experiment.Run) string { return r.Arch }) {
		var mine []experiment.Run
		for _, r := range runs {
			if r.Arch == a {
				mine = append(mine, r)
			}
		}
		one := SummaryTable(title, mine, metric, inits...)
		if t == nil {
			t = NewTable(title, append([]string{"architecture"}, one.Columns...)...)
		}
		for _, row := range one.Rows {
			t.Add(append([]any{a}, row...)...)
		}
	}
	if t == nil {
		t = SummaryTable(title, nil, metric)
	}
	return t
}

// SweepTable is a learning-rate sweep (experiment.BestLRs): one row per initialisation with
// the metric after fine-tuning at every rate (mean ± std over architectures and seeds) and the
// rate with the best mean, in the last column.
func SweepTable(title string, choices []experiment.LRChoice, metric string) *Table {
	columns, rows := experiment.SweepRows(choices, metric)
	t := NewTable(title, columns...)
	for _, row := range rows {
		cells := make([]any, len(row))
		for k, c := range row {
			cells[k] = c
		}
		t.Add(cells...)
	}
	t.Caption = metric + " after fine-tuning at each peak learning rate; the best mean chooses the rate"
	for _, c := range choices {
		if note := c.EdgeNote(); note != "" {
			t.Caption += ". " + note
		}
	}
	return t
}

// PairedTable is each initialisation's paired difference from baseline (experiment.Paired) over
// the (architecture, seed) pairs they share, before and after fine-tuning, with 95 % confidence
// intervals: accuracies in percentage points. No inits: every initialisation of runs but the
// baseline, in order of appearance. Initialisations sharing fewer than two pairs with the
// baseline are left out.
func PairedTable(title string, runs []experiment.Run, metric, baseline string, inits ...string) *Table {
	if len(inits) == 0 {
		inits = slices.DeleteFunc(experiment.InitsOf(runs), func(name string) bool { return name == baseline })
	}
	unit := ""
	if metric == "accuracy" {
		unit = " (points)"
	}
	t := NewTable(title, "difference", "pairs", "no fine-tuning"+unit, "after fine-tuning"+unit)
	for _, name := range inits {
		before, err := experiment.Paired(runs, metric, baseline, name, false, 0.95)
		if err != nil {
			continue
		}
		after, _ := experiment.Paired(runs, metric, baseline, name, true, 0.95)
		t.Add(name+" − "+baseline, before.Pairs, before.Interval(), after.Interval())
	}
	t.Caption = "mean of the paired differences over (architecture, seed) [95 % Student-t confidence interval]"
	return t
}
