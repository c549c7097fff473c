package experiment

import (
	"fmt"
	"math"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

// perturbed reports whether in changes its starting weights before fine-tuning.
func (in Init) perturbed() bool { return (in.Scale != 0 && in.Scale != 1) || in.Noise != 0 }

// checkPerturbation rejects what Scale and Noise cannot mean.
func (in Init) checkPerturbation() error {
	for _, v := range []struct {
		name  string
		value float64
	}{{"scale", in.Scale}, {"noise", in.Noise}} {
		if v.value < 0 || math.IsNaN(v.value) || math.IsInf(v.value, 0) {
			return fmt.Errorf("initialisation %q: %s %g must be a finite number ≥ 0", in.Name, v.name, v.value)
		}
	}
	if in.perturbed() && in.GHN == nil && in.Params == "" {
		return fmt.Errorf("initialisation %q: scale and noise apply to predicted or loaded parameters, not to random initialisation", in.Name)
	}
	return nil
}

// perturbWeights replaces every weight tensor of set (rank ≥ 2: linear, convolution and
// embedding weights, positional embeddings, class tokens; not norms or biases) w by
// scale·w + noise·r, r being the same tensor of a's random initialisation drawn with seed:
// the starting point of the random baseline of that seed, so the noise has each layer's own
// scale. scale 0 means 1.
func perturbWeights(set *params.Set, a arch.Arch, seed uint64, scale, noise float64) error {
	if scale == 0 {
		scale = 1
	}
	var random *params.Set
	if noise != 0 {
		var err error
		if random, err = params.Init(a, seed); err != nil {
			return err
		}
	}
	for _, name := range set.Names() {
		t, err := set.Get(name)
		if err != nil {
			return err
		}
		if t.Rank() < 2 {
			continue
		}
		w := append([]float32(nil), t.Float32s()...)
		for i := range w {
			w[i] *= float32(scale)
		}
		if random != nil {
			r, err := random.Get(name)
			if err != nil {
				return fmt.Errorf("noise for %s: %w", name, err)
			}
			if r.Len() != len(w) {
				return fmt.Errorf("noise for %s: the random initialisation has %d values, the parameters %d", name, r.Len(), len(w))
			}
			for i, v := range r.Float32s() {
				w[i] += float32(noise) * v
			}
		}
		scaled, err := params.FromFloat32(name, t.Shape(), w)
		if err != nil {
			return err
		}
		if err := set.Replace(scaled); err != nil {
			return err
		}
	}
	return nil
}
