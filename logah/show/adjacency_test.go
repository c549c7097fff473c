package show

import (
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/netgraph"
)

func TestAdjacencyDrawsEveryPairOfNodes(t *testing.T) {
	r := record(t)
	a := arch.GPT2{Layers: 1, Width: 64, Heads: 8, Inner: 256, Vocab: arch.GPT2Vocab, Context: arch.GPT2Context}
	g, err := netgraph.Build(a, netgraph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	Adjacency(g)
	if len(r.Outputs) != 1 || r.Outputs[0].Name != "adjacency" {
		t.Fatalf("outputs %+v", r.Outputs)
	}
	svg := r.Outputs[0].SVG
	fixtures.WellFormedXML(t, svg)
	n := g.N()
	if got := strings.Count(string(svg), `stroke="#ddd"`); got != n*n {
		t.Errorf("%d cells for %d nodes, want %d", got, n, n*n)
	}
	if got := strings.Count(string(svg), `fill="#08306b" stroke=`); got != len(g.Edges) {
		t.Errorf("%d dark cells, want one per real edge (%d)", got, len(g.Edges))
	}
	if !strings.Contains(string(svg), " h.0.attn.c_attn<") || strings.Contains(string(svg), "transformer.h.0") {
		t.Errorf("row labels should name parameters without the model prefix and .weight")
	}
}
