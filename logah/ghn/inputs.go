package ghn

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/netgraph"
)

// Batch is a set of target architectures prepared for the hypernetwork: their graphs padded
// to a common node count (node i of graph b is row b·NMax + i of every per-node array), the
// host-side encoder inputs (op ids, shape-vocabulary indices, clipped degrees and input
// distances, edge tokens, masks) and the decoding plan (keys, groups, targets).
//
// A Batch depends on the configuration it was made for (vocabulary, d_max, K).
type Batch struct {
	// Archs are the architectures, in batch order.
	Archs []arch.Arch
	// Graphs holds the padded graphs.
	Graphs *netgraph.Batch
	// NMax is the padded node count.
	NMax int

	ops      []int32 // (B·NMax)
	shapeIdx []int32 // (B·NMax, 4): channel(c_out), channel(c_in), spatial(k_h), spatial(k_w)
	degIn    []int32 // (B·NMax), clipped to [0, MaxDegree]
	degOut   []int32 // (B·NMax), clipped to [0, MaxDegree]
	dist     []int32 // (B·NMax), clipped to [0, MaxInputDist]
	edges    []int32 // (B, NMax, NMax, 2): (A_ij + 2, A_ji + 2)
	mask     []bool  // (B, NMax)

	plan *plan
}

// NewBatch builds the graphs of archs (virtual-edge cut-off cfg.Cutoff, the reference's
// orphan lm_head kept) and prepares them; see [NewBatchFromGraphs].
func NewBatch(cfg Config, archs ...arch.Arch) (*Batch, error) {
	return NewBatchWithOptions(cfg, netgraph.Options{}, archs...)
}

// NewBatchWithOptions is [NewBatch] with graph-building options (e.g. ConnectLMHead). A zero
// VirtualEdgeCutoff selects cfg.Cutoff.
func NewBatchWithOptions(cfg Config, opts netgraph.Options, archs ...arch.Arch) (*Batch, error) {
	cfg = cfg.WithDefaults()
	if opts.VirtualEdgeCutoff == 0 {
		opts.VirtualEdgeCutoff = cfg.Cutoff
	}
	graphs := make([]*netgraph.Graph, len(archs))
	for i, a := range archs {
		g, err := netgraph.Build(a, opts)
		if err != nil {
			return nil, err
		}
		graphs[i] = g
	}
	return NewBatchFromGraphs(cfg, graphs...)
}

// NewBatchFromGraphs prepares already built graphs for the hypernetwork.
func NewBatchFromGraphs(cfg Config, graphs ...*netgraph.Graph) (*Batch, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	nb, err := netgraph.NewBatch(graphs...)
	if err != nil {
		return nil, err
	}
	B, N := len(graphs), nb.NMax
	vocab := cfg.Vocab()
	b := &Batch{Graphs: nb, NMax: N,
		ops: make([]int32, B*N), shapeIdx: make([]int32, B*N*4), degIn: make([]int32, B*N), degOut: make([]int32, B*N),
		dist: make([]int32, B*N), edges: make([]int32, B*N*N*2), mask: make([]bool, B*N)}
	noParam := vocab.ShapeIndices(nil)
	for gi, g := range graphs {
		b.Archs = append(b.Archs, g.Arch)
		for i := range N {
			row := gi*N + i
			idx := noParam
			if i < g.N() {
				node := g.Nodes[i]
				if int(node.Op) >= cfg.NumOps() {
					return nil, opOutsideVocab(cfg, g, i)
				}
				if node.Param != "" {
					idx = vocab.ShapeIndices(node.Shape)
				}
			}
			copy(b.shapeIdx[4*row:4*row+4], idx[:])
			b.ops[row] = nb.Ops[row]
			b.mask[row] = nb.Mask[row]
			b.degIn[row] = min(max(nb.InDegree[row], 0), MaxDegree)
			b.degOut[row] = min(max(nb.OutDegree[row], 0), MaxDegree)
			b.dist[row] = min(max(nb.InputDist[row], 0), MaxInputDist)
			for j := range N {
				aij, aji := nb.A[(gi*N+i)*N+j], nb.A[(gi*N+j)*N+i]
				if aij > EdgeTableRows-3 || aij < 0 {
					return nil, fmt.Errorf("%s: A[%d,%d] = %d outside [0, %d]: build the graph with a virtual-edge cut-off ≤ %d",
						g.Arch, i, j, aij, EdgeTableRows-3, EdgeTableRows-3)
				}
				e := 2 * ((gi*N+i)*N + j)
				b.edges[e], b.edges[e+1] = aij+2, aji+2
			}
		}
	}
	if b.plan, err = makePlan(cfg, nb); err != nil {
		return nil, err
	}
	return b, nil
}

