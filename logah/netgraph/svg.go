package netgraph

import (
	"fmt"
	"html"
	"strings"
)

// SVGOptions control [Graph.SVGWith].
type SVGOptions struct {
	// ShowBlocks is how many blocks are drawn at each end of a long model; the blocks between
	// are collapsed into one column that says how many there are. 0 selects 2; a negative value
	// draws every block.
	ShowBlocks int
	// Columns is the number of columns per row before wrapping (0 selects as many as fit in
	// MaxWidth).
	Columns int
	// MaxWidth is the widest drawing, in pixels, that the automatic column count may produce
	// (0 selects 1280, a notebook page). The drawing also scales down to narrower pages.
	MaxWidth int
	// Title overrides the heading (default: the architecture and its counts).
	Title string
}

// SVG draws the graph as a self-contained SVG document (no fonts, scripts or links to fetch):
// the stem, each transformer block and the head are columns of boxes coloured by op and
// labelled with parameter names and shapes; real edges are drawn, residual connections as arcs;
// virtual edges are counted in the heading. Long models are collapsed and the columns wrap so
// that the drawing fits a 1280-pixel page (see [SVGOptions]).
func (g *Graph) SVG() []byte { return g.SVGWith(SVGOptions{}) }

const (
	boxW, boxH   = 190, 22
	rowGap       = 10
	colGap       = 56
	marginX      = 30
	headerH      = 76
	columnTitleH = 20
	// DefaultMaxWidth is the page width drawings are fitted to: a notebook on a 1280-px screen.
	DefaultMaxWidth = 1280
	// labelChars is how many characters of a label fit in a box at font size 10.
	labelChars = (boxW - 10) / 6
)

// fittingColumns is the largest number of columns whose drawing is at most maxWidth wide.
func fittingColumns(maxWidth int) int {
	return max(1, (maxWidth-2*marginX+colGap)/(boxW+colGap))
}

// column is one drawn column: a list of node indices (or a collapsed placeholder).
type column struct {
	title       string
	nodes       []int
	collapsed   int   // number of blocks hidden in this placeholder column
	hiddenNodes []int // their nodes
	blockNodes  int   // nodes of one hidden block (the placeholder's height)
}

