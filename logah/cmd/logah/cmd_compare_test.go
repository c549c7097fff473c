package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/experiment"
)

// The protocol line is what every run shares; each changed starting point is named beside it,
// so the runs of a perturbed initialisation are never read as plain predictions.
func TestPrintCompareNamesChangedStartingPoints(t *testing.T) {
	c := experiment.DefaultComparison()
	c.Inits = []experiment.Init{{Name: "random"}, {Name: "logah", Params: "p.safetensors"},
		{Name: "logah-noisy", Params: "p.safetensors", Noise: 0.5}, {Name: "logah-authors", Params: "p.safetensors", Redraw: experiment.AuthorsGPT2Redraw}}
	var out bytes.Buffer
	printCompare(&out, c, nil, "accuracy")
	got := out.String()
	protocol, _, _ := strings.Cut(got, "\n")
	if !strings.HasPrefix(protocol, "protocol: fashion-mnist, batch 64, lr 0.001") || strings.Contains(protocol, "random") {
		t.Errorf("protocol line %q", protocol)
	}
	want := "starting points changed before fine-tuning: logah-noisy: starting weights ×1 + 0.5 × random; logah-authors: c_proj.weight re-drawn at random\n"
	if !strings.Contains(got, want) {
		t.Errorf("output lacks %q:\n%s", want, got)
	}
}

// An initialisation's own rate (--init …,lr=R) replaces --lr for it alone, is printed beside
// the protocol, and is recorded in its runs.
func TestCompareAtAnInitialisationsOwnRate(t *testing.T) {
	_, err := datasets.LoadFashionMNIST("", datasets.Test)
	fixtures.NeedData(t, "Fashion-MNIST", err)
	dir := t.TempDir()
	tiny := tinyViTFile(t, dir)
	saved := filepath.Join(dir, "runs.json")
	code, out, stderr := runCLI("compare", "--arch", tiny, "--init", "random,lr=3e-3", "--lr", "1e-4", "--seeds", "1",
		"--steps", "2", "--batch", "16", "--max-train", "64", "--max-eval", "50", "--out", saved)
	if code != 0 || !strings.Contains(out, "peak learning rate of each initialisation: random 0.003") {
		t.Fatalf("compare: code %d: %s%s", code, out, stderr)
	}
	runs, err := experiment.ReadRuns(saved)
	if err != nil || len(runs) != 1 || runs[0].Protocol.LR != 3e-3 {
		t.Fatalf("saved runs %+v, %v: want one run at lr 0.003", runs, err)
	}
	code, _, stderr = runCLI("finetune", "--arch", tiny, "--init", "random,lr=3e-3", "--steps", "1")
	if code == 0 || !strings.Contains(stderr, "here give --lr 0.003") {
		t.Errorf("finetune --init random,lr=3e-3: code %d, stderr %q", code, stderr)
	}
}
