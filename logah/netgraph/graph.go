package netgraph

import (
	"fmt"
	"slices"

	"github.com/logah-go/logah/logah/arch"
)

// Node is one vertex of a computational graph.
type Node struct {
	// Op is the node type.
	Op Op
	// Param is the name of the parameter the node stands for ("" for input, sum and msa).
	Param string
	// Shape is the parameter's shape in the target network (nil without a parameter).
	Shape []int
	// GraphShape is the shape the reference records for the node: the ViT positional embedding
	// (1,S,D) is recorded as (1,D,⌊√S⌋,⌊√S⌋); every other shape equals Shape.
	GraphShape []int
	// AlsoPredicts names the LayerNorm bias an "ln" node yields together with its weight.
	AlsoPredicts string
	// TiedTo names the other name of a shared tensor (tied GPT-2 lm_head = transformer.wte.weight,
	// tied Llama lm_head = model.embed_tokens.weight).
	TiedTo string
	// LastWeight and LastBias flag the classification layer: the reference flags node N−2 when
	// its parameter is a *.weight and node N−1 when it is a *.bias (the ViT head; for an untied
	// Llama it flags model.norm.weight, which the decoder keys as 1-D all the same).
	LastWeight, LastBias bool
	// Block is the transformer block the node belongs to, -1 for the stem before the first block
	// and the number of blocks for the nodes after the last one.
	Block int
}

// Graph is the computational graph of one target network.
type Graph struct {
	// Arch is the network the graph describes.
	Arch arch.Arch
	// Nodes in topological order; node 0 is the input.
	Nodes []Node
	// Edges are the real (1-hop) edges, sorted, each from a lower to a higher index.
	Edges [][2]int
	// A is the N×N adjacency matrix, row-major (A[i*N+j]): 1 for a real edge i→j, d for the
	// shortest directed path of length 1 < d ≤ Cutoff, 0 otherwise.
	A []int32
	// Cutoff is the longest path kept as a virtual edge.
	Cutoff int
	// InDegree, OutDegree count real edges; InputDist[j] = A[0,j].
	InDegree, OutDegree, InputDist []int
}

// N is the number of nodes.
func (g *Graph) N() int { return len(g.Nodes) }

// At returns A[i,j].
func (g *Graph) At(i, j int) int32 { return g.A[i*len(g.Nodes)+j] }

// NumVirtualEdges counts the entries of A greater than 1.
func (g *Graph) NumVirtualEdges() int {
	n := 0
	for _, v := range g.A {
		if v > 1 {
			n++
		}
	}
	return n
}

// MaxDistance is the largest entry of A.
func (g *Graph) MaxDistance() int32 { return slices.Max(g.A) }

// Options control graph construction.
type Options struct {
	// VirtualEdgeCutoff is the longest shortest-path length recorded as a virtual edge: 50 in
	// the reference's on-the-fly graphs (the default when 0), 250 for its stored ViTs-1K
	// graphs; 1 keeps real edges only.
	VirtualEdgeCutoff int
	// ConnectLMHead (GPT-2, untied) wires ln_f → lm_head and places lm_head last, instead of
	// reproducing the reference's orphan lm_head fed only by the input. A documented deviation:
	// predictions then differ from the authors' code.
	ConnectLMHead bool
}

// DefaultCutoff is the virtual-edge cut-off of the reference's on-the-fly graphs.
const DefaultCutoff = 50