// SVGWith is [Graph.SVG] with options.
func (g *Graph) SVGWith(opts SVGOptions) []byte {
	if opts.ShowBlocks == 0 {
		opts.ShowBlocks = 2
	}
	if opts.MaxWidth <= 0 {
		opts.MaxWidth = DefaultMaxWidth
	}
	if opts.Columns <= 0 {
		opts.Columns = fittingColumns(opts.MaxWidth)
	}
	cols := g.columns(opts.ShowBlocks)
	maxRows := 0
	for _, c := range cols {
		maxRows = max(maxRows, len(c.nodes))
	}
	colH := columnTitleH + maxRows*(boxH+rowGap) + 20
	nCols := min(len(cols), opts.Columns)
	nRows := (len(cols) + opts.Columns - 1) / opts.Columns
	width := 2*marginX + nCols*boxW + (nCols-1)*colGap
	height := headerH + nRows*(colH+30)

	// Position of every drawn node.
	type pos struct{ x, y int }
	where := map[int]pos{}
	colOf := map[int]int{}
	hidden := map[int]bool{}
	for ci, c := range cols {
		cx := marginX + (ci%opts.Columns)*(boxW+colGap)
		cy := headerH + (ci/opts.Columns)*(colH+30) + columnTitleH
		for ri, n := range c.nodes {
			where[n] = pos{cx, cy + ri*(boxH+rowGap)}
			colOf[n] = ci
		}
		// Nodes of collapsed blocks all sit at the middle of the placeholder, so edges into and
		// out of the hidden blocks are still drawn (dashed).
		for _, n := range c.hiddenNodes {
			where[n] = pos{cx, cy + 6*(boxH+rowGap)}
			colOf[n] = ci
			hidden[n] = true
		}
	}

	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" style="max-width:100%%;height:auto" font-family="Helvetica,Arial,sans-serif">`+"\n", width, height, width, height)
	sb.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>` + "\n")
	fmt.Fprintf(&sb, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	title := opts.Title
	if title == "" {
		title = g.Arch.String()
	}
	fmt.Fprintf(&sb, `<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", marginX, html.EscapeString(title))
	fmt.Fprintf(&sb, `<text x="%d" y="44" font-size="11" fill="#444">%d nodes · %d edges · %d virtual edges (distance ≤ %d, not drawn)</text>`+"\n",
		marginX, g.N(), len(g.Edges), g.NumVirtualEdges(), g.Cutoff)
	g.writeLegend(&sb, marginX, 52) // its own line: narrow graphs have no room beside the counts

	// Column titles and collapsed placeholders.
	for ci, c := range cols {
		cx := marginX + (ci%opts.Columns)*(boxW+colGap)
		cy := headerH + (ci/opts.Columns)*(colH+30)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="12" font-weight="bold" fill="#333">%s</text>`+"\n", cx, cy+12, html.EscapeString(c.title))
		if c.collapsed > 0 {
			fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="#f4f4f4" stroke="#999" stroke-dasharray="5,4"/>`+"\n",
				cx, cy+columnTitleH, boxW, c.blockNodes*(boxH+rowGap)-rowGap)
			fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13" text-anchor="middle" fill="#555">⋯ %d identical blocks ⋯</text>`+"\n",
				cx+boxW/2, cy+columnTitleH+6*(boxH+rowGap), c.collapsed)
		}
	}

	// Edges first, so boxes are drawn over them.
	sb.WriteString(`<g fill="none" stroke="#555" stroke-width="1.2">` + "\n")
	for _, e := range g.Edges {
		a, b := where[e[0]], where[e[1]]
		switch {
		case hidden[e[0]] && hidden[e[1]]:
			continue
		case hidden[e[0]] || hidden[e[1]]:
			x1, y1, x2, y2 := a.x+boxW, a.y+boxH/2, b.x, b.y+boxH/2
			mx := (x1 + x2) / 2
			fmt.Fprintf(&sb, `<path d="M%d,%d C%d,%d %d,%d %d,%d" stroke="#999" stroke-dasharray="4,3" marker-end="url(#arrow)"/>`+"\n", x1, y1, mx, y1, mx, y2, x2, y2)
		case colOf[e[0]] == colOf[e[1]] && b.y == a.y+boxH+rowGap:
			fmt.Fprintf(&sb, `<path d="M%d,%d L%d,%d" marker-end="url(#arrow)"/>`+"\n", a.x+boxW/2, a.y+boxH, b.x+boxW/2, b.y)
		case colOf[e[0]] == colOf[e[1]]:
			// Skip connection inside a column: an arc on the right side.
			bulge := 18 + (b.y-a.y)/(boxH+rowGap)*3
			fmt.Fprintf(&sb, `<path d="M%d,%d C%d,%d %d,%d %d,%d" stroke="#7a7aff" marker-end="url(#arrow)"/>`+"\n",
				a.x+boxW, a.y+boxH/2, a.x+boxW+bulge, a.y+boxH/2, b.x+boxW+bulge, b.y+boxH/2, b.x+boxW, b.y+boxH/2)
		default:
			// Between columns: from the right of the source to the left of the target.
			x1, y1, x2, y2 := a.x+boxW, a.y+boxH/2, b.x, b.y+boxH/2
			if b.x <= a.x { // wrapped to the next row: down, along the gap between the rows, down the target's left
				gapY := headerH + (colOf[e[1]]/opts.Columns)*(colH+30) - 8
				fmt.Fprintf(&sb, `<path d="M%d,%d L%d,%d L%d,%d L%d,%d L%d,%d" stroke="#7a7aff" marker-end="url(#arrow)"/>`+"\n",
					a.x+boxW/2, a.y+boxH, a.x+boxW/2, gapY, x2-12, gapY, x2-12, y2, x2, y2)
				continue
			}
			mx := (x1 + x2) / 2
			fmt.Fprintf(&sb, `<path d="M%d,%d C%d,%d %d,%d %d,%d" stroke="#7a7aff" marker-end="url(#arrow)"/>`+"\n", x1, y1, mx, y1, mx, y2, x2, y2)
		}
	}
	sb.WriteString("</g>\n")

	for ci := range cols {
		for _, ni := range cols[ci].nodes {
			n := g.Nodes[ni]
			p := where[ni]
			stroke := "#666"
			if n.LastWeight || n.LastBias {
				stroke = "#d00"
			}
			fmt.Fprintf(&sb, `<g><title>%d: %s</title><rect x="%d" y="%d" width="%d" height="%d" rx="5" fill="%s" stroke="%s"/>`,
				ni, html.EscapeString(nodeTooltip(n)), p.x, p.y, boxW, boxH, opColor(n.Op), stroke)
			fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="10">%s</text></g>`+"\n", p.x+6, p.y+15, html.EscapeString(fitLabel(n)))
		}
	}
	sb.WriteString("</svg>\n")
	return []byte(sb.String())
}

// columns splits the nodes into stem, blocks and head, collapsing middle blocks.
func (g *Graph) columns(show int) []column {
	nb := g.numBlocks()
	byBlock := make([][]int, nb+2) // index block+1: 0 = stem, nb+1 = head
	for i, n := range g.Nodes {
		byBlock[n.Block+1] = append(byBlock[n.Block+1], i)
	}
	cols := []column{{title: "stem", nodes: byBlock[0]}}
	for b := range nb {
		if show > 0 && nb > 2*show+1 && b >= show && b < nb-show {
			if b == show {
				cols = append(cols, column{title: fmt.Sprintf("blocks %d–%d", show, nb-show-1), collapsed: nb - 2*show})
			}
			last := &cols[len(cols)-1]
			last.hiddenNodes = append(last.hiddenNodes, byBlock[b+1]...)
			last.blockNodes = max(last.blockNodes, len(byBlock[b+1]))
			continue
		}
		cols = append(cols, column{title: fmt.Sprintf("block %d", b), nodes: byBlock[b+1]})
	}
	return append(cols, column{title: "head", nodes: byBlock[nb+1]})
}

func nodeTooltip(n Node) string {
	s := n.Op.String()
	if n.Param != "" {
		s += " " + n.Param + " " + shapeString(n.Shape)
	}
	if n.AlsoPredicts != "" {
		s += " (+ " + n.AlsoPredicts + ")"
	}
	if n.TiedTo != "" {
		s += " (tied to " + n.TiedTo + ")"
	}
	return s
}

// fitLabel shortens a label to the box width: first the ".weight" suffix goes (the op says
// what the tensor is), then the end of the label.
func fitLabel(n Node) string {
	l := n.Label()
	if len([]rune(l)) > labelChars {
		l = strings.Replace(l, ".weight ", " ", 1)
	}
	if r := []rune(l); len(r) > labelChars {
		return string(r[:labelChars-1]) + "…"
	}
	return l
}

// legendOps are the ops a legend may show, in order; a graph's legend shows those it uses.
var legendOps = []Op{OpInput, OpConv, OpBias, OpLN, OpRMSNorm, OpMSA, OpRotEmb, OpGate, OpSum, OpPosEnc}

func (g *Graph) writeLegend(sb *strings.Builder, x, y int) {
	used := map[Op]bool{}
	for _, n := range g.Nodes {
		used[n.Op] = true
	}
	i := 0
	for _, o := range legendOps {
		if !used[o] {
			continue
		}
		lx := x + i*70
		i++
		fmt.Fprintf(sb, `<rect x="%d" y="%d" width="12" height="12" rx="2" fill="%s" stroke="#666"/><text x="%d" y="%d" font-size="10">%s</text>`+"\n",
			lx, y, opColor(o), lx+16, y+10, o)
	}
}
