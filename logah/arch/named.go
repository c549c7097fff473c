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

func gpt2Size(layers, width, heads int, tied bool) GPT2 {
	return GPT2{Layers: layers, Width: width, Heads: heads, Inner: 4 * width, Vocab: GPT2Vocab, Context: GPT2Context, Tied: tied}
}

// named lists the models of docs/method.md §4.3 and three CPU-scale models ("vit-mini" for
// Fashion-MNIST, "gpt2-mini" with a byte vocabulary, "gpt2-mini-bpe" with GPT-2's). The ViT names without suffix are the CIFAR-100 variants
// used in LoGAH's evaluation (32×32 images, patch 2, 100 classes); "-imagenet" are torchvision's
// vit_*_16 (224×224, patch 16, 1000 classes). GPT-2 names follow Hugging Face (tied embeddings);
// "-untied" is the variant LoGAH predicts (a separate lm_head).
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
	"vit-mini":      ViT{ImageSize: 28, Channels: 1, Patch: 4, Depth: 4, Width: 64, Heads: 4, MLPDim: 256, Classes: 10},
	"gpt2-mini":     GPT2{Layers: 4, Width: 64, Heads: 4, Inner: 256, Vocab: MiniVocab, Context: 128},
	"gpt2-mini-bpe": GPT2{Layers: 4, Width: 64, Heads: 4, Inner: 256, Vocab: GPT2Vocab, Context: 128},
}

// aliases maps other common spellings to a name in named.
var aliases = map[string]string{
	"vit_b_16": "vit-b-imagenet", "vit_l_16": "vit-l-imagenet", "vit-small": "vit-s", "vit-base": "vit-b",
	"vit-large": "vit-l", "gpt2-small": "gpt2", "gpt2-s": "gpt2", "gpt2-m": "gpt2-medium", "gpt2-l": "gpt2-large",
}

// Named returns the model registered under name (case-insensitive). Every GPT-2 name also
// accepts an "-untied" suffix, e.g. "gpt2-large-untied".
func Named(name string) (Arch, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	untied := false
	if strings.HasPrefix(key, "gpt2") && strings.HasSuffix(key, "-untied") {
		key, untied = strings.TrimSuffix(key, "-untied"), true
	}
	if a, ok := aliases[key]; ok {
		key = a
	}
	a, ok := named[key]
	if !ok {
		return nil, fmt.Errorf("unknown model %q: known models are %s (GPT-2 names also take an -untied suffix)",
			name, strings.Join(Names(), ", "))
	}
	if g, isGPT := a.(GPT2); isGPT && untied {
		g.Tied = false
		return g, nil
	}
	return a, nil
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
