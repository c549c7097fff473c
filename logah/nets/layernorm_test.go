package nets

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/logah-go/logah/logah/backend"
)

// TestLayerNormGradients compares layerNorm's value and hand-written gradient (float64) with
// GoMLX's differentiation of the decomposed LayerNorm, written out here: rows of very different
// scales (some with a variance far below eps, where eps matters), a non-trivial γ and β, and
// a loss Σ y ⊙ c with random c.
func TestLayerNormGradients(t *testing.T) {
	const rows, d = 6, 5
	r := rand.New(rand.NewPCG(3, 11))
	randn := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * r.NormFloat64()
		}
		return v
	}
	var x []float64
	for i, scale := range []float64{1, 30, 1e-3, 0.05, 2, 1e-4} { // eps = 1e-2 below
		row := randn(d, scale)
		row[0] += float64(i) // a mean to remove
		x = append(x, row...)
	}
	gamma, beta, c := randn(d, 1), randn(d, 1), randn(rows*d, 1)
	for i := range gamma {
		gamma[i] += 1
	}
	for _, eps := range []float64{1e-2, ViTLayerNormEps} {
		decomposed := func(x, gamma, beta *Node) *Node {
			mean := ReduceAndKeep(x, ReduceMean, -1)
			centered := Sub(x, mean)
			variance := ReduceAndKeep(Square(centered), ReduceMean, -1)
			return Add(Mul(Div(centered, Sqrt(AddScalar(variance, eps))), ExpandLeftToRank(gamma, 3)), ExpandLeftToRank(beta, 3))
		}
		exec := MustNewExec(backend.MustDefault(), func(x, gamma, beta, c *Node) []*Node {
			var outs []*Node
			for _, ln := range []func(x, gamma, beta *Node) *Node{
				func(x, gamma, beta *Node) *Node { return layerNorm(x, gamma, beta, eps) },
				decomposed,
			} {
				y := ln(x, gamma, beta)
				outs = append(outs, y)
				outs = append(outs, Gradient(ReduceAllSum(Mul(y, c)), x, gamma, beta)...)
			}
			return outs
		})
		outs := exec.MustCall(tensorOf(x, dtypes.Float64, 2, rows/2, d), tensorOf(gamma, dtypes.Float64, d),
			tensorOf(beta, dtypes.Float64, d), tensorOf(c, dtypes.Float64, 2, rows/2, d))
		for i, name := range []string{"y", "dx", "dγ", "dβ"} {
			got, want := flat64(t, outs[i]), flat64(t, outs[4+i])
			for j := range want {
				if math.Abs(got[j]-want[j]) > 1e-10*max(1, math.Abs(want[j])) {
					t.Errorf("eps %g: %s[%d] = %.15g, decomposed autodiff %.15g", eps, name, j, got[j], want[j])
				}
			}
		}
		exec.Finalize()
	}
}