// opOutsideVocab explains why node i of g cannot be embedded by this hypernetwork: its op id has
// no row in the op table. The Llama ops (rmsnorm, rot_emb, gate: ids 15–17) exist only in the
// 18-op GPT variant, so for a ViT-variant hypernetwork the message names that fix.
func opOutsideVocab(cfg Config, g *netgraph.Graph, i int) error {
	op := g.Nodes[i].Op
	if cfg.Variant == VariantViT && int(op) < netgraph.NumOps {
		return fmt.Errorf("%s: node %d has op %s (id %d), which the %d-op vocabulary of the ViT variant (%s) lacks: "+
			"Llama graphs need the 18-op GPT variant: use a hypernetwork with Variant ghn.VariantGPT (logah init-ghn --variant gpt)",
			g.Arch, i, op, int(op), cfg.NumOps(), cfg)
	}
	return fmt.Errorf("%s: node %d has op %s (id %d) outside the %d-op vocabulary of %s",
		g.Arch, i, op, int(op), cfg.NumOps(), cfg)
}

// Len is the number of architectures.
func (b *Batch) Len() int { return len(b.Archs) }

// InputNodes are the encoder's graph inputs for a [Batch].
type InputNodes struct {
	// Ops is (B·NMax) int32: the op id of each node.
	Ops *Node
	// ShapeIdx is (B·NMax, 4) int32: the shape-encoder rows of each node.
	ShapeIdx *Node
	// DegIn, DegOut, Dist are (B·NMax) int32, clipped.
	DegIn, DegOut, Dist *Node
	// Edges is (B, NMax, NMax, 2) int32: the edge tokens (A_ij + 2, A_ji + 2).
	Edges *Node
	// Mask is (B, NMax) bool: true for real nodes.
	Mask *Node
}

// InputTensors returns the encoder inputs as tensors, in the order of [InputNodesFrom] (ops,
// shape indices, in-degree, out-degree, input distance, edge tokens, mask), for feeding them
// as graph parameters.
func (b *Batch) InputTensors() []*tensors.Tensor {
	B, N := b.Len(), b.NMax
	return []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(b.ops, B*N),
		tensors.FromFlatDataAndDimensions(b.shapeIdx, B*N, 4),
		tensors.FromFlatDataAndDimensions(b.degIn, B*N),
		tensors.FromFlatDataAndDimensions(b.degOut, B*N),
		tensors.FromFlatDataAndDimensions(b.dist, B*N),
		tensors.FromFlatDataAndDimensions(b.edges, B, N, N, 2),
		tensors.FromFlatDataAndDimensions(b.mask, B, N),
	}
}

// InputNodesFrom wraps the 7 nodes fed from [Batch.InputTensors].
func InputNodesFrom(nodes []*Node) (InputNodes, error) {
	if len(nodes) != 7 {
		return InputNodes{}, fmt.Errorf("ghn: InputNodesFrom needs 7 nodes (ops, shape indices, degrees in/out, input distance, edges, mask), got %d", len(nodes))
	}
	return InputNodes{Ops: nodes[0], ShapeIdx: nodes[1], DegIn: nodes[2], DegOut: nodes[3], Dist: nodes[4], Edges: nodes[5], Mask: nodes[6]}, nil
}

// ConstInputs embeds the encoder inputs into graph g as constants (they are fixed for a
// batch, and a compiled graph is specific to its batch anyway).
func (b *Batch) ConstInputs(g *Graph) InputNodes {
	ts := b.InputTensors()
	nodes := make([]*Node, len(ts))
	for i, t := range ts {
		nodes[i] = ConstTensor(g, t)
	}
	in, _ := InputNodesFrom(nodes)
	return in
}

// check verifies the shapes of input nodes against the batch.
func (in InputNodes) check(b *Batch) error {
	B, N := b.Len(), b.NMax
	want := []struct {
		name string
		n    *Node
		dims []int
		dt   dtypes.DType
	}{{"ops", in.Ops, []int{B * N}, dtypes.Int32}, {"shape indices", in.ShapeIdx, []int{B * N, 4}, dtypes.Int32},
		{"in-degree", in.DegIn, []int{B * N}, dtypes.Int32}, {"out-degree", in.DegOut, []int{B * N}, dtypes.Int32},
		{"input distance", in.Dist, []int{B * N}, dtypes.Int32}, {"edges", in.Edges, []int{B, N, N, 2}, dtypes.Int32},
		{"mask", in.Mask, []int{B, N}, dtypes.Bool}}
	for _, w := range want {
		if w.n == nil {
			return fmt.Errorf("ghn: input %s is nil", w.name)
		}
		s := w.n.Shape()
		if s.DType != w.dt || !slices.Equal(s.Dimensions, w.dims) {
			return fmt.Errorf("ghn: input %s has shape %s, want (%s)%v", w.name, s, w.dt, w.dims)
		}
	}
	return nil
}
