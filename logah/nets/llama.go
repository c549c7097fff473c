package nets

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/internal/customvjp"
)

// LlamaOptions configures [LlamaForward] and [LlamaLoss]. Llama has no dropout
// (attention_dropout is 0 in LlamaConfig and in every published config), so evaluation and
// training compute the same function and the zero value serves both; the type keeps the place
// of [GPT2Options] in the call.
type LlamaOptions struct{}

// LlamaForward computes the logits (B, T, Vocab) of the Llama cfg with weights w on tokens
// (B, T) of an integer dtype, with Hugging Face LlamaForCausalLM semantics (see the package
// documentation). T must not exceed cfg.Context. Token ids must lie in [0, Vocab): they cannot
// be checked while building the graph.
//
// It must be called while building a graph; gradients flow back to the weight nodes. Weights of
// dtype float32 or float64 are computed in their own dtype throughout; half-precision weights
// have their RMSNorms and attention softmaxes computed in float32, as Hugging Face does.
func LlamaForward(cfg arch.Llama, w Weights, tokens *Node, opts LlamaOptions) (logits *Node, err error) {
	if err := checkLlama(cfg, w, tokens, opts); err != nil {
		return nil, err
	}
	err = catch(cfg.String(), func() {
		logits = linear(llamaHidden(cfg, w, tokens), w.get(llamaHeadName(cfg)), nil) // (B, T, V)
	})
	return logits, err
}

// LlamaLoss is [CausalLMLoss] of [LlamaForward]'s logits, computed as [GPT2Loss] computes it:
// without the logits of the last position (which have no target), and with the hand-written
// gradient of the lm_head product and the softmax.
func LlamaLoss(cfg arch.Llama, w Weights, tokens *Node, opts LlamaOptions) (loss *Node, err error) {
	if err := checkLlama(cfg, w, tokens, opts); err != nil {
		return nil, err
	}
	if tokens.Shape().Dimensions[1] < 2 {
		return nil, fmt.Errorf("%s: causal LM loss needs at least 2 tokens per sequence, got %d", cfg, tokens.Shape().Dimensions[1])
	}
	err = catch(cfg.String(), func() {
		h := llamaHidden(cfg, w, tokens)
		dims := h.Shape().Dimensions
		b, t, d := dims[0], dims[1], dims[2]
		h = Reshape(Slice(h, AxisRange(), AxisRange(0, t-1)), b*(t-1), d)
		targets := Reshape(Slice(tokens, AxisRange(), AxisRange(1, t)), b*(t-1))
		loss = lmHeadLoss(h, w.get(llamaHeadName(cfg)), targets)
	})
	return loss, err
}

func checkLlama(cfg arch.Llama, w Weights, tokens *Node, _ LlamaOptions) error {
	g, _, err := checkWeights(cfg, w)
	if err != nil {
		return err
	}
	return checkTokens(cfg, g, tokens)
}

// checkTokens checks the token ids (B, T) given to a language model's forward pass: a node of
// the weights' graph, of an integer dtype, with 1 ≤ T ≤ the model's context.
func checkTokens(lm arch.LM, g *Graph, tokens *Node) error {
	if tokens == nil {
		return fmt.Errorf("%s: tokens is nil", lm)
	}
	if tokens.Graph() != g {
		return fmt.Errorf("%s: tokens belong to another graph than the weights", lm)
	}
	d := tokens.Shape().Dimensions
	if len(d) != 2 || d[1] < 1 {
		return fmt.Errorf("%s: tokens have shape %v, want (batch, seq_len)", lm, d)
	}
	if d[1] > lm.ContextLen() {
		return fmt.Errorf("%s: sequence length %d exceeds the context %d: shorten the sequences or raise the context "+
			"(max_position_embeddings)", lm, d[1], lm.ContextLen())
	}
	if !tokens.DType().IsInt() {
		return fmt.Errorf("%s: tokens have dtype %s, want an integer dtype", lm, tokens.DType())
	}
	return nil
}

// llamaHidden returns the final hidden states (after model.norm), shape (B, T, D).
func llamaHidden(cfg arch.Llama, w Weights, tokens *Node) *Node {
	t := tokens.Shape().Dimensions[1]
	x := Gather(w.get("model.embed_tokens.weight"), InsertAxes(tokens, -1)) // (B, T, D)
	cos, sin := ropeTables(x.Graph(), cfg, t, x.DType())                    // (T, hd) each
	for l := range cfg.Layers {
		p := fmt.Sprintf("model.layers.%d.", l)
		h := rmsNorm(x, w.get(p+"input_layernorm.weight"), cfg.NormEps)
		x = Add(x, llamaAttention(cfg, w, p+"self_attn.", h, cos, sin))
		h = rmsNorm(x, w.get(p+"post_attention_layernorm.weight"), cfg.NormEps)
		x = Add(x, llamaMLP(w, p+"mlp.", h))
	}
	return rmsNorm(x, w.get("model.norm.weight"), cfg.NormEps)
}

