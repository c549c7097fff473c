package arch

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// Family is a distribution over architectures. Sampling is deterministic for a given seed
// (Go's PCG generator: the sequence differs from the numpy sequence of the reference scripts,
// but the distribution is the same).
type Family struct {
	// Name is how the family is looked up (see [FamilyByName]).
	Name string
	// Description is one line for listings.
	Description string
	// DefaultSize is the number of members of the fixed list (1000 for ViTs-1K / GPTs-1K).
	DefaultSize int
	// DefaultSeed is the seed of the fixed list (1, like the reference generators).
	DefaultSeed uint64

	draw func(r *rand.Rand) Arch
}

// Sampler returns an endless deterministic stream of architectures.
func (f Family) Sampler(seed uint64) func() Arch {
	r := rand.New(rand.NewPCG(seed, 0x10a4))
	return func() Arch { return f.draw(r) }
}

// Sample draws n architectures from the stream of the given seed (duplicates possible).
func (f Family) Sample(seed uint64, n int) []Arch {
	next := f.Sampler(seed)
	out := make([]Arch, n)
	for i := range out {
		out[i] = next()
	}
	return out
}

// Members is the family's fixed list: DefaultSize draws with DefaultSeed (the equivalent of the
// reference's stored ViTs-1K / GPTs-1K lists).
func (f Family) Members() []Arch { return f.Sample(f.DefaultSeed, f.DefaultSize) }

// Summary describes a list of architectures.
type Summary struct {
	Count                int
	Unique               int
	MinParams, MaxParams int64
	MedianParams         int64
	MinDepth, MaxDepth   int
	MinWidth, MaxWidth   int
	DepthHist, WidthHist map[int]int
}

// Summarize computes count, parameter range and median, and depth/width histograms.
func Summarize(archs []Arch) Summary {
	s := Summary{Count: len(archs), DepthHist: map[int]int{}, WidthHist: map[int]int{}}
	if len(archs) == 0 {
		return s
	}
	counts := make([]int64, len(archs))
	seen := map[Arch]bool{}
	for i, a := range archs {
		counts[i] = NumParams(a)
		seen[a] = true
		d, w := DepthWidth(a)
		s.DepthHist[d]++
		s.WidthHist[w]++
		if i == 0 || d < s.MinDepth {
			s.MinDepth = d
		}
		if d > s.MaxDepth {
			s.MaxDepth = d
		}
		if i == 0 || w < s.MinWidth {
			s.MinWidth = w
		}
		if w > s.MaxWidth {
			s.MaxWidth = w
		}
	}
	s.Unique = len(seen)
	slices.Sort(counts)
	s.MinParams, s.MaxParams = counts[0], counts[len(counts)-1]
	mid := len(counts) / 2
	if len(counts)%2 == 1 {
		s.MedianParams = counts[mid]
	} else {
		s.MedianParams = (counts[mid-1] + counts[mid]) / 2
	}
	return s
}

// DepthWidth returns the number of blocks and the embedding width of an architecture.
func DepthWidth(a Arch) (depth, width int) {
	switch v := a.(type) {
	case ViT:
		return v.Depth, v.Width
	case GPT2:
		return v.Layers, v.Width
	case Llama:
		return v.Layers, v.Width
	}
	return 0, 0
}

// uniform draws uniformly from vals.
func uniform(r *rand.Rand, vals []int) int { return vals[r.IntN(len(vals))] }

// steps returns lo, lo+step, …, hi.
func steps(lo, hi, step int) []int {
	var out []int
	for v := lo; v <= hi; v += step {
		out = append(out, v)
	}
	return out
}

// byDepth draws a depth uniform in 3–9, the rule the 1K families share (docs/method.md §4.1, §4.2,
// §4.2a), and returns it with what that depth selects: deep for 6–9 layers, mid for 4–5, shallow for 3.
func byDepth[T any](r *rand.Rand, deep, mid, shallow T) (int, T) {
	depth := 3 + r.IntN(7)
	switch {
	case depth >= 6:
		return depth, deep
	case depth >= 4:
		return depth, mid
	default:
		return depth, shallow
	}
}

