package nets

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/params"
)

// llamaFixtureConfigs are the configurations of testdata/reference/llama_forward.safetensors.
var llamaFixtureConfigs = []string{"llama_fwd_tied", "llama_fwd_gqa_llama3", "llama_fwd_mha"}

// llamaFixture is one configuration of the reference Llama forward passes: its architecture
// (read from the Hugging Face config in llama_forward.json), weights, token ids and outputs.
type llamaFixture struct {
	cfg     arch.Llama
	weights map[string][]float32 // by HF parameter name
	tokens  [][]int64            // (B, T)
	logits  []float32            // (B, T, V), flattened
	loss    float64
}

// readLlamaFixture reads one configuration of the reference file.
func readLlamaFixture(t *testing.T, f *params.File, doc map[string]json.RawMessage, name string) llamaFixture {
	t.Helper()
	var c struct {
		HFConfig json.RawMessage `json:"hf_config"`
	}
	if err := json.Unmarshal(doc[name], &c); err != nil {
		t.Fatalf("llama_forward.json %s: %v", name, err)
	}
	cfg, err := params.LlamaFromHFConfig(c.HFConfig)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	fx := llamaFixture{cfg: cfg, weights: map[string][]float32{}}
	for _, p := range cfg.Params() {
		x := readFixtureTensor(t, f, name+"/"+p.Name)
		if !slices.Equal(x.Shape(), p.Shape) {
			t.Fatalf("%s/%s has shape %v, the architecture %v", name, p.Name, x.Shape(), p.Shape)
		}
		fx.weights[p.Name] = x.Float32s()
	}
	fx.tokens = readInt64s(t, f, name+"/input_ids")
	fx.logits = readFixtureTensor(t, f, name+"/logits").Float32s()
	fx.loss = float64(readFixtureTensor(t, f, name+"/loss").Float32s()[0])
	return fx
}

