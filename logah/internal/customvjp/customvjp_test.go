package customvjp

import (
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/backend"
)

// product is y = x·w (a (2, 3)·(3, 2) matrix product) with the gradients of a loss
// Σ y ⊙ c with respect to x and w, computed through Apply with the given vjp.
func product(t *testing.T, vjp func(x, w, adj *Node) []*Node) (y, dx, dw [][]float64) {
	t.Helper()
	exec := MustNewExec(backend.MustDefault(), func(x, w, c *Node) []*Node {
		out := Apply([]*Node{x, w, nil},
			func(in []*Node) *Node {
				if in[2] != nil {
					t.Error("a nil input reached forward as a node")
				}
				return MatMul(in[0], in[1])
			},
			func(adj *Node) []*Node { return append(vjp(x, w, adj), nil) })
		g := Gradient(ReduceAllSum(Mul(out, c)), x, w)
		return []*Node{out, g[0], g[1]}
	})
	outs := exec.MustCall(productInputs()...)
	return outs[0].Value().([][]float64), outs[1].Value().([][]float64), outs[2].Value().([][]float64)
}

// productInputs are x (2, 3), w (3, 2) and the loss weights c (2, 2) of every test here.
func productInputs() []any {
	return []any{
		tensors.FromValue([][]float64{{1, 2, 3}, {-1, 0.5, 2}}),
		tensors.FromValue([][]float64{{0.5, -1}, {2, 1}, {-0.25, 3}}),
		tensors.FromValue([][]float64{{1, -2}, {0.5, 3}}),
	}
}

// exactVJP is the true gradient of x·w: dx = adj·wᵀ, dw = xᵀ·adj.
func exactVJP(x, w, adj *Node) []*Node {
	return []*Node{
		MatMul(adj, Transpose(StopGradient(w), 0, 1)),
		MatMul(Transpose(StopGradient(x), 0, 1), adj),
	}
}

func TestApplyMatchesAutodiff(t *testing.T) {
	y, dx, dw := product(t, exactVJP)
	// The same computation without Apply, differentiated by GoMLX.
	exec := MustNewExec(backend.MustDefault(), func(x, w, c *Node) []*Node {
		out := MatMul(x, w)
		g := Gradient(ReduceAllSum(Mul(out, c)), x, w)
		return []*Node{out, g[0], g[1]}
	})
	outs := exec.MustCall(productInputs()...)
	for name, pair := range map[string][2][][]float64{
		"y": {y, outs[0].Value().([][]float64)}, "dx": {dx, outs[1].Value().([][]float64)}, "dw": {dw, outs[2].Value().([][]float64)},
	} {
		got, want := pair[0], pair[1]
		for i := range want {
			for j := range want[i] {
				if d := got[i][j] - want[i][j]; d > 1e-12 || d < -1e-12 {
					t.Errorf("%s[%d][%d] = %g, want %g", name, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
}

// The gradient comes from vjp, not from GoMLX's derivation: doubling the vjp doubles the
// gradients and leaves the value alone.
func TestApplyUsesTheGivenVJP(t *testing.T) {
	y1, dx1, dw1 := product(t, exactVJP)
	y2, dx2, dw2 := product(t, func(x, w, adj *Node) []*Node {
		g := exactVJP(x, w, adj)
		return []*Node{MulScalar(g[0], 2), MulScalar(g[1], 2)}
	})
	for i := range y1 {
		for j := range y1[i] {
			if y2[i][j] != y1[i][j] {
				t.Errorf("value changed with the vjp: y[%d][%d] %g vs %g", i, j, y2[i][j], y1[i][j])
			}
		}
	}
	for i := range dx1 {
		for j := range dx1[i] {
			if dx2[i][j] != 2*dx1[i][j] {
				t.Errorf("dx[%d][%d] = %g, want %g", i, j, dx2[i][j], 2*dx1[i][j])
			}
		}
	}
	for i := range dw1 {
		for j := range dw1[i] {
			if dw2[i][j] != 2*dw1[i][j] {
				t.Errorf("dw[%d][%d] = %g, want %g", i, j, dw2[i][j], 2*dw1[i][j])
			}
		}
	}
}
