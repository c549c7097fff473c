package ghn

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures/refgraphs"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/netgraph"
	"github.com/logah-go/logah/logah/params"
)

// llamaFixtureNames are the graphs of graphs_llama.json (also keys of fixtureArchs).
var llamaFixtureNames = []string{"llama_b1_tied", "llama_b2_gqa_untied", "llama_b2_tied"}

// loadLlamaFixture reads graphs_llama.json.
func loadLlamaFixture(t *testing.T) map[string]refgraphs.Graph {
	t.Helper()
	graphs, _ := refgraphs.Load(t, refgraphs.LlamaFile)
	if len(graphs) != len(llamaFixtureNames) {
		t.Fatalf("graphs_llama.json has %d graphs, want %d", len(graphs), len(llamaFixtureNames))
	}
	return graphs
}

// keyTuple writes a key as the reference's tuple: (c_out, c_in, k, k), (C, D), (c, 0), (c, -1).
func keyTuple(k Key) []int {
	switch k.Kind {
	case Key4D:
		return k.Dims[:]
	case KeyClassWeight:
		return k.Dims[:2]
	case Key1D:
		return []int{k.Dims[0], 0}
	default:
		return []int{k.Dims[0], -1}
	}
}

// TestLlamaDecoderKeysMatchReference gives every parameter node of the three reference Llama
// graphs the decoder key the authors' _map_net_params gives it at d_max 256 (min_sz rounding,
// (c, 0) for RMSNorm weights, a tied head's shared tensor as a (256, c, 1, 1) Linear), and
// checks that the fixture GHN's plan accepts them.
func TestLlamaDecoderKeysMatchReference(t *testing.T) {
	graphs := loadLlamaFixture(t)
	cfg := fixtureConfig(VariantGPT)
	if cfg.MaxShape != 256 {
		t.Fatalf("fixture config d_max %d, the reference keys are for 256", cfg.MaxShape)
	}
	for _, name := range llamaFixtureNames {
		t.Run(name, func(t *testing.T) {
			fg, ok := graphs[name]
			if !ok {
				t.Fatalf("graphs_llama.json lacks %s", name)
			}
			a := fg.MustArch(t)
			if fixtureArchs[name] != arch.Arch(a) {
				t.Fatalf("fixtureArchs[%q] = %v, the fixture's config is %v", name, fixtureArchs[name], a)
			}
			g, err := netgraph.Build(a, netgraph.Options{VirtualEdgeCutoff: fg.VECutoff})
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Nodes) != len(fg.Nodes) {
				t.Fatalf("%d nodes, reference %d", len(g.Nodes), len(fg.Nodes))
			}
			keyed := 0
			for i, node := range g.Nodes {
				ref := fg.Nodes[i]
				if (node.Param == "") != (ref.DecoderKey == nil) {
					t.Errorf("node %d (%q): has a parameter %v, reference key %v", i, node.Param, node.Param != "", ref.DecoderKey)
					continue
				}
				if node.Param == "" {
					continue
				}
				keyed++
				if ref.ParamName == nil || *ref.ParamName != node.Param {
					t.Errorf("node %d: parameter %q, reference %v", i, node.Param, ref.ParamName)
				}
				k, err := KeyFor(cfg.MaxShape, node)
				if err != nil {
					t.Errorf("node %d (%q): %v", i, node.Param, err)
					continue
				}
				if got := keyTuple(k); !slices.Equal(got, ref.DecoderKey) {
					t.Errorf("node %d (%q, shape %v): key %v, reference %v", i, node.Param, node.Shape, got, ref.DecoderKey)
				}
			}
			if want := len(a.Params()); keyed != want {
				t.Errorf("%d keyed nodes, the model has %d parameter tensors", keyed, want)
			}
			if _, err := NewBatch(cfg, a); err != nil {
				t.Errorf("plan: %v", err)
			}
		})
	}
}

// llamaPredictCases are the Llamas predicted below: the three fixture configurations and the
// CPU-scale named model.
func llamaPredictCases(t *testing.T) []arch.Arch {
	t.Helper()
	var out []arch.Arch
	for _, n := range llamaFixtureNames {
		out = append(out, fixtureArchs[n])
	}
	mini, err := arch.Named("llama-mini")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, mini)
}

func fixtureGPTGHN(t *testing.T, rule NormRule) *GHN {
	t.Helper()
	cfg, set := loadFixtureGHN(t, VariantGPT)
	cfg.Norm = rule
	return newGHN(t, cfg, set)
}

// TestPredictLlamaNamesAndShapes: a prediction holds exactly the Hugging Face parameters of the
// Llama, in named_parameters() order and shape — tied (one shared embed_tokens, no lm_head) and
// untied alike.
func TestPredictLlamaNamesAndShapes(t *testing.T) {
	m := fixtureGPTGHN(t, "")
	for _, a := range llamaPredictCases(t) {
		set, err := m.Predict(a, PredictOptions{})
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		specs := a.Params()
		names := set.Names()
		if len(names) != len(specs) {
			t.Fatalf("%s: %d tensors, want %d", a, len(names), len(specs))
		}
		for i, s := range specs {
			x, err := set.Get(names[i])
			if err != nil {
				t.Fatal(err)
			}
			if names[i] != s.Name || !slices.Equal(x.Shape(), s.Shape) || x.DType() != params.F32 {
				t.Errorf("%s: tensor %d is %s, want %s F32%v", a, i, x, s.Name, s.Shape)
			}
		}
		if l := a.(arch.Llama); l.Tied == set.Has("lm_head.weight") {
			t.Errorf("%s: tied %v but lm_head.weight present %v", a, l.Tied, set.Has("lm_head.weight"))
		}
		if set.NumParams() != arch.NumParams(a) {
			t.Errorf("%s: %d parameters, want %d", a, set.NumParams(), arch.NumParams(a))
		}
	}
}

