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

// fusedProduct is product through Fused, also counting the operations reachable from its value.
func fusedProduct(t *testing.T, vjp func(x, w, adj *Node) []*Node) (y, dx, dw [][]float64, valueOps int) {
	t.Helper()
	exec := MustNewExec(backend.MustDefault(), func(x, w, c *Node) []*Node {
		out := Fused([]*Node{x, w},
			func(in []*Node) *Node { return MatMul(in[0], in[1]) },
			func(o, adj *Node) []*Node {
				if o == nil || !o.Shape().Equal(adj.Shape()) {
					t.Errorf("vjp got out %v for an adjoint of shape %s", o, adj.Shape())
				}
				return vjp(x, w, adj)
			})
		valueOps = reachable(out)
		g := Gradient(ReduceAllSum(Mul(out, c)), x, w)
		return []*Node{out, g[0], g[1]}
	})
	outs := exec.MustCall(productInputs()...)
	return outs[0].Value().([][]float64), outs[1].Value().([][]float64), outs[2].Value().([][]float64), valueOps
}

// reachable counts the non-parameter nodes out depends on.
func reachable(out *Node) int {
	seen := map[*Node]bool{}
	var visit func(n *Node)
	visit = func(n *Node) {
		if !seen[n] {
			seen[n] = true
			for _, in := range n.Inputs() {
				visit(in)
			}
		}
	}
	visit(out)
	n := 0
	for node := range seen {
		if node.Type() != NodeTypeParameter {
			n++
		}
	}
	return n
}

// Fused gives the gradients of Apply, with no identity in the value's computation; under
// GOMLX_FUSION=0 the value comes from the Apply copy and the gradients are the same.
func TestFused(t *testing.T) {
	for _, fusion := range []string{"", "0"} {
		if fusion != "" {
			t.Setenv(FusionEnv, fusion)
		}
		y0, dx0, dw0 := product(t, exactVJP)
		y, dx, dw, ops := fusedProduct(t, exactVJP)
		if fusion == "" && ops != 1 {
			t.Errorf("the value depends on %d operations, want 1 (the product)", ops)
		}
		_, dx2, _, _ := fusedProduct(t, func(x, w, adj *Node) []*Node {
			g := exactVJP(x, w, adj)
			return []*Node{MulScalar(g[0], 2), g[1]}
		})
		for name, pair := range map[string][2][][]float64{"y": {y, y0}, "dx": {dx, dx0}, "dw": {dw, dw0}} {
			got, want := pair[0], pair[1]
			for i := range want {
				for j := range want[i] {
					if got[i][j] != want[i][j] {
						t.Errorf("fusion=%q: %s[%d][%d] = %g, want %g", fusion, name, i, j, got[i][j], want[i][j])
					}
					if name == "dx" && dx2[i][j] != 2*want[i][j] {
						t.Errorf("fusion=%q: doubled vjp gives dx[%d][%d] = %g, want %g", fusion, i, j, dx2[i][j], 2*want[i][j])
					}
				}
			}
		}
	}
}

// Attach gives the gradients of Apply to a value built once by the caller, adding only an
// identity to it; under GOMLX_FUSION=0 the value and gradients are the same.
func TestAttach(t *testing.T) {
	for _, fusion := range []string{"", "0"} {
		if fusion != "" {
			t.Setenv(FusionEnv, fusion)
		}
		y0, dx0, dw0 := product(t, exactVJP)
		var ops int
		exec := MustNewExec(backend.MustDefault(), func(x, w, c *Node) []*Node {
			out := Attach([]*Node{x, nil, w}, MatMul(x, w), func(adj *Node) []*Node {
				g := exactVJP(x, w, adj)
				return []*Node{MulScalar(g[0], 2), nil, g[1]}
			})
			ops = reachable(out)
			g := Gradient(ReduceAllSum(Mul(out, c)), x, w)
			return []*Node{out, g[0], g[1]}
		})
		outs := exec.MustCall(productInputs()...)
		y, dx, dw := outs[0].Value().([][]float64), outs[1].Value().([][]float64), outs[2].Value().([][]float64)
		if fusion == "" && ops != 2 {
			t.Errorf("the value depends on %d operations, want 2 (the product and an identity)", ops)
		}
		for i := range y0 {
			for j := range y0[i] {
				if y[i][j] != y0[i][j] {
					t.Errorf("fusion=%q: y[%d][%d] = %g, want %g", fusion, i, j, y[i][j], y0[i][j])
				}
			}
		}
		for i := range dx0 {
			for j := range dx0[i] {
				if dx[i][j] != 2*dx0[i][j] {
					t.Errorf("fusion=%q: dx[%d][%d] = %g, want %g (the doubled vjp)", fusion, i, j, dx[i][j], 2*dx0[i][j])
				}
			}
		}
		for i := range dw0 {
			for j := range dw0[i] {
				if dw[i][j] != dw0[i][j] {
					t.Errorf("fusion=%q: dw[%d][%d] = %g, want %g", fusion, i, j, dw[i][j], dw0[i][j])
				}
			}
		}
	}
}
