package nets

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
)

// gpt2Reference is a plain float64 GPT-2 (Hugging Face GPT2LMHeadModel in eval mode), written
// with loops and no GoMLX, returning logits [b][t][v].
func gpt2Reference(cfg arch.GPT2, w map[string][]float64, tokens [][]int32) [][][]float64 {
	D, H, I, V := cfg.Width, cfg.Heads, cfg.Inner, cfg.Vocab
	hd := D / H
	layerNorm := func(x []float64, g, b []float64) []float64 {
		mean, vr := 0.0, 0.0
		for _, v := range x {
			mean += v
		}
		mean /= float64(len(x))
		for _, v := range x {
			vr += (v - mean) * (v - mean)
		}
		vr /= float64(len(x))
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = (v-mean)/math.Sqrt(vr+GPT2LayerNormEps)*g[i] + b[i]
		}
		return out
	}
	// conv1D: x (in) · W (in, out) + b.
	conv1D := func(x, W, b []float64, out int) []float64 {
		y := make([]float64, out)
		copy(y, b)
		for i, xi := range x {
			for o := range out {
				y[o] += xi * W[i*out+o]
			}
		}
		return y
	}
	geluNew := func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}
	head := w["lm_head.weight"]
	if cfg.Tied {
		head = w["transformer.wte.weight"]
	}
	logits := make([][][]float64, len(tokens))
	for b, seq := range tokens {
		T := len(seq)
		x := make([][]float64, T)
		for t, tok := range seq {
			x[t] = make([]float64, D)
			for d := range D {
				x[t][d] = w["transformer.wte.weight"][int(tok)*D+d] + w["transformer.wpe.weight"][t*D+d]
			}
		}
		for l := range cfg.Layers {
			p := fmt.Sprintf("transformer.h.%d.", l)
			qkv := make([][]float64, T)
			for t := range T {
				h := layerNorm(x[t], w[p+"ln_1.weight"], w[p+"ln_1.bias"])
				qkv[t] = conv1D(h, w[p+"attn.c_attn.weight"], w[p+"attn.c_attn.bias"], 3*D)
			}
			// q, k, v of all positions are computed: x can now be updated in place.
			for t := range T {
				att := make([]float64, D)
				for hh := range H {
					scores := make([]float64, t+1) // causal: keys 0..t
					mx := math.Inf(-1)
					for j := range scores {
						s := 0.0
						for d := range hd {
							s += qkv[t][hh*hd+d] * qkv[j][D+hh*hd+d]
						}
						scores[j] = s / math.Sqrt(float64(hd))
						mx = max(mx, scores[j])
					}
					sum := 0.0
					for j := range scores {
						scores[j] = math.Exp(scores[j] - mx)
						sum += scores[j]
					}
					for j := range scores {
						for d := range hd {
							att[hh*hd+d] += scores[j] / sum * qkv[j][2*D+hh*hd+d]
						}
					}
				}
				a := conv1D(att, w[p+"attn.c_proj.weight"], w[p+"attn.c_proj.bias"], D)
				for d := range D {
					x[t][d] += a[d]
				}
			}
			for t := range T {
				h := layerNorm(x[t], w[p+"ln_2.weight"], w[p+"ln_2.bias"])
				m := conv1D(h, w[p+"mlp.c_fc.weight"], w[p+"mlp.c_fc.bias"], I)
				for i := range m {
					m[i] = geluNew(m[i])
				}
				m = conv1D(m, w[p+"mlp.c_proj.weight"], w[p+"mlp.c_proj.bias"], D)
				for d := range D {
					x[t][d] += m[d]
				}
			}
		}
		logits[b] = make([][]float64, T)
		for t := range T {
			h := layerNorm(x[t], w["transformer.ln_f.weight"], w["transformer.ln_f.bias"])
			logits[b][t] = make([]float64, V)
			for v := range V {
				s := 0.0
				for d := range D {
					s += h[d] * head[v*D+d]
				}
				logits[b][t][v] = s
			}
		}
	}
	return logits
}

// causalLMReference is Hugging Face's shifted mean cross entropy on reference logits.
func causalLMReference(logits [][][]float64, tokens [][]int32) float64 {
	sum, n := 0.0, 0
	for b, seq := range tokens {
		for t := 0; t+1 < len(seq); t++ {
			row := logits[b][t]
			sum += logSumExp(row) - row[seq[t+1]]
			n++
		}
	}
	return sum / float64(n)
}

func flattenLogits(l [][][]float64) []float64 {
	var out []float64
	for _, b := range l {
		for _, t := range b {
			out = append(out, t...)
		}
	}
	return out
}

