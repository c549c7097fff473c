package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
)

// gradCheck compares the gradients of LossAndGradients (float64) with central finite
// differences on perEntry sampled entries of every parameter tensor. It returns the largest
// relative error over entries whose gradient is above 1e-7 and the largest absolute error.
func gradCheck(t *testing.T, a arch.Arch, vals map[string][]float64, inputs, labels *tensors.Tensor, perEntry int) {
	t.Helper()
	backend := backend.MustDefault()
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

// TestAttentionGradients checks attentionCore's hand-written gradient (float64, central
// differences) with and without the causal mask, score scaling and attention dropout; the
// dropout mask is fixed by a constant RNG state, so every evaluation drops the same entries.
func TestAttentionGradients(t *testing.T) {
	backend := backend.MustDefault()
	const b, h, s, d = 2, 2, 5, 3
	n := b * h * s * d
	r := rand.New(rand.NewPCG(5, 5))
	randVals := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.NormFloat64()
		}
		return v
	}
	weights := randVals() // loss = Σ out ⊙ weights
	for _, cfg := range []attentionConfig{
		{heads: h},
		{heads: h, causal: true, scaleScores: true},
		{heads: h, causal: true, dropout: 0.3},
		{heads: h, dropout: 0.5, scaleScores: true},
	} {
		lossOf := func(q, k, v, w *Node) *Node {
			c := cfg
			if c.dropout > 0 {
				c.rng = &RNG{State: RNGStateFromSeedForGraph(q.Graph(), 17)}
			}
			return ReduceAllSum(Mul(attentionCore(q, k, v, c), w))
		}
		gradExec := MustNewExec(backend, func(q, k, v, w *Node) []*Node {
			loss := lossOf(q, k, v, w)
			return append([]*Node{loss}, Gradient(loss, q, k, v)...)
		})
		lossExec := MustNewExec(backend, lossOf)
		vals := [][]float64{randVals(), randVals(), randVals()}
		args := func(vs [][]float64) []any {
			out := []any{}
			for _, v := range vs {
				out = append(out, tensorOf(v, dtypes.Float64, b, h, s, d))
			}
			return append(out, tensorOf(weights, dtypes.Float64, b, h, s, d))
		}
		outs := gradExec.MustCall(args(vals)...)
		maxRel := 0.0
		for which := range 3 {
			analytic := flat64(t, outs[1+which])
			for i := 0; i < n; i += 7 {
				eval := func(delta float64) float64 {
					vs := [][]float64{vals[0], vals[1], vals[2]}
					vs[which] = append([]float64(nil), vals[which]...)
					vs[which][i] += delta
					return lossExec.MustCall1(args(vs)...).Value().(float64)
				}
				maxRel = max(maxRel, checkCentralDifference(t, eval, analytic[i], fmt.Sprintf("%+v: d/d%c[%d]", cfg, "qkv"[which], i)))
			}
		}
		t.Logf("causal=%v scaleScores=%v dropout=%.1f: max relative error %.3g", cfg.causal, cfg.scaleScores, cfg.dropout, maxRel)
		gradExec.Finalize()
		lossExec.Finalize()
	}
}

// TestSelfAttentionGradients checks selfAttention's hand-written gradient with respect to the
// packed projections (float64, central differences at every entry), for the configurations of
// TestAttentionGradients.
func TestSelfAttentionGradients(t *testing.T) {
	backend := backend.MustDefault()
	const b, s, heads, width = 2, 5, 2, 6
	n := b * s * 3 * width
	r := rand.New(rand.NewPCG(6, 6))
	qkv, weights := make([]float64, n), make([]float64, b*s*width)
	for i := range qkv {
		qkv[i] = r.NormFloat64()
	}
	for i := range weights {
		weights[i] = r.NormFloat64()
	}
	for _, cfg := range []attentionConfig{
		{heads: heads},
		{heads: heads, causal: true, scaleScores: true},
		{heads: heads, causal: true, dropout: 0.3},
		{heads: heads, dropout: 0.5, scaleScores: true},
	} {
		lossOf := func(x, w *Node) *Node {
			c := cfg
			if c.dropout > 0 {
				c.rng = &RNG{State: RNGStateFromSeedForGraph(x.Graph(), 17)}
			}
			return ReduceAllSum(Mul(selfAttention(x, c), w))
		}
		gradExec := MustNewExec(backend, func(x, w *Node) []*Node {
			loss := lossOf(x, w)
			return []*Node{loss, Gradient(loss, x)[0]}
		})
		lossExec := MustNewExec(backend, lossOf)
		w := tensorOf(weights, dtypes.Float64, b, s, width)
		analytic := flat64(t, gradExec.MustCall(tensorOf(qkv, dtypes.Float64, b, s, 3*width), w)[1])
		maxRel := 0.0
		for i := range n {
			eval := func(delta float64) float64 {
				x := append([]float64(nil), qkv...)
				x[i] += delta
				return lossExec.MustCall1(tensorOf(x, dtypes.Float64, b, s, 3*width), w).Value().(float64)
			}
			maxRel = max(maxRel, checkCentralDifference(t, eval, analytic[i], fmt.Sprintf("%+v: d/dqkv[%d]", cfg, i)))
		}
		t.Logf("causal=%v scaleScores=%v dropout=%.1f: max relative error %.3g", cfg.causal, cfg.scaleScores, cfg.dropout, maxRel)
		gradExec.Finalize()
		lossExec.Finalize()
	}
}