func readFixtureTensor(t *testing.T, f *params.File, name string) *params.Tensor {
	t.Helper()
	x, err := f.ReadTensor(name)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// readInt64s reads an I64 (B, T) tensor (token ids), which params reads as raw bytes only.
func readInt64s(t *testing.T, f *params.File, name string) [][]int64 {
	t.Helper()
	info, err := f.Info(name)
	if err != nil {
		t.Fatal(err)
	}
	if info.DType != "I64" || len(info.Shape) != 2 {
		t.Fatalf("%s: %s %v, want I64 (batch, seq_len)", name, info.DType, info.Shape)
	}
	r, err := f.RawReader(name)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	b, n := int(info.Shape[0]), int(info.Shape[1])
	out := make([][]int64, b)
	for i := range out {
		out[i] = make([]int64, n)
		for j := range out[i] {
			out[i][j] = int64(binary.LittleEndian.Uint64(raw[8*(i*n+j):]))
		}
	}
	return out
}

// openLlamaFixtures opens the reference safetensors file and the configs of its .json.
func openLlamaFixtures(t *testing.T) (*params.File, map[string]json.RawMessage) {
	t.Helper()
	f, err := params.Open(fixtures.Path(t, "llama_forward.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	raw, err := os.ReadFile(fixtures.Path(t, "llama_forward.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Configs map[string]json.RawMessage `json:"configs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return f, doc.Configs
}

// fixtureTensors converts a fixture's weights to tensors of dtype.
func (fx llamaFixture) tensors(dtype dtypes.DType) map[string]*tensors.Tensor {
	out := map[string]*tensors.Tensor{}
	for _, p := range fx.cfg.Params() {
		v := make([]float64, len(fx.weights[p.Name]))
		for i, x := range fx.weights[p.Name] {
			v[i] = float64(x)
		}
		out[p.Name] = tensorOf(v, dtype, p.Shape...)
	}
	return out
}

func float64s(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// TestLlamaReferenceLogits compares Logits and Loss of the three reference Llamas (tied with
// GQA, untied with GQA and the Llama-3 RoPE rule, untied multi-head) with Hugging Face's
// LlamaForCausalLM in float32, at 1e-5. The porting mistakes the fixtures were built to catch
// (interleaved RoPE, eps outside the square root, wrong head grouping, llama3 scaling skipped,
// norm weights ignored, no causal mask) move the logits by 1e-3 to 0.7.
//
// The same weights in float64 are compared too: with the float32 logits at 1e-5, and for the
// llama3 configuration with the fixture's float64 NumPy forward at 1e-8 (both use Hugging Face's
// float32 rotary tables; they agree to about 2.5e-10).
func TestLlamaReferenceLogits(t *testing.T) {
	f, doc := openLlamaFixtures(t)
	be := backend.MustDefault()
	cache := NewExecCache(4)
	defer cache.Clear()
	for _, name := range llamaFixtureConfigs {
		t.Run(name, func(t *testing.T) {
			fx := readLlamaFixture(t, f, doc, name)
			tokens := tensors.FromValue(fx.tokens)
			for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
				w := fx.tensors(dtype)
				logits, err := Logits(be, cache, fx.cfg, w, tokens)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := logits.Shape().Dimensions, []int{len(fx.tokens), len(fx.tokens[0]), fx.cfg.Vocab}; !slices.Equal(got, want) {
					t.Fatalf("%s: logits shape %v, want %v", dtype, got, want)
				}
				got := flat64(t, logits)
				d := maxAbsDiff(got, float64s(fx.logits))
				t.Logf("%s %s: logits max |Δ| = %.3g", fx.cfg, dtype, d)
				if d > 1e-5 {
					t.Errorf("%s: logits differ from Hugging Face's by %.3g > 1e-5", dtype, d)
				}
				loss, err := Loss(be, cache, fx.cfg, w, tokens, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s %s: loss %.8f, Hugging Face %.8f", fx.cfg, dtype, loss, fx.loss)
				if math.Abs(loss-fx.loss) > 1e-5 {
					t.Errorf("%s: loss %.8f, Hugging Face %.8f", dtype, loss, fx.loss)
				}
				if dtype == dtypes.Float64 && name == "llama_fwd_gqa_llama3" {
					ref := readFixtureTensor(t, f, name+"/logits_f64_numpy").Float64s()
					d := maxAbsDiff(got, ref)
					t.Logf("float64 logits vs the float64 NumPy forward: max |Δ| = %.3g", d)
					if d > 1e-8 {
						t.Errorf("float64 logits differ from the float64 NumPy forward by %.3g > 1e-8", d)
					}
				}
			}
		})
	}
}

// TestLlamaRopeTables compares the rotary inverse frequencies and cos/sin tables with Hugging
// Face's for the llama3 fixture (θ = 5·10⁵, factor 8, original context 64: every branch of
// the llama3 rule), and the inverse frequencies of the real Llama-3.1-8B settings (6 of 64 in
// the smooth band). Inverse frequencies must be bit-identical (they are float32 arithmetic on
// both sides); cos and sin may differ by one float32 ulp (PyTorch's vectorised float32 cos
// against a correctly rounded one).
func TestLlamaRopeTables(t *testing.T) {
	f, doc := openLlamaFixtures(t)
	fx := readLlamaFixture(t, f, doc, "llama_fwd_gqa_llama3")
	equalBits := func(what string, got, want []float32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s[%d] = %.9g, Hugging Face %.9g", what, i, got[i], want[i])
			}
		}
	}
	equalBits("inv_freq", fx.cfg.RopeInvFreq(), readFixtureTensor(t, f, "llama_fwd_gqa_llama3/rope_inv_freq").Float32s())
	l31, err := arch.Named("llama-3.1-8b")
	if err != nil {
		t.Fatal(err)
	}
	equalBits("llama-3.1-8b inv_freq", l31.(arch.Llama).RopeInvFreq(), readFixtureTensor(t, f, "extra/llama31_8b_rope_inv_freq").Float32s())

	seq := len(fx.tokens[0])
	cos, sin := llamaRopeTables(fx.cfg, seq)
	for _, tab := range []struct {
		name      string
		got, want []float32
	}{
		{"cos", cos, readFixtureTensor(t, f, "llama_fwd_gqa_llama3/rope_cos").Float32s()},
		{"sin", sin, readFixtureTensor(t, f, "llama_fwd_gqa_llama3/rope_sin").Float32s()},
	} {
		if len(tab.got) != len(tab.want) {
			t.Fatalf("%s: %d values, want %d", tab.name, len(tab.got), len(tab.want))
		}
		exact, maxULP := 0, 0.0
		for i := range tab.got {
			g, w := tab.got[i], tab.want[i]
			if g == w {
				exact++
				continue
			}
			ulp := math.Abs(float64(g-w)) / float64(math.Nextafter32(float32(math.Abs(float64(w))), 2)-float32(math.Abs(float64(w))))
			maxULP = max(maxULP, ulp)
			if ulp > 1 {
				t.Errorf("%s[%d] (position %d) = %.9g, Hugging Face %.9g (%.1f ulp)", tab.name, i, i/fx.cfg.HeadDim(), g, w, ulp)
			}
		}
		t.Logf("%s: %d of %d values bit-identical, the others within %.1f ulp", tab.name, exact, len(tab.got), maxULP)
	}
}

// TestLlamaGradients is a float64 finite-difference check of the Llama gradients (every
// parameter sampled: embedding, RMSNorm weights, the grouped k_proj and v_proj, MLP, lm_head),
// untied with the llama3 RoPE rule and tied.
func TestLlamaGradients(t *testing.T) {
	for _, tied := range []bool{false, true} {
		cfg := arch.Llama{Layers: 2, Width: 16, Heads: 4, KVHeads: 2, Inner: 24, Vocab: 13, Context: 8, NormEps: 1e-5,
			RopeTheta: 10000, Tied: tied}
		if !tied {
			cfg.RopeScaling = arch.RopeScaling{Type: arch.RopeLlama3, Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalContext: 4}
		}
		t.Run(cfg.String(), func(t *testing.T) {
			vals := randomValues(cfg, 41)
			tokens := tensors.FromValue(randomTokens(2, 6, cfg.Vocab, 9))
			gradCheck(t, cfg, vals, tokens, nil, 3)
		})
	}
}

// TestRMSNormGradients compares rmsNorm's hand-written gradient with GoMLX's differentiation of
// the decomposed formula, in float64, for a loss Σ y ⊙ c.
func TestRMSNormGradients(t *testing.T) {
	be := backend.MustDefault()
	const rows, d = 6, 5
	xs, ws, cs := make([]float64, rows*d), make([]float64, d), make([]float64, rows*d)
	for i := range xs {
		xs[i] = math.Sin(float64(3*i+1)) * 2
		cs[i] = math.Cos(float64(5*i + 2))
	}
	for i := range ws {
		ws[i] = 1 + 0.3*math.Sin(float64(i))
	}
	exec := MustNewExec(be, func(x, w, c *Node) []*Node {
		fused := ReduceAllSum(Mul(rmsNorm(x, w, 1e-5), c))
		plain := ReduceAllSum(Mul(Mul(ExpandLeftToRank(w, 3), normalizeRMS(x, 1e-5)), c))
		return append(Gradient(fused, x, w), Gradient(plain, x, w)...)
	})
	defer exec.Finalize()
	outs := exec.MustCall(tensorOf(xs, dtypes.Float64, 2, 3, d), tensorOf(ws, dtypes.Float64, d), tensorOf(cs, dtypes.Float64, 2, 3, d))
	for i, name := range []string{"dx", "dw"} {
		if diff := maxAbsDiff(flat64(t, outs[i]), flat64(t, outs[2+i])); diff > 1e-12 {
			t.Errorf("%s: hand-written and GoMLX gradients differ by %.3g", name, diff)
		}
	}
}

// TestLlamaErrors checks that bad weights and tokens are errors naming the problem, from Logits
// and from LlamaForward on graph nodes.
func TestLlamaErrors(t *testing.T) {
	be := backend.MustDefault()
	cfg := arch.Llama{Layers: 1, Width: 16, Heads: 4, KVHeads: 2, Inner: 24, Vocab: 11, Context: 4, NormEps: 1e-5, RopeTheta: 10000}
	w := randomParams(cfg, 1)
	tok := tensors.FromValue(randomTokens(1, 3, cfg.Vocab, 1))
	wantErr := func(what string, err error, fragments ...string) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		for _, f := range fragments {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("%s: error %q does not contain %q", what, err, f)
			}
		}
	}
	tooLong := tensors.FromValue(randomTokens(1, 5, cfg.Vocab, 1))
	_, err := Logits(be, nil, cfg, w, tooLong)
	wantErr("tokens too long", err, "sequence length 5 exceeds the context 4")

	missing := cloneParams(w)
	delete(missing, "lm_head.weight")
	_, err = Logits(be, nil, cfg, missing, tok)
	wantErr("missing lm_head", err, `"lm_head.weight"`, "missing")

	wrong := cloneParams(w)
	wrong["model.layers.0.self_attn.k_proj.weight"] = tensorOf(make([]float64, 16*16), dtypes.Float32, 16, 16) // MHA shape
	_, err = Logits(be, nil, cfg, wrong, tok)
	wantErr("k_proj of a multi-head model", err, `"model.layers.0.self_attn.k_proj.weight"`, "[16 16]", "[8 16]")

	_, err = Logits(be, nil, cfg, w, tensors.FromValue([][]float32{{1, 2, 3}}))
	wantErr("float tokens", err, "integer dtype")
	_, err = Loss(be, nil, cfg, w, tok, tok)
	wantErr("labels", err, "pass nil labels")
	_, err = Loss(be, nil, cfg, w, tensors.FromValue([][]int32{{1}, {2}}), nil)
	wantErr("one token", err, "at least 2 tokens")

	bad := cfg
	bad.KVHeads = 3
	_, err = Logits(be, nil, bad, w, tok)
	wantErr("invalid architecture", err, "kv_heads 3")

	// A tied model accepts (and ignores) an lm_head.weight entry, as in Hugging Face state dicts.
	tied := cfg
	tied.Tied = true
	if _, err := Logits(be, nil, tied, w, tok); err != nil {
		t.Errorf("tied with extra lm_head.weight: %v", err)
	}

	// The graph-level API checks its nodes the same way, without panicking.
	g := NewGraph(be, "llama-errors")
	defer g.Finalize()
	nodes := Weights{}
	for _, p := range cfg.Params() {
		nodes[p.Name] = Zeros(g, shapes.Make(dtypes.Float32, p.Shape...))
	}
	nodes["model.norm.weight"] = Zeros(g, shapes.Make(dtypes.Float32, 15))
	_, err = LlamaForward(cfg, nodes, Zeros(g, shapes.Make(dtypes.Int32, 1, 3)), LlamaOptions{})
	wantErr("LlamaForward with a wrong norm weight", err, `"model.norm.weight"`, "[15]", "[16]")
	nodes["model.norm.weight"] = Zeros(g, shapes.Make(dtypes.Float32, 16))
	_, err = LlamaLoss(cfg, nodes, Zeros(g, shapes.Make(dtypes.Int32, 2, 9)), LlamaOptions{})
	wantErr("LlamaLoss with too many tokens", err, "sequence length 9 exceeds the context 4")
	_, err = LlamaForward(cfg, nodes, nil, LlamaOptions{})
	wantErr("nil tokens", err, "tokens is nil")
}

// TestLlamaHalfPrecision runs the llama3 reference Llama with bfloat16 and float16 weights (the
// RMSNorms and attention softmaxes then run in float32, as in Hugging Face) and compares the
// logits with Hugging Face's float32 ones, at the precision of the weights' rounding: bfloat16
// keeps 8 significant bits, float16 11 (measured: 4.3e-3 and 9.1e-4).
func TestLlamaHalfPrecision(t *testing.T) {
	f, doc := openLlamaFixtures(t)
	fx := readLlamaFixture(t, f, doc, "llama_fwd_gqa_llama3")
	be := backend.MustDefault()
	convert := func(x *tensors.Tensor, dtype dtypes.DType) *tensors.Tensor {
		out, err := ExecOnce(be, func(x *Node) *Node { return ConvertDType(x, dtype) }, x)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, c := range []struct {
		dtype dtypes.DType
		tol   float64
	}{{dtypes.BFloat16, 2e-2}, {dtypes.Float16, 4e-3}} {
		w := map[string]*tensors.Tensor{}
		for name, x := range fx.tensors(dtypes.Float32) {
			w[name] = convert(x, c.dtype)
		}
		logits, err := Logits(be, nil, fx.cfg, w, tensors.FromValue(fx.tokens))
		if err != nil {
			t.Fatalf("%s: %v", c.dtype, err)
		}
		if logits.DType() != c.dtype {
			t.Errorf("%s weights gave %s logits", c.dtype, logits.DType())
		}
		d := maxAbsDiff(flat64(t, convert(logits, dtypes.Float32)), float64s(fx.logits))
		t.Logf("%s: logits max |Δ| = %.3g", c.dtype, d)
		if d > c.tol {
			t.Errorf("%s: logits differ from Hugging Face's float32 ones by %.3g > %g", c.dtype, d, c.tol)
		}
	}
}
