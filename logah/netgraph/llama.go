package netgraph

import (
	"fmt"

	"github.com/logah-go/logah/logah/arch"
)

// llama builds the graph the reference's Graph_LLM (its is_llama branch) traces for a Hugging
// Face LlamaForCausalLM: N = 15·L + 4 (untied) or 15·L + 3 (tied).
//
// One layer is 15 nodes: RMSNorm (input_layernorm), q/k/v projections, one rot_emb node after q
// and one after k (the negation inside rotate_half, the only RoPE op the reference keeps), msa
// (the softmax; v feeds it directly), o_proj, the residual sum, RMSNorm
// (post_attention_layernorm), gate and up projections, the gate node (SiLU(gate)·up), down_proj
// and the residual sum. SiLU, the RMSNorm internals and grouped-query attention's repeat are
// merged away: GQA only shows in the k/v shapes.
//
// Untied: input → embed_tokens (a pos_enc node) → layers → model.norm → lm_head, the head
// properly connected (unlike GPT-2's orphan). Tied: the shared tensor is one conv node named
// lm_head.weight right after the input (TiedTo model.embed_tokens.weight) and the graph ends at
// model.norm.
func (b *builder) llama(l arch.Llama) {
	t := paramTable(l)
	b.block = -1
	in := b.add(OpInput, "", nil)
	var emb int
	if l.Tied {
		emb = b.add(OpConv, "lm_head.weight", shapeOf(t, "model.embed_tokens.weight"))
		b.nodes[emb].TiedTo = "model.embed_tokens.weight"
	} else {
		emb = b.add(OpPosEnc, "model.embed_tokens.weight", shapeOf(t, "model.embed_tokens.weight"))
	}
	b.edge(in, emb)
	prev := emb
	for n := range l.Layers {
		b.block = n
		prev = b.llamaLayer(prev, t, fmt.Sprintf("model.layers.%d.", n))
	}
	b.block = l.Layers
	norm := b.add(OpRMSNorm, "model.norm.weight", shapeOf(t, "model.norm.weight"))
	b.edge(prev, norm)
	if !l.Tied {
		head := b.add(OpConv, "lm_head.weight", shapeOf(t, "lm_head.weight"))
		b.edge(norm, head)
		b.nodes[norm].LastWeight = true // node N−2 is a *.weight: the reference's flag rule
	}
}

// llamaLayer adds one decoder layer (15 nodes) after the residual stream node prev and returns
// the layer's output sum.
func (b *builder) llamaLayer(prev int, t map[string][]int, p string) int {
	param := func(op Op, name string) int { return b.add(op, p+name, shapeOf(t, p+name)) }
	norm1 := param(OpRMSNorm, "input_layernorm.weight")
	q := param(OpConv, "self_attn.q_proj.weight")
	k := param(OpConv, "self_attn.k_proj.weight")
	v := param(OpConv, "self_attn.v_proj.weight")
	rotQ := b.add(OpRotEmb, "", nil)
	rotK := b.add(OpRotEmb, "", nil)
	msa := b.add(OpMSA, "", nil)
	o := param(OpConv, "self_attn.o_proj.weight")
	sum1 := b.add(OpSum, "", nil)
	norm2 := param(OpRMSNorm, "post_attention_layernorm.weight")
	gate := param(OpConv, "mlp.gate_proj.weight")
	up := param(OpConv, "mlp.up_proj.weight")
	gated := b.add(OpGate, "", nil)
	down := param(OpConv, "mlp.down_proj.weight")
	sum2 := b.add(OpSum, "", nil)

	b.edge(prev, norm1)
	b.edge(prev, sum1)
	for _, proj := range []int{q, k, v} {
		b.edge(norm1, proj)
	}
	b.chain(q, rotQ, msa)
	b.chain(k, rotK, msa)
	b.edge(v, msa)
	b.chain(msa, o, sum1, norm2)
	b.edge(sum1, sum2)
	b.edge(norm2, gate)
	b.edge(norm2, up)
	b.edge(gate, gated)
	b.edge(up, gated)
	b.chain(gated, down, sum2)
	return sum2
}