// llamaAttention is LlamaAttention (eager) on normalised hidden states h (B, T, D): q, k, v
// projections split into heads, rotary embeddings on q and k, each key/value head repeated for
// its group of consecutive query heads (repeat_kv), causal softmax(q·kᵀ/√head_dim)·v with
// [attention]'s hand-written gradient, heads concatenated and o_proj.
func llamaAttention(cfg arch.Llama, w Weights, p string, h, cos, sin *Node) *Node {
	dims := h.Shape().Dimensions
	batch, t := dims[0], dims[1]
	hd := cfg.HeadDim()
	heads := func(x *Node, n int) *Node { // (B, T, n·hd) -> (B, n, T, hd)
		return TransposeAllDims(Reshape(x, batch, t, n, hd), 0, 2, 1, 3)
	}
	q := rope(heads(linear(h, w.get(p+"q_proj.weight"), nil), cfg.Heads), cos, sin)   // (B, H, T, hd)
	k := rope(heads(linear(h, w.get(p+"k_proj.weight"), nil), cfg.KVHeads), cos, sin) // (B, KV, T, hd)
	v := heads(linear(h, w.get(p+"v_proj.weight"), nil), cfg.KVHeads)                 // (B, KV, T, hd)
	group := cfg.Heads / cfg.KVHeads
	k, v = repeatKV(k, group), repeatKV(v, group) // (B, H, T, hd)
	dtype := q.DType()
	upcast := dtype != dtypes.Float32 && dtype != dtypes.Float64
	if upcast { // half precision: the softmax in float32, as Hugging Face's eager attention
		q, k, v = ConvertDType(q, dtypes.Float32), ConvertDType(k, dtypes.Float32), ConvertDType(v, dtypes.Float32)
	}
	out := attentionCore(q, k, v, attentionConfig{heads: cfg.Heads, causal: true, scaleScores: true}) // (B, H, T, hd)
	if upcast {
		out = ConvertDType(out, dtype)
	}
	out = Reshape(TransposeAllDims(out, 0, 2, 1, 3), batch, t, cfg.Width) // (B, T, D)
	return linear(out, w.get(p+"o_proj.weight"), nil)
}

// llamaMLP is LlamaMLP: down_proj(silu(gate_proj(h)) · up_proj(h)).
func llamaMLP(w Weights, p string, h *Node) *Node {
	gate := linear(h, w.get(p+"gate_proj.weight"), nil) // (B, T, I)
	up := linear(h, w.get(p+"up_proj.weight"), nil)     // (B, T, I)
	return linear(Mul(silu(gate), up), w.get(p+"down_proj.weight"), nil)
}

// llamaHeadName is the weight lm_head multiplies by: embed_tokens itself when tied.
func llamaHeadName(cfg arch.Llama) string {
	if cfg.Tied {
		return "model.embed_tokens.weight"
	}
	return "lm_head.weight"
}

// silu is PyTorch's F.silu, x·σ(x).
func silu(x *Node) *Node { return Mul(x, Sigmoid(x)) }

// repeatKV is Hugging Face's repeat_kv: (B, KV, T, hd) -> (B, KV·group, T, hd), key/value head j
// serving query heads j·group … j·group+group-1.
func repeatKV(x *Node, group int) *Node {
	if group == 1 {
		return x
	}
	d := x.Shape().Dimensions
	x = BroadcastToDims(InsertAxes(x, 2), d[0], d[1], group, d[2], d[3]) // (B, KV, group, T, hd)
	return Reshape(x, d[0], d[1]*group, d[2], d[3])
}

// rope applies the rotary embedding to x (B, n, T, hd) as Hugging Face's apply_rotary_pos_emb:
// x·cos + rotate_half(x)·sin, where rotate_half(x) = cat(−x[…, hd/2:], x[…, :hd/2]) rotates the
// two halves of each head (not interleaved pairs), and cos, sin are (T, hd).
func rope(x, cos, sin *Node) *Node {
	half := x.Shape().Dimensions[3] / 2
	x1 := Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(0, half))
	x2 := Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(half, 2*half))
	rotated := Concatenate([]*Node{Neg(x2), x1}, -1)
	return Add(Mul(x, ExpandLeftToRank(cos, 4)), Mul(rotated, ExpandLeftToRank(sin, 4)))
}

