package nets

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/nn"

	"github.com/logah-go/logah/logah/internal/customvjp"
)

// RNG threads the state of GoMLX's random number generator through a graph, for dropout. Each
// random draw replaces State with its successor: after building, State holds the state to
// carry to the next step (return it from the graph function and feed it back in).
//
// Create the initial state tensor with graph.RNGStateFromSeed or graph.RNGState and feed it as
// a graph input (or use Const inside the graph for a fixed stream).
type RNG struct {
	// State is a node of shape graph.RNGStateShape.
	State *Node
}

// uniform draws values in [0, 1) of the given shape and advances the state.
func (r *RNG) uniform(shape shapes.Shape) *Node {
	var values *Node
	r.State, values = RandomUniform(r.State, shape)
	return values
}

// dropout zeroes each entry of x with probability rate and scales the kept ones by
// 1/(1-rate) (PyTorch's nn.Dropout in training mode). It is the identity when rate <= 0.
func dropout(x *Node, rate float64, rng *RNG) *Node {
	if rate <= 0 {
		return x
	}
	if rate >= 1 {
		return ZerosLike(x)
	}
	u := rng.uniform(x.Shape())
	keep := GreaterOrEqual(u, ConstAs(u, rate))
	return Where(keep, MulScalar(x, 1/(1-rate)), ZerosLike(x))
}

// layerNorm normalises the last axis of x with gain gamma and bias beta (both of shape [D]).
// The value is the backend's fused kernel; the gradient is [layerNormGradients], attached with
// [customvjp.Fused], instead of GoMLX's differentiation of its decomposed LayerNorm (a second,
// decomposed forward pass and about two dozen operations on the activations).
func layerNorm(x, gamma, beta *Node, eps float64) *Node {
	return customvjp.Fused([]*Node{x, gamma, beta},
		func(in []*Node) *Node { return nn.LayerNorm(in[0], []int{-1}, eps, in[1], in[2], nil) },
		func(_, dy *Node) []*Node {
			dx, dGamma, dBeta := layerNormGradients(x, gamma, dy, eps)
			return []*Node{dx, dGamma, dBeta}
		})
}

// layerNormGradients is the gradient of y = x̂·γ + β, x̂ = (x − μ)·r, r = 1/√(σ² + eps) (mean μ
// and biased variance σ² over the last axis), for the adjoint dy of y:
//
//	dx = r·(dy·γ − mean(dy·γ) − x̂·mean(dy·γ·x̂))   (means over the last axis)
//	dγ = Σ dy·x̂,  dβ = Σ dy                          (sums over all other axes)
//
// μ and r are recomputed from x (the fused forward kernel does not return them). gamma may be
// nil (γ = 1, no dγ).
func layerNormGradients(x, gamma, dy *Node, eps float64) (dx, dGamma, dBeta *Node) {
	dims := x.Shape().Dimensions
	d := dims[len(dims)-1]
	rows := x.Shape().Size() / d
	centered := Sub(x, ReduceAndKeep(x, ReduceMean, -1))
	r := Rsqrt(AddScalar(ReduceAndKeep(Square(centered), ReduceMean, -1), eps))
	xHat := Mul(centered, r)
	g := dy
	if gamma != nil {
		g = Mul(dy, ExpandLeftToRank(gamma, dy.Rank()))
		dGamma = ReduceSum(Reshape(Mul(dy, xHat), rows, d), 0)
	}
	dBeta = ReduceSum(Reshape(dy, rows, d), 0)
	meanG := ReduceAndKeep(g, ReduceMean, -1)
	meanGX := ReduceAndKeep(Mul(g, xHat), ReduceMean, -1)
	dx = Mul(Sub(Sub(g, meanG), Mul(xHat, meanGX)), r)
	return dx, dGamma, dBeta
}

// geluTanh is Hugging Face's gelu_new: x·c(x) with c(x) = ½(1 + tanh(√(2/π)·(x + 0.044715·x³))).
// See [gelu] for how the value and the gradient are computed.
func geluTanh(x *Node) *Node { return gelu(x, false) }

// geluExact is PyTorch's default nn.GELU: x·Φ(x) with the exact erf form of the normal CDF Φ.
// See [gelu] for how the value and the gradient are computed.
func geluExact(x *Node) *Node { return gelu(x, true) }

