// Package params holds the parameters of target networks as named tensors, reads and writes
// them as safetensors files, initialises them as PyTorch would, and summarises and compares
// them.
//
// # Tensors and sets
//
// A [Tensor] is a name, a row-major shape and values stored in one of four dtypes: F32 (the
// working type), F64, F16 or BF16. [Tensor.Float32s] gives float32 values whatever the dtype
// (for F32 without a copy). A [Set] keeps tensors in insertion order with unique names: the
// order of arch.Arch.Params() for an initialised network, the order of the header for a file.
// [Set.Stats] and [Set.WriteSummary] give per-tensor mean, standard deviation, range and
// Frobenius norm; [Compare] gives the largest absolute and relative differences between two
// sets, per tensor and overall, and fails with the names that one set lacks.
//
// # safetensors
//
// Files follow the Hugging Face safetensors layout: an 8-byte little-endian header length, a
// JSON header mapping each name to {"dtype", "shape", "data_offsets"} (offsets relative to the
// data block) plus an optional "__metadata__" map of strings, padded with spaces to a multiple
// of 8, then the raw little-endian data (the reference fixtures, written by the Python library,
// are read in the tests). Non-float dtypes (I64, U8, ...) are recognised in headers and readable
// as raw bytes.
//
// Reading is lazy: [Open] reads and validates the header only, and [File.ReadTensor] reads one
// tensor's bytes, so taking one tensor from a 3 GB checkpoint costs that tensor. The header is
// checked as strictly as the reference implementation checks it (length bound, JSON, dtypes,
// shapes, offsets that tile the data block exactly) and for duplicate names; a corrupt or
// hostile file gives an error naming the problem, never a panic or an allocation larger than
// the file.
//
// Writing streams: [Create] takes every tensor's name, dtype and shape up front and writes the
// header; the data is then written tensor by tensor ([Writer.WriteTensor],
// [Writer.WriteFloat32]) or in pieces ([Writer.TensorWriter]), so a model never has to be held
// in memory twice. [Writer.Close] verifies the sizes and renames a synced temporary file into
// place, so a crash never leaves a partial file under the final name. [Save] and [Load] handle
// a whole [Set].
//
// # Model directories
//
// [WriteModel] writes a model in a [Format]: a bare safetensors file, a Hugging Face GPT-2 or
// Llama directory ([FormatHF]: model.safetensors, config.json with the architecture's
// GPT2Config ([NewHFGPT2Config]) or LlamaConfig ([NewHFLlamaConfig]) and
// generation_config.json) or a torchvision ViT directory ([FormatTorchvision]:
// model.safetensors and vit_args.json, [NewTorchvisionViTArgs]). In Python:
//
//	model = transformers.AutoModelForCausalLM.from_pretrained(dir)  # GPT-2 or Llama
//
//	m = torchvision.models.VisionTransformer(**json.load(open(f"{dir}/vit_args.json")))
//	m.load_state_dict(safetensors.torch.load_file(f"{dir}/model.safetensors"), strict=True)
//
// (torchvision hard-codes 3 input channels: a "channels" entry must be popped and conv_proj
// replaced by nn.Conv2d(channels, hidden_dim, patch_size, patch_size) first.)
// [ResolveModelFile] reads such a directory back: it checks config.json / vit_args.json against
// the architecture, naming the first field that differs, and returns its model.safetensors.
// [LlamaFromHFConfig] turns a published Llama config.json (transformers 4.43 LlamaConfig, with
// its defaults for absent keys) into an arch.Llama.
//
// # Initialisation
//
// [Init] draws the parameters of an arch.ViT, arch.GPT2 or arch.Llama from the distributions
// PyTorch uses at construction ([InitRuleFor] says which):
//
//	torchvision VisionTransformer
//	  class_token                      zeros
//	  conv_proj.weight                 trunc_normal(std=√(1/(channels·patch²)), cut at ±2)
//	  conv_proj.bias                   zeros
//	  encoder.pos_embedding            normal(std=0.02)
//	  self_attention.in_proj_weight    xavier_uniform over the (3D, D) matrix; in_proj_bias zeros
//	  self_attention.out_proj.weight   U(±1/√D) (nn.Linear's default); out_proj.bias zeros
//	  mlp.{0,3}.weight                 xavier_uniform; mlp.{0,3}.bias normal(std=1e-6)
//	  LayerNorm weight, bias           ones, zeros
//	  heads.head.weight, bias          zeros
//
//	Hugging Face GPT2LMHeadModel
//	  wte, wpe, c_attn, c_fc, lm_head  normal(std=0.02)
//	  attn.c_proj and mlp.c_proj       normal(std=0.02/√(2·n_layer))
//	  biases                           zeros
//	  LayerNorm weight, bias           ones, zeros
//
//	Hugging Face LlamaForCausalLM
//	  embed_tokens, q/k/v/o_proj,      normal(std=0.02)
//	  gate/up/down_proj, lm_head
//	  RMSNorm weights                  ones
//
// The values are deterministic in the seed (math/rand/v2 PCG, one stream per tensor keyed by
// its name) but are not the numbers torch.manual_seed would produce: the distributions match,
// the sequences do not.
//
// This package does not import GoMLX: the packages that build graphs convert its tensors.
package params
