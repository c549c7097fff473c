// Package netgraph builds the computational graph of a ViT, GPT-2 or Llama exactly as the LoGAH
// reference code does (docs/method.md §1): the graph a hypernetwork reads to predict the network's
// parameters.
//
// Every predicted parameter tensor is a node, typed by its module (a linear weight is a "conv"
// node, its bias a "bias" node, a LayerNorm weight an "ln" node that also yields the LN bias,
// embeddings are "pos_enc" nodes); the parameter-free operations that survive are the attention
// softmax ("msa") and additions of two graph inputs ("sum"); node 0 is the "input". Llama graphs
// add three ops: "rmsnorm" (an RMSNorm weight), "rot_emb" (the rotary embedding of q and of k)
// and "gate" (SiLU(gate)·up). Real edges
// follow data flow; virtual edges join every pair connected by a directed path of length
// 2…cut-off and carry that length. The adjacency matrix A (row = source, column = target) is
// strictly upper-triangular because nodes are topologically sorted.
//
// The builder reproduces the reference's graphs node for node (tested against graphs.json and
// graphs_llama.json from the authors' code), including its quirks: the ViT positional embedding has no incoming edge,
// and the untied GPT-2 lm_head is an orphan fed only by the input. [Options.ConnectLMHead] is a
// documented deviation that wires ln_f → lm_head instead.
//
// [Batch] pads several graphs to a common size with masks (what the encoder needs), and
// [Graph.DOT] and [Graph.SVG] draw a graph without external programs; blocks of long models
// are collapsed and columns wrap, so GPT-2 XL and Llama-3.1-8B fit a notebook page.
package netgraph
