package ghn

import (
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
)

// TestBatchEqualsAlone checks that graphs of different sizes predicted together give what each
// gives alone: node i of graph b is row b·NMax + i (the reference's cumulative-offset indexing
// would give graph 2 and 3 the rows of other nodes).
func TestBatchEqualsAlone(t *testing.T) {
	for _, tc := range []struct {
		variant Variant
		names   []string
	}{
		{VariantViT, []string{"vit_d3_D96", "vit_d1", "vit_d2"}},
		{VariantGPT, []string{"gpt2_b1_tied", "gpt2_b2_untied", "gpt2_b1_untied"}},
		// Two Llamas (tied D96 and untied GQA D64, 33 and 34 nodes) beside a GPT-2.
		{VariantGPT, []string{"llama_b2_tied", "llama_b2_gqa_untied", "gpt2_b1_untied"}},
	} {
		t.Run(string(tc.variant)+"/"+tc.names[0], func(t *testing.T) {
			cfg, set := loadFixtureGHN(t, tc.variant)
			m := newGHN(t, cfg, set)
			var archs []arch.Arch
			for _, n := range tc.names {
				archs = append(archs, fixtureArchs[n])
			}
			opts := PredictOptions{Seed: 3}
			together, err := m.PredictBatch(archs, opts)
			if err != nil {
				t.Fatal(err)
			}
			embs, err := m.Embeddings(archs, opts)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for i, a := range archs {
				noise, _ := opts.noiseFor(archs)
				alone, err := m.Predict(a, PredictOptions{ClassNoise: [][]float32{noise[i]}})
				if err != nil {
					t.Fatal(err)
				}
				if together[i].Len() != alone.Len() {
					t.Fatalf("%s: %d tensors in the batch, %d alone", a, together[i].Len(), alone.Len())
				}
				for _, name := range alone.Names() {
					g, gs := get(t, together[i], name)
					w, ws := get(t, alone, name)
					d, err := diff(g, gs, w, ws)
					if err != nil {
						t.Fatalf("%s %s: %v", a, name, err)
					}
					worst = max(worst, d)
					if d > 1e-6 {
						t.Errorf("%s %s: batch vs alone max |diff| = %g", a, name, d)
					}
				}
				e, err := m.Embeddings([]arch.Arch{a}, opts)
				if err != nil {
					t.Fatal(err)
				}
				d, err := diff(embs[i], []int{len(embs[i])}, e[0], []int{len(e[0])})
				if err != nil || d > 1e-6 {
					t.Errorf("%s embeddings: batch vs alone max |diff| = %g (%v)", a, d, err)
				}
			}
			t.Logf("batch of %d vs alone: max |diff| = %.3g", len(archs), worst)
		})
	}
}

// TestFedInputs runs Encode and PredictNodes on encoder inputs fed as graph parameters (the
// trainer's way) and compares them with the cached prediction path.
func TestFedInputs(t *testing.T) {
	cfg, set := loadFixtureGHN(t, VariantViT)
	archs := []arch.Arch{fixtureArchs["vit_d1"], fixtureArchs["vit_d2"]}
	b := newBatch(t, cfg, archs...)
	names := archs[1].Params()
	exec, err := NewExec(backend.MustDefault(), func(ins []*Node) []*Node {
		in, err := InputNodesFrom(ins[:7])
		if err != nil {
			panic(err)
		}
		w := weightsOf(cfg, ins[7:])
		emb, err := Encode(cfg, w, b, in)
		if err != nil {
			panic(err)
		}
		preds, err := PredictNodes(cfg, w, b, NodeOptions{Inputs: &in})
		if err != nil {
			panic(err)
		}
		out := []*Node{emb}
		for _, s := range names {
			out = append(out, preds[1][s.Name])
		}
		return out
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	var args []any
	for _, x := range b.InputTensors() {
		args = append(args, x)
	}
	args = append(args, weightArgs(t, cfg, set)...)
	outs, err := exec.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	m := newGHN(t, cfg, set)
	embs, err := m.Embeddings(archs, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tensorData(t, outs[0])
	h := cfg.Hid
	for i, e := range embs {
		g := got[i*b.NMax*h : i*b.NMax*h+len(e)]
		if d, _ := diff(g, []int{len(g)}, e, []int{len(e)}); d > 1e-6 {
			t.Errorf("graph %d: Encode vs Embeddings max |diff| = %g", i, d)
		}
	}
	zero := make([]float32, 64)
	want, err := m.Predict(archs[1], PredictOptions{ClassNoise: [][]float32{zero}})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range names {
		g, gs := tensorData(t, outs[1+i])
		w, ws := get(t, want, s.Name)
		if d, err := diff(g, gs, w, ws); err != nil || d > 1e-6 {
			t.Errorf("%s: fed-input prediction differs by %g (%v)", s.Name, d, err)
		}
	}
	// Wrong input shapes are reported, not panicked.
	bad := InputNodes{}
	if _, err := PredictNodes(cfg, Weights{}, b, NodeOptions{Inputs: &bad}); err == nil {
		t.Error("PredictNodes accepted empty weights")
	}
}
