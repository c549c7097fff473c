package show

import (
	"fmt"
	"strings"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/netgraph"
)

// GraphOutput renders a computational graph inline: a one-line summary and the graph's own SVG
// drawing in a scrollable box.
func GraphOutput(g *netgraph.Graph) Output {
	svg := g.SVG()
	summary := graphSummary(g)
	h := fmt.Sprintf(`<div class="cap">%s</div><div class="graph">%s</div>`,
		esc(summary), svg)
	return Output{Name: "graph-" + g.Arch.String(), HTML: wrap(h), Text: summary + "\n" + opCounts(g), SVG: svg}
}

// Graph displays the computational graph a hypernetwork reads for g's architecture
// (see package netgraph; long models have their middle blocks collapsed).
func Graph(g *netgraph.Graph) { Display(GraphOutput(g)) }

// ArchGraph builds the graph of a with the default options and displays it.
func ArchGraph(a arch.Arch) error {
	g, err := netgraph.Build(a, netgraph.Options{})
	if err != nil {
		return err
	}
	Graph(g)
	return nil
}

func graphSummary(g *netgraph.Graph) string {
	return fmt.Sprintf("%s: %d nodes, %d edges, %d virtual edges (cut-off %d), %s parameters",
		g.Arch, g.N(), len(g.Edges), g.NumVirtualEdges(), g.Cutoff, formatInt(arch.NumParams(g.Arch)))
}

// opCounts lists how many nodes of each op the graph has, e.g. "conv 97, bias 96, ln 25".
func opCounts(g *netgraph.Graph) string {
	counts := map[netgraph.Op]int{}
	var order []netgraph.Op
	for _, n := range g.Nodes {
		if counts[n.Op] == 0 {
			order = append(order, n.Op)
		}
		counts[n.Op]++
	}
	parts := make([]string, len(order))
	for i, op := range order {
		parts[i] = fmt.Sprintf("%s %d", op, counts[op])
	}
	return "nodes by op: " + strings.Join(parts, ", ")
}