// headRule is what a llamas1k depth selects: the number of heads and the head widths to draw from.
type headRule struct {
	heads  int
	widths []int
}

// vitHeads is ViTs-1K's head rule (docs/method.md §4.1).
func vitHeads(r *rand.Rand, width int) int {
	switch {
	case width%12 == 0:
		return uniform(r, []int{3, 6, 12})
	case width%6 == 0:
		return uniform(r, []int{3, 6})
	case width%3 == 0:
		return 3
	default:
		return uniform(r, []int{4, 8})
	}
}

// drawViTs1K draws one ViTs-1K member: depth, width, heads, patch in that order (docs/method.md §4.1).
func drawViTs1K(imagenet bool) func(r *rand.Rand) Arch {
	return func(r *rand.Rand) Arch {
		depth, widths := byDepth(r, steps(128, 256, 32), steps(256, 384, 32), steps(384, 512, 32))
		width := uniform(r, widths)
		heads := vitHeads(r, width)
		v := ViT{ImageSize: 32, Channels: 3, Depth: depth, Width: width, Heads: heads, MLPDim: 4 * width, Classes: 10}
		if imagenet {
			v.ImageSize, v.Classes, v.Patch = 224, 1000, uniform(r, []int{16, 32})
		} else {
			v.Patch = uniform(r, []int{2, 4})
		}
		return v
	}
}

// drawGPTs1K draws one GPTs-1K member (docs/method.md §4.2): untied, 8 heads, Hugging Face defaults.
func drawGPTs1K(r *rand.Rand) Arch {
	layers, widths := byDepth(r, steps(72, 176, 8), steps(128, 176, 8), steps(176, 256, 8))
	w := uniform(r, widths)
	return GPT2{Layers: layers, Width: w, Heads: 8, Inner: 4 * w, Vocab: GPT2Vocab, Context: GPT2Context}
}

// drawViTsMini draws a Fashion-MNIST-sized ViT: 28×28×1, depth 2–6, width 32–128 (step 16),
// heads ∈ {2,4,8} dividing the width with head width ≥ 8, patch 4 or 7, MLP 4·width, 10 classes.
func drawViTsMini(r *rand.Rand) Arch {
	depth := 2 + r.IntN(5)
	width := uniform(r, steps(32, 128, 16))
	var heads []int
	for _, h := range []int{2, 4, 8} {
		if width%h == 0 && width/h >= 8 {
			heads = append(heads, h)
		}
	}
	return ViT{ImageSize: 28, Channels: 1, Patch: uniform(r, []int{4, 7}), Depth: depth, Width: width,
		Heads: uniform(r, heads), MLPDim: 4 * width, Classes: 10}
}

// MiniVocab is the vocabulary of the gpts-mini family: byte-level tokens.
const MiniVocab = 256

// drawGPTsMini draws a small GPT-2: 2–4 layers, width 32–128 (step 8), 4 heads, context 128,
// byte-level vocabulary, untied lm_head (as LoGAH trains).
func drawGPTsMini(r *rand.Rand) Arch {
	layers := 2 + r.IntN(3)
	w := uniform(r, steps(32, 128, 8))
	return GPT2{Layers: layers, Width: w, Heads: 4, Inner: 4 * w, Vocab: MiniVocab, Context: 128}
}

// drawLlamas1K draws one member of the authors' Llama generator (llama_generator.py): the
// Llama-3.1-8B config (128,256 tokens, θ = 5·10⁵, llama3 RoPE scaling, untied) with 3–9 layers;
// 6–9 layers take 4 heads and 4–5 layers 6 heads of width 16–32 (step 2), 3 layers 8 heads of
// width 8–16; hidden = heads·head width, intermediate 4·hidden, key/value heads = heads. Like
// the generator, draws over 50 M parameters are rejected and drawn again.
func drawLlamas1K(r *rand.Rand) Arch {
	base, _ := Named("llama-3.1-8b")
	for {
		l := base.(Llama)
		var rule headRule
		l.Layers, rule = byDepth(r, headRule{4, steps(16, 32, 2)}, headRule{6, steps(16, 32, 2)}, headRule{8, steps(8, 16, 2)})
		l.Heads = rule.heads
		l.Width = l.Heads * uniform(r, rule.widths)
		l.KVHeads, l.Inner = l.Heads, 4*l.Width
		if NumParams(l) <= Llamas1KMaxParams {
			return l
		}
	}
}

