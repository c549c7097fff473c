package ghn

import (
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/logah-go/logah/logah/params"
)

// Init draws the parameters of a new hypernetwork as the authors' constructors do (docs/method.md §2.3):
//
//   - every Linear: weight and bias U(−1/√fan_in, 1/√fan_in) (PyTorch's default);
//   - every embedding table (op, channel, spatial, degree, input distance and the edge table,
//     whose sinusoidal init the reference overwrites): truncated normal with std dim^−½, cut
//     at ±2 (absolute);
//   - LayerNorm weight 1, bias 0;
//   - GHN-3 decoder only: the last Linear of the conv decoder, of decoder_1d and of the class
//     layer predictor get their weight divided by 5 and their bias zeroed (_init_small).
//
// The values are deterministic in seed (a PCG stream per tensor, keyed by its name) but are
// not the numbers torch.manual_seed would give. Tensors are returned in [Config.Params] order.
func Init(cfg Config, seed uint64) (*params.Set, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	set := params.NewSet()
	for _, p := range cfg.Params() {
		data := make([]float32, p.Size())
		r := tensorRNG(seed, p.Name)
		switch p.Init {
		case InitLinearWeight, InitLinearBias:
			bound := 1 / math.Sqrt(float64(p.FanIn))
			for i := range data {
				data[i] = float32((2*r.Float64() - 1) * bound)
			}
			if p.Small {
				for i := range data {
					if p.Init == InitLinearWeight {
						data[i] /= 5
					} else {
						data[i] = 0
					}
				}
			}
		case InitEmbedding:
			std := 1 / math.Sqrt(float64(p.Shape[len(p.Shape)-1]))
			for i := range data {
				data[i] = float32(truncNormal(r, std, 2))
			}
		case InitOnes:
			for i := range data {
				data[i] = 1
			}
		case InitZeros:
		}
		if err := set.AddFloat32(p.Name, p.Shape, data); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// truncNormal draws N(0, std²) conditioned on |x| ≤ bound (rejection sampling, as
// torch.nn.init.trunc_normal_ with a = −bound, b = bound).
func truncNormal(r *rand.Rand, std, bound float64) float64 {
	for {
		x := r.NormFloat64() * std
		if x >= -bound && x <= bound {
			return x
		}
	}
}

// tensorRNG returns a PCG stream for one named tensor.
func tensorRNG(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
