package params

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/logah-go/logah/logah/arch"
)

// Distribution is the family of an [InitRule].
type Distribution int

// Distributions used by the PyTorch initialisers reproduced here.
const (
	Zeros       Distribution = iota // every element 0
	Ones                            // every element 1
	Normal                          // N(0, Std²)
	TruncNormal                     // N(0, Std²) truncated to [-Bound, Bound] (torch.nn.init.trunc_normal_)
	Uniform                         // U(-Bound, Bound)
)

// InitRule says how one parameter tensor is initialised.
type InitRule struct {
	Dist  Distribution
	Std   float64 // standard deviation before truncation (Normal, TruncNormal)
	Bound float64 // half-width (Uniform) or absolute cut-off (TruncNormal)
}

// String writes the rule the way PyTorch code would name it, e.g. "normal(std=0.02)".
func (r InitRule) String() string {
	switch r.Dist {
	case Zeros:
		return "zeros"
	case Ones:
		return "ones"
	case Normal:
		return fmt.Sprintf("normal(std=%.4g)", r.Std)
	case TruncNormal:
		return fmt.Sprintf("trunc_normal(std=%.4g, a=%.4g, b=%.4g)", r.Std, -r.Bound, r.Bound)
	case Uniform:
		return fmt.Sprintf("uniform(%.4g, %.4g)", -r.Bound, r.Bound)
	}
	return fmt.Sprintf("Distribution(%d)", int(r.Dist))
}

// ExpectedStd is the standard deviation of the rule's distribution (ignoring truncation, which
// the rules used here place many standard deviations out).
func (r InitRule) ExpectedStd() float64 {
	switch r.Dist {
	case Normal, TruncNormal:
		return r.Std
	case Uniform:
		return r.Bound / math.Sqrt(3)
	}
	return 0
}

// InitRuleFor returns the rule PyTorch applies to parameter p of architecture a at
// construction: torchvision's VisionTransformer for [arch.ViT], Hugging Face's GPT2LMHeadModel
// for [arch.GPT2] and LlamaForCausalLM for [arch.Llama] (see the package documentation for the
// table).
func InitRuleFor(a arch.Arch, p arch.ParamSpec) (InitRule, error) {
	switch v := a.(type) {
	case arch.ViT:
		return vitRule(v, p)
	case arch.GPT2:
		return gpt2Rule(v, p)
	case arch.Llama:
		return llamaRule(v, p)
	}
	return InitRule{}, fmt.Errorf("params: no initialiser for architecture %T (%v): use arch.ViT, arch.GPT2 or arch.Llama", a, a)
}

// Init returns freshly initialised parameters for a, named, shaped and ordered as a.Params(),
// all F32, drawn as PyTorch draws them at construction (see [InitRuleFor]). The result is
// deterministic in seed.
//
// The random numbers come from math/rand/v2's PCG, seeded per tensor from seed and the tensor's
// name, so each tensor's values do not depend on the other tensors. They follow the same
// distributions as PyTorch but are not the same numbers as torch.manual_seed(seed) would give.
func Init(a arch.Arch, seed uint64) (*Set, error) {
	s := NewSet()
	if err := InitEach(a, seed, s.Add); err != nil {
		return nil, err
	}
	return s, nil
}

// InitEach initialises the parameters of a, one tensor at a time in a.Params() order, and passes
// each to fn, stopping at the first error. The values are those of [Init] with the same seed.
// With a [Writer] it saves a freshly initialised model larger than memory:
//
//	err := params.InitEach(a, seed, w.WriteTensor)
func InitEach(a arch.Arch, seed uint64, fn func(*Tensor) error) error {
	if a == nil {
		return fmt.Errorf("params: Init: nil architecture")
	}
	if err := a.Validate(); err != nil {
		return err
	}
	for _, p := range a.Params() {
		rule, err := InitRuleFor(a, p)
		if err != nil {
			return err
		}
		t, err := NewTensor(p.Name, F32, p.Shape)
		if err != nil {
			return err
		}
		fill(t.f32, rule, tensorRNG(seed, p.Name))
		if err := fn(t); err != nil {
			return err
		}
	}
	return nil
}

// tensorRNG is the generator of one tensor: PCG seeded with the user's seed and a hash of the
// tensor's name.
func tensorRNG(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// fill draws every element of x from rule.
func fill(x []float32, rule InitRule, r *rand.Rand) {
	switch rule.Dist {
	case Zeros:
		clear(x)
	case Ones:
		for i := range x {
			x[i] = 1
		}
	case Normal:
		for i := range x {
			x[i] = float32(rule.Std * r.NormFloat64())
		}
	case Uniform:
		for i := range x {
			x[i] = float32(rule.Bound * (2*r.Float64() - 1))
		}
	case TruncNormal:
		// The inverse-CDF method of torch.nn.init.trunc_normal_: a uniform draw between the
		// images of the bounds under 2Φ-1, mapped back through erfinv, then clamped.
		cdf := func(x float64) float64 { return (1 + math.Erf(x/math.Sqrt2)) / 2 }
		lo, hi := 2*cdf(-rule.Bound/rule.Std)-1, 2*cdf(rule.Bound/rule.Std)-1
		for i := range x {
			v := math.Erfinv(lo+(hi-lo)*r.Float64()) * rule.Std * math.Sqrt2
			x[i] = float32(min(max(v, -rule.Bound), rule.Bound))
		}
	}
}
