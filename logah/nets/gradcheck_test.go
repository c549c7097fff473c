package nets

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
)

// gradCheck compares the gradients of LossAndGradients (float64) with central finite
// differences on perEntry sampled entries of every parameter tensor. It returns the largest
// relative error over entries whose gradient is above 1e-7 and the largest absolute error.
func gradCheck(t *testing.T, a arch.Arch, vals map[string][]float64, inputs, labels *tensors.Tensor, perEntry int) {
	t.Helper()
	backend := gobackend.GetBackend()
	cache := NewExecCache(2)
	defer cache.Clear()
	params := toTensors(a, vals, dtypes.Float64)
	loss0, grads, err := LossAndGradients(backend, cache, a, params, inputs, labels)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(99, 1))
	const h = 1e-5
	maxRel, maxAbs, checked := 0.0, 0.0, 0
	for _, p := range a.Params() {
		analytic := flat64(t, grads[p.Name])
		base := vals[p.Name]
		for range perEntry {
			i := r.IntN(len(base))
			eval := func(delta float64) float64 {
				v := append([]float64(nil), base...)
				v[i] += delta
				perturbed := cloneParams(params)
				perturbed[p.Name] = tensorOf(v, dtypes.Float64, p.Shape...)
				l, err := Loss(backend, cache, a, perturbed, inputs, labels)
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			numeric := (eval(h) - eval(-h)) / (2 * h)
			diff := math.Abs(numeric - analytic[i])
			maxAbs = max(maxAbs, diff)
			scale := max(math.Abs(numeric), math.Abs(analytic[i]))
			if scale > 1e-7 {
				maxRel = max(maxRel, diff/scale)
			}
			checked++
			if diff > 1e-5*scale+1e-9 {
				t.Errorf("%s[%d]: analytic %.10g, numeric %.10g", p.Name, i, analytic[i], numeric)
			}
		}
	}
	if s := cache.Stats(); s.Misses != 2 {
		t.Errorf("expected 2 compiled graphs (loss, loss+grads), got %+v", s)
	}
	t.Logf("loss %.6f: %d entries, max relative error %.3g, max absolute error %.3g", loss0, checked, maxRel, maxAbs)
}

// TestViTGradients is a float64 finite-difference check of the ViT's gradients.
func TestViTGradients(t *testing.T) {
	cfg := arch.ViT{ImageSize: 8, Channels: 2, Patch: 4, Depth: 2, Width: 8, Heads: 2, MLPDim: 16, Classes: 3}
	vals := randomValues(cfg, 21)
	images := tensorOf(randomImages(cfg, 3, 4), dtypes.Float64, 3, cfg.Channels, cfg.ImageSize, cfg.ImageSize)
	labels := tensors.FromValue([]int32{2, 0, 1})
	gradCheck(t, cfg, vals, images, labels, 3)
}

// TestGPT2Gradients is a float64 finite-difference check of GPT-2's gradients, untied and tied.
func TestGPT2Gradients(t *testing.T) {
	for _, tied := range []bool{false, true} {
		cfg := arch.GPT2{Layers: 2, Width: 8, Heads: 2, Inner: 16, Vocab: 13, Context: 8, Tied: tied}
		t.Run(cfg.String(), func(t *testing.T) {
			vals := randomValues(cfg, 31)
			tokens := tensors.FromValue(randomTokens(2, 5, cfg.Vocab, 8))
			gradCheck(t, cfg, vals, tokens, nil, 3)
		})
	}
}
