package ghn

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/nets"
)

// encTrace collects encoder intermediates (for parity tests and inspection).
type encTrace struct {
	x0       *Node   // (B·N, h): op embedding + shape encoding
	ln1      *Node   // (B, N, h): LN1 output of layer 0
	edgeBias *Node   // (B, N, N, H): the attention bias of layer 0, reused by every layer
	layers   []*Node // (B, N, h): output of each Graphormer layer
}

// Encode computes the node embeddings of a batch of graphs: (B·NMax, h), row b·NMax + i for
// node i of graph b (padded rows hold values that are never read). It must be called while
// building a graph; w holds the hypernetwork's weights and in the batch's inputs (from
// [Batch.ConstInputs] or fed from [Batch.InputTensors]).
//
// The computation is docs/method.md §2: op embedding plus the shape encoding; Graphormer layers (pre-LN,
// QKV without bias, exact GELU, attention logits masked with −32768 between padded nodes);
// layer 0 first adds the in-degree, out-degree and input-distance embeddings, zeroes padded
// rows and computes the edge bias MLP(E[A_ij+2] ‖ E[A_ji+2]), which every later layer reuses;
// then the optional final LayerNorm.
func Encode(cfg Config, w Weights, b *Batch, in InputNodes) (emb *Node, err error) {
	if _, _, err := checkWeights(cfg, w); err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("ghn: Encode: nil batch")
	}
	if err := in.check(b); err != nil {
		return nil, err
	}
	err = catch("ghn encoder", func() { emb = encode(cfg.WithDefaults(), w, in, nil) })
	return emb, err
}

// encode builds the encoder; inputs are validated.
func encode(cfg Config, w Weights, in InputNodes, tr *encTrace) *Node {
	h, heads := cfg.Hid, cfg.Heads
	ed := in.Edges.Shape().Dimensions
	B, N := ed[0], ed[1]
	dtype := w.get("embed.weight").DType()

	// Initial embedding: op + concat(channel(c_out), channel(c_in), spatial(k_h), spatial(k_w)).
	x := Gather(w.get("embed.weight"), InsertAxes(in.Ops, -1))
	ch, sp := w.get("shape_enc.embed_channel.weight"), w.get("shape_enc.embed_spatial.weight")
	col := func(i int) *Node { return Slice(in.ShapeIdx, AxisRange(), AxisElem(i)) }
	x = Add(x, Concatenate([]*Node{Gather(ch, col(0)), Gather(ch, col(1)), Gather(sp, col(2)), Gather(sp, col(3))}, -1))
	if tr != nil {
		tr.x0 = x
	}
	x = Reshape(x, B, N, h)

	maskF := InsertAxes(ConvertDType(in.Mask, dtype), -1) // (B, N, 1)
	rowMask := BroadcastToDims(InsertAxes(in.Mask, -1), B, N, N)
	colMask := BroadcastToDims(InsertAxes(in.Mask, 1), B, N, N)
	attnMask := BroadcastToDims(InsertAxes(LogicalAnd(rowMask, colMask), 1), B, heads, N, N)

	var edges *Node // (B, H, N, N)
	for k := range cfg.Layers {
		p := fmt.Sprintf("gnn.%d.", k)
		if k == 0 {
			lookup := func(table string, idx *Node) *Node {
				return Reshape(Gather(w.get(p+table), InsertAxes(idx, -1)), B, N, h)
			}
			x = Add(x, lookup("centrality_embed_in.weight", in.DegIn))
			x = Add(x, lookup("centrality_embed_out.weight", in.DegOut))
			x = Add(x, lookup("input_dist_embed.weight", in.Dist))
			x = Mul(x, maskF)
			tok := Gather(w.get(p+"attn.edge_embed.embed.weight"), InsertAxes(in.Edges, -1)) // (B, N, N, 2, h)
			tok = Reshape(tok, B, N, N, 2*h)
			e := relu(linear(tok, w.get(p+"attn.proj_e.0.weight"), w.get(p+"attn.proj_e.0.bias")))
			e = linear(e, w.get(p+"attn.proj_e.2.weight"), w.get(p+"attn.proj_e.2.bias")) // (B, N, N, H)
			if tr != nil {
				tr.edgeBias = e
			}
			edges = TransposeAllDims(e, 0, 3, 1, 2)
		}
		y := nets.LayerNorm(x, w.get(p+"ln1.weight"), w.get(p+"ln1.bias"), LNEps)
		if k == 0 && tr != nil {
			tr.ln1 = y
		}
		a := graphAttention(y, w.get(p+"attn.to_qkv.weight"), edges, attnMask, heads)
		x = Add(x, linear(a, w.get(p+"attn.to_out.0.weight"), w.get(p+"attn.to_out.0.bias")))
		y = nets.LayerNorm(x, w.get(p+"ln2.weight"), w.get(p+"ln2.bias"), LNEps)
		y = nets.GELU(linear(y, w.get(p+"ff.net.0.weight"), w.get(p+"ff.net.0.bias")))
		x = Add(x, linear(y, w.get(p+"ff.net.3.weight"), w.get(p+"ff.net.3.bias")))
		if tr != nil {
			tr.layers = append(tr.layers, x)
		}
	}
	x = Reshape(x, B*N, h)
	if cfg.FinalLN {
		x = nets.LayerNorm(x, w.get("ln.weight"), w.get("ln.bias"), LNEps)
	}
	return x
}

// graphAttention is MultiHeadSelfAttentionEdges: softmax((q·kᵀ)·hd^-½ + edges) with masked
// logits replaced by −32768, times v; it returns the concatenated heads (B, N, h) before the
// output projection.
func graphAttention(x, wQKV, edges, mask *Node, heads int) *Node {
	d := x.Shape().Dimensions
	B, N, h := d[0], d[1], d[2]
	hd := h / heads
	qkv := linear(x, wQKV, nil)                                                            // (B, N, 3h)
	qkv = TransposeAllDims(Reshape(qkv, B, N, 3, heads, hd), 2, 0, 3, 1, 4)                // (3, B, H, N, hd)
	part := func(i int) *Node { return Reshape(Slice(qkv, AxisElem(i)), B, heads, N, hd) } // (B, H, N, hd)
	q, k, v := part(0), part(1), part(2)
	scores := DotGeneral(q, []int{3}, []int{0, 1}, k, []int{3}, []int{0, 1}) // (B, H, N, N)
	scores = MulScalar(scores, math.Pow(float64(hd), -0.5))
	if edges != nil {
		scores = Add(scores, edges)
	}
	scores = Where(mask, scores, BroadcastToDims(Scalar(x.Graph(), scores.DType(), MaskFill), B, heads, N, N))
	probs := Softmax(scores, -1)
	out := DotGeneral(probs, []int{3}, []int{0, 1}, v, []int{2}, []int{0, 1}) // (B, H, N, hd)
	return Reshape(TransposeAllDims(out, 0, 2, 1, 3), B, N, h)
}
