package experiment

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/compute"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/trainer"
)

// Init is one initialisation of a comparison: random (PyTorch's default initialisers) when
// GHN is nil, else the parameters GHN predicts.
type Init struct {
	Name string
	GHN  *ghn.GHN
}

// Comparison fine-tunes every architecture from every initialisation with every seed, with
// the same budget and optimiser: `logah compare` with its flags.
type Comparison struct {
	Archs []arch.Arch
	Inits []Init
	Data  Data
	// Seeds runs seeds 1…Seeds of each (architecture, initialisation): the seed draws the
	// random initialisation, the class-token noise of predictions, data order and dropout.
	Seeds int
	// Epochs of fine-tuning; Steps > 0 overrides it. With neither, only the initial parameters
	// are evaluated.
	Epochs, Steps int
	// MaxTrain keeps the first MaxTrain training images, so an epoch is one pass over them
	// (0: all; images only). MaxEval caps evaluation: test images, or validation batches.
	MaxTrain, MaxEval int
	Batch             int
	// LR is the peak learning rate, the same for every initialisation; Warmup is the warm-up as
	// a fraction of the steps.
	LR, Warmup float64
	// EvalEvery evaluates every that many steps besides the start and the end (0: epoch ends).
	EvalEvery int
	// Dropout is GPT-2's dropout while fine-tuning (text only).
	Dropout float64
}

// DefaultComparison is one epoch, 3 seeds, batch 64, lr 1e-3 with 5 % warm-up.
func DefaultComparison() Comparison {
	return Comparison{Data: DefaultData(), Seeds: 3, Epochs: 1, Batch: 64, LR: 1e-3, Warmup: 0.05, Dropout: 0.1}
}

// Run is one (architecture, initialisation, seed) fine-tuning run.
type Run struct {
	Arch    string             `json:"arch"`
	Init    string             `json:"init"`
	Seed    uint64             `json:"seed"`
	Initial map[string]float64 `json:"initial"` // evaluation before fine-tuning
	Final   map[string]float64 `json:"final"`   // after fine-tuning
	Steps   int                `json:"steps"`
	// Curve holds every evaluation (step 0 first).
	Curve []trainer.Record `json:"curve,omitempty"`
}

// RunProgress reports a fine-tuning step of one run of a comparison.
type RunProgress struct {
	Arch arch.Arch
	Init string
	Seed uint64
	trainer.Progress
}

// Metric is the headline metric of a comparison on data: accuracy for images, perplexity for
// text.
func Metric(d Data) string {
	if d.IsText() {
		return "perplexity"
	}
	return "accuracy"
}

// Compare runs the comparison. progress, if not nil, sees every step of every run (and the
// evaluations in Progress.Eval).
func Compare(ctx context.Context, c Comparison, progress func(RunProgress)) ([]Run, error) {
	if len(c.Archs) == 0 || len(c.Inits) == 0 || c.Seeds <= 0 {
		return nil, fmt.Errorf("compare: need at least one architecture, one initialisation and one seed (got %d, %d, %d)", len(c.Archs), len(c.Inits), c.Seeds)
	}
	be := backend.MustDefault()
	var runs []Run
	for _, a := range c.Archs {
		for _, in := range c.Inits {
			for s := 1; s <= c.Seeds; s++ {
				run, err := c.one(ctx, be, a, in, uint64(s), progress)
				if err != nil {
					return runs, fmt.Errorf("%s, %s, seed %d: %w", a, in.Name, s, err)
				}
				runs = append(runs, run)
			}
		}
	}
	return runs, nil
}