// Llamas1KMaxParams is the size limit of the llamas1k generator (max_params in llama_generator.py).
const Llamas1KMaxParams = 50_000_000

// drawLlamasMini draws a small Llama: 2–4 layers, width 32–128 (step 16), 4 heads of even
// width sharing 1, 2 or 4 key/value heads, a gated MLP of about 8/3·width (rounded up to a
// multiple of 16, as Llama sizes its MLP), context 128, byte vocabulary, θ = 10⁴, untied.
func drawLlamasMini(r *rand.Rand) Arch {
	layers := 2 + r.IntN(3)
	w := uniform(r, steps(32, 128, 16))
	inner := (8*w/3 + 15) / 16 * 16
	return Llama{Layers: layers, Width: w, Heads: 4, KVHeads: uniform(r, []int{1, 2, 4}), Inner: inner,
		Vocab: MiniVocab, Context: 128, NormEps: 1e-5, RopeTheta: 10000}
}

var families = map[string]Family{
	"vits1k": {Name: "vits1k", Description: "ViTs-1K (CIFAR, 32×32×3, patch 2|4): depth 3–9, width 128–512 by depth, the training distribution of LoGAH",
		DefaultSize: 1000, DefaultSeed: 1, draw: drawViTs1K(false)},
	"vits1k-imagenet": {Name: "vits1k-imagenet", Description: "ViTs-1K for ImageNet (224×224×3, patch 16|32, 1000 classes)",
		DefaultSize: 1000, DefaultSeed: 1, draw: drawViTs1K(true)},
	"gpts1k": {Name: "gpts1k", Description: "GPTs-1K: GPT-2 with 3–9 layers, width 72–256 by depth, 8 heads, GPT-2 BPE, untied",
		DefaultSize: 1000, DefaultSeed: 1, draw: drawGPTs1K},
	"vits-mini": {Name: "vits-mini", Description: "CPU-scale ViTs for Fashion-MNIST (28×28×1): depth 2–6, width 32–128, patch 4|7",
		DefaultSize: 200, DefaultSeed: 1, draw: drawViTsMini},
	"gpts-mini": {Name: "gpts-mini", Description: "CPU-scale GPT-2s: 2–4 layers, width 32–128, 4 heads, context 128, byte vocabulary",
		DefaultSize: 200, DefaultSeed: 1, draw: drawGPTsMini},
	"llamas1k": {Name: "llamas1k", Description: "Llamas-1K (the authors' Llama generator): Llama-3.1-8B config with 3–9 layers, width 64–192, ≤ 50 M parameters, untied",
		DefaultSize: 1000, DefaultSeed: 1, draw: drawLlamas1K},
	"llamas-mini": {Name: "llamas-mini", Description: "CPU-scale Llamas: 2–4 layers, width 32–128, 4 heads over 1|2|4 key/value heads, context 128, byte vocabulary",
		DefaultSize: 200, DefaultSeed: 1, draw: drawLlamasMini},
}

// FamilyByName returns a registered family.
func FamilyByName(name string) (Family, error) {
	f, ok := families[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Family{}, fmt.Errorf("unknown family %q: known families are %s", name, strings.Join(FamilyNames(), ", "))
	}
	return f, nil
}

// FamilyNames lists the registered families, sorted.
func FamilyNames() []string {
	names := make([]string, 0, len(families))
	for n := range families {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ListFamily is a family that samples uniformly from a fixed list of architectures.
func ListFamily(name string, archs []Arch) Family {
	list := append([]Arch(nil), archs...)
	return Family{Name: name, Description: fmt.Sprintf("%d fixed architectures", len(list)), DefaultSize: len(list),
		DefaultSeed: 1, draw: func(r *rand.Rand) Arch { return list[r.IntN(len(list))] }}
}