// gelu computes y = x·c(x), with c the normal CDF Φ (exact) or gelu_new's tanh approximation of
// it. The value comes from the backend's fused kernel (the decomposed form where there is none).
// The gradient c(x) + x·c'(x) is written by hand, with c(x) read back from the value as y/x (½ at
// x = 0): c' = φ, the normal density, for the exact form, and c' = 2c(1−c)·√(2/π)(1 + 3·0.044715·x²)
// for the tanh form. GoMLX's own gradient would differentiate a second, decomposed copy of the
// forward pass, which evaluates erf (or tanh) once more and costs about a fifth of a ViT training
// step on the Go backend. The gradient is attached with [customvjp.Fused], which adds nothing to
// the forward pass.
func gelu(x *Node, exact bool) *Node {
	return customvjp.Fused([]*Node{x},
		func(in []*Node) *Node {
			if exact {
				return activation.Gelu(in[0])
			}
			y, _ := InternalFusedOpCaller(
				func() *Node { return BackendFusedGelu(in[0], false) },
				func() *Node { return activation.GeluApproximate(in[0]) },
				true) // Fused differentiates (without running) a copy of this forward pass
			return y
		},
		func(y, dOut *Node) []*Node {
			// y/x is 0/0 at x = 0: Where takes ½ there (the NaN is never differentiated).
			c := Where(Equal(x, ZerosLike(x)), ConstAs(x, 0.5), Div(y, x))
			var dc *Node
			if exact {
				dc = MulScalar(Exp(MulScalar(Square(x), -0.5)), 1/math.Sqrt(2*math.Pi))
			} else {
				slope := MulScalar(AddScalar(MulScalar(Square(x), 3*0.044715), 1), math.Sqrt(2/math.Pi))
				dc = Mul(MulScalar(Mul(c, OneMinus(c)), 2), slope)
			}
			return []*Node{Mul(dOut, Add(c, Mul(x, dc)))}
		})
}

// attentionConfig describes one multi-head self-attention call.
type attentionConfig struct {
	heads int
	// causal masks keys after the query position (GPT-2).
	causal bool
	// scaleScores divides the scores q·kᵀ by √head_dim (Hugging Face GPT-2) instead of
	// dividing the queries before the product (torch.nn.MultiheadAttention). The two differ
	// only by round-off.
	scaleScores bool
	// dropout is the probability of dropping an attention probability (0: none).
	dropout float64
	rng     *RNG
}

// selfAttention computes multi-head self-attention from packed projections qkv of shape
// (B, S, 3·D) laid out query | key | value, each split into contiguous heads of width D/heads.
// It returns the concatenated heads, shape (B, S, D), before the output projection.
//
// The whole block, from the packed projections to the concatenated heads, has one hand-written
// gradient ([customvjp.Attach]): the adjoints of q, k and v are transposed straight to the
// (B, S, H, hd) layout and concatenated into the adjoint of qkv, where differentiating the split
// would pad each of them to the packed shape and add the three; and the key and value adjoints
// come out of their products transposed (see [attention]), which saves transposing two
// (B, H, S, S) matrices.
func selfAttention(qkv *Node, cfg attentionConfig) *Node {
	dims := qkv.Shape().Dimensions
	batch, seq, width := dims[0], dims[1], dims[2]/3
	heads := cfg.heads
	headDim := width / heads
	// (B, S, 3, H, hd): slice q, k, v, then (B, S, H, hd) -> (B, H, S, hd).
	packed := Reshape(qkv, batch, seq, 3, heads, headDim)
	part := func(i int) *Node {
		x := Reshape(Slice(packed, AxisRange(), AxisRange(), AxisElem(i)), batch, seq, heads, headDim)
		return TransposeAllDims(x, 0, 2, 1, 3)
	}
	q, k, v := part(0), part(1), part(2)
	qScale := 1.0
	if !cfg.scaleScores {
		qScale = 1 / math.Sqrt(float64(headDim))
		q = MulScalar(q, qScale)
	}
	out, backward := attention(q, k, v, cfg) // (B, H, S, hd)
	out = Reshape(TransposeAllDims(out, 0, 2, 1, 3), batch, seq, width)
	return customvjp.Attach([]*Node{qkv}, out, func(dy *Node) []*Node {
		dOut := Reshape(dy, batch, seq, heads, headDim)
		dq, dkT, dvT := backward(TransposeAllDims(dOut, 0, 2, 1, 3), TransposeAllDims(dOut, 0, 2, 3, 1))
		if qScale != 1 {
			dq = MulScalar(dq, qScale)
		}
		toPacked := func(x *Node, perm ...int) *Node { // -> (B, S, 1, H, hd)
			return Reshape(TransposeAllDims(x, perm...), batch, seq, 1, heads, headDim)
		}
		dqkv := Concatenate([]*Node{toPacked(dq, 0, 2, 1, 3), toPacked(dkT, 0, 3, 1, 2), toPacked(dvT, 0, 3, 1, 2)}, 2)
		return []*Node{Reshape(dqkv, batch, seq, 3*width)}
	})
}

