package netgraph

import (
	"slices"
	"testing"

	"github.com/logah-go/logah/internal/fixtures/refgraphs"
)

// TestGraphsMatchReference reproduces every graph of the authors' builder exactly: the six
// ViT and GPT-2 graphs of graphs.json and the three Llama graphs of graphs_llama.json (its
// is_llama branch: tied, untied with grouped-query attention and Llama-3 RoPE, a 2-layer tied
// one). Ops, names, shapes, flags, edges, the full adjacency matrix with virtual edges, degrees
// and distances must all match.
func TestGraphsMatchReference(t *testing.T) {
	for _, file := range []struct {
		name   string
		graphs int
	}{{refgraphs.ViTGPT2File, 6}, {refgraphs.LlamaFile, 3}} {
		graphs, vocab := refgraphs.Load(t, file.name)
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
func checkGraph(t *testing.T, fg refgraphs.Graph) {
	g, err := Build(fg.MustArch(t), Options{VirtualEdgeCutoff: fg.VECutoff})
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