// Build constructs the graph of a ViT, GPT-2 or Llama.
func Build(a arch.Arch, opts Options) (*Graph, error) {
	if a == nil {
		return nil, fmt.Errorf("netgraph: nil architecture")
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if opts.VirtualEdgeCutoff < 0 {
		return nil, fmt.Errorf("netgraph: VirtualEdgeCutoff must be ≥ 0 (0 selects %d), got %d", DefaultCutoff, opts.VirtualEdgeCutoff)
	}
	if opts.VirtualEdgeCutoff == 0 {
		opts.VirtualEdgeCutoff = DefaultCutoff
	}
	b := &builder{}
	switch v := a.(type) {
	case arch.ViT:
		b.vit(v)
	case arch.GPT2:
		b.gpt2(v, opts.ConnectLMHead)
	case arch.Llama:
		b.llama(v)
	default:
		return nil, fmt.Errorf("netgraph: unsupported architecture %T", a)
	}
	g := &Graph{Arch: a, Nodes: b.nodes, Edges: b.edges, Cutoff: opts.VirtualEdgeCutoff}
	slices.SortFunc(g.Edges, func(x, y [2]int) int {
		if x[0] != y[0] {
			return x[0] - y[0]
		}
		return x[1] - y[1]
	})
	g.computeDistances()
	return g, nil
}

// MustBuild is Build for known-valid architectures; it panics on error.
func MustBuild(a arch.Arch, opts Options) *Graph {
	g, err := Build(a, opts)
	if err != nil {
		panic(err)
	}
	return g
}

// builder appends nodes and edges.
type builder struct {
	nodes []Node
	edges [][2]int
	block int
}

func (b *builder) add(op Op, param string, shape []int) int {
	b.nodes = append(b.nodes, Node{Op: op, Param: param, Shape: shape, GraphShape: shape, Block: b.block})
	return len(b.nodes) - 1
}

func (b *builder) edge(from, to int) { b.edges = append(b.edges, [2]int{from, to}) }

// chain adds edges from→n1→n2→… and returns the last node.
func (b *builder) chain(from int, nodes ...int) int {
	for _, n := range nodes {
		b.edge(from, n)
		from = n
	}
	return from
}

// shapeOf looks up a parameter shape in the arch table.
func shapeOf(table map[string][]int, name string) []int {
	s, ok := table[name]
	if !ok {
		panic("netgraph: parameter table has no " + name)
	}
	return s
}

func paramTable(a arch.Arch) map[string][]int {
	t := map[string][]int{}
	for _, p := range a.Params() {
		t[p.Name] = p.Shape
	}
	return t
}

// block13 adds one pre-LN transformer block (13 nodes, docs/method.md §1.3/§1.4) after the residual
// stream node prev and returns the block's output sum. names lists the block's 10 parameters:
// ln1, qkv.w, qkv.b, out.w, out.b, ln2, fc1.w, fc1.b, fc2.w, fc2.b; lnBias lists the two LN biases.
func (b *builder) block13(prev int, t map[string][]int, names [10]string, lnBias [2]string) int {
	ln1 := b.add(OpLN, names[0], shapeOf(t, names[0]))
	b.nodes[ln1].AlsoPredicts = lnBias[0]
	qkvW := b.add(OpConv, names[1], shapeOf(t, names[1]))
	qkvB := b.add(OpBias, names[2], shapeOf(t, names[2]))
	msa := b.add(OpMSA, "", nil)
	outW := b.add(OpConv, names[3], shapeOf(t, names[3]))
	outB := b.add(OpBias, names[4], shapeOf(t, names[4]))
	sum1 := b.add(OpSum, "", nil)
	ln2 := b.add(OpLN, names[5], shapeOf(t, names[5]))
	b.nodes[ln2].AlsoPredicts = lnBias[1]
	fc1W := b.add(OpConv, names[6], shapeOf(t, names[6]))
	fc1B := b.add(OpBias, names[7], shapeOf(t, names[7]))
	fc2W := b.add(OpConv, names[8], shapeOf(t, names[8]))
	fc2B := b.add(OpBias, names[9], shapeOf(t, names[9]))
	sum2 := b.add(OpSum, "", nil)
	b.edge(prev, sum1)
	b.chain(prev, ln1, qkvW, qkvB, msa, outW, outB, sum1)
	b.edge(sum1, sum2)
	b.chain(sum1, ln2, fc1W, fc1B, fc2W, fc2B, sum2)
	return sum2
}

// vit builds docs/method.md §1.3: N = 13·L + 8.
func (b *builder) vit(v arch.ViT) {
	t := paramTable(v)
	b.block = -1
	in := b.add(OpInput, "", nil)
	convW := b.add(OpConv, "conv_proj.weight", shapeOf(t, "conv_proj.weight"))
	convB := b.add(OpBias, "conv_proj.bias", shapeOf(t, "conv_proj.bias"))
	pos := b.add(OpPosEnc, "encoder.pos_embedding", shapeOf(t, "encoder.pos_embedding"))
	s := isqrt(v.SeqLen())
	b.nodes[pos].GraphShape = []int{1, v.Width, s, s}
	sum := b.add(OpSum, "", nil)
	b.chain(in, convW, convB, sum)
	b.edge(pos, sum)
	prev := sum
	for l := range v.Depth {
		b.block = l
		p := fmt.Sprintf("encoder.layers.encoder_layer_%d.", l)
		prev = b.block13(prev, t, [10]string{p + "ln_1.weight", p + "self_attention.in_proj_weight",
			p + "self_attention.in_proj_bias", p + "self_attention.out_proj.weight", p + "self_attention.out_proj.bias",
			p + "ln_2.weight", p + "mlp.0.weight", p + "mlp.0.bias", p + "mlp.3.weight", p + "mlp.3.bias"},
			[2]string{p + "ln_1.bias", p + "ln_2.bias"})
	}
	b.block = v.Depth
	ln := b.add(OpLN, "encoder.ln.weight", shapeOf(t, "encoder.ln.weight"))
	b.nodes[ln].AlsoPredicts = "encoder.ln.bias"
	headW := b.add(OpConv, "heads.head.weight", shapeOf(t, "heads.head.weight"))
	headB := b.add(OpBias, "heads.head.bias", shapeOf(t, "heads.head.bias"))
	b.chain(prev, ln, headW, headB)
	// Classification flags: node N-2 named *.weight and node N-1 named *.bias.
	b.nodes[headW].LastWeight = true
	b.nodes[headB].LastBias = true
}

// gpt2 builds docs/method.md §1.4: N = 13·L + 6 (untied) or 13·L + 5 (tied).
func (b *builder) gpt2(g arch.GPT2, connectLMHead bool) {
	t := paramTable(g)
	b.block = -1
	in := b.add(OpInput, "", nil)
	var tok, lmHead int
	if g.Tied {
		// The shared tensor appears once, under lm_head's name, typed like a linear layer.
		tok = b.add(OpConv, "lm_head.weight", shapeOf(t, "transformer.wte.weight"))
		b.nodes[tok].TiedTo = "transformer.wte.weight"
	} else {
		tok = b.add(OpPosEnc, "transformer.wte.weight", shapeOf(t, "transformer.wte.weight"))
	}
	wpe := b.add(OpPosEnc, "transformer.wpe.weight", shapeOf(t, "transformer.wpe.weight"))
	lmHead = -1
	if !g.Tied && !connectLMHead {
		lmHead = b.add(OpConv, "lm_head.weight", shapeOf(t, "lm_head.weight"))
		b.edge(in, lmHead) // the reference's orphan: its only edge comes from the input
	}
	sum := b.add(OpSum, "", nil)
	b.edge(in, tok)
	b.edge(in, wpe)
	b.edge(tok, sum)
	b.edge(wpe, sum)
	prev := sum
	for l := range g.Layers {
		b.block = l
		p := fmt.Sprintf("transformer.h.%d.", l)
		prev = b.block13(prev, t, [10]string{p + "ln_1.weight", p + "attn.c_attn.weight", p + "attn.c_attn.bias",
			p + "attn.c_proj.weight", p + "attn.c_proj.bias", p + "ln_2.weight", p + "mlp.c_fc.weight",
			p + "mlp.c_fc.bias", p + "mlp.c_proj.weight", p + "mlp.c_proj.bias"},
			[2]string{p + "ln_1.bias", p + "ln_2.bias"})
	}
	b.block = g.Layers
	lnf := b.add(OpLN, "transformer.ln_f.weight", shapeOf(t, "transformer.ln_f.weight"))
	b.nodes[lnf].AlsoPredicts = "transformer.ln_f.bias"
	b.edge(prev, lnf)
	if !g.Tied && connectLMHead {
		lmHead = b.add(OpConv, "lm_head.weight", shapeOf(t, "lm_head.weight"))
		b.edge(lnf, lmHead)
	}
}

func isqrt(n int) int {
	r := 0
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}
