package nets

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
)

// randomValues draws deterministic parameter values with role-dependent scales that keep
// activations O(1) (so finite differences and comparisons are meaningful).
func randomValues(a arch.Arch, seed uint64) map[string][]float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	out := map[string][]float64{}
	for _, p := range a.Params() {
		n := int(p.Size())
		v := make([]float64, n)
		var base, scale float64
		switch p.Role {
		case arch.RoleNormWeight:
			base, scale = 1, 0.1
		case arch.RoleNormBias, arch.RoleBias, arch.RoleClassifierBias, arch.RoleClassToken, arch.RolePosEmbedding:
			scale = 0.1
		case arch.RoleEmbedding:
			scale = 0.5
		default: // weights: ~1/√fan_in
			fanIn := p.Shape[len(p.Shape)-1]
			if len(p.Shape) == 4 {
				fanIn = p.Shape[1] * p.Shape[2] * p.Shape[3]
			}
			if _, isGPT := a.(arch.GPT2); isGPT && p.Role == arch.RoleLinear {
				fanIn = p.Shape[0] // Conv1D (in, out)
			}
			scale = 1 / math.Sqrt(float64(fanIn))
		}
		for i := range v {
			v[i] = base + scale*r.NormFloat64()
		}
		out[p.Name] = v
	}
	return out
}

// toTensors converts parameter values to tensors of the given dtype (Float32 or Float64).
func toTensors(a arch.Arch, vals map[string][]float64, dtype dtypes.DType) map[string]*tensors.Tensor {
	out := map[string]*tensors.Tensor{}
	for _, p := range a.Params() {
		out[p.Name] = tensorOf(vals[p.Name], dtype, p.Shape...)
	}
	return out
}

func tensorOf(v []float64, dtype dtypes.DType, dims ...int) *tensors.Tensor {
	if dtype == dtypes.Float64 {
		return tensors.FromFlatDataAndDimensions(append([]float64(nil), v...), dims...)
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensors.FromFlatDataAndDimensions(f, dims...)
}

// randomParams returns float32 parameter tensors.
func randomParams(a arch.Arch, seed uint64) map[string]*tensors.Tensor {
	return toTensors(a, randomValues(a, seed), dtypes.Float32)
}

func cloneParams(p map[string]*tensors.Tensor) map[string]*tensors.Tensor {
	out := make(map[string]*tensors.Tensor, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

func shapesOf(t testing.TB, dims []int) shapes.Shape {
	t.Helper()
	return shapes.Make(dtypes.Float32, dims...)
}

// randomImages returns (B, C, S, S) images with N(0,1) pixels, as float64 values.
func randomImages(cfg arch.ViT, batch int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 11))
	v := make([]float64, batch*cfg.Channels*cfg.ImageSize*cfg.ImageSize)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// randomTokens returns (B, T) token ids in [0, vocab).
func randomTokens(batch, t, vocab int, seed uint64) [][]int32 {
	r := rand.New(rand.NewPCG(seed, 13))
	out := make([][]int32, batch)
	for b := range out {
		out[b] = make([]int32, t)
		for i := range out[b] {
			out[b][i] = int32(r.IntN(vocab))
		}
	}
	return out
}

// logSumExp is log Σ exp(row), computed stably in float64 (for the host-side loss references).
func logSumExp(row []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = max(mx, v)
	}
	z := 0.0
	for _, v := range row {
		z += math.Exp(v - mx)
	}
	return math.Log(z) + mx
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// flat64 copies a float32 or float64 tensor into float64s.
func flat64(t testing.TB, x *tensors.Tensor) []float64 {
	t.Helper()
	switch x.DType() {
	case dtypes.Float64:
		return tensors.MustCopyFlatData[float64](x)
	case dtypes.Float32:
		f := tensors.MustCopyFlatData[float32](x)
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out
	}
	t.Fatalf("unexpected dtype %s", x.DType())
	return nil
}
