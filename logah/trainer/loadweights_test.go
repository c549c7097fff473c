package trainer

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/params"
)

// TestLoadEvalWeightsMatchesEvalWeights reads a saved GPT-2 straight into backend tensors and
// compares every value with the parameter-set path; a file that lacks a parameter is refused
// with its name.
func TestLoadEvalWeightsMatchesEvalWeights(t *testing.T) {
	a, err := arch.Named("gpt2-mini")
	if err != nil {
		t.Fatal(err)
	}
	set, err := params.Init(a, 3)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := params.Save(path, set, nil); err != nil {
		t.Fatal(err)
	}
	want, err := EvalWeights(a, set)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadEvalWeights(backend.MustDefault(), a, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if g == nil || !slices.Equal(tensors.MustCopyFlatData[float32](g), tensors.MustCopyFlatData[float32](w)) || !g.Shape().Equal(w.Shape()) {
			t.Errorf("%s differs", name)
		}
	}

	name := a.Params()[1].Name
	set.Remove(name)
	if err := params.Save(path, set, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadEvalWeights(backend.MustDefault(), a, path); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("a file without %s: %v", name, err)
	}
}

// TestLoadEvalWeightsTorchStateDict reads a torch.save state dict (params/testdata/torch, a
// torchvision-style ViT) and the same values saved as safetensors: the tensors are equal.
func TestLoadEvalWeightsTorchStateDict(t *testing.T) {
	a := arch.ViT{ImageSize: 8, Channels: 1, Patch: 4, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 3}
	pth := filepath.Join("..", "params", "testdata", "torch", "vit_tiny_state_dict.pth")
	set, err := params.LoadModel(a, pth)
	if err != nil {
		t.Fatal(err)
	}
	st := filepath.Join(t.TempDir(), "m.safetensors")
	if err := params.Save(st, set, nil); err != nil {
		t.Fatal(err)
	}
	want, err := LoadEvalWeights(backend.MustDefault(), a, st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadEvalWeights(backend.MustDefault(), a, pth)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) != len(a.Params()) {
		t.Fatalf("%d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if g == nil || !slices.Equal(tensors.MustCopyFlatData[float32](g), tensors.MustCopyFlatData[float32](w)) || !g.Shape().Equal(w.Shape()) {
			t.Errorf("%s differs", name)
		}
	}
}
