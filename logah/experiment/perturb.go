package experiment

import (
	"fmt"
	"math"
	"strings"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

// perturbed reports whether in changes its starting weights before fine-tuning.
func (in Init) perturbed() bool {
	return (in.Scale != 0 && in.Scale != 1) || in.Noise != 0 || in.Redraw != ""
}

// redrawn reports whether the tensor name is one that in re-draws from random initialisation.
func (in Init) redrawn(name string) bool {
	for _, suffix := range in.redrawSuffixes() {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// redrawSuffixes splits Redraw into its tensor-name suffixes.
func (in Init) redrawSuffixes() []string {
	if in.Redraw == "" {
		return nil
	}
	return strings.Split(in.Redraw, "+")
}

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
	for _, suffix := range in.redrawSuffixes() {
		if suffix == "" {
			return fmt.Errorf("initialisation %q: redraw %q has an empty suffix (separate suffixes with a single +)", in.Name, in.Redraw)
		}
	}
	if in.perturbed() && in.GHN == nil && in.Params == "" {
		return fmt.Errorf("initialisation %q: scale, noise and redraw apply to predicted or loaded parameters, not to random initialisation", in.Name)
	}
	return nil
}

// perturbWeights changes set, the starting parameters of in on a, as in's Scale, Noise and
// Redraw say (see Init), r being a's random initialisation drawn with seed: the starting point
// of the random baseline of that seed, so the noise has each layer's own scale. Tensors that
// Redraw names become r's; every other weight tensor (rank ≥ 2: linear, convolution and
// embedding weights, positional embeddings, class tokens; not norms or biases) w becomes
// scale·w + noise·r.
func perturbWeights(set *params.Set, a arch.Arch, seed uint64, in Init) error {
	scale, noise := in.Scale, in.Noise
	if scale == 0 {
		scale = 1
	}
	var random *params.Set
	if noise != 0 || in.Redraw != "" {
		var err error
		if random, err = params.Init(a, seed); err != nil {
			return err
		}
	}
	redrawn := 0
	for _, name := range set.Names() {
		t, err := set.Get(name)
		if err != nil {
			return err
		}
		if in.redrawn(name) {
			r, err := random.Get(name)
			if err != nil {
				return fmt.Errorf("redraw %s: %w", name, err)
			}
			if err := set.Replace(r); err != nil {
				return err
			}
			redrawn++
			continue
		}
		if t.Rank() < 2 || (scale == 1 && noise == 0) {
			continue
		}
		w := append([]float32(nil), t.Float32s()...)
		for i := range w {
			w[i] *= float32(scale)
		}
		if noise != 0 {
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
	if in.Redraw != "" && redrawn == 0 {
		return fmt.Errorf("initialisation %q: redraw %q names no tensor of %s (GPT-2's output projections: redraw=%s)", in.Name, in.Redraw, a, AuthorsGPT2Redraw)
	}
	return nil
}
