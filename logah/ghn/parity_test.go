package ghn

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/params"
)

// parityCase names the fixture files of one target model.
type parityCase struct {
	graph      string // key in graphs.json / fixtureArchs
	variant    Variant
	embeddings string // node_embeddings_*.safetensors
	raw        string // predicted_*_raw.safetensors
	predicted  map[NormRule]string
}

var parityCases = []parityCase{
	{"vit_d2", VariantViT, "node_embeddings_vit_d2.safetensors", "predicted_vit_d2_raw.safetensors",
		map[NormRule]string{NormViT: "predicted_vit_d2.safetensors"}},
	{"vit_d3_D96", VariantViT, "node_embeddings_vit_d3.safetensors", "predicted_vit_d3_raw.safetensors",
		map[NormRule]string{NormViT: "predicted_vit_d3.safetensors"}},
	{"gpt2_b2_untied", VariantGPT, "node_embeddings_gpt_b2.safetensors", "predicted_gpt_b2_raw.safetensors",
		map[NormRule]string{NormGPTHead: "predicted_gpt_b2.safetensors", NormGPTPaper: "predicted_gpt_b2_paperera.safetensors"}},
}

// TestEncoderParity compares the encoder with the reference: x0 and the edge bias exactly, LN1
// of layer 0, every layer's output and the final node embeddings within atol.
func TestEncoderParity(t *testing.T) {
	for _, pc := range parityCases {
		t.Run(pc.graph, func(t *testing.T) {
			cfg, set := loadFixtureGHN(t, pc.variant)
			b := newBatch(t, cfg, fixtureArchs[pc.graph])
			tr := runTrace(t, cfg, set, b)
			ref, _ := fixtureFile(t, pc.embeddings)
			check := func(name string, got []float32, gotShape []int, exact bool) {
				t.Helper()
				want, wantShape := get(t, ref, name)
				d, err := diff(got, gotShape, want, wantShape)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				t.Logf("%-28s max |diff| = %.3g", name, d)
				if exact && d != 0 || d > atol {
					t.Errorf("%s: max |diff| = %g (exact=%v, atol %g)", name, d, exact, atol)
				}
			}
			N, h, H := b.NMax, cfg.Hid, cfg.Heads
			check("x0_op_plus_shape", tr.x0, []int{N, h}, true)
			check("edge_bias_layer0", tr.edgeBias, []int{N, N, H}, false)
			check("layer0_ln1_output", tr.ln1, []int{N, h}, false)
			for l, x := range tr.layers {
				check(fmt.Sprintf("x_after_graphormer_layer%d", l), x, []int{N, h}, false)
			}
			check("node_embeddings", tr.emb, []int{N, h}, false)
		})
	}
}

// TestDecoderParity compares the raw decoder output of every node (in its key's shape) and the
// groups and keys themselves.
func TestDecoderParity(t *testing.T) {
	for _, pc := range parityCases {
		t.Run(pc.graph, func(t *testing.T) {
			cfg, set := loadFixtureGHN(t, pc.variant)
			b := newBatch(t, cfg, fixtureArchs[pc.graph])
			ref, meta := fixtureFile(t, pc.raw)
			var groups map[string][]int
			jsonMeta(t, meta, "groups", &groups)
			if len(groups) != len(b.plan.groups) {
				t.Errorf("%d decoder groups, reference has %d", len(b.plan.groups), len(groups))
			}
			for _, g := range b.plan.groups {
				key := "[" + strings.Trim(g.key.String(), "()") + "]"
				var nodes []int
				for _, r := range g.rows {
					nodes = append(nodes, int(r))
				}
				if !slices.Equal(groups[key], nodes) {
					t.Errorf("group %s: nodes %v, reference %v", key, nodes, groups[key])
				}
			}
			tr := runTrace(t, cfg, set, b)
			worst := 0.0
			for gi, g := range b.plan.groups {
				per := len(tr.decoded[gi]) / len(g.rows)
				for m, r := range g.rows {
					name := fmt.Sprintf("decoder_out/node_%03d", r)
					want, wantShape := get(t, ref, name)
					d, err := diff(tr.decoded[gi][m*per:(m+1)*per], tr.decodedShape[gi][1:], want, wantShape)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					worst = max(worst, d)
					if d > atol {
						t.Errorf("%s (key %s): max |diff| = %g", name, g.key, d)
					}
				}
			}
			t.Logf("decoder_out: %d nodes, max |diff| = %.3g", len(ref.Names())/2, worst)
		})
	}
}

// compareToFixture compares a predicted set with a fixture file (keys `prefix+name`), excluding
// the class-token slot of the ViT positional embedding and expanding vocabulary tensors stored
// truncated (full[r] = stored[r mod rows]).
func compareToFixture(t *testing.T, got *params.Set, ref *params.Set, meta map[string]string, prefix string) float64 {
	t.Helper()
	truncated := map[string][2]int{}
	if _, ok := meta["truncated_rows"]; ok {
		jsonMeta(t, meta, "truncated_rows", &truncated)
	}
	worst := 0.0
	n := 0
	for _, name := range got.Names() {
		if name == "class_token" {
			continue
		}
		gv, gs := get(t, got, name)
		want, ws := get(t, ref, prefix+name)
		if tr, ok := truncated[name]; ok {
			if gs[0] != tr[0] || ws[0] != tr[1] {
				t.Fatalf("%s: %v vs stored %v, truncated %v", name, gs, ws, tr)
			}
			width := gs[1]
			full := make([]float32, 0, len(gv))
			for r := range gs[0] {
				full = append(full, rows(want, width, r%ws[0], r%ws[0]+1)...)
			}
			want, ws = full, gs
		}
		if name == "encoder.pos_embedding" {
			d := gs[2]
			gv, want = slices.Clone(gv), slices.Clone(want)
			clear(gv[:d])
			clear(want[:d])
		}
		d, err := diff(gv, gs, want, ws)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		worst = max(worst, d)
		n++
		if d > atol {
			t.Errorf("%s: max |diff| = %g", name, d)
		}
	}
	if want := len(ref.Names()); prefix == "" && n != want {
		t.Errorf("compared %d tensors, the fixture has %d", n, want)
	}
	return worst
}

// TestPredictParity compares pre-normalisation tensors and final predictions with the
// reference, for every normalisation rule with a fixture.
func TestPredictParity(t *testing.T) {
	for _, pc := range parityCases {
		t.Run(pc.graph, func(t *testing.T) {
			cfg, set := loadFixtureGHN(t, pc.variant)
			a := fixtureArchs[pc.graph]
			m := newGHN(t, cfg, set)
			raw, err := m.Predict(a, PredictOptions{Raw: true})
			if err != nil {
				t.Fatal(err)
			}
			ref, meta := fixtureFile(t, pc.raw)
			t.Logf("pre_norm: max |diff| = %.3g", compareToFixture(t, raw, ref, meta, "pre_norm/"))
			for rule, file := range pc.predicted {
				c := cfg
				c.Norm = rule
				m, err := New(c, set, nil)
				if err != nil {
					t.Fatal(err)
				}
				got, err := m.Predict(a, PredictOptions{Seed: 1})
				m.Close()
				if err != nil {
					t.Fatal(err)
				}
				if err := got.CheckArch(a); err != nil {
					t.Error(err)
				}
				ref, meta := fixtureFile(t, file)
				t.Logf("predicted (%s): max |diff| = %.3g", rule, compareToFixture(t, got, ref, meta, ""))
			}
		})
	}
}