// ropeTables returns the cos and sin tables (T, head_dim) of positions 0 … t-1 as constants of
// dtype. They are computed in float32 whatever the dtype, as Hugging Face's LlamaRotaryEmbedding
// computes them (it casts to the activations' dtype only at the end): see [llamaRopeTables].
func ropeTables(g *Graph, cfg arch.Llama, t int, dtype dtypes.DType) (cos, sin *Node) {
	c, s := llamaRopeTables(cfg, t)
	hd := cfg.HeadDim()
	cos = ConstTensor(g, tensors.FromFlatDataAndDimensions(c, t, hd))
	sin = ConstTensor(g, tensors.FromFlatDataAndDimensions(s, t, hd))
	if dtype != dtypes.Float32 {
		cos, sin = ConvertDType(cos, dtype), ConvertDType(sin, dtype)
	}
	return cos, sin
}

// llamaRopeTables computes Hugging Face's rotary tables for positions 0 … t-1, row-major (t,
// head_dim): freqs = position ⊗ inv_freq (one float32 product each, inv_freq from
// [arch.Llama.RopeInvFreq], the llama3 rule included), emb = cat(freqs, freqs), then cos(emb)
// and sin(emb) rounded to float32 (attention_scaling is 1 for the default and llama3 rules).
func llamaRopeTables(cfg arch.Llama, t int) (cos, sin []float32) {
	inv := cfg.RopeInvFreq()
	hd, half := cfg.HeadDim(), len(inv)
	cos, sin = make([]float32, t*hd), make([]float32, t*hd)
	for p := range t {
		for i, f := range inv {
			freq := float64(float32(p) * f)
			c, s := float32(math.Cos(freq)), float32(math.Sin(freq))
			cos[p*hd+i], cos[p*hd+half+i] = c, c
			sin[p*hd+i], sin[p*hd+half+i] = s, s
		}
	}
	return cos, sin
}

// rmsNorm is LlamaRMSNorm: w · x·rsqrt(mean(x²) + eps) over the last axis, with weight w (D).
// float32 and float64 inputs are normalised in their own dtype, with the hand-written gradient
// of [rmsNormGradients] (attached with [customvjp.Fused]); half-precision inputs are normalised
// in float32 and cast back before the weight, as Hugging Face does.
func rmsNorm(x, w *Node, eps float64) *Node {
	dtype := x.DType()
	if dtype != dtypes.Float32 && dtype != dtypes.Float64 {
		y := ConvertDType(normalizeRMS(ConvertDType(x, dtypes.Float32), eps), dtype)
		return Mul(ExpandLeftToRank(w, y.Rank()), y)
	}
	return customvjp.Fused([]*Node{x, w},
		func(in []*Node) *Node { return Mul(ExpandLeftToRank(in[1], in[0].Rank()), normalizeRMS(in[0], eps)) },
		func(_, dy *Node) []*Node {
			dx, dw := rmsNormGradients(x, w, dy, eps)
			return []*Node{dx, dw}
		})
}

// normalizeRMS is x·rsqrt(mean(x²) + eps) over the last axis, computed as x/√(mean(x²) + eps)
// (the two agree to rounding; GoMLX defines no gradient for Rsqrt, and this form must be
// differentiable, see [customvjp.Fused]).
func normalizeRMS(x *Node, eps float64) *Node {
	return Div(x, Sqrt(AddScalar(ReduceAndKeep(Square(x), ReduceMean, -1), eps)))
}

// rmsNormGradients is the gradient of y = w·x̂, x̂ = x·r, r = 1/√(mean(x²) + eps) (over the last
// axis), for the adjoint dy of y:
//
//	dx = r·(g − x̂·mean(g·x̂)),  g = dy·w   (mean over the last axis)
//	dw = Σ dy·x̂                           (sum over all other axes)
//
// with r and x̂ recomputed from x, in the way [layerNormGradients] handles LayerNorm, instead of
// GoMLX's differentiation of the square, mean, rsqrt and products one by one.
func rmsNormGradients(x, w, dy *Node, eps float64) (dx, dw *Node) {
	dims := x.Shape().Dimensions
	d := dims[len(dims)-1]
	rows := x.Shape().Size() / d
	r := Rsqrt(AddScalar(ReduceAndKeep(Square(x), ReduceMean, -1), eps))
	xHat := Mul(x, r)
	g := Mul(dy, ExpandLeftToRank(w, dy.Rank()))
	dw = ReduceSum(Reshape(Mul(dy, xHat), rows, d), 0)
	dx = Mul(Sub(g, Mul(xHat, ReduceAndKeep(Mul(g, xHat), ReduceMean, -1))), r)
	return dx, dw
}