// unbiasedStd is torch's p.std() in float64.
func unbiasedStd(x []float32) float64 {
	var sum, sq float64
	for _, v := range x {
		sum += float64(v)
	}
	mean := sum / float64(len(x))
	for _, v := range x {
		d := float64(v) - mean
		sq += d * d
	}
	return math.Sqrt(sq / float64(len(x)-1))
}

// checkElementwise compares got with f(raw) element by element, relative to the largest |want|.
func checkElementwise(t *testing.T, what string, got, raw []float32, f func(float64) float64, tol float64) {
	t.Helper()
	if len(got) != len(raw) {
		t.Fatalf("%s: %d values, raw %d", what, len(got), len(raw))
	}
	var worst, scale float64
	for i, r := range raw {
		w := f(float64(r))
		scale = max(scale, math.Abs(w))
		worst = max(worst, math.Abs(float64(got[i])-w))
	}
	if worst > tol*max(scale, 1e-30) {
		t.Errorf("%s: max |got − want| = %g (largest |want| %g)", what, worst, scale)
	}
}

// TestLlamaNormalisation checks the HEAD rule on Llamas against their raw predictions: RMSNorm
// weights 2·σ(p/2) in (0, 2), embed_tokens raw, every projection and an untied lm_head
// p/(std(p)+1e-7)·0.02 (std 0.02), and a tied Llama's shared tensor normalised like the lm_head
// Linear it sits in. Under NormGPTPaper the projections get the fan-in rule and o_proj the
// extra 1/√(2·n_layer).
func TestLlamaNormalisation(t *testing.T) {
	head, paper := fixtureGPTGHN(t, NormGPTHead), fixtureGPTGHN(t, NormGPTPaper)
	for _, name := range []string{"llama_b2_gqa_untied", "llama_b2_tied"} {
		a := fixtureArchs[name].(arch.Llama)
		t.Run(name, func(t *testing.T) {
			raw, err := head.Predict(a, PredictOptions{Raw: true})
			if err != nil {
				t.Fatal(err)
			}
			norm, err := head.Predict(a, PredictOptions{})
			if err != nil {
				t.Fatal(err)
			}
			pap, err := paper.Predict(a, PredictOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range a.Params() {
				got, _ := get(t, norm, s.Name)
				r, _ := get(t, raw, s.Name)
				switch {
				case s.Role == arch.RoleNormWeight:
					st := statsOf(got)
					if !(st.min > 0 && st.max < 2) {
						t.Errorf("%s: RMSNorm weight in [%g, %g], want inside (0, 2)", s.Name, st.min, st.max)
					}
					checkElementwise(t, s.Name, got, r, func(p float64) float64 { return 2 / (1 + math.Exp(-p/2)) }, 1e-6)
				case s.Role == arch.RoleEmbedding && !a.Tied:
					if !slices.Equal(got, r) {
						t.Errorf("%s: an nn.Embedding must keep the raw decoder output", s.Name)
					}
				default: // projections, lm_head, and the tied shared tensor
					den := unbiasedStd(r) + stdEps
					if std := unbiasedStd(got); math.Abs(std-0.02) > 1e-6 {
						t.Errorf("%s: std %g, want 0.02", s.Name, std)
					}
					checkElementwise(t, s.Name, got, r, func(p float64) float64 { return p / den * 0.02 }, 1e-5)
					if s.Role == arch.RoleLinear {
						fanIn := float64(s.Shape[1])
						div := 1.0
						if strings.HasSuffix(s.Name, ".o_proj.weight") {
							div = math.Sqrt(2 * float64(a.Layers))
						}
						gp, _ := get(t, pap, s.Name)
						checkElementwise(t, s.Name+" (gpt-paper)", gp, r, func(p float64) float64 { return p * math.Sqrt(2/fanIn) / div }, 1e-6)
					}
				}
			}
		})
	}
}

// TestViTVariantRefusesLlama: the 15-op ViT hypernetwork has no rows for rmsnorm, rot_emb and
// gate, so it refuses a Llama with an error naming the fix, and writes no file.
func TestViTVariantRefusesLlama(t *testing.T) {
	cfg, set := loadFixtureGHN(t, VariantViT)
	m := newGHN(t, cfg, set)
	a := fixtureArchs["llama_b1_tied"]
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: a ViT-variant hypernetwork predicted a Llama", what)
		}
		for _, want := range []string{"rmsnorm", "ghn.VariantGPT", "--variant gpt", "15-op"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %q", what, err, want)
			}
		}
	}
	_, err := m.Predict(a, PredictOptions{})
	check("Predict", err)
	path := filepath.Join(t.TempDir(), "llama.safetensors")
	_, err = m.PredictToFile(a, path, PredictOptions{})
	check("PredictToFile", err)
	if _, serr := os.Stat(path); serr == nil {
		t.Error("PredictToFile left a file after refusing")
	}
}
