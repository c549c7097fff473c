// Package ghn is the LoGAH graph hypernetwork (Zhou et al., arXiv 2405.16287) and its GHN-3
// baseline: it reads the computational graph of a ViT, GPT-2 or Llama (logah/netgraph) and predicts
// every parameter tensor of the network, reproducing the authors' PyTorch code (Blackzxy/LoGAH,
// on top of facebookresearch/ppuda) to float32 round-off.
//
// # The model
//
//	graph ─► encoder ─► node embeddings ─► keys ─► decoder ─► crop ─► normalise ─► tile ─► tensors
//
// Encoder ([Encode], docs/method.md §2). Node i gets x_i = E_op[op_i] + concat(E_ch[c_out], E_ch[c_in],
// E_sp[k_h], E_sp[k_w]) — the shape of its parameter looked up in the channel and kernel
// vocabularies of [Config.Vocab] (exact entry; 4–7 channels → 8; kernel 2 → 3; otherwise the
// closest entry, ties to the smaller; above the largest → the largest; nodes without a
// parameter use an extra row). A stack of pre-LN Graphormer layers follows (QKV without bias,
// exact GELU, MLP ratio 4, LayerNorm eps 1e-5). Layer 0 first adds in-degree, out-degree
// (clipped to 100) and input-distance (clipped to 1000) embeddings and zeroes padded rows, and
// computes the attention bias e_ij = Linear(ReLU(Linear(E_edge[A_ij+2] ‖ E_edge[A_ji+2]))) ∈ ℝ^H,
// which every later layer reuses; masked logits (pairs with a padded node) are set to −32768. A
// final LayerNorm ends the encoder.
//
// Keys ([KeyFor], docs/method.md §3.1). Every parameter node is decoded by one batched call per key:
// channel counts are rounded against d_max (n ← min(n, d_max); n divisible by 3 → n/3·4;
// n ≥ d_max/2 → d_max) and the key is (c, 0) for 1-D tensors, (c, −1) for a classification bias,
// (C, D) for a classification weight, (c_out, c_in, k, k) for everything else — 2-D weights with
// k = 1, the ViT positional embedding (1, S, D) as (1, D, ⌊√S⌋, ⌊√S⌋) with D not rounded.
//
// LoGAH decoder (docs/method.md §3.3, [DecoderLoGAH]). m = MLP(z) (h → 4h → 8h → 2r², ReLU between) is
// viewed as (2r, r), Y = ReLU(m)·W_l2ᵀ + b_l2 ∈ ℝ^{2r×K}, and Y is re-viewed row-major (not
// transposed) as [A; Bᵀ] ∈ ℝ^{2K×r}; W = A[:c_out·k]·Bᵀ[:c_in·k]ᵀ has rank ≤ r and is rearranged
// to (c_out, c_in, k, k). A 1-D key (c, ·) decodes v = A[:2c]·Bᵀ[0] viewed (2, c): row 0 is a
// norm weight, row 1 a bias — the split is at the rounded c, so a 96-wide bias with key
// (256, 0) is v[256:352]. The positional embedding reads PE[1+p, i] = A[⌊p/s⌋]·Bᵀ[i·s + p mod s];
// its slot 0 (the class token's) is N(0, 0.02²) noise. Keys decide the shapes; the decoder
// network's MLP and ℓ2 are row-wise, so in training and in-memory prediction each runs once over
// the nodes of all keys (the values are those of one call per key, and each weight gets one
// gradient product instead of one per key). The rank-r product A·Bᵀ is then formed per node and
// only as large as the node's targets need, and only the rows of Y that reach those rows of A
// and Bᵀ are computed (the values are those of the full computation). Streaming prediction
// ([GHN.PredictToFile]) decodes key by key, to bound memory.
//
// GHN-3 decoder (docs/method.md §3.2, [DecoderGHN3]). fc: h → 4h·s² (ReLU) viewed (4h, s, s), a centred
// k×k crop, per position 4h → 8h (ReLU) → d², viewed (d, d, k, k); kernels above s are upsampled
// bilinearly; a classification weight takes the centre tap through ReLU and Linear d → C; 1-D
// tensors come from an MLP h → 2h → 2d (and ReLU + Linear d → C for a classification bias).
//
// Tiling (docs/method.md §3.4). A tensor wider than its decoded block repeats it: out[a, b, …] =
// w[a mod s₀, b mod s₁, …] (axis 0, then axis 1), e.g. GPT-2's 50257 vocabulary rows repeat
// with period d_max.
//
// Normalisation (docs/method.md §3.5, [NormRule]). 1-D: norm weights 2·σ(p/2), biases tanh(p/5).
// ≥2-D: [NormViT] multiplies by √(β/fan_in) (β = 2, or 1 for ≥3-D tensors with one input
// channel or k_h < k_w) and keeps the positional embedding raw; [NormGPTHead] (the default for
// GPT) rescales to std 0.02; [NormGPTPaper] is the fan rule of the paper-era code with c_proj
// weights further divided by √(2·n_layer). Embedding tables (wte, wpe, embed_tokens) are never
// normalised.
//
// # Llama
//
// [VariantGPT] (the authors' GHN3_GPT at HEAD) predicts every parameter of a Hugging Face
// LlamaForCausalLM (arch.Llama) from the graph Graph_LLM traces: its 18-op table has rows for
// rmsnorm, rot_emb and gate (ids 15–17); the 15-op [VariantViT] refuses a Llama, naming that fix.
// Keys follow the same min_sz rule (at d_max 256 they equal the reference's, testdata
// graphs_llama.json); an RMSNorm weight is a (c, 0) key whose bias slot is not used, as the
// reference skips it. Under NormGPTHead every projection and an untied lm_head is rescaled to std
// 0.02, RMSNorm weights become 2·σ(p/2) and embed_tokens stays raw; a tied Llama's shared tensor
// is decoded from its lm_head node and normalised as that Linear (as for tied GPT-2). Under
// NormGPTPaper the fan is nn.Linear's fan-in and o_proj is divided by √(2·num_hidden_layers)
// (the GPT-2 block HEAD keeps commented out names .c_proj.weight and .o_proj.weight). Every
// matrix of Llama-3.1-8B has both sides ≥ d_max/2 at d_max 2048, so all 226 of them share one
// key, (2048, 2048, 1, 1), and are tiled from 2048 × 2048 blocks.
//
// # Files
//
// [Open] is the one way to load a hypernetwork: a train-ghn / convert / init-ghn directory (its
// ghn.safetensors, or the newest intact checkpoint of a run that has not written it), a
// .safetensors file written by [GHN.Save] or a bare state_dict with a .json configuration
// beside it, or an authors' .pt checkpoint; [GHN.Origin] says which file was read. [New] builds
// one from a configuration and weights already in memory.
//
// # Weights and names
//
// Weights are named tensors with exactly the authors' state_dict names ([Config.Params]:
// embed.weight, shape_enc.embed_channel.weight, gnn.{k}.attn.to_qkv.weight, …,
// decoder.mlp.fc.{0,2,4}, decoder.l2). decoder.seq.1.* are aliases of decoder.l2.* ([Aliases]),
// and decoder.l1 (optional, [Config.KeepL1]), decoder_1d.0 and bias_class.1 exist only for
// checkpoint compatibility (ParamSpec.Used is false: no gradient). The GHN-3 decoder uses
// ppuda's names: decoder.fc.0, decoder.conv.{0,2}, decoder.class_layer_predictor.1,
// decoder_1d.fc.{0,2}, bias_class.1.
//
// The forward pass is functional: [Weights] maps names to *graph.Node, so the same code predicts
// from stored tensors ([GHN.Predict]) and trains: [PredictNodes] returns the predicted tensors
// of a [Batch] of architectures as nodes of the caller's graph (usable directly as
// nets.Weights), so a task loss differentiates back to the hypernetwork's variables.
//
// Predicted tensors carry the torchvision / Hugging Face names of arch.Arch.Params (LayerNorm
// biases come from their LN nodes); a ViT's class_token is zeros (torchvision's init; it is not
// predicted). [GHN.PredictToFile] streams a prediction into a safetensors file tensor by tensor,
// decoding key groups in bounded chunks and cropping, normalising and tiling on the host while
// writing, so GPT-2 Large (3.35 GB) or Llama-3.1-8B (16 GB in bfloat16) never sits in memory.
// PredictOptions.DType selects float32 or bfloat16 (rounded to nearest even) tensors.
//
// Executors: GoMLX caches compiled graphs by input shapes only (a batch captured by a graph
// function is not part of that key), so a [GHN] keeps one executor per (architecture batch,
// computation) in a bounded LRU cache ([GHN.SetCacheSize]).
//
// # Deviations and options
//
//   - Mixed-size batches are indexed correctly: node i of graph b is row b·NMax + i. The
//     reference gathers with cumulative offsets of unpadded graphs (wrong for the 2nd+ graph of
//     a batch with different node counts); predicting a batch equals predicting each alone.
//   - The class-token noise is reproducible (PredictOptions.Seed, [ClassNoise]) or injected
//     (PredictOptions.ClassNoise, NodeOptions.ClassNoise); the reference draws fresh torch noise
//     at every call.
//   - Normalisation is applied to the decoded block before tiling; it is elementwise, and the
//     HEAD rule's std is computed from the block with each entry weighted by its number of copies
//     (in float64), which equals the std of the tiled tensor.
//   - A 3-D tensor that is not a positional embedding with D ≥ 11 is kept raw by NormViT (the
//     reference raises an IndexError there).
//   - A tied GPT-2's shared tensor is predicted from the lm_head node (normalised as a Linear,
//     as the reference would) and named transformer.wte.weight.
//   - PredictOptions.ConnectLMHead wires ln_f → lm_head in untied GPT-2 graphs instead of the
//     reference's orphan lm_head (predictions then differ from the authors').
//   - [VariantGPT] is the HEAD GHN3_GPT (18 ops, vocabulary + {32000, 50257, 128256}); the
//     paper-era 15-op / 393-row GPT vocabulary is not modelled (its normalisation rule is).
//   - The GHN-3 decoder's bilinear upsampling works for any number of nodes (the reference
//     asserts one).
//   - [Init] draws from the reference's distributions; the sequences differ from torch's.
//   - This package imports logah/params (named sets, safetensors streaming writer) and
//     logah/checkpoint (training checkpoints, for [Open] of an unfinished run) although
//     docs/design.md lists them after ghn; they import neither GoMLX nor ghn, so there is no cycle.
//
// # Parity
//
// The tests read testdata/reference (each file checked against its MANIFEST.sha256; a missing
// or altered file fails them) and compare, in float32: x0 exactly; the edge bias, every Graphormer layer and the node embeddings of vit_d2,
// vit_d3_D96 and gpt2_b2_untied; every raw decoder output and pre-normalisation tensor; the
// predicted parameters under NormViT, NormGPTHead and NormGPTPaper (in-graph and streamed); and
// one training step (logits, losses, the gradient of every GHN weight), all within 1e-5.
//
// Build and test with GOEXPERIMENT=simd for the vectorised matrix products of GoMLX's pure-Go
// backend. [New] defaults to backend.Default: the patched engine with parallel node scheduling
// (see package backend).
package ghn
