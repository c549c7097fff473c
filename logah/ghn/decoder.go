package ghn

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/internal/customvjp"
)

// decode runs one batched decoder call: z holds the n node embeddings (n, h) of one key group.
// The output is in the key's layout, with a leading axis of n:
//
//	Key4D (c_o, c_i, k_o, k_i)   → (n, c_o, c_i, k_o, k_i)
//	KeyClassWeight (C, D)        → (n, C, D) (GHN-3: (n, NumClasses, D))
//	Key1D / KeyClassBias (c, ·)  → (n, 2, c): row 0 norm weight, row 1 bias
//	                               (GHN-3: (n, 2, d_max), or (n, 2, NumClasses) for class biases)
func decode(cfg Config, w Weights, z *Node, key Key) *Node {
	if cfg.Decoder == DecoderGHN3 {
		return decodeGHN3(cfg, w, z, key)
	}
	return decodeLoGAH(cfg, w, z, key, 0, 0)
}

// decodeLoGAH is ConvDecoder3LoRA (docs/method.md §3.3) for n embeddings z (n, h), in the key's layout
// with a leading n axis: m = MLP(z) viewed as (2r, r), Y = ReLU(m)·W_l2ᵀ + b_l2 (2r, K), Y
// re-viewed row-major as (2K, r) = [A; Bᵀ], W = A[:c_o·k_o]·Bᵀ[:c_i·k_i]ᵀ (see [loraFactors] and
// [loraProduct]).
//
// With co, ci > 0 (Key4D and KeyClassWeight only) just the leading (co, ci) channels of the
// output are computed — the sub-block out[:, :co, :ci] of the full call, since output channel o
// only reads rows o·k_o … of A and input channel i rows i·k_i … of Bᵀ.
func decodeLoGAH(cfg Config, w Weights, z *Node, key Key, co, ci int) *Node {
	co, ci = outChannels(key, co, ci)
	nA, nB := loraRows(key, co, ci)
	a, bt := loraFactors(cfg, w, z, nA, nB)
	return loraProduct(a, bt, key, co, ci)
}

// outChannels resolves the (co, ci) channels to decode: the key's own unless both are positive
// and the key is 4-D or a classification weight.
func outChannels(key Key, co, ci int) (int, int) {
	if key.Kind == Key1D || key.Kind == KeyClassBias || co <= 0 || ci <= 0 {
		return key.Dims[0], key.Dims[1]
	}
	return co, ci
}

// loraRows is the number of rows of A and Bᵀ that (co, ci) channels of a key read.
func loraRows(key Key, co, ci int) (nA, nB int) {
	switch key.Kind {
	case Key4D:
		return co * key.Dims[2], ci * key.Dims[3]
	case KeyClassWeight:
		return co, ci
	default:
		return factorRows(key)
	}
}

// loraFactors runs the trainable part of the LoGAH decoder on z (n, h), batched over the n
// nodes, and returns the leading nA rows of A and nB rows of Bᵀ, each (n, rows, r).
func loraFactors(cfg Config, w Weights, z *Node, nA, nB int) (a, bt *Node) {
	m := loraMLP(cfg, w, z)
	f := loraFactorRows(cfg, w, []factorRequest{{m, 0, nA}, {m, cfg.Rank, nB}})
	return f[0], f[1]
}

// loraMLP is the decoder's MLP h → 4h → 8h → 2r² on z (n, h), viewed (n, 2r, r), with the ReLU
// that precedes ℓ2. It is row-wise, so one call can serve the nodes of every key.
func loraMLP(cfg Config, w Weights, z *Node) *Node {
	n, r := z.Shape().Dimensions[0], cfg.Rank
	m := relu(linear(z, w.get("decoder.mlp.fc.0.weight"), w.get("decoder.mlp.fc.0.bias")))
	m = relu(linear(m, w.get("decoder.mlp.fc.2.weight"), w.get("decoder.mlp.fc.2.bias")))
	m = linear(m, w.get("decoder.mlp.fc.4.weight"), w.get("decoder.mlp.fc.4.bias"))
	return relu(Reshape(m, n, 2*r, r))
}

// factorRequest asks for the leading rows of a (K, r) factor of the low-rank decoder, for the nodes
// of m (n, 2r, r) (from [loraMLP]): A when first = 0, Bᵀ when first = r.
type factorRequest struct {
	m           *Node
	first, rows int
}

