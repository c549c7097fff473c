package show

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/logah-go/logah/logah/experiment"
	"github.com/logah-go/logah/logah/trainer"
)

// Hypernetwork trainings with live curves: two panels, the training loss and the held-out
// architectures' metric with predicted parameters (no fine-tuning), one line per run.

// LossPanel is the panel of the training loss in [GHNCurves].
const LossPanel = "train loss"

// HeldOutPanel is the panel of a hypernetwork's held-out evaluation in [GHNCurves]: "held-out
// accuracy, no fine-tuning".
func HeldOutPanel(metric string) string { return "held-out " + metric + ", no fine-tuning" }

// GHNCurves returns empty curves for hypernetwork trainings evaluated on metric ("accuracy" or
// "perplexity", see experiment.Metric): a [LossPanel] and a [HeldOutPanel], perplexity on a log
// axis. [TrainGHNInto] and [AddGHNRecords] draw into them.
func GHNCurves(title, metric string) *Curves {
	o := CurvesOptions{Title: title, Metrics: []string{LossPanel, HeldOutPanel(metric)}}
	if metric == "perplexity" {
		o.LogY = []string{HeldOutPanel(metric)}
	}
	return NewCurves(o)
}

// TrainGHN runs the hypernetwork training s (experiment.TrainGHN) with live curves titled
// title, shows their final copy, closes the trained hypernetwork (later cells load it from
// s.OutDir) and returns the run's metrics log. See [TrainGHNInto].
func TrainGHN(ctx context.Context, title string, s experiment.GHNTraining) ([]trainer.Record, error) {
	c := GHNCurves(title, experiment.Metric(s.Data))
	defer c.Done()
	return TrainGHNInto(ctx, c, s)
}

// TrainGHNInto runs s drawing into c (made by [GHNCurves]) one line named after the run's
// directory (the base name of s.OutDir, "ghn" without one), so several trainings can share
// the axes; c.Done is the caller's. It first prints the hypernetwork, its size, the steps and
// the directory. The loss is drawn as metrics.jsonl logs it, the mean of each s.LogEvery steps
// (trainer.GHNLogEvery by default), and every held-out evaluation as it comes. A resumed run
// first draws what earlier sessions logged, and a run that was already finished draws its
// whole log. TrainGHNInto closes the trained hypernetwork and returns the run's metrics log
// (all sessions), or this session's records when s.OutDir is empty.
func TrainGHNInto(ctx context.Context, c *Curves, s experiment.GHNTraining) ([]trainer.Record, error) {
	cfg, err := s.Config()
	if err != nil {
		return nil, err
	}
	fmt.Printf("%s: %d parameters, %d steps → %s\n", cfg, cfg.NumParams().Total(), s.Steps, orDefault(s.OutDir, "(not saved)"))
	d := &ghnDrawer{c: c, run: RunName(s), metric: experiment.Metric(s.Data), every: s.LogEvery}
	if s.Resume && s.OutDir != "" {
		d.earlier, _ = experiment.ReadGHNMetrics(s.OutDir) // none yet is fine
	}
	res, err := experiment.TrainGHN(ctx, s, d.progress)
	if err != nil {
		return nil, err
	}
	res.GHN.Close()
	recs := res.Records
	if s.OutDir != "" {
		if recs, err = experiment.ReadGHNMetrics(s.OutDir); err != nil {
			return nil, err
		}
	}
	if !d.started { // finished before this session: nothing was drawn live
		AddGHNRecords(c, d.run, d.metric, recs)
	}
	return recs, nil
}

// RunName names a hypernetwork training in plots and tables: the base name of its output
// directory ("logah" for runs/03/logah), or "ghn" when it has none.
func RunName(s experiment.GHNTraining) string {
	if s.OutDir == "" {
		return "ghn"
	}
	return filepath.Base(s.OutDir)
}

// AddGHNRecords draws a metrics log (metrics.jsonl, experiment.ReadGHNMetrics) into c as run:
// its training losses and its held-out evaluations of metric, as [TrainGHNInto] draws them live.
func AddGHNRecords(c *Curves, run, metric string, recs []trainer.Record) {
	for _, r := range recs {
		switch r.Split {
		case "train":
			c.Add(run, LossPanel, float64(r.Step), r.Values["loss"])
		case "eval":
			c.Add(run, HeldOutPanel(metric), float64(r.Step), r.Values[metric])
		}
	}
}

// ghnDrawer turns a hypernetwork training's progress into points of one run.
type ghnDrawer struct {
	c           *Curves
	run, metric string
	every       int              // the loss is averaged over this many steps (0: trainer.GHNLogEvery)
	earlier     []trainer.Record // logged by earlier sessions of a resumed run
	started     bool
	window      []float64
}

func (d *ghnDrawer) progress(p trainer.Progress) {
	if !d.started {
		d.started = true
		var before []trainer.Record // a resumed run restarts after its last checkpoint
		for _, r := range d.earlier {
			if r.Step < p.Step {
				before = append(before, r)
			}
		}
		AddGHNRecords(d.c, d.run, d.metric, before)
	}
	every := d.every
	if every <= 0 {
		every = trainer.GHNLogEvery
	}
	d.window = append(d.window, p.Loss)
	if p.Step%every == 0 || p.Step == p.TotalSteps {
		sum := 0.0
		for _, l := range d.window {
			sum += l
		}
		d.c.Add(d.run, LossPanel, float64(p.Step), sum/float64(len(d.window)))
		d.window = d.window[:0]
	}
	if p.Eval != nil {
		d.c.Add(d.run, HeldOutPanel(d.metric), float64(p.Step), p.Eval[d.metric])
	}
}

// GHNTrainingsTable summarises finished hypernetwork trainings from their directories, one
// row each (named by [RunName]): the hypernetwork's parameters, the steps, the wall time of all
// sessions, the last logged training loss and the last held-out evaluation of the metric of the
// first run's data (accuracy as a percentage).
func GHNTrainingsTable(title string, runs ...experiment.GHNTraining) (*Table, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("GHNTrainingsTable %q: no trainings given", title)
	}
	metric := experiment.Metric(runs[0].Data)
	t := NewTable(title, "run", "parameters", "steps", "wall time (s)", "final train loss", HeldOutPanel(metric))
	for _, s := range runs {
		cfg, err := s.Config()
		if err != nil {
			return nil, err
		}
		recs, err := experiment.ReadGHNMetrics(s.OutDir)
		if err == nil && len(recs) == 0 {
			err = fmt.Errorf("no metrics in %s", s.OutDir)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w: train it first", RunName(s), err)
		}
		loss, held := "", ""
		for _, r := range recs {
			switch r.Split {
			case "train":
				loss = fmt.Sprintf("%.3f", r.Values["loss"])
			case "eval":
				held = formatMetric(metric, r.Values[metric])
			}
		}
		last := recs[len(recs)-1]
		t.Add(RunName(s), cfg.NumParams().Total(), last.Step, fmt.Sprintf("%.0f", trainer.Elapsed(recs)), loss, held)
	}
	return t, nil
}

// formatMetric writes accuracy as a percentage with one decimal ("81.3%"), other metrics with
// one decimal.
func formatMetric(metric string, v float64) string {
	if metric == "accuracy" {
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return fmt.Sprintf("%.1f", v)
}
