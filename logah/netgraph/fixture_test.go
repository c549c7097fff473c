package netgraph

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
)

type fixtureNode struct {
	Index        int     `json:"index"`
	Op           string  `json:"op"`
	OpID         int     `json:"op_id"`
	ParamName    *string `json:"param_name"`
	ParamShape   []int   `json:"param_shape"`
	GraphShape   []int   `json:"graph_shape"`
	LastWeight   bool    `json:"last_weight"`
	LastBias     bool    `json:"last_bias"`
	AlsoPredicts string  `json:"also_predicts"`
	TiedTo       string  `json:"tied_to"`
}

type fixtureGraph struct {
	Config struct {
		Kind       string `json:"kind"`
		Depth      int    `json:"depth"`
		NLayer     int    `json:"n_layer"`
		D          int    `json:"D"`
		Heads      int    `json:"heads"`
		NHead      int    `json:"n_head"`
		MLP        int    `json:"mlp"`
		NInner     int    `json:"n_inner"`
		Patch      int    `json:"patch"`
		Image      int    `json:"image"`
		Channels   int    `json:"channels"`
		NumClasses int    `json:"num_classes"`
		Vocab      int    `json:"vocab"`
		NPositions int    `json:"n_positions"`
		Tied       bool   `json:"tied"`
		// Llama (graphs_llama.json).
		NKVHead     int     `json:"n_kv_head"`
		Inter       int     `json:"intermediate"`
		MaxPos      int     `json:"max_position_embeddings"`
		Eps         float64 `json:"rms_norm_eps"`
		Theta       float64 `json:"rope_theta"`
		RopeScaling *struct {
			Factor   float64 `json:"factor"`
			Low      float64 `json:"low_freq_factor"`
			High     float64 `json:"high_freq_factor"`
			Original int     `json:"original_max_position_embeddings"`
			Type     string  `json:"rope_type"`
		} `json:"rope_scaling"`
	} `json:"config"`
	NNodes        int           `json:"n_nodes"`
	VECutoff      int           `json:"ve_cutoff"`
	Nodes         []fixtureNode `json:"nodes"`
	A             [][]int32     `json:"A"`
	Edges         [][2]int      `json:"edges_1hop"`
	InDegree      []int         `json:"in_degree"`
	OutDegree     []int         `json:"out_degree"`
	InputDistance []int         `json:"input_distance"`
	MaxA          int32         `json:"max_A"`
	NVirtual      int           `json:"n_virtual_edges"`
}

// loadFixtureGraphs reads a graph file produced by the authors' graph builder (graphs.json or
// graphs_llama.json).
func loadFixtureGraphs(t *testing.T, file string) (map[string]fixtureGraph, []string) {
	t.Helper()
	data, err := os.ReadFile(fixtures.Path(t, file))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		OpVocabulary []string                `json:"op_vocabulary"`
		Graphs       map[string]fixtureGraph `json:"graphs"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.Graphs, f.OpVocabulary
}

func (fg fixtureGraph) arch() arch.Arch {
	c := fg.Config
	if c.Kind == "llama" {
		l := arch.Llama{Layers: c.NLayer, Width: c.D, Heads: c.NHead, KVHeads: c.NKVHead, Inner: c.Inter, Vocab: c.Vocab,
			Context: c.MaxPos, NormEps: c.Eps, RopeTheta: c.Theta, Tied: c.Tied}
		if r := c.RopeScaling; r != nil {
			l.RopeScaling = arch.RopeScaling{Type: r.Type, Factor: r.Factor, LowFreqFactor: r.Low, HighFreqFactor: r.High,
				OriginalContext: r.Original}
		}
		return l
	}
	if c.Kind == "vit" {
		return arch.ViT{ImageSize: c.Image, Channels: c.Channels, Patch: c.Patch, Depth: c.Depth, Width: c.D,
			Heads: c.Heads, MLPDim: c.MLP, Classes: c.NumClasses}
	}
	return arch.GPT2{Layers: c.NLayer, Width: c.D, Heads: c.NHead, Inner: c.NInner, Vocab: c.Vocab,
		Context: c.NPositions, Tied: c.Tied}
}

// TestGraphsMatchReference reproduces every graph of the authors' builder exactly: the six
// ViT and GPT-2 graphs of graphs.json and the three Llama graphs of graphs_llama.json (its
// is_llama branch: tied, untied with grouped-query attention and Llama-3 RoPE, a 2-layer tied
// one). Ops, names, shapes, flags, edges, the full adjacency matrix with virtual edges, degrees
// and distances must all match.
func TestGraphsMatchReference(t *testing.T) {
	for _, file := range []struct {
		name   string
		graphs int
	}{{"graphs.json", 6}, {"graphs_llama.json", 3}} {
		graphs, vocab := loadFixtureGraphs(t, file.name)
		checkVocabulary(t, vocab)
		if len(graphs) != file.graphs {
			t.Fatalf("%s: expected %d reference graphs, got %d", file.name, file.graphs, len(graphs))
		}
		for name, fg := range graphs {
			t.Run(name, func(t *testing.T) { checkGraph(t, fg) })
		}
	}
}

func checkVocabulary(t *testing.T, vocab []string) {
	t.Helper()
	if len(vocab) != NumOps {
		t.Errorf("reference vocabulary has %d ops, we have %d", len(vocab), NumOps)
	}
	for i, name := range vocab {
		if Op(i).String() != name {
			t.Errorf("op %d: %s, reference %s", i, Op(i), name)
		}
	}
}

// checkGraph builds the fixture's architecture and compares everything the reference recorded.
func checkGraph(t *testing.T, fg fixtureGraph) {
	g, err := Build(fg.arch(), Options{VirtualEdgeCutoff: fg.VECutoff})
	if err != nil {
		t.Fatal(err)
	}
	if g.N() != fg.NNodes {
		t.Fatalf("N = %d, want %d", g.N(), fg.NNodes)
	}
	for i, fn := range fg.Nodes {
		n := g.Nodes[i]
		param := ""
		if fn.ParamName != nil {
			param = *fn.ParamName
		}
		if int(n.Op) != fn.OpID || n.Op.String() != fn.Op || n.Param != param ||
			!slices.Equal(n.Shape, fn.ParamShape) || !slices.Equal(n.GraphShape, fn.GraphShape) ||
			n.LastWeight != fn.LastWeight || n.LastBias != fn.LastBias ||
			n.AlsoPredicts != fn.AlsoPredicts || n.TiedTo != fn.TiedTo {
			t.Errorf("node %d: got %+v, want %+v", i, n, fn)
		}
	}
	if !slices.Equal(g.Edges, fg.Edges) {
		t.Errorf("edges:\n got %v\nwant %v", g.Edges, fg.Edges)
	}
	for i, row := range fg.A {
		for j, want := range row {
			if got := g.At(i, j); got != want {
				t.Fatalf("A[%d,%d] = %d, want %d", i, j, got, want)
			}
		}
	}
	if !slices.Equal(g.InDegree, fg.InDegree) || !slices.Equal(g.OutDegree, fg.OutDegree) ||
		!slices.Equal(g.InputDist, fg.InputDistance) {
		t.Errorf("degrees/distances differ")
	}
	if g.MaxDistance() != fg.MaxA || g.NumVirtualEdges() != fg.NVirtual {
		t.Errorf("max A %d (want %d), virtual edges %d (want %d)", g.MaxDistance(), fg.MaxA, g.NumVirtualEdges(), fg.NVirtual)
	}
}
