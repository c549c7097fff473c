package experiment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/trainer"
)

// tinyViT is a one-block ViT for Fashion-MNIST that trains in milliseconds.
var tinyViT = arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}

// TestFineTuneWritesResumesAndMatchesCompare fine-tunes a ViT from a parameter file, checks
// what it writes, that resuming the finished run trains no more, and that a comparison's run
// with the same settings gives the same numbers: one assembly for both.
func TestFineTuneWritesResumesAndMatchesCompare(t *testing.T) {
	needFashionMNIST(t)
	set, err := params.Init(tinyViT, 3)
	if err != nil {
		t.Fatal(err)
	}
	initPath := filepath.Join(t.TempDir(), "init.safetensors")
	if err := params.Save(initPath, set, nil); err != nil {
		t.Fatal(err)
	}
	f := DefaultFineTuning(tinyViT)
	f.Init, err = ParseInit(initPath)
	if err != nil {
		t.Fatal(err)
	}
	f.Steps, f.Batch, f.MaxTrain, f.MaxEval, f.WarmupSteps, f.WarmupFraction = 4, 16, 64, 100, 0, 0.5
	f.OutDir = t.TempDir()
	var lrs []float64
	res, err := FineTune(context.Background(), f, func(p trainer.Progress) {
		if p.Step > 0 {
			lrs = append(lrs, p.LR)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 4 || len(lrs) != 4 || lrs[0] != f.LR/2 || lrs[1] != f.LR {
		t.Fatalf("%d steps at learning rates %v: want 4 steps, 2 of them warm-up (half of 4)", res.Steps, lrs)
	}
	final, _, err := params.Load(filepath.Join(f.OutDir, FinalParams))
	if err != nil || final.CheckArch(tinyViT) != nil {
		t.Fatalf("%s: %v", FinalParams, err)
	}
	if _, err := os.Stat(filepath.Join(f.OutDir, "metrics.jsonl")); err != nil {
		t.Fatal(err)
	}
	f.Resume = true
	again, err := FineTune(context.Background(), f, nil)
	if err != nil || again.Steps != 4 || again.Final["loss"] != res.Final["loss"] {
		t.Fatalf("resuming the finished run: %+v, %v", again, err)
	}

	c := DefaultComparison()
	c.Archs, c.Inits, c.Seeds = []arch.Arch{tinyViT}, []Init{f.Init}, 1
	c.Steps, c.Batch, c.MaxTrain, c.MaxEval, c.WarmupFraction = 4, 16, 64, 100, 0.5
	runs, err := Compare(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if runs[0].Final["loss"] != res.Final["loss"] || runs[0].Final["accuracy"] != res.Final["accuracy"] {
		t.Fatalf("compare's run %v, finetune's %v: the same settings must give the same numbers", runs[0].Final, res.Final)
	}
}

func TestFineTuneRefusesContradictorySettings(t *testing.T) {
	gpt, err := arch.Named("gpt2-mini")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(f *FineTuning)
		want string
	}{
		{"no architecture", func(f *FineTuning) { f.Arch = nil }, "set Arch"},
		{"two warm-ups", func(f *FineTuning) { f.WarmupFraction = 0.1 }, "set one of them"},
		{"fraction above 1", func(f *FineTuning) { f.WarmupSteps, f.WarmupFraction = 0, 5 }, "in [0, 1]"},
		{"label smoothing on text", func(f *FineTuning) { f.Arch, f.Data.Name, f.LabelSmoothing = gpt, "text", 0.1 }, "apply to images"},
	} {
		f := DefaultFineTuning(tinyViT)
		c.edit(&f)
		if _, err := FineTune(context.Background(), f, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

func TestParseInitSpellings(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "p.safetensors")
	os.WriteFile(file, nil, 0o644)
	ghnDir := filepath.Join(dir, "run")
	os.MkdirAll(ghnDir, 0o755)
	os.WriteFile(filepath.Join(ghnDir, "held_out.json"), []byte("[]"), 0o644)
	for spec, want := range map[string]Init{
		"random":                {Name: "random"},
		file:                    {Name: file, Params: file},
		"edited=params:" + file: {Name: "edited", Params: file},
	} {
		got, err := ParseInit(spec)
		if err != nil || got != want {
			t.Errorf("ParseInit(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
	}
	for spec, want := range map[string]string{
		ghnDir:                     "write NAME=" + ghnDir,
		filepath.Join(dir, "none"): "use random, PARAMETERS",
		"logah=" + ghnDir:          "has no ghn.safetensors and no checkpoint",
	} {
		if _, err := ParseInit(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseInit(%q): %v, want an error saying %q", spec, err, want)
		}
	}
}
