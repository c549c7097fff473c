package netgraph

import (
	"encoding/json"

	"github.com/logah-go/logah/logah/arch"
)

// jsonNode mirrors the node records of the reference fixtures (graphs.json).
type jsonNode struct {
	Index        int    `json:"index"`
	Op           string `json:"op"`
	OpID         int    `json:"op_id"`
	ParamName    string `json:"param_name,omitempty"`
	ParamShape   []int  `json:"param_shape,omitempty"`
	GraphShape   []int  `json:"graph_shape,omitempty"`
	LastWeight   bool   `json:"last_weight"`
	LastBias     bool   `json:"last_bias"`
	AlsoPredicts string `json:"also_predicts,omitempty"`
	TiedTo       string `json:"tied_to,omitempty"`
	Block        int    `json:"block"`
}

// MarshalJSON writes the graph in the layout of the reference fixtures: the architecture,
// the node records, real edges, the full adjacency matrix, degrees and input distances.
func (g *Graph) MarshalJSON() ([]byte, error) {
	cfg, err := arch.MarshalJSON(g.Arch)
	if err != nil {
		return nil, err
	}
	n := g.N()
	nodes := make([]jsonNode, n)
	for i, nd := range g.Nodes {
		nodes[i] = jsonNode{Index: i, Op: nd.Op.String(), OpID: int(nd.Op), ParamName: nd.Param, ParamShape: nd.Shape,
			GraphShape: nd.GraphShape, LastWeight: nd.LastWeight, LastBias: nd.LastBias,
			AlsoPredicts: nd.AlsoPredicts, TiedTo: nd.TiedTo, Block: nd.Block}
	}
	A := make([][]int32, n)
	for i := range A {
		A[i] = g.A[i*n : (i+1)*n]
	}
	return json.Marshal(struct {
		Config        json.RawMessage `json:"config"`
		NNodes        int             `json:"n_nodes"`
		VECutoff      int             `json:"ve_cutoff"`
		Nodes         []jsonNode      `json:"nodes"`
		Edges         [][2]int        `json:"edges_1hop"`
		A             [][]int32       `json:"A"`
		InDegree      []int           `json:"in_degree"`
		OutDegree     []int           `json:"out_degree"`
		InputDistance []int           `json:"input_distance"`
		NVirtual      int             `json:"n_virtual_edges"`
	}{cfg, n, g.Cutoff, nodes, g.Edges, A, g.InDegree, g.OutDegree, g.InputDist, g.NumVirtualEdges()})
}
