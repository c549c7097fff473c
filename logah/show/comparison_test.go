package show

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/experiment"
	"github.com/logah-go/logah/logah/trainer"
)

// fakeRun is a run of arch and init with seed whose metric goes through values, one evaluation
// per step (steps > 0) or per half epoch.
func fakeRun(archName, init string, seed uint64, steps int, metric string, values ...float64) experiment.Run {
	r := experiment.Run{Arch: archName, Init: init, Seed: seed, Protocol: experiment.Protocol{Steps: steps, Epochs: 1}}
	for i, v := range values {
		r.Curve = append(r.Curve, trainer.Record{Step: 10 * i, Epoch: 0.5 * float64(i), Split: "eval", Values: map[string]float64{metric: v}})
	}
	r.Initial, r.Final = r.Curve[0].Values, r.Curve[len(r.Curve)-1].Values
	return r
}

func TestRunCurvesAverageSeedsPerArchitecture(t *testing.T) {
	runs := []experiment.Run{
		fakeRun("vit-a", "random", 1, 0, "accuracy", 0.1, 0.5, 0.7),
		fakeRun("vit-a", "random", 2, 0, "accuracy", 0.1, 0.3, 0.5),
		fakeRun("vit-a", "logah", 1, 0, "accuracy", 0.4, 0.8, 0.9),
		fakeRun("vit-b", "random", 1, 0, "accuracy", 0.1, 0.2, 0.3),
	}
	plots := RunCurves(runs, RunCurvesOptions{Inits: []string{"logah", "random"}})
	if len(plots) != 2 || plots[0].Title != "vit-a" || plots[1].Title != "vit-b" {
		t.Fatalf("want one plot per architecture in order, got %d", len(plots))
	}
	a := plots[0]
	if len(a.Series) != 2 || a.Series[0].Name != "logah" || a.Series[1].Name != "random" {
		t.Fatalf("lines of vit-a: %+v", a.Series)
	}
	if got := a.Series[1]; !slices.Equal(got.X, []float64{0, 0.5, 1}) || !slices.Equal(got.Y, []float64{0.1, 0.4, 0.6}) {
		t.Errorf("random on vit-a: x %v y %v, want epochs 0, 0.5, 1 and the mean of both seeds", got.X, got.Y)
	}
	if a.XLabel != "epoch (fine-tuning)" || a.YMin != 0 || a.YMax != 1 || a.YLabel != "test accuracy" {
		t.Errorf("accuracy axes: %q, [%g, %g], %q", a.XLabel, a.YMin, a.YMax, a.YLabel)
	}
}

func TestRunCurvesPerSeedOnStepsAndPerplexity(t *testing.T) {
	runs := []experiment.Run{
		fakeRun("gpt", "random", 1, 20, "perplexity", 256, 90, 60),
		fakeRun("gpt", "random", 2, 20, "perplexity", 256, 80, 50),
		fakeRun("gpt", "logah", 1, 20, "perplexity", 40, 30, 25),
	}
	p := RunCurves(runs, RunCurvesOptions{PerSeed: true})[0]
	if p.XLabel != "fine-tuning step" || !p.LogY || p.YLabel != "validation perplexity" {
		t.Errorf("axes %q log %v %q", p.XLabel, p.LogY, p.YLabel)
	}
	if len(p.Series) != 3 || p.Series[1].Name != "random, seed 2" || !p.Series[1].Dashed || p.Series[2].Dashed {
		t.Fatalf("one line per seed, random dashed: %+v", p.Series)
	}
	if !slices.Equal(p.Series[2].X, []float64{0, 10, 20}) {
		t.Errorf("x %v, want the steps", p.Series[2].X)
	}
}

func TestSummaryTableNamesMetricAndBudget(t *testing.T) {
	runs := []experiment.Run{
		fakeRun("gpt", "random", 1, 60, "perplexity", 256, 60),
		fakeRun("gpt", "random", 2, 60, "perplexity", 256, 50),
		fakeRun("gpt2", "logah", 1, 60, "perplexity", 40, 25),
	}
	tab := SummaryTable("validation perplexity", runs, "perplexity", "logah", "random")
	if got := strings.Join(tab.Columns, " | "); got != "initialisation | runs | perplexity, no fine-tuning | perplexity after 60 steps" {
		t.Errorf("columns %s", got)
	}
	if len(tab.Rows) != 2 || tab.Rows[0][0] != "logah" || tab.Rows[1][1] != "2" || !strings.HasPrefix(tab.Rows[1][3].(string), "55") {
		t.Errorf("rows %v: logah first, then random over 2 runs at 55 ± …", tab.Rows)
	}
	per := ArchSummaryTable("per architecture", runs, "perplexity")
	if len(per.Rows) != 2 || per.Columns[0] != "architecture" || per.Rows[0][0] != "gpt" || per.Rows[0][2] != "2" || per.Rows[1][1] != "logah" {
		t.Errorf("per-architecture table %v: %v", per.Columns, per.Rows)
	}
}

