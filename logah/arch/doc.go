// Package arch describes the target networks a LoGAH hypernetwork predicts: Vision
// Transformers with torchvision's VisionTransformer semantics, GPT-2 language models with
// Hugging Face's GPT2LMHeadModel semantics and Llama decoders with LlamaForCausalLM's (RMSNorm,
// rotary embeddings incl. the Llama-3 rule, grouped-query attention, SiLU-gated MLP).
//
// A configuration ([ViT], [GPT2] or [Llama]) is a small comparable value: it can key a map of
// compiled graphs, be written as JSON and be validated with errors that name the offending field. From a
// configuration the package derives the ordered table of parameters exactly as the PyTorch
// libraries name and shape them ([Arch.Params]), and the exact parameter count. For example
// torchvision's vit_b_16 has 86,567,656 parameters, GPT-2 Large (tied) 774,030,080 and
// Llama-3.1-8B 8,030,261,248.
//
// [Resolve] is the one way to turn what a user types into an architecture: a name or a JSON
// configuration file ([ResolveList] also reads a JSON list such as train-ghn's held_out.json).
//
// Named models ([Named]) cover ViT-S/B/L (CIFAR-100 and ImageNet variants), the four GPT-2
// sizes and Llama-2-7B, Llama-3.1-8B, Llama-3.2-1B and TinyLlama-1.1B. Families
// ([FamilyByName]) sample architectures: "vits1k" and "gpts1k" follow the distributions used to
// train LoGAH (ViTs-1K, GPTs-1K), "llamas1k" the authors' Llama generator,
// and "vits-mini" / "gpts-mini" / "llamas-mini" are CPU-scale families for Fashion-MNIST and
// small text corpora.
//
// Nothing here builds a computation graph: see package netgraph for the graph a hypernetwork
// reads and package nets for the differentiable forward passes.
package arch