// loraFactorRows applies ℓ2 and the row-major re-view of Y (docs/method.md §3.3) to produce each requested
// factor, (n, rows, r), with one ℓ2 product for all of them.
//
// Only the rows of Y that feed them are computed (the other rows never reach an output):
// A[p, q] = Y[⌊(p·r+q)/K⌋, (p·r+q) mod K], so the first rows of A need the first ⌈rows·r/K⌉
// rows of Y (and Bᵀ the rows from r on). The values are those of the full computation.
func loraFactorRows(cfg Config, w Weights, reqs []factorRequest) []*Node {
	r, K := cfg.Rank, cfg.MaxCK
	ins := make([]*Node, len(reqs))
	for i, q := range reqs {
		n := q.m.Shape().Dimensions[0]
		need := (q.rows*r + K - 1) / K
		ins[i] = Reshape(rangeSlice(q.m, []int{0, q.first, 0}, []int{n, q.first + need, r}), n*need, r)
	}
	all := ins[0]
	if len(ins) > 1 {
		all = Concatenate(ins, 0)
	}
	y := linear(all, w.get("decoder.l2.weight"), w.get("decoder.l2.bias")) // (Σ n·need, K)
	out := make([]*Node, len(reqs))
	row := 0
	for i, q := range reqs {
		n := q.m.Shape().Dimensions[0]
		need := ins[i].Shape().Dimensions[0] / n
		yi := rangeSlice(y, []int{row, 0}, []int{row + n*need, K})
		row += n * need
		yi = rangeSlice(Reshape(yi, n, need*K), []int{0, 0}, []int{n, q.rows * r})
		out[i] = Reshape(yi, n, q.rows, r)
	}
	return out
}

// loraProduct forms W = A·Bᵀ from factors (n, ≥nA, r) and (n, ≥nB, r) and arranges it in the
// key's layout, cut to (co, ci) channels: (n, co, ci, k_o, k_i), (n, co, ci) or (n, 2, c).
func loraProduct(a, bt *Node, key Key, co, ci int) *Node {
	n := a.Shape().Dimensions[0]
	r := a.Shape().Dimensions[2]
	nA, nB := loraRows(key, co, ci)
	a = rangeSlice(a, []int{0, 0, 0}, []int{n, nA, r})
	bt = rangeSlice(bt, []int{0, 0, 0}, []int{n, nB, r})
	wm := lowRankProduct(a, bt) // (n, nA, nB)
	switch key.Kind {
	case Key4D:
		ko, ki := key.Dims[2], key.Dims[3]
		if ko == 1 || ci == 1 { // swapping a unit axis is a reshape
			return Reshape(wm, n, co, ci, ko, ki)
		}
		return TransposeAllDims(Reshape(wm, n, co, ko, ci, ki), 0, 1, 3, 2, 4)
	case KeyClassWeight:
		return wm
	default:
		return Reshape(wm, n, 2, key.Dims[0])
	}
}

// lowRankProduct is W = A·Bᵀ for every node: a (n, nA, r), bt (n, nB, r) → (n, nA, nB).
//
// Written as GoMLX would differentiate it, the product contracts the last axis of both operands
// (r = 32), a layout the Go backend computes as one short dot product per output entry, and its
// gradient transposes the (n, nA, nB) adjoint. Here the forward pass transposes the small Bᵀ
// instead, and the gradient is written by hand with the same care:
//
//	W  = A·(Bᵀ)ᵀ      [nA, r]·[r, nB]
//	dA = dW·Bᵀ        [nA, nB]·[nB, r]
//	dBᵀ = (Aᵀ·dW)ᵀ    ([r, nA]·[nA, nB])ᵀ, transposing only r-row matrices
//
// Forward and backward together run about 10x faster than the plain DotGeneral for a 512×128
// weight (micro-benchmark, 6 nodes).
func lowRankProduct(a, bt *Node) *Node {
	return customvjp.Fused([]*Node{a, bt},
		func(in []*Node) *Node {
			return DotGeneral(in[0], []int{2}, []int{0}, Transpose(in[1], 1, 2), []int{1}, []int{0})
		},
		func(_, adj *Node) []*Node {
			da := DotGeneral(adj, []int{2}, []int{0}, bt, []int{1}, []int{0})
			dbt := Transpose(DotGeneral(Transpose(a, 1, 2), []int{2}, []int{0}, adj, []int{1}, []int{0}), 1, 2)
			return []*Node{da, dbt}
		})
}

