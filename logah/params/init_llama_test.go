package params

import (
	"math"
	"testing"

	"github.com/logah-go/logah/logah/arch"
)

// Llamas of the initialisation and export tests: grouped-query attention with an untied
// lm_head and the Llama-3 RoPE rule, and a tied one with Llama 2's settings.
var (
	llamaGQA = arch.Llama{Layers: 2, Width: 64, Heads: 8, KVHeads: 2, Inner: 256, Vocab: 384, Context: 256,
		NormEps: 1e-5, RopeTheta: 500000, RopeScaling: arch.Llama3RopeScaling(8)}
	llamaTied = arch.Llama{Layers: 1, Width: 48, Heads: 3, KVHeads: 3, Inner: 128, Vocab: 300, Context: 64,
		NormEps: 1e-6, RopeTheta: 10000, Tied: true}
)

// TestInitRulesLlama pins every kind of Llama parameter to LlamaPreTrainedModel._init_weights,
// written out by hand: normal(0, 0.02) for every Linear and Embedding weight (no depth scaling,
// unlike GPT-2's c_proj), ones for RMSNorm weights.
func TestInitRulesLlama(t *testing.T) {
	normal := InitRule{Dist: Normal, Std: 0.02}
	want := map[string]InitRule{
		"model.embed_tokens.weight":                      normal,
		"model.layers.1.self_attn.q_proj.weight":         normal,
		"model.layers.1.self_attn.k_proj.weight":         normal,
		"model.layers.1.self_attn.v_proj.weight":         normal,
		"model.layers.1.self_attn.o_proj.weight":         normal,
		"model.layers.1.mlp.gate_proj.weight":            normal,
		"model.layers.1.mlp.up_proj.weight":              normal,
		"model.layers.1.mlp.down_proj.weight":            normal,
		"model.layers.1.input_layernorm.weight":          {Dist: Ones},
		"model.layers.1.post_attention_layernorm.weight": {Dist: Ones},
		"model.norm.weight":                              {Dist: Ones},
		"lm_head.weight":                                 normal,
	}
	for name, w := range want {
		p, ok := arch.Find(llamaGQA, name)
		if !ok {
			t.Fatalf("%v has no %s", llamaGQA, name)
		}
		got, err := InitRuleFor(llamaGQA, p)
		if err != nil {
			t.Fatal(err)
		}
		if got.Dist != w.Dist || math.Abs(got.Std-w.Std) > 1e-15 || got.Bound != w.Bound {
			t.Errorf("%s: %v, want %v", name, got, w)
		}
	}
	_, err := InitRuleFor(llamaGQA, arch.ParamSpec{Name: "model.layers.0.self_attn.q_proj.bias", Shape: []int{64}, Role: arch.RoleBias})
	wantErr(t, err, `"model.layers.0.self_attn.q_proj.bias"`, "Llama")
}

// TestInitLlamaNormWeightsAreOne checks that every RMSNorm weight of an initialised Llama is
// exactly 1 and every other tensor is random around 0 with standard deviation 0.02, pooled over
// the whole model (TestInitStatistics checks each tensor).
func TestInitLlamaNormWeightsAreOne(t *testing.T) {
	for _, a := range []arch.Llama{llamaGQA, llamaTied} {
		s, err := Init(a, 11)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CheckArch(a); err != nil {
			t.Fatal(err)
		}
		var sum, sumSq, n float64
		norms := 0
		for x := range s.All() {
			p := mustFind(t, a, x.Name())
			if p.Role == arch.RoleNormWeight {
				norms++
				for _, v := range x.Float32s() {
					if v != 1 {
						t.Fatalf("%s: norm weight %g, want exactly 1", x.Name(), v)
					}
				}
				continue
			}
			for _, v := range x.Float32s() {
				sum += float64(v)
				sumSq += float64(v) * float64(v)
				n++
			}
		}
		if norms != 2*a.Layers+1 {
			t.Errorf("%s: %d norm weights, want %d", a, norms, 2*a.Layers+1)
		}
		mean := sum / n
		std := math.Sqrt(sumSq/n - mean*mean)
		if math.Abs(std/0.02-1) > 0.01 || math.Abs(mean) > 5*0.02/math.Sqrt(n) {
			t.Errorf("%s: pooled mean %.3g std %.5f over %.0f values, want 0 and 0.02", a, mean, std, n)
		}
	}
}
