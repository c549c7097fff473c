// Package nets holds differentiable forward passes of the target networks a LoGAH hypernetwork
// predicts: Vision Transformers with torchvision's VisionTransformer semantics ([ViTForward]),
// GPT-2 language models with Hugging Face's GPT2LMHeadModel semantics ([GPT2Forward]) and Llama
// language models with Hugging Face's LlamaForCausalLM semantics ([LlamaForward]).
//
// # Weights are graph nodes
//
// The forward passes own no variables. Every parameter tensor is a *graph.Node in a [Weights]
// map keyed by its PyTorch name, exactly as [arch.Arch.Params] lists it
// ("encoder.layers.encoder_layer_0.self_attention.in_proj_weight", "transformer.h.3.mlp.c_fc.weight",
// "model.layers.1.self_attn.k_proj.weight", …).
// The same code therefore runs on
//
//   - stored parameters fed as graph inputs (inference, evaluation, see [Logits] and [Loss]);
//   - a hypernetwork's predicted tensors inside the hypernetwork's own graph: the gradient of the
//     task loss flows through the target network into whatever produced the weight nodes;
//   - model variables' values (v.NodeValue(g)) when fine-tuning a target network directly.
//
// Weights are checked before anything is built: a missing tensor, a wrong shape or a non-float
// dtype is an error naming the tensor. Panics raised by GoMLX while building are converted to
// errors at the package boundary.
//
// # Semantics
//
// ViT (torchvision 0.14): conv_proj (kernel = stride = patch, with bias) computed as a
// patch-matrix product, class token prepended, positional embedding added, pre-LN encoder blocks
// x + out_proj(MHA(LN1(x))), x + mlp.3(GELU(mlp.0(LN2(x)))) with nn.MultiheadAttention's packed
// in_proj (rows [0,D) query, [D,2D) key, [2D,3D) value, contiguous heads, query scaled by
// 1/√head_dim before q·kᵀ), exact-erf GELU, LayerNorm eps 1e-6, final encoder.ln, token 0,
// heads.head.
//
// GPT-2 (Hugging Face): wte + wpe, pre-LN blocks with Conv1D weights stored (in, out), packed
// c_attn (q|k|v), causal attention scaled by 1/√head_dim, gelu_new (tanh approximation),
// LayerNorm eps 1e-5, dropout on embeddings, attention probabilities and both residual branches
// (training only), ln_f, and an lm_head tied to wte or separate.
//
// Llama (Hugging Face transformers 4.43, eager attention): embed_tokens, pre-norm blocks with
// RMSNorm w·x·rsqrt(mean(x²)+eps) (in float32 for half-precision weights), q/k/v projections
// stored (out, in) without biases, rotary embeddings rotating the two halves of each head
// (rotate_half, not interleaved pairs) with cos/sin tables computed in float32 as Hugging Face
// does from [arch.Llama.RopeInvFreq] (the llama3 rule included), grouped-query attention (each
// key/value head repeated for consecutive query heads, repeat_kv), causal softmax(q·kᵀ/√head_dim),
// o_proj, an MLP down(silu(gate(x))·up(x)), model.norm, and an lm_head tied to embed_tokens or
// separate. Llama has no dropout. [Logits], [Loss] and [LossAndGradients] treat a Llama as a
// GPT-2: tokens in, causal LM loss.
//
// Losses follow PyTorch: [CrossEntropy] is F.cross_entropy (batch mean, optional label
// smoothing); [CausalLMLoss] is Hugging Face's shifted next-token loss ([GPT2Loss] and
// [LlamaLoss] compute it without the unused last position).
//
// # Compiled graphs
//
// GoMLX caches a compiled graph by the shapes of its inputs only: a value captured by the graph
// function's closure (such as an architecture) is not part of that key. [ExecCache] keys
// executors by a comparable [ExecKey] (architecture value, mode, input shapes), bounds their
// number with an LRU policy and finalizes what it evicts.
//
// # Hand-written gradients
//
// Six parts are written for GoMLX's pure-Go backend rather than left to automatic
// differentiation, because the derived gradients do much more work there; each hand-written
// gradient is checked against finite differences or GoMLX's own derivation in the tests:
//
//   - attention: every batched product contracts the last axis of its left operand with the
//     second-to-last of its right one (the backend's fast layout), the key and value adjoints
//     are computed transposed so that no (B, H, S, S) matrix is transposed, the softmax is
//     computed once, fused, and one gradient covers the block from the packed q|k|v projections
//     to the concatenated heads (differentiating the split would pad each adjoint to the packed
//     shape and add them);
//   - the lm_head + next-token loss of GPT-2 and Llama ([GPT2Loss], [LlamaLoss]) and
//     [CausalLMLoss]: a fused softmax, the gradient (p - onehot)/N written directly, the lm_head
//     weight gradient computed without transposing the (tokens, vocabulary) matrix, and the rows
//     split into a few blocks whose single-threaded softmaxes run concurrently;
//   - both GELUs: the fused kernel gives the value and the gradient reuses it;
//   - dense layers (nn.Linear, Conv1D): the weight gradient transposes one operand, the one with
//     fewer columns, where GoMLX's gradient has the backend transpose both;
//   - LayerNorm: the closed form dx = r·(dy·γ − mean(dy·γ) − x̂·mean(dy·γ·x̂)), dγ = Σ dy·x̂,
//     dβ = Σ dy, with the mean and 1/σ recomputed once from x (the fused kernel does not return
//     them); Llama's RMSNorm likewise dx = r·(dy·w − x̂·mean(dy·w·x̂)), dw = Σ dy·x̂, with
//     r = 1/√(mean(x²)+eps) recomputed from x.
//
// [Linear], [LayerNorm] and [GELU] export the dense layer, LayerNorm and exact GELU with their
// hand-written gradients for other graphs (the hypernetwork of logah/ghn uses them).
//
// The hand-written gradients of GELU, dense layers, LayerNorm and RMSNorm are attached with
// logah/internal/customvjp's Fused, and those of attention and the losses with its Attach:
// neither adds anything to the forward pass but, for Attach, an identity the backend executes by
// handing its input's buffer over (customvjp.Apply's identities, and StopGradient, copy their
// input when it has other consumers).
//
// Build and test with GOEXPERIMENT=simd. What each of these choices saves, and the pitfalls of
// the pinned engine met on the way, are measured in docs/performance.md.
package nets