// attentionCore is softmax(q·kᵀ [·scale] [+causal mask]) [dropout] ·v for q, k, v of shape
// (B, H, S, hd), returning (B, H, S, hd), with [attention]'s hand-written gradient.
func attentionCore(q, k, v *Node, cfg attentionConfig) *Node {
	out, backward := attention(q, k, v, cfg)
	return customvjp.Attach([]*Node{q, k, v}, out, func(dOut *Node) []*Node {
		dq, dkT, dvT := backward(dOut, Transpose(dOut, 2, 3))
		return []*Node{dq, Transpose(dkT, 2, 3), Transpose(dvT, 2, 3)}
	})
}

// attention computes softmax(q·kᵀ [·scale] [+causal mask]) [dropout] ·v for q, k, v of shape
// (B, H, S, hd), returning out (B, H, S, hd) and its backward pass: for the adjoint dOut of out
// and its transpose dOutT (B, H, hd, S), backward returns the adjoints dq (B, H, S, hd), and
// dkT and dvT of k and v transposed, (B, H, hd, S).
//
// The gradient is written by hand rather than left to automatic differentiation, so that every
// batched matrix product, forward and backward, contracts the last axis of its left operand
// with the second-to-last axis of its right operand: the layout for which the Go backend's small
// matrix kernels are fast (contracting both operands on their last axis, as q·kᵀ or dOut·vᵀ do
// when written naively, runs about 7x slower at head width 16). The key and value adjoints are
// computed transposed, dkᵀ = qᵀ·dS and dvᵀ = dOutᵀ·P, so that the (B, H, S, S) matrices dS and P
// are never transposed (q and dOut, four times smaller at S = 50 and hd = 16, are). The forward
// pass uses the fused softmax kernel only, as no decomposed copy is needed for the gradient.
func attention(q, k, v *Node, cfg attentionConfig) (out *Node, backward func(dOut, dOutT *Node) (dq, dkT, dvT *Node)) {
	dims := q.Shape().Dimensions
	batch, heads, seq, headDim := dims[0], dims[1], dims[2], dims[3]
	scale := 1 / math.Sqrt(float64(headDim))
	bmm := func(a, b *Node) *Node { // (…, m, k)·(…, k, n) over batch axes 0, 1
		return DotGeneral(a, []int{3}, []int{0, 1}, b, []int{2}, []int{0, 1})
	}
	swap := func(x *Node) *Node { return Transpose(x, 2, 3) }

	scores := bmm(q, swap(k)) // (B, H, S, S)
	if cfg.scaleScores {
		scores = MulScalar(scores, scale)
	}
	if cfg.causal {
		g := scores.Graph()
		allowed := BroadcastPrefix(LowerTriangular(g, seq), batch, heads)
		scores = Where(allowed, scores, BroadcastToDims(lowest(g, scores.DType()), batch, heads, seq, seq))
	}
	probs := Softmax(scores, -1)
	dropped, keep, keepScale := probs, (*Node)(nil), 1.0
	if cfg.dropout > 0 {
		if cfg.dropout >= 1 {
			dropped = ZerosLike(probs)
			keepScale = 0
			keep = ZerosLike(probs)
		} else {
			keepScale = 1 / (1 - cfg.dropout)
			u := cfg.rng.uniform(probs.Shape())
			keep = GreaterOrEqual(u, ConstAs(u, cfg.dropout))
			dropped = Where(keep, MulScalar(probs, keepScale), ZerosLike(probs))
		}
	}
	out = bmm(dropped, v)

	backward = func(dOut, dOutT *Node) (dq, dkT, dvT *Node) {
		dDropped := bmm(dOut, swap(v)) // (B, H, S, S)
		dProbs := dDropped
		if keep != nil {
			if keepScale == 0 {
				dProbs = ZerosLike(dDropped)
			} else {
				dProbs = Where(keep, MulScalar(dDropped, keepScale), ZerosLike(dDropped))
			}
		}
		// Softmax: dS = p ⊙ (dP - Σ_j dP⊙p); masked positions have p = 0, hence dS = 0.
		dScores := Mul(probs, Sub(dProbs, ReduceAndKeep(Mul(dProbs, probs), ReduceSum, -1)))
		if cfg.scaleScores {
			dScores = MulScalar(dScores, scale)
		}
		dq = bmm(dScores, k)
		dkT = bmm(swap(q), dScores)
		dvT = bmm(dOutT, dropped)
		return dq, dkT, dvT
	}
	return out, backward
}

// lowest is the most negative finite value of dtype, as a scalar: what Hugging Face writes into
// masked attention scores (torch.finfo(dtype).min).
func lowest(g *Graph, dtype dtypes.DType) *Node {
	switch dtype {
	case dtypes.Float64:
		return Scalar(g, dtype, -math.MaxFloat64)
	default:
		return Scalar(g, dtype, -math.MaxFloat32)
	}
}
