package trainer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/checkpoint"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/params"
)

// A small hypernetwork for 12×12 stripes ViTs.
func smallGHN() ghn.Config {
	return ghn.Config{Variant: ghn.VariantViT, Hid: 32, Layers: 1, Heads: 4, Rank: 8, MaxCK: 512, MaxShape: 64,
		NumClasses: 4, FinalLN: true, Decoder: ghn.DecoderLoGAH}
}

func TestTrainGHNLearnsToPredictWorkingViTs(t *testing.T) {
	backend := backend.MustDefault()
	task, err := NewImageTask(stripes(512, 1), stripes(128, 2), 32, 3)
	if err != nil {
		t.Fatal(err)
	}
	train := []arch.Arch{
		arch.ViT{ImageSize: 12, Channels: 1, Patch: 4, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 4},
		arch.ViT{ImageSize: 12, Channels: 1, Patch: 4, Depth: 2, Width: 24, Heads: 2, MLPDim: 48, Classes: 4},
	}
	heldOut := arch.ViT{ImageSize: 12, Channels: 1, Patch: 4, Depth: 1, Width: 24, Heads: 4, MLPDim: 48, Classes: 4}
	cfg := smallGHN()
	init, err := ghn.Init(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	tc := DefaultGHNTrain("")
	tc.Archs, tc.MetaBatch, tc.Steps, tc.LR, tc.WarmupSteps = train, 2, 60, 2e-3, 5
	tc.EvalArchs, tc.EvalEvery = []arch.Arch{heldOut}, 30
	res, err := TrainGHN(context.Background(), backend, cfg, init, task, tc, nil)
	if err != nil {
		t.Fatal(err)
	}
	var firstLoss, lastLoss float64
	var evals []map[string]float64
	for _, r := range res.Records {
		switch r.Split {
		case "train":
			if firstLoss == 0 {
				firstLoss = r.Values["loss"]
			}
			lastLoss = r.Values["loss"]
		case "eval":
			evals = append(evals, r.Values)
		}
	}
	t.Logf("meta-training loss %.3f → %.3f; held-out evaluations %v", firstLoss, lastLoss, evals)
	if !(lastLoss < firstLoss*0.7) {
		t.Errorf("meta-training loss %g → %g", firstLoss, lastLoss)
	}
	// Predicted parameters of an architecture never trained on classify above chance (25%).
	if len(evals) != 2 || evals[1]["accuracy"] < 0.5 {
		t.Errorf("held-out accuracy of predicted parameters: %v", evals)
	}
	if res.GHN == nil || res.Steps != 60 {
		t.Fatalf("result %+v", res)
	}
}

// A run stopped before it wrote ghn.safetensors opens (ghn.Open) as its newest intact
// checkpoint, which predicts as the trainer's state at that step.
func TestInterruptedRunOpensAsItsCheckpoint(t *testing.T) {
	predict := func(g *ghn.GHN) *params.Set {
		t.Helper()
		p, err := g.Predict(tinyViT, ghn.PredictOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	task, err := NewImageTask(stripes(128, 1), stripes(64, 2), 32, 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := smallGHN()
	init, _ := ghn.Init(cfg, 1)
	tc := DefaultGHNTrain("")
	tc.Archs, tc.Steps, tc.OutDir, tc.CheckpointEvery = []arch.Arch{tinyViT}, 3, t.TempDir(), 1
	res, err := TrainGHN(context.Background(), backend.MustDefault(), cfg, init, task, tc, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A stop after the last checkpoint leaves checkpoints and no ghn.safetensors.
	if err := os.Remove(filepath.Join(tc.OutDir, ghn.FileName)); err != nil {
		t.Fatal(err)
	}
	g, err := ghn.Open(tc.OutDir, backend.MustDefault())
	if err != nil {
		t.Fatal(err)
	}
	if o := g.Origin(); !o.IsCheckpoint() || o.Step != 3 || o.RunDir != tc.OutDir {
		t.Fatalf("opened %+v", o)
	}
	if d, err := params.MaxAbsError(predict(res.GHN), predict(g)); err != nil || d != 0 {
		t.Fatalf("checkpointed hypernetwork predicts differently: %g %v", d, err)
	}

	// The same run interrupted after step 2 (ctrl-C) opens as its step-2 state.
	stopped := tc
	stopped.OutDir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := TrainGHN(ctx, backend.MustDefault(), cfg, init, task, stopped, func(p Progress) {
		if p.Step == 2 {
			cancel()
		}
	}); err == nil || !strings.Contains(err.Error(), "interrupted at step 2") {
		t.Fatalf("interrupted run: %v", err)
	}
	interrupted, err := ghn.Open(stopped.OutDir, backend.MustDefault())
	if err != nil {
		t.Fatal(err)
	}
	if o := interrupted.Origin(); o.Step != 2 || o.RunDir != stopped.OutDir {
		t.Fatalf("interrupted run opened as %v", o)
	}

	// With the step-3 checkpoint truncated, the step-2 one is used, and the warning says so.
	f := filepath.Join(tc.OutDir, checkpoint.DirName, "ckpt-000000003.safetensors")
	data, _ := os.ReadFile(f)
	os.WriteFile(f, data[:len(data)-100], 0o644)
	var warnings strings.Builder
	checkpoint.Warnings = &warnings
	defer func() { checkpoint.Warnings = os.Stderr }()
	if g, err = ghn.Open(tc.OutDir, backend.MustDefault()); err != nil || g.Origin().Step != 2 {
		t.Fatalf("damaged step 3: %v, %v", g.Origin(), err)
	}
	if d, err := params.MaxAbsError(predict(interrupted), predict(g)); err != nil || d != 0 {
		t.Errorf("the interrupted run's step 2 differs from the full run's: %g %v", d, err)
	}
	if w := warnings.String(); !strings.Contains(w, "ckpt-000000003.safetensors") || !strings.Contains(w, "ckpt-000000002.safetensors (step 2)") {
		t.Errorf("warning %q", w)
	}
	// Every checkpoint damaged: a clear error.
	f = filepath.Join(tc.OutDir, checkpoint.DirName, "ckpt-000000002.safetensors")
	os.WriteFile(f, []byte("no"), 0o644)
	if _, err = ghn.Open(tc.OutDir, backend.MustDefault()); err == nil || !strings.Contains(err.Error(), "every checkpoint is damaged") {
		t.Errorf("all damaged: %v", err)
	}
}
