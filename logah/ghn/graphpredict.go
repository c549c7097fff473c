package ghn

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/arch"
)

// NodeOptions configures [PredictNodes].
type NodeOptions struct {
	// Inputs are the batch's encoder inputs; nil embeds them as constants ([Batch.ConstInputs]).
	Inputs *InputNodes
	// ClassNoise holds, per architecture of the batch, the (D) vector that fills the class-token
	// slot of a ViT's positional embedding: draw it from N(0, 0.02²) (e.g. [ClassNoise]) to
	// reproduce the reference, which draws fresh noise at every call. A nil entry (or a short
	// slice) uses zeros. Entries of GPT-2 architectures are ignored.
	ClassNoise []*Node
	// Raw skips the normalisation (the reference's "pre_norm" tensors).
	Raw bool
}

// PredictNodes is the training-side entry point: inside the graph that holds the hypernetwork
// weights w, it predicts the parameters of every architecture of the batch and returns, per
// architecture, the predicted tensors keyed by their PyTorch names (as arch.Arch.Params lists
// them, with a ViT's class_token as a zero constant — it is not predicted). The maps can be
// used directly as nets.Weights, so a task loss computed on them differentiates back to w.
//
// The decoder network runs batched over the nodes of all architectures (LoGAH: its MLP and ℓ2
// once for all keys, then the rank-r products per node; GHN-3: once per key); node i of
// architecture b is read from row b·NMax + i of the embeddings (the reference's
// cumulative-offset indexing bug for mixed-size batches is not reproduced).
func PredictNodes(cfg Config, w Weights, b *Batch, opts NodeOptions) (out []map[string]*Node, err error) {
	g, _, err := checkWeights(cfg, w)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("ghn: PredictNodes: nil batch")
	}
	cfg = cfg.WithDefaults()
	var in InputNodes
	if opts.Inputs != nil {
		in = *opts.Inputs
		if err := in.check(b); err != nil {
			return nil, err
		}
	}
	err = catch("ghn predict", func() {
		if opts.Inputs == nil {
			in = b.ConstInputs(g)
		}
		out, err = predictAll(cfg, w, b, in, opts.ClassNoise, opts.Raw, nil)
	})
	return out, err
}

// predTrace collects decoder intermediates for parity tests.
type predTrace struct {
	enc     encTrace
	emb     *Node
	decoded []*Node // per group: decoder output (n, key layout…)
}

// predictAll builds the whole prediction of a batch; inputs are validated.
func predictAll(cfg Config, w Weights, b *Batch, in InputNodes, noise []*Node, raw bool, tr *predTrace) ([]map[string]*Node, error) {
	var et *encTrace
	if tr != nil {
		et = &tr.enc
	}
	emb := encode(cfg, w, in, et)
	g := emb.Graph()
	// Per node, the leading output channels its targets need (LoGAH computes only those, unless
	// the full key-shaped outputs are traced).
	need := make([][][2]int, len(b.plan.groups))
	for gi, grp := range b.plan.groups {
		need[gi] = make([][2]int, len(grp.rows))
	}
	for _, t := range b.plan.targets {
		k := b.plan.groups[t.group].key
		if tr == nil && (k.Kind == Key4D && k.Dims[0] > 1 || k.Kind == KeyClassWeight) {
			n := &need[t.group][t.member]
			n[0], n[1] = max(n[0], min(t.shape[0], k.Dims[0])), max(n[1], min(t.shape[1], k.Dims[1]))
		}
	}
	// outs[group][member] is the node's decoder output in the key layout (cut to its need).
	outs := make([][]*Node, len(b.plan.groups))
	decoded := make([]*Node, len(b.plan.groups))
	if cfg.Decoder == DecoderGHN3 {
		for gi, grp := range b.plan.groups {
			decoded[gi] = decodeGHN3(cfg, w, gatherRows(emb, grp.rows), grp.key)
			outs[gi] = make([]*Node, len(grp.rows))
			for m := range grp.rows {
				outs[gi][m] = memberOf(decoded[gi], m)
			}
		}
	} else {
		decodeLoGAHGroups(cfg, w, b, emb, need, outs)
		if tr != nil {
			for gi := range outs {
				decoded[gi] = Stack(outs[gi], 0)
			}
		}
	}
	if tr != nil {
		tr.emb, tr.decoded = emb, decoded
	}
	out := make([]map[string]*Node, b.Len())
	for ai, a := range b.Archs {
		m := map[string]*Node{}
		var nz *Node
		if ai < len(noise) {
			nz = noise[ai]
		}
		for _, ti := range b.plan.perArch[ai] {
			t := b.plan.targets[ti]
			key := b.plan.groups[t.group].key
			o := outs[t.group][t.member]
			x, err := assemble(cfg, a, t, key, o, nz, raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", a, err)
			}
			m[t.name] = x
		}
		for _, s := range a.Params() {
			if s.Role == arch.RoleClassToken {
				m[s.Name] = Zeros(g, shapes.Make(emb.DType(), s.Shape...))
			}
		}
		out[ai] = m
	}
	return out, nil
}

