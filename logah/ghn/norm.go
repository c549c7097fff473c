package ghn

import (
	"math"
	"strings"

	"github.com/logah-go/logah/logah/arch"
)

// normKind is what the normalisation does to one tensor.
type normKind int

const (
	normRaw     normKind = iota // unchanged
	normScale                   // p·scale (then ÷ div when div ≠ 0)
	normSigmoid                 // 2·σ(0.5·p)
	normTanh                    // tanh(0.2·p)
	normStd                     // p/(std(p)+1e-7)·scale, std over the whole target tensor (unbiased)
)

// normOp is the normalisation of one target tensor (docs/method.md §3.5).
type normOp struct {
	kind  normKind
	scale float64
	div   float64
}

// stdEps is added to the std by the HEAD GPT rule.
const stdEps = 1e-7

// normFor decides how the target tensor (name, shape, role) of architecture a is normalised
// under cfg.Norm, following the reference's _set_params/_normalize:
//
//   - nothing for NormNone and for embedding tables (nn.Embedding is skipped by _set_params);
//   - 1-D: norm weights 2·σ(p/2), everything else tanh(p/5);
//   - ≥2-D, NormGPTHead: p/(std(p)+1e-7)·InitRange;
//   - ≥2-D, NormViT / NormGPTPaper: raw when sz[0] = 1 and sz[2] ≥ 11 for ≥3-D tensors (the ViT
//     positional embedding), else p·√(β/Π sz[1:]) with β = 1 when the tensor is ≥3-D and
//     sz[1] = 1 or sz[2] < sz[3], β = 2 otherwise; NormGPTPaper further divides the residual
//     projections (GPT-2 c_proj, Llama o_proj; see residualProjection) by √(2·n_layer).
//
// Llama follows the same table: embed_tokens (an nn.Embedding) stays raw, RMSNorm weights are
// norm weights (their bias slot is never used), every projection and an untied lm_head is ≥2-D.
// A tied Llama's or GPT-2's shared tensor comes with RoleClassifier (it sits in lm_head, a
// Linear; see makePlan), so it is normalised like one.
//
// A 3-D tensor that is not a positional embedding (impossible for ViT/GPT-2/Llama; the
// reference would fail on sz[3]) is kept raw.
func normFor(cfg Config, a arch.Arch, name string, shape []int, role arch.Role) normOp {
	if cfg.Norm == NormNone || role == arch.RoleEmbedding {
		return normOp{kind: normRaw}
	}
	if len(shape) == 1 {
		if role == arch.RoleNormWeight {
			return normOp{kind: normSigmoid}
		}
		return normOp{kind: normTanh}
	}
	if cfg.Norm == NormGPTHead {
		return normOp{kind: normStd, scale: cfg.InitRange}
	}
	sz := shape
	if len(sz) > 2 && sz[0] == 1 && sz[2] >= 11 {
		return normOp{kind: normRaw}
	}
	if len(sz) == 3 {
		return normOp{kind: normRaw}
	}
	beta := 2.0
	if len(sz) > 2 && (sz[1] == 1 || sz[2] < sz[3]) {
		beta = 1
	}
	fan := 1
	for _, d := range sz[1:] {
		fan *= d
	}
	op := normOp{kind: normScale, scale: math.Sqrt(beta / float64(fan))}
	if cfg.Norm == NormGPTPaper {
		if layers, ok := residualProjection(a, name); ok {
			op.div = math.Sqrt(2 * float64(layers))
		}
	}
	return op
}

// residualProjection tells whether the named tensor is a projection writing into the residual
// stream that NormGPTPaper further divides by √(2·n_layer), and returns n_layer: a GPT-2
// "…c_proj.weight" (attention and MLP; the paper-era rule), or a Llama "…o_proj.weight" — the
// suffixes of the GPT-2 block that HEAD's GHN3_GPT._normalize keeps commented out, where n_layer
// is num_hidden_layers. The paper-era code predates Llama, so the Llama case follows that block
// (down_proj is not divided).
func residualProjection(a arch.Arch, name string) (int, bool) {
	switch a := a.(type) {
	case arch.GPT2:
		return a.Layers, strings.HasSuffix(name, "c_proj.weight")
	case arch.Llama:
		return a.Layers, strings.HasSuffix(name, ".o_proj.weight")
	}
	return 0, false
}

// tileCounts returns, per axis, how many times each index of a block of size s appears in a
// target of size t (the block is repeated along the axis and cropped), or nil when s == t.
func tileCounts(s, t int) []float64 {
	if s >= t {
		return nil
	}
	c := make([]float64, s)
	for j := range c {
		c[j] = float64(t / s)
		if j < t%s {
			c[j]++
		}
	}
	return c
}

// tiledAxes lists the axes along which the reference tiles a block of shape s up to target t
// (_tile_params): axis 0, then axis 1, or for 3-D tensors axis 2 when axis 1 needs none.
func tiledAxes(s, t []int) []int {
	var axes []int
	if t[0] > s[0] {
		axes = append(axes, 0)
	}
	if len(t) > 1 {
		if t[1] > s[1] {
			axes = append(axes, 1)
		} else if len(t) == 3 && t[2] > s[2] {
			axes = append(axes, 2)
		}
	}
	return axes
}