func TestCompareShowsRunsAndWhatWasReadBack(t *testing.T) {
	r := record(t)
	small := arch.GPT2{Layers: 1, Width: 16, Heads: 2, Inner: 32, Vocab: 256, Context: 32}
	c := experiment.DefaultComparison()
	c.Data.Name, c.Data.TextBytes = "text", 1<<20
	c.Archs, c.Inits = []arch.Arch{small}, []experiment.Init{{Name: "random"}}
	c.Seeds, c.Steps, c.MaxEval, c.Batch = 2, 2, 2, 4
	c.SaveTo = filepath.Join(t.TempDir(), "runs.json")
	if _, err := Compare(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	c.Seeds, c.Resume = 3, true
	runs, err := Compare(context.Background(), c)
	if err != nil || len(runs) != 3 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	if len(r.Updates) != 2 || len(r.Finished) != 2 {
		t.Fatalf("want one progress line per comparison, got %d (%d done)", len(r.Updates), len(r.Finished))
	}
	var last Output
	for _, u := range r.Updates {
		if o := u[len(u)-1]; strings.Contains(o.Text, "read back") {
			last = o
		}
	}
	if !strings.Contains(last.Text, "3/3") || !strings.Contains(last.Text, "3 runs, 2 steps each: 1 run now, 2 read back from runs.json") {
		t.Errorf("final progress line of the resumed comparison: %q", last.Text)
	}
}

func TestSummaryTableOfEvaluationsHasNoAfterColumn(t *testing.T) {
	r := fakeRun("vit-a", "logah", 1, 0, "accuracy", 0.8)
	r.Protocol.Epochs = 0
	if cols := SummaryTable("eval", []experiment.Run{r}, "accuracy").Columns; len(cols) != 3 || cols[2] != "accuracy, no fine-tuning" {
		t.Errorf("columns of an evaluation-only summary: %q", cols)
	}
}

func TestSweepLRShowsOneProgressLineOverAllRates(t *testing.T) {
	r := record(t)
	small := arch.GPT2{Layers: 1, Width: 16, Heads: 2, Inner: 32, Vocab: 256, Context: 32}
	s := experiment.LRSweep{Comparison: experiment.DefaultComparison(), LRs: []float64{1e-4, 1e-3}, Dir: t.TempDir()}
	s.Data.Name, s.Data.TextBytes, s.Data.Validation = "text", 1<<20, 4*32
	s.Archs, s.Inits = []arch.Arch{small}, []experiment.Init{{Name: "random"}}
	s.Seeds, s.Steps, s.MaxEval, s.Batch = 1, 2, 2, 4
	runs, err := SweepLR(context.Background(), s)
	if err != nil || len(runs) != 2 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	if len(r.Updates) != 1 {
		t.Fatalf("want one progress line for the sweep, got %d", len(r.Updates))
	}
	var texts []string
	for _, u := range r.Updates {
		for _, o := range u {
			texts = append(texts, o.Text)
		}
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "2/2") || !strings.Contains(all, "2 runs, 2 steps each") {
		t.Errorf("progress of the sweep:\n%s", all)
	}
}

func TestSweepTableShowsEveryRateAndTheBest(t *testing.T) {
	var runs []experiment.Run
	for i, lr := range []float64{1e-4, 1e-3} {
		for _, init := range []string{"random", "logah"} {
			r := fakeRun("vit-a", init, 1, 0, "accuracy", 0.1, 0.5+0.1*float64(i))
			if init == "logah" {
				r = fakeRun("vit-a", init, 1, 0, "accuracy", 0.8, 0.9-0.1*float64(i))
			}
			r.Protocol.LR = lr
			runs = append(runs, r)
		}
	}
	choices, err := experiment.BestLRs(runs, "accuracy")
	if err != nil {
		t.Fatal(err)
	}
	text := SweepTable("sweep", choices, "accuracy").Text()
	for _, want := range []string{"lr 0.0001", "lr 0.001", "best lr", "60.00% ± 0.00", "90.00% ± 0.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("sweep table lacks %q:\n%s", want, text)
		}
	}
	if lines := strings.Split(text, "\n"); !strings.HasSuffix(strings.TrimSpace(lineWith(lines, "random")), " 0.001") ||
		!strings.HasSuffix(strings.TrimSpace(lineWith(lines, "logah")), " 0.0001") {
		t.Errorf("best rates: random 0.001, logah 0.0001 wanted:\n%s", text)
	}
}

func TestPairedTableGivesIntervalsPerInitialisation(t *testing.T) {
	runs := []experiment.Run{
		fakeRun("vit-a", "random", 1, 0, "accuracy", 0.1, 0.50), fakeRun("vit-a", "logah", 1, 0, "accuracy", 0.8, 0.53),
		fakeRun("vit-b", "random", 1, 0, "accuracy", 0.1, 0.60), fakeRun("vit-b", "logah", 1, 0, "accuracy", 0.7, 0.65),
		fakeRun("vit-a", "ghn3", 1, 0, "accuracy", 0.3, 0.4),
	}
	text := PairedTable("paired", runs, "accuracy", "random", "logah", "ghn3").Text()
	if !strings.Contains(text, "logah − random") || !strings.Contains(text, "+65.00 [") || !strings.Contains(text, "+4.00 [") {
		t.Errorf("paired table:\n%s", text)
	}
	if strings.Contains(text, "ghn3 − random") {
		t.Errorf("ghn3 shares one pair with random, no interval can be given:\n%s", text)
	}
	if all := PairedTable("paired", runs, "accuracy", "random").Text(); all != text {
		t.Errorf("no initialisations named: want every one but the baseline, as named:\n%s\ngot:\n%s", text, all)
	}
}

// lineWith is the first of lines that contains s.
func lineWith(lines []string, s string) string {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
