package ghn

import (
	"math"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/params"
)

// The authors' checkpoint layout (torch.save of state_dict, optimizer, args, config) loads
// into the same configuration and weights as the fixture's safetensors.
func TestReadTorchCheckpointMatchesSafetensors(t *testing.T) {
	cfg, set, err := readTorch(fixtures.Path(t, "ghn_vit_tiny_checkpoint.pt"))
	if err != nil {
		t.Fatal(err)
	}
	want := fixtureConfig(VariantViT)
	if cfg.WithDefaults() != want.WithDefaults() {
		t.Fatalf("config %+v, want %+v", cfg, want)
	}
	ref, err := readWeights(want, fixtures.Path(t, "ghn_vit_tiny.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := params.MaxAbsError(set, ref); err != nil || d != 0 {
		t.Fatalf("weights differ from ghn_vit_tiny.safetensors: %g %v", d, err)
	}
}

// Predicting vit_d2 with the hypernetwork opened from the .pt equals the authors' prediction
// (except the class-token slot of the positional embedding, which is fresh noise).
func TestTorchCheckpointPredictsLikeTheReference(t *testing.T) {
	model, err := Open(fixtures.Path(t, "ghn_vit_tiny_checkpoint.pt"), backend.MustDefault())
	if err != nil {
		t.Fatal(err)
	}
	defer model.Close()
	vitD2 := arch.ViT{ImageSize: 32, Channels: 3, Patch: 2, Depth: 2, Width: 64, Heads: 4, MLPDim: 256, Classes: 10}
	got, err := model.Predict(vitD2, PredictOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := params.Load(fixtures.Path(t, "predicted_vit_d2.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range want.All() {
		w := name
		g, err := got.Get(w.Name())
		if err != nil {
			t.Fatal(err)
		}
		gv, wv := g.Float32s(), w.Float32s()
		start := 0
		if w.Name() == "encoder.pos_embedding" {
			start = 64 // row 0 is the class-token noise slot
		}
		for i := start; i < len(wv); i++ {
			if d := math.Abs(float64(gv[i] - wv[i])); d > 1e-5 {
				t.Fatalf("%s[%d]: %g, reference %g", w.Name(), i, gv[i], wv[i])
			}
		}
	}
}