// decodeGHN3 is the GHN-3 decoder (ppuda ConvDecoder3 and the 1-D MLP decoder, docs/method.md §3.2),
// with d = d_max and s = s_max:
//
//	≥2-D: fc h→4h·s² + ReLU, viewed (4h, s, s); centred k_h×k_w crop; per position
//	      Linear 4h→8h, ReLU, Linear 8h→d²; viewed (d, d, k_h, k_w), in-channels cut to the
//	      key; bilinear upsampling when the kernel exceeds s; classification: centre tap,
//	      ReLU, Linear d→NumClasses along the output axis.
//	1-D:  decoder_1d MLP h→2h→2d viewed (2, d); classification bias: ReLU, Linear d→NumClasses.
func decodeGHN3(cfg Config, w Weights, z *Node, key Key) *Node {
	n := z.Shape().Dimensions[0]
	h, d, s := cfg.Hid, cfg.MaxShape, cfg.SpatialMax
	if key.Kind == Key1D || key.Kind == KeyClassBias {
		v := relu(linear(z, w.get("decoder_1d.fc.0.weight"), w.get("decoder_1d.fc.0.bias")))
		v = Reshape(linear(v, w.get("decoder_1d.fc.2.weight"), w.get("decoder_1d.fc.2.bias")), n, 2, d)
		if key.Kind == KeyClassBias {
			v = linear(relu(v), w.get("bias_class.1.weight"), w.get("bias_class.1.bias"))
		}
		return v
	}
	kh, kw := 1, 1
	if key.Kind == Key4D {
		kh, kw = key.Dims[2], key.Dims[3]
	}
	x := relu(linear(z, w.get("decoder.fc.0.weight"), w.get("decoder.fc.0.bias")))
	x = Reshape(x, n, 4*h, s, s)
	off := s / 2
	crop := func(k int) SliceAxisSpec {
		return AxisRange(max(0, off-k/2), min(s, off+(k+1)/2))
	}
	x = Slice(x, AxisRange(), AxisRange(), crop(kh), crop(kw))
	sd := x.Shape().Dimensions
	ph, pw := sd[2], sd[3]
	x = TransposeAllDims(x, 0, 2, 3, 1) // (n, ph, pw, 4h)
	x = relu(linear(x, w.get("decoder.conv.0.weight"), w.get("decoder.conv.0.bias")))
	x = linear(x, w.get("decoder.conv.2.weight"), w.get("decoder.conv.2.bias")) // (n, ph, pw, d²)
	x = Reshape(TransposeAllDims(x, 0, 3, 1, 2), n, d, d, ph, pw)
	x = Slice(x, AxisRange(), AxisRange(), AxisRange(0, min(d, key.Dims[1])), AxisRange(0, min(ph, kh)), AxisRange(0, min(pw, kw)))
	if min(kh, kw) > min(ph, pw) {
		x = resizeBilinear(x, kh, kw)
	}
	if key.Kind == KeyClassWeight {
		c := x.Shape().Dimensions[4] / 2
		t := Squeeze(Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisElem(c), AxisElem(c)), 3, 4) // (n, d, D')
		t = linear(relu(Transpose(t, 1, 2)), w.get("decoder.class_layer_predictor.1.weight"),
			w.get("decoder.class_layer_predictor.1.bias")) // (n, D', C)
		return Transpose(t, 1, 2)
	}
	return Slice(x, AxisRange(), AxisRange(0, min(d, key.Dims[0])))
}

// resizeBilinear resizes the last two axes of x to (oh, ow) as torch's F.interpolate(mode
// "bilinear", align_corners=False), expressed as two products with interpolation matrices.
func resizeBilinear(x *Node, oh, ow int) *Node {
	dims := x.Shape().Dimensions
	r := len(dims)
	ih, iw := dims[r-2], dims[r-1]
	g := x.Graph()
	mh := Const(g, interpMatrix(ih, oh, x.DType())) // (oh, ih)
	mw := Const(g, interpMatrix(iw, ow, x.DType())) // (ow, iw)
	// y[..., o, j] = Σ_i mh[o, i] x[..., i, j]
	y := Einsum("oi,nabij->naboj", mh, x)
	return Einsum("pj,nabij->nabip", mw, y)
}

// interpMatrix is the (out, in) linear-interpolation matrix of align_corners=False resizing.
func interpMatrix(in, out int, dt dtypes.DType) any {
	m := make([][]float64, out)
	scale := float64(in) / float64(out)
	for o := range out {
		m[o] = make([]float64, in)
		src := math.Max((float64(o)+0.5)*scale-0.5, 0)
		i0 := min(int(math.Floor(src)), in-1)
		i1 := min(i0+1, in-1)
		l := src - float64(i0)
		m[o][i0] += 1 - l
		m[o][i1] += l
	}
	if dt == dtypes.Float64 {
		return m
	}
	m32 := make([][]float32, out)
	for o := range m {
		m32[o] = make([]float32, in)
		for i, v := range m[o] {
			m32[o][i] = float32(v)
		}
	}
	return m32
}
