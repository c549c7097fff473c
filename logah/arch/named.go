package arch

import (
	"fmt"
	"sort"
	"strings"
)

// GPT-2 BPE vocabulary size and Hugging Face's default context length.
const (
	GPT2Vocab   = 50257
	GPT2Context = 1024
)

func vitCIFAR(depth, width, heads int) ViT {
	return ViT{ImageSize: 32, Channels: 3, Patch: 2, Depth: depth, Width: width, Heads: heads, MLPDim: 4 * width, Classes: 100}
}

func vitImageNet(depth, width, heads int) ViT {
	return ViT{ImageSize: 224, Channels: 3, Patch: 16, Depth: depth, Width: width, Heads: heads, MLPDim: 4 * width, Classes: 1000}
}

// Llama vocabularies: Llama 2 / TinyLlama (SentencePiece) and Llama 3 (tiktoken BPE).
const (
	Llama2Vocab = 32000
	Llama3Vocab = 128256
)

// llama2Like is a Llama-2-style model: 32,000 tokens, θ = 10⁴, no RoPE scaling, untied.
func llama2Like(layers, width, heads, kvHeads, inner, context int) Llama {
	return Llama{Layers: layers, Width: width, Heads: heads, KVHeads: kvHeads, Inner: inner, Vocab: Llama2Vocab,
		Context: context, NormEps: 1e-5, RopeTheta: 10000}
}

// llama3Like is a Llama-3.1/3.2 model: 128,256 tokens, θ = 5·10⁵, llama3 RoPE scaling,
// 131,072 positions.
func llama3Like(layers, width, heads, kvHeads, inner int, ropeFactor float64, tied bool) Llama {
	return Llama{Layers: layers, Width: width, Heads: heads, KVHeads: kvHeads, Inner: inner, Vocab: Llama3Vocab,
		Context: 131072, NormEps: 1e-5, RopeTheta: 500000, RopeScaling: Llama3RopeScaling(ropeFactor), Tied: tied}
}

func gpt2Size(layers, width, heads int, tied bool) GPT2 {
	return GPT2{Layers: layers, Width: width, Heads: heads, Inner: 4 * width, Vocab: GPT2Vocab, Context: GPT2Context, Tied: tied}
}

// named lists the models of docs/method.md §4.3 and three CPU-scale models ("vit-mini" for
// Fashion-MNIST, "gpt2-mini" with a byte vocabulary, "gpt2-mini-bpe" with GPT-2's). The ViT names without suffix are the CIFAR-100 variants
// used in LoGAH's evaluation (32×32 images, patch 2, 100 classes); "-imagenet" are torchvision's
// vit_*_16 (224×224, patch 16, 1000 classes). GPT-2 names follow Hugging Face (tied embeddings);
// "-untied" is the variant LoGAH predicts (a separate lm_head). Llama names follow the Hugging
// Face configs of meta-llama/Llama-2-7b-hf, Meta-Llama-3.1-8B, Llama-3.2-1B (tied) and
// TinyLlama-1.1B; "llama-mini" is a CPU-scale Llama with a byte vocabulary.
var named = map[string]Arch{
	"vit-s":          vitCIFAR(12, 384, 6),
	"vit-b":          vitCIFAR(12, 768, 12),
	"vit-l":          vitCIFAR(24, 1024, 16),
	"vit-s-imagenet": vitImageNet(12, 384, 6),
	"vit-b-imagenet": vitImageNet(12, 768, 12),
	"vit-l-imagenet": vitImageNet(24, 1024, 16),
	"gpt2":           gpt2Size(12, 768, 12, true),
	"gpt2-medium":    gpt2Size(24, 1024, 16, true),
	"gpt2-large":     gpt2Size(36, 1280, 20, true),
	"gpt2-xl":        gpt2Size(48, 1600, 25, true),
	// CPU-scale models of the vits-mini / gpts-mini families, for quick experiments.
	"vit-mini":       ViT{ImageSize: 28, Channels: 1, Patch: 4, Depth: 4, Width: 64, Heads: 4, MLPDim: 256, Classes: 10},
	"gpt2-mini":      GPT2{Layers: 4, Width: 64, Heads: 4, Inner: 256, Vocab: MiniVocab, Context: 128},
	"gpt2-mini-bpe":  GPT2{Layers: 4, Width: 64, Heads: 4, Inner: 256, Vocab: GPT2Vocab, Context: 128},
	"llama-2-7b":     llama2Like(32, 4096, 32, 32, 11008, 4096),
	"tinyllama-1.1b": llama2Like(22, 2048, 32, 4, 5632, 2048),
	"llama-3.1-8b":   llama3Like(32, 4096, 32, 8, 14336, 8, false),
	"llama-3.2-1b":   llama3Like(16, 2048, 32, 8, 8192, 32, true),
	"llama-mini": Llama{Layers: 4, Width: 64, Heads: 4, KVHeads: 2, Inner: 176, Vocab: MiniVocab, Context: 128,
		NormEps: 1e-5, RopeTheta: 10000},
}

// aliases maps other common spellings to a name in named.
var aliases = map[string]string{
	"vit_b_16": "vit-b-imagenet", "vit_l_16": "vit-l-imagenet", "vit-small": "vit-s", "vit-base": "vit-b",
	"vit-large": "vit-l", "gpt2-small": "gpt2", "gpt2-s": "gpt2", "gpt2-m": "gpt2-medium", "gpt2-l": "gpt2-large",
	"meta-llama/llama-2-7b-hf": "llama-2-7b", "llama-2-7b-hf": "llama-2-7b", "llama2-7b": "llama-2-7b",
	"meta-llama/meta-llama-3.1-8b": "llama-3.1-8b", "meta-llama/llama-3.1-8b": "llama-3.1-8b",
	"meta-llama-3.1-8b": "llama-3.1-8b", "llama3.1-8b": "llama-3.1-8b",
	"meta-llama/llama-3.2-1b": "llama-3.2-1b", "llama3.2-1b": "llama-3.2-1b",
	"tinyllama/tinyllama-1.1b-chat-v1.0": "tinyllama-1.1b", "tinyllama": "tinyllama-1.1b",
}

// Named returns the model registered under name (case-insensitive; Hugging Face ids such as
// "meta-llama/Llama-2-7b-hf" are accepted too). Every GPT-2 and Llama name also accepts an
// "-untied" suffix, e.g. "gpt2-large-untied" or "llama-3.2-1b-untied".
func Named(name string) (Arch, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	untied := false
	if strings.HasSuffix(key, "-untied") {
		key, untied = strings.TrimSuffix(key, "-untied"), true
	}
	if a, ok := aliases[key]; ok {
		key = a
	}
	a, ok := named[key]
	if !ok {
		return nil, fmt.Errorf("unknown model %q: known models are %s (GPT-2 and Llama names also take an -untied suffix)",
			name, strings.Join(Names(), ", "))
	}
	if !untied {
		return a, nil
	}
	switch v := a.(type) {
	case GPT2:
		v.Tied = false
		return v, nil
	case Llama:
		v.Tied = false
		return v, nil
	}
	return nil, fmt.Errorf("model %q: only GPT-2 and Llama models take the -untied suffix (%s has no lm_head)", name, a)
}

// Names lists the registered model names, sorted.
func Names() []string {
	names := make([]string, 0, len(named))
	for n := range named {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
