package show

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/experiment"
	"github.com/logah-go/logah/logah/trainer"
)

// TestGHNDrawerAveragesTheLossAndContinuesAResumedRun checks the live drawing of a hypernetwork
// training: the loss as the mean of each 10 steps (as metrics.jsonl logs it), every evaluation,
// and, for a run resumed at step 20, what earlier sessions logged before that step only.
func TestGHNDrawerAveragesTheLossAndContinuesAResumedRun(t *testing.T) {
	c := GHNCurves("t", "perplexity")
	d := &ghnDrawer{c: c, run: "logah", metric: "perplexity", earlier: []trainer.Record{
		{Step: 10, Split: "train", Values: map[string]float64{"loss": 5}},
		{Step: 20, Split: "eval", Values: map[string]float64{"perplexity": 90}},
		{Step: 30, Split: "train", Values: map[string]float64{"loss": 4}}, // after the checkpoint: logged again
	}}
	for step := 21; step <= 35; step++ {
		p := trainer.Progress{Step: step, TotalSteps: 35, Loss: float64(step)}
		if step == 35 {
			p.Eval = map[string]float64{"perplexity": 60, "loss": 4.1}
		}
		d.progress(p)
	}
	loss := c.Plot(LossPanel).Series[0]
	if want := []float64{10, 30, 35}; !slices.Equal(loss.X, want) {
		t.Fatalf("loss points at steps %v, want %v", loss.X, want)
	}
	if want := []float64{5, 25.5, 33}; !slices.Equal(loss.Y, want) { // mean of 21…30, then of 31…35
		t.Errorf("loss values %v, want %v", loss.Y, want)
	}
	held := c.Plot(HeldOutPanel("perplexity"))
	if s := held.Series[0]; !slices.Equal(s.X, []float64{20, 35}) || !slices.Equal(s.Y, []float64{90, 60}) {
		t.Errorf("held-out points %v %v", s.X, s.Y)
	}
	if !held.LogY || c.Plot(LossPanel).LogY {
		t.Error("perplexity is drawn on a log axis, the loss is not")
	}
}

// tinyTraining is a two-step hypernetwork training on gpts-mini and 1 MiB of Go source (which
// exists wherever Go does) in dir.
func tinyTraining(dir string) experiment.GHNTraining {
	s := experiment.DefaultGHNTraining("gpts-mini")
	s.Data.Name, s.Data.TextBytes = "text", 1<<20
	s.Steps, s.WarmupSteps, s.Batch, s.MaxEval, s.HeldOut, s.OutDir, s.DMax, s.LogEvery = 2, 1, 4, 100, 1, dir, 64, 1
	return s
}

func TestTrainGHNDrawsTheRunAndAFinishedRunFromItsLog(t *testing.T) {
	r := record(t)
	s := tinyTraining(filepath.Join(t.TempDir(), "logah"))
	recs, err := TrainGHN(context.Background(), "two steps", s)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[2].Split != "eval" { // losses at steps 1 and 2, the evaluation at 2
		t.Fatalf("records %+v", recs)
	}
	if len(r.Outputs) != 1 || !strings.Contains(r.Outputs[0].Text, "logah") || !strings.Contains(r.Outputs[0].HTML, HeldOutPanel("perplexity")) {
		t.Fatalf("final curves: %+v", r.Outputs)
	}

	// The cell runs again: the finished run is only loaded, and its log is drawn.
	s.Resume = true
	c := GHNCurves("again", "perplexity")
	again, err := TrainGHNInto(context.Background(), c, s)
	if err != nil || len(again) != 3 {
		t.Fatalf("resumed finished run: %d records, %v", len(again), err)
	}
	if v, ok := c.Last("logah", LossPanel); !ok || v != recs[1].Values["loss"] {
		t.Errorf("a finished run's curves come from its log: last loss %v %v, want %v", v, ok, recs[1].Values["loss"])
	}

	tab, err := GHNTrainingsTable("runs", s)
	if err != nil {
		t.Fatal(err)
	}
	row := tab.Rows[0]
	if tab.Columns[5] != "held-out perplexity, no fine-tuning" || row[0] != "logah" || row[2] != 2 || row[5] == "" || strings.HasSuffix(row[5].(string), "%") {
		t.Errorf("summary %v: %v", tab.Columns, row)
	}
	s.OutDir = filepath.Join(t.TempDir(), "ghn3")
	if _, err := GHNTrainingsTable("runs", s); err == nil || !strings.Contains(err.Error(), "train it first") {
		t.Errorf("a run not trained yet: %v", err)
	}
}
