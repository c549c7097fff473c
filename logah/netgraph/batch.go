package netgraph

import "fmt"

// Batch holds several graphs padded to a common node count, laid out the way the encoder
// reads them (the reference's dense GraphBatch). Node i of graph b is row b·NMax + i of every
// per-node array; padded rows have Mask false, op 0, and zero adjacency.
type Batch struct {
	Graphs []*Graph
	// NMax is the largest node count in the batch.
	NMax int
	// Ops holds the op id of every node, shape (B, NMax).
	Ops []int32
	// Mask is true for real nodes, shape (B, NMax).
	Mask []bool
	// A holds the adjacency matrices, shape (B, NMax, NMax).
	A []int32
	// InDegree, OutDegree and InputDist are per node, shape (B, NMax), not yet clipped.
	InDegree, OutDegree, InputDist []int32
}

// NewBatch pads graphs to a common size.
func NewBatch(graphs ...*Graph) (*Batch, error) {
	if len(graphs) == 0 {
		return nil, fmt.Errorf("netgraph: empty batch")
	}
	nMax := 0
	for i, g := range graphs {
		if g == nil || g.N() == 0 {
			return nil, fmt.Errorf("netgraph: graph %d of the batch is empty", i)
		}
		nMax = max(nMax, g.N())
	}
	B := len(graphs)
	b := &Batch{Graphs: graphs, NMax: nMax,
		Ops: make([]int32, B*nMax), Mask: make([]bool, B*nMax), A: make([]int32, B*nMax*nMax),
		InDegree: make([]int32, B*nMax), OutDegree: make([]int32, B*nMax), InputDist: make([]int32, B*nMax)}
	for gi, g := range graphs {
		n := g.N()
		base := gi * nMax
		for i, node := range g.Nodes {
			b.Ops[base+i] = int32(node.Op)
			b.Mask[base+i] = true
			b.InDegree[base+i] = int32(g.InDegree[i])
			b.OutDegree[base+i] = int32(g.OutDegree[i])
			b.InputDist[base+i] = int32(g.InputDist[i])
			copy(b.A[(base+i)*nMax:(base+i)*nMax+n], g.A[i*n:(i+1)*n])
		}
	}
	return b, nil
}

// Row is the flat index of node i of graph b.
func (b *Batch) Row(graph, node int) int { return graph*b.NMax + node }