// decodeLoGAHGroups fills outs[group][member] with the LoGAH decoder output of every node of the
// plan, cut to need. The decoder's MLP runs once over the nodes of all keys and ℓ2 once over all
// the rows of Y the factors need (both are row-wise, so the values are those of one call per
// key, as in the reference; one call each keeps the weight gradients to one product each). The
// rank-r products are then formed per node, each only as large as its targets need.
func decodeLoGAHGroups(cfg Config, w Weights, b *Batch, emb *Node, need [][][2]int, outs [][]*Node) {
	var rows []int32
	for _, grp := range b.plan.groups {
		rows = append(rows, grp.rows...)
	}
	mAll := loraMLP(cfg, w, gatherRows(emb, rows)) // (nodes, 2r, r), group after group
	var reqs []factorRequest
	first := 0
	for gi, grp := range b.plan.groups {
		n := len(grp.rows)
		m := mAll
		if n < len(rows) {
			m = rangeSlice(mAll, []int{first, 0, 0}, []int{first + n, 2 * cfg.Rank, cfg.Rank})
		}
		first += n
		var nA, nB int
		for mi := range n {
			co, ci := outChannels(grp.key, need[gi][mi][0], need[gi][mi][1])
			ra, rb := loraRows(grp.key, co, ci)
			nA, nB = max(nA, ra), max(nB, rb)
		}
		reqs = append(reqs, factorRequest{m, 0, nA}, factorRequest{m, cfg.Rank, nB})
	}
	factors := loraFactorRows(cfg, w, reqs)
	for gi, grp := range b.plan.groups {
		a, bt := factors[2*gi], factors[2*gi+1]
		outs[gi] = make([]*Node, len(grp.rows))
		for mi := range grp.rows {
			co, ci := outChannels(grp.key, need[gi][mi][0], need[gi][mi][1])
			o := loraProduct(InsertAxes(memberOf(a, mi), 0), InsertAxes(memberOf(bt, mi), 0), grp.key, co, ci)
			outs[gi][mi] = Reshape(o, o.Shape().Dimensions[1:]...)
		}
	}
}

// gatherRows returns the given rows of x (N, h), shape (len(rows), h).
func gatherRows(x *Node, rows []int32) *Node {
	idx := make([][]int32, len(rows))
	for i, r := range rows {
		idx[i] = []int32{r}
	}
	return Gather(x, Const(x.Graph(), idx))
}

// memberOf is x[m] without the leading axis.
func memberOf(x *Node, m int) *Node {
	d := x.Shape().Dimensions
	if d[0] > 1 {
		lo, hi := make([]int, len(d)), slices.Clone(d)
		lo[0], hi[0] = m, m+1
		x = rangeSlice(x, lo, hi)
	}
	return Reshape(x, d[1:]...)
}