func (c Comparison) one(ctx context.Context, be compute.Backend, a arch.Arch, in Init, seed uint64, progress func(RunProgress)) (Run, error) {
	var init *params.Set
	var err error
	if in.GHN != nil {
		init, err = in.GHN.Predict(a, ghn.PredictOptions{Seed: seed})
	} else {
		init, err = params.Init(a, seed)
	}
	if err != nil {
		return Run{}, err
	}
	task, err := c.Data.Task(a, TaskOptions{Batch: c.Batch, Seed: seed, MaxTrain: c.MaxTrain, MaxEval: c.MaxEval, Dropout: c.Dropout})
	if err != nil {
		return Run{}, err
	}
	run := Run{Arch: a.String(), Init: in.Name, Seed: seed}
	cfg := trainer.DefaultFineTune()
	cfg.Epochs, cfg.Steps, cfg.LR, cfg.Seed, cfg.EvalEvery = c.Epochs, c.Steps, c.LR, seed, c.EvalEvery
	total := cfg.Steps
	if total == 0 {
		total = cfg.Epochs * task.StepsPerEpoch()
	}
	if total == 0 {
		w, err := trainer.EvalWeights(a, init)
		if err != nil {
			return run, err
		}
		m, err := task.Evaluate(be, a, w)
		if err != nil {
			return run, err
		}
		run.Initial, run.Final = m, m
		run.Curve = []trainer.Record{{Split: "eval", Values: m}}
		return run, nil
	}
	cfg.WarmupSteps = int(c.Warmup * float64(total))
	var report func(trainer.Progress)
	if progress != nil {
		report = func(p trainer.Progress) { progress(RunProgress{Arch: a, Init: in.Name, Seed: seed, Progress: p}) }
	}
	res, err := trainer.FineTune(ctx, be, a, init, task, cfg, report)
	if err != nil {
		return run, err
	}
	for _, r := range res.Records {
		if r.Split == "eval" {
			run.Curve = append(run.Curve, r)
		}
	}
	if len(run.Curve) == 0 {
		return run, fmt.Errorf("fine-tuning recorded no evaluation")
	}
	run.Initial, run.Final, run.Steps = run.Curve[0].Values, res.Final, res.Steps
	return run, nil
}

// Summary is the mean ± sample standard deviation of a metric over the runs of one
// initialisation, before and after fine-tuning.
type Summary struct {
	Init          string
	Runs          int
	Before, After MeanStd
}

// MeanStd is a mean and a sample standard deviation.
type MeanStd struct{ Mean, Std float64 }

// format writes accuracies as percentages ("46.30% ± 2.20") and other metrics plainly.
func (m MeanStd) format(percent bool) string {
	if percent {
		return fmt.Sprintf("%.2f%% ± %.2f", 100*m.Mean, 100*m.Std)
	}
	return fmt.Sprintf("%.2f ± %.2f", m.Mean, m.Std)
}

// NewMeanStd summarises xs.
func NewMeanStd(xs []float64) MeanStd {
	if len(xs) == 0 {
		return MeanStd{Mean: math.NaN(), Std: math.NaN()}
	}
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	if len(xs) > 1 {
		v /= float64(len(xs) - 1)
	}
	return MeanStd{Mean: m, Std: math.Sqrt(v)}
}

// Summarize groups runs by initialisation (in the order inits lists them; "" lists them in
// order of appearance) and summarises metric.
func Summarize(runs []Run, metric string, inits ...string) []Summary {
	if len(inits) == 0 {
		seen := map[string]bool{}
		for _, r := range runs {
			if !seen[r.Init] {
				seen[r.Init] = true
				inits = append(inits, r.Init)
			}
		}
	}
	var out []Summary
	for _, name := range inits {
		var before, after []float64
		for _, r := range runs {
			if r.Init == name {
				before = append(before, r.Initial[metric])
				after = append(after, r.Final[metric])
			}
		}
		out = append(out, Summary{Init: name, Runs: len(before), Before: NewMeanStd(before), After: NewMeanStd(after)})
	}
	return out
}

// SummaryRows formats summaries as table rows: initialisation, runs, metric without
// fine-tuning, metric after fine-tuning. after labels the budget ("1 epoch", "100 steps").
func SummaryRows(sums []Summary, metric string) [][]string {
	percent := metric == "accuracy"
	rows := make([][]string, len(sums))
	for i, s := range sums {
		rows[i] = []string{s.Init, fmt.Sprint(s.Runs), s.Before.format(percent), s.After.format(percent)}
	}
	return rows
}

// BudgetLabel describes the fine-tuning budget of c ("1 epoch", "100 steps").
func (c Comparison) BudgetLabel() string {
	switch {
	case c.Steps > 0:
		return fmt.Sprintf("%d steps", c.Steps)
	case c.Epochs == 1:
		return "1 epoch"
	default:
		return fmt.Sprintf("%d epochs", c.Epochs)
	}
}

// ParseInit reads "random" or "NAME=PATH" (a hypernetwork to open with open).
func ParseInit(spec string, open func(path string) (*ghn.GHN, error)) (Init, error) {
	name, path, isGHN := strings.Cut(spec, "=")
	if !isGHN {
		if name != "random" {
			return Init{}, fmt.Errorf("--init %q: use random or NAME=HYPERNETWORK", spec)
		}
		return Init{Name: name}, nil
	}
	g, err := open(path)
	if err != nil {
		return Init{}, fmt.Errorf("--init %s: %w", spec, err)
	}
	return Init{Name: name, GHN: g}, nil
}