// TestGPT2Reference compares GPT2Forward (float32 and float64) with the plain-Go float64
// reference, tied and untied, and the causal LM losses (CausalLMLoss on the logits and GPT2Loss).
func TestGPT2Reference(t *testing.T) {
	backend := backend.MustDefault()
	cache := NewExecCache(8)
	defer cache.Clear()
	for _, tied := range []bool{false, true} {
		cfg := arch.GPT2{Layers: 2, Width: 16, Heads: 4, Inner: 40, Vocab: 23, Context: 12, Tied: tied}
		vals := randomValues(cfg, 3)
		toks := randomTokens(2, 7, cfg.Vocab, 5)
		ref := gpt2Reference(cfg, vals, toks)
		refFlat := flattenLogits(ref)
		refLoss := causalLMReference(ref, toks)
		for _, dt := range []struct {
			dtype    dtypes.DType
			logitTol float64
			lossTol  float64
			name     string
		}{{dtypes.Float64, 1e-12, 1e-12, "f64"}, {dtypes.Float32, 2e-5, 1e-5, "f32"}} {
			t.Run(fmt.Sprintf("tied=%v/%s", tied, dt.name), func(t *testing.T) {
				params := toTensors(cfg, vals, dt.dtype)
				tokens := tensors.FromValue(toks)
				logits, err := Logits(backend, cache, cfg, params, tokens)
				if err != nil {
					t.Fatal(err)
				}
				if got := logits.Shape().Dimensions; len(got) != 3 || got[0] != 2 || got[1] != 7 || got[2] != cfg.Vocab {
					t.Fatalf("logits shape %v", got)
				}
				d := maxAbsDiff(flat64(t, logits), refFlat)
				t.Logf("logits max |Δ| = %.3g", d)
				if d > dt.logitTol {
					t.Errorf("logits differ from the reference by %.3g > %g", d, dt.logitTol)
				}
				loss, err := Loss(backend, cache, cfg, params, tokens, nil)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(loss-refLoss) > dt.lossTol {
					t.Errorf("GPT2Loss = %.10f, reference %.10f", loss, refLoss)
				}
				// CausalLMLoss on the full logits gives the same value.
				lmLoss, err := ExecOnce(backend, func(l, tok *Node) *Node {
					loss, err := CausalLMLoss(l, tok)
					if err != nil {
						panic(err)
					}
					return loss
				}, logits, tokens)
				if err != nil {
					t.Fatal(err)
				}
				v := flat64(t, lmLoss)[0]
				if math.Abs(v-refLoss) > dt.lossTol {
					t.Errorf("CausalLMLoss = %.10f, reference %.10f", v, refLoss)
				}
			})
		}
	}
}

// TestGPT2Errors checks argument validation.
func TestGPT2Errors(t *testing.T) {
	backend := backend.MustDefault()
	cfg := arch.GPT2{Layers: 1, Width: 8, Heads: 2, Inner: 16, Vocab: 11, Context: 4}
	params := randomParams(cfg, 1)
	tooLong := tensors.FromValue(randomTokens(1, 5, cfg.Vocab, 1))
	if _, err := Logits(backend, nil, cfg, params, tooLong); err == nil || !strings.Contains(err.Error(), "exceeds the context 4") {
		t.Errorf("too long: got %v", err)
	}
	untied := cloneParams(params)
	delete(untied, "lm_head.weight")
	tok := tensors.FromValue(randomTokens(1, 3, cfg.Vocab, 1))
	if _, err := Logits(backend, nil, cfg, untied, tok); err == nil || !strings.Contains(err.Error(), `"lm_head.weight"`) {
		t.Errorf("missing lm_head: got %v", err)
	}
	floatTokens := tensors.FromValue([][]float32{{1, 2, 3}})
	if _, err := Logits(backend, nil, cfg, params, floatTokens); err == nil || !strings.Contains(err.Error(), "integer dtype") {
		t.Errorf("float tokens: got %v", err)
	}
	if _, err := Loss(backend, nil, cfg, params, tok, tok); err == nil {
		t.Errorf("GPT-2 loss with labels: want an error")
	}
	// A tied model accepts (and ignores) an lm_head.weight entry, as in Hugging Face state dicts.
	tiedCfg := cfg
	tiedCfg.Tied = true
	if _, err := Logits(backend, nil, tiedCfg, params, tok); err != nil {
		t.Errorf("tied with extra lm_head.weight: %v", err)
	}
}

// TestGPT2LossChunks checks that splitting the lm_head loss into row blocks (as done for large
// vocabularies on the Go backend) gives the same loss and gradients as one block.
func TestGPT2LossChunks(t *testing.T) {
	backend := backend.MustDefault()
	cfg := arch.GPT2{Layers: 1, Width: 8, Heads: 2, Inner: 16, Vocab: 29, Context: 8}
	params := toTensors(cfg, randomValues(cfg, 4), dtypes.Float64)
	tokens := tensors.FromValue(randomTokens(3, 7, cfg.Vocab, 9))
	run := func(chunkElems int) (float64, map[string]*tensors.Tensor, int) {
		saved := lmHeadChunkElems
		lmHeadChunkElems = chunkElems
		defer func() { lmHeadChunkElems = saved }()
		var chunks int
		_, err := ExecOnce(backend, func(x *Node) *Node {
			chunks = lmHeadChunks(x.Graph(), 3*6, cfg.Vocab)
			return MulScalar(x, 1)
		}, tensors.FromValue([]float32{1}))
		if err != nil {
			t.Fatal(err)
		}
		loss, grads, err := LossAndGradients(backend, nil, cfg, params, tokens, nil)
		if err != nil {
			t.Fatal(err)
		}
		return loss, grads, chunks
	}
	loss1, grads1, n1 := run(1 << 30)
	lossK, gradsK, nK := run(40)
	t.Logf("%d vs %d blocks", n1, nK)
	if n1 != 1 {
		t.Fatalf("expected 1 block, got %d", n1)
	}
	if nK == 1 {
		t.Logf("only one block possible here (GOMAXPROCS=%d): the comparison is trivial", runtime.GOMAXPROCS(0))
	}
	if math.Abs(loss1-lossK) > 1e-12 {
		t.Errorf("loss %.15f with blocks, %.15f without", lossK, loss1)
	}
	for name, g := range grads1 {
		if d := maxAbsDiff(flat64(t, g), flat64(t, gradsK[name])); d > 1e-12 {
			t.Errorf("%s: gradients differ by %.3g", name, d)
		}
	}
}
