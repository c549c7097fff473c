package netgraph

import (
	"fmt"
	"strings"
)

// opColors assigns a fill colour to each op used by transformer graphs.
var opColors = map[Op]string{
	OpInput: "#d9d9d9", OpConv: "#8ecae6", OpBias: "#ffd6a5", OpLN: "#caffbf", OpMSA: "#ffadad",
	OpSum: "#e0e0ff", OpPosEnc: "#fdffb6", OpConcat: "#e0e0ff", OpBN: "#caffbf", OpGlobAvg: "#d0f4de",
	OpRMSNorm: "#b5e48c", OpRotEmb: "#f1c0e8", OpGate: "#ffc6ff",
}

func opColor(o Op) string {
	if c, ok := opColors[o]; ok {
		return c
	}
	return "#ffffff"
}

// Label is the short text drawn for a node: the op and, for a parameter, its short name and
// shape (e.g. "conv c_attn.weight 768×2304").
func (n Node) Label() string {
	if n.Param == "" {
		return n.Op.String()
	}
	return fmt.Sprintf("%s %s %s", n.Op, shortName(n.Param), shapeString(n.Shape))
}

// shortName drops the module path up to the block index ("transformer.h.3.attn.c_attn.weight"
// → "attn.c_attn.weight", "model.layers.3.self_attn.q_proj.weight" → "attn.q_proj.weight").
func shortName(param string) string {
	for _, prefix := range []string{"transformer.h.", "encoder.layers.encoder_layer_", "model.layers."} {
		if rest, ok := strings.CutPrefix(param, prefix); ok {
			if i := strings.IndexByte(rest, '.'); i >= 0 {
				rest = strings.Replace(rest[i+1:], "self_attention.", "attn.", 1)
				return strings.Replace(rest, "self_attn.", "attn.", 1)
			}
		}
	}
	for _, prefix := range []string{"transformer.", "encoder.", "model."} {
		param = strings.TrimPrefix(param, prefix)
	}
	return param
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "×")
}

// DOT renders the graph (real edges only) in Graphviz's language, one cluster per block.
func (g *Graph) DOT() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "digraph %q {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n", g.Arch.String())
	block := -2
	for i, n := range g.Nodes {
		if n.Block != block {
			if block >= 0 && block < g.numBlocks() {
				sb.WriteString("  }\n")
			}
			block = n.Block
			if block >= 0 && block < g.numBlocks() {
				fmt.Fprintf(&sb, "  subgraph cluster_%d {\n    label=\"block %d\"; style=dashed;\n", block, block)
			}
		}
		fmt.Fprintf(&sb, "  n%d [label=%q, fillcolor=%q];\n", i, n.Label(), opColor(n.Op))
	}
	if block >= 0 && block < g.numBlocks() {
		sb.WriteString("  }\n")
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&sb, "  n%d -> n%d;\n", e[0], e[1])
	}
	sb.WriteString("}\n")
	return sb.String()
}

// numBlocks is the number of transformer blocks of the graph's architecture.
func (g *Graph) numBlocks() int {
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		if g.Nodes[i].Block >= 0 {
			return g.Nodes[i].Block
		}
	}
	return 0
}
