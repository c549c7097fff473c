package experiment

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/params"
)

// saveInit writes a random initialisation of the named model and returns the architecture
// and the file.
func saveInit(t *testing.T, name string) (arch.Arch, string) {
	t.Helper()
	a, err := arch.Named(name)
	if err != nil {
		t.Fatal(err)
	}
	set, err := params.Init(a, 7)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".safetensors")
	if err := params.Save(path, set, nil); err != nil {
		t.Fatal(err)
	}
	return a, path
}

// TestEvaluateViTAndGPT2 evaluates randomly initialised networks: a ViT near chance on
// Fashion-MNIST, a GPT-2 on text with a perplexity near its vocabulary size, and the progress
// lines a person sees.
func TestEvaluateViTAndGPT2(t *testing.T) {
	needFashionMNIST(t)
	vit, vitPath := saveInit(t, "vit-mini")
	e := DefaultEvaluation(vit, vitPath)
	e.MaxEval = 200
	var lines []string
	res, err := Evaluate(backend.MustDefault(), e, func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatal(err)
	}
	if acc := res.Metrics["accuracy"]; acc < 0 || acc > 0.3 || res.Data != "fashion-mnist" {
		t.Errorf("random vit-mini: %+v, want accuracy near chance (10%%) on fashion-mnist", res)
	}
	if len(lines) != 3 || !strings.Contains(lines[1], vitPath) {
		t.Errorf("progress lines %q", lines)
	}

	gpt, gptPath := saveInit(t, "gpt2-mini")
	e = DefaultEvaluation(gpt, gptPath)
	e.MaxEval = 1
	res, err = Evaluate(backend.MustDefault(), e, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A random byte-level GPT-2 predicts nearly uniformly over its 256 tokens.
	if ppl := res.Metrics["perplexity"]; math.IsNaN(ppl) || ppl < 100 || ppl > 600 || res.Data != "text" {
		t.Errorf("random gpt2-mini: %+v, want a perplexity near 256 on text", res)
	}
}

// TestEvaluateRefusesTheWrongFile checks the errors for a missing file and for parameters of
// another architecture (naming a tensor the model needs).
func TestEvaluateRefusesTheWrongFile(t *testing.T) {
	vit, vitPath := saveInit(t, "vit-mini")
	gpt, _ := arch.Named("gpt2-mini")
	if _, err := Evaluate(backend.MustDefault(), DefaultEvaluation(vit, filepath.Join(t.TempDir(), "none.safetensors")), nil); err == nil ||
		!strings.Contains(err.Error(), "none.safetensors") {
		t.Errorf("missing file: %v", err)
	}
	e := DefaultEvaluation(gpt, vitPath)
	e.MaxEval = 1
	if _, err := Evaluate(backend.MustDefault(), e, nil); err == nil || !strings.Contains(err.Error(), "transformer.wte.weight") {
		t.Errorf("a ViT's file for a GPT-2: %v", err)
	}
}

// TestCompareFromAParameterFile checks NAME=params:PATH: the file's parameters are the
// initialisation, as they are (its first evaluation equals Evaluate on the file, and differs from
// the random run's); a missing file is refused.
func TestCompareFromAParameterFile(t *testing.T) {
	needFashionMNIST(t)
	small := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	set, err := params.Init(small, 1) // what "random" draws for seed 1 …
	if err != nil {
		t.Fatal(err)
	}
	bias, err := set.Get("heads.head.bias")
	if err != nil {
		t.Fatal(err)
	}
	bias.Float32s()[3] = 2 // … with a head that prefers class 3
	path := filepath.Join(t.TempDir(), "init.safetensors")
	if err := params.Save(path, set, nil); err != nil {
		t.Fatal(err)
	}
	fromFile, err := ParseInit("file=params:" + path)
	if err != nil || fromFile.Params != path || fromFile.GHN != nil {
		t.Fatalf("ParseInit: %+v, %v", fromFile, err)
	}
	if _, err := ParseInit("file=params:" + path + ".missing"); err == nil || !strings.Contains(err.Error(), ".missing") {
		t.Errorf("missing parameter file: %v", err)
	}
	c := DefaultComparison()
	c.Archs, c.Inits = []arch.Arch{small}, []Init{{Name: "random"}, fromFile}
	c.Seeds, c.Steps, c.MaxTrain, c.MaxEval, c.Batch = 1, 2, 64, 100, 16
	runs, err := Compare(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[1].Init != "file" {
		t.Fatalf("runs %+v", runs)
	}
	e := DefaultEvaluation(small, path)
	e.MaxEval = 100
	direct, err := Evaluate(backend.MustDefault(), e, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(runs[1].Initial["loss"]-direct.Metrics["loss"]) > 1e-6 || runs[1].Initial["loss"] == runs[0].Initial["loss"] {
		t.Errorf("initial loss from the file %v, Evaluate on it %v, random %v", runs[1].Initial["loss"], direct.Metrics["loss"], runs[0].Initial["loss"])
	}
}
