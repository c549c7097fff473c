package show

import (
	"fmt"
	"strings"

	"github.com/logah-go/logah/logah/netgraph"
)

// AdjacencySVG draws the matrix A the hypernetwork reads for g (docs/method.md §1): row = source
// node, column = target node; 1 (a real edge) dark blue, a virtual edge of length d the lighter
// the longer it is, 0 (no directed path within the cut-off) white, each cell labelled with its
// value. Rows and columns are labelled "index op parameter". It suits graphs of tens of
// nodes (one block, a small model): the drawing grows with the square of the node count.
func AdjacencySVG(g *netgraph.Graph) []byte {
	const cell, left, top = 24, 175, 150
	n := g.N()
	maxD := float64(g.MaxDistance())
	w, h := left+n*cell+20, top+n*cell+30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica,Arial,sans-serif" font-size="11">`, w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`, w, h)
	fmt.Fprintf(&b, `<text x="8" y="16" font-size="13" font-weight="600">A of %s: row = source, column = target</text>`, esc(g.Arch.String()))
	for i := range n {
		lbl := esc(nodeLabel(g, i))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-6, top+i*cell+cell/2+4, lbl)
		fmt.Fprintf(&b, `<text transform="translate(%d,%d) rotate(-60)">%s</text>`, left+i*cell+cell/2+4, top-6, lbl)
		for j := range n {
			d := g.At(i, j)
			fill, ink := "#fff", "#fff"
			switch {
			case d == 1:
				fill = "#08306b"
			case d > 1:
				t := (float64(d) - 2) / max(1, maxD-2) // 0 for d = 2 … 1 for the longest path
				r, gr, bl := 33+t*(214-33), 113+t*(230-113), 181+t*(247-181)
				fill = fmt.Sprintf("rgb(%.0f,%.0f,%.0f)", r, gr, bl)
				if t > 0.45 {
					ink = "#08306b"
				}
			}
			x, y := left+j*cell, top+i*cell
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ddd"/>`, x, y, cell, cell, fill)
			if d > 0 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%d</text>`, x+cell/2, y+cell/2+4, ink, d)
			}
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#444">1 = real edge · d &gt; 1 = virtual edge (shortest directed path of length d ≤ %d) · empty = no path</text>`, left, top+n*cell+20, g.Cutoff)
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// Adjacency displays [AdjacencySVG] of g.
func Adjacency(g *netgraph.Graph) { SVG("adjacency", AdjacencySVG(g)) }

// nodeLabel is "index op parameter", the parameter without its model prefix and ".weight".
func nodeLabel(g *netgraph.Graph, i int) string {
	nd := g.Nodes[i]
	p := strings.TrimSuffix(strings.TrimPrefix(nd.Param, "transformer."), ".weight")
	if p == "" {
		return fmt.Sprintf("%d %s", i, nd.Op)
	}
	return fmt.Sprintf("%d %s %s", i, nd.Op, p)
}