// TestGeluGradients checks the hand-written gradients of geluExact and geluTanh against the
// analytic derivatives c(x) + x·c'(x), in float64 and float32, at zero (where c is not y/x), at
// tiny and large arguments of both signs, and checks the values: PyTorch's x·Φ(x) and Hugging
// Face's gelu_new.
func TestGeluGradients(t *testing.T) {
	backend := backend.MustDefault()
	xs := []float64{0, 1e-30, -1e-30, 1e-4, -0.7, 0.5, 1.5, -3, 3, -8, 8, -20, 20}
	const k = 0.044715
	s := math.Sqrt(2 / math.Pi)
	forms := []struct {
		name string
		fn   func(*Node) *Node
		c    func(x float64) float64 // y = x·c(x)
		dc   func(x float64) float64
	}{
		{"exact", geluExact,
			func(x float64) float64 { return 0.5 * (1 + math.Erf(x/math.Sqrt2)) },
			func(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }},
		{"tanh", geluTanh,
			func(x float64) float64 { return 0.5 * (1 + math.Tanh(s*(x+k*x*x*x))) },
			func(x float64) float64 {
				th := math.Tanh(s * (x + k*x*x*x))
				return 0.5 * (1 - th*th) * s * (1 + 3*k*x*x)
			}},
	}
	for _, f := range forms {
		exec := MustNewExec(backend, func(x *Node) []*Node {
			y := f.fn(x)
			return []*Node{y, Gradient(ReduceAllSum(y), x)[0]}
		})
		for _, dt := range []dtypes.DType{dtypes.Float64, dtypes.Float32} {
			tol := 1e-12
			if dt == dtypes.Float32 {
				tol = 1e-6
			}
			outs := exec.MustCall(tensorOf(xs, dt, len(xs)))
			y, g := flat64(t, outs[0]), flat64(t, outs[1])
			for i, x := range xs {
				if want := x * f.c(x); math.Abs(y[i]-want) > tol*max(1, math.Abs(want)) {
					t.Errorf("%s %s gelu(%g) = %.10g, want %.10g", f.name, dt, x, y[i], want)
				}
				if want := f.c(x) + x*f.dc(x); math.Abs(g[i]-want) > tol*max(1, math.Abs(want)) || math.IsNaN(g[i]) {
					t.Errorf("%s %s gelu'(%g) = %.10g, want %.10g", f.name, dt, x, g[i], want)
				}
			}
		}
	}
}

// checkCentralDifference compares an analytic derivative with the central difference of eval
// (the loss with one entry moved by delta) in float64, reports a mismatch under what, and returns
// the relative error (0 where both are below 1e-7).
func checkCentralDifference(t *testing.T, eval func(delta float64) float64, analytic float64, what string) float64 {
	t.Helper()
	numeric := (eval(1e-6) - eval(-1e-6)) / 2e-6
	diff := math.Abs(numeric - analytic)
	scale := max(math.Abs(numeric), math.Abs(analytic))
	if diff > 1e-6*scale+1e-8 {
		t.Errorf("%s: analytic %.10g, numeric %.10g", what, analytic, numeric)
	}
	if scale > 1e-7 {
		return diff / scale
	}
	return 0
}
