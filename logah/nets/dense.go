package nets

import (
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/ml/nn"

	"github.com/logah-go/logah/logah/internal/customvjp"
)

// linear is PyTorch's nn.Linear: x·wᵀ + b for a weight stored (out, in). b may be nil.
func linear(x, w, b *Node) *Node { return dense(x, w, b, true) }

// conv1D is Hugging Face's Conv1D: x·w + b for a weight stored (in, out).
func conv1D(x, w, b *Node) *Node { return dense(x, w, b, false) }

// dense applies a weight w to the last axis of x and adds b (nil: no bias); w is stored
// (out, in) when outIn, else (in, out). The value is the backend's fused dense kernel; the
// gradient is written by hand ([customvjp.Fused], which adds nothing to the forward pass) so that
// the products have layouts the Go backend multiplies with fewer transposes (see
// [denseGradients]).
func dense(x, w, b *Node, outIn bool) *Node {
	layout := compute.DenseLayoutInputOutputs
	if outIn {
		layout = compute.DenseLayoutOutputsInput
	}
	return customvjp.Fused([]*Node{x, w, b},
		func(in []*Node) *Node { return nn.Dense(in[0], in[1], in[2], layout) },
		func(_, adjoint *Node) []*Node {
			g := denseGradients(x, w, adjoint, outIn, b != nil)
			return []*Node{g.dx, g.dw, g.db}
		})
}

// denseGrads holds the gradients of a dense layer with respect to its input, weight and bias.
type denseGrads struct{ dx, dw, db *Node }

// denseGradients computes the gradients of a dense layer for the adjoint dOut of its output, with
// x of shape (…, in) and dOut (…, out) flattened to n rows, and W stored (out, in) when outIn:
//
//	dx = dOut·Wᵀ  one product in a layout the backend takes as it is
//	dW = Σ_rows   one transpose, of the n-row operand with fewer columns ([rowProducts])
//	db = Σ_rows dOut
//
// GoMLX's own gradient contracts the n rows of both operands where they are, so the Go backend
// transposes both before multiplying.
func denseGradients(x, w, dOut *Node, outIn, withBias bool) denseGrads {
	xd := x.Shape().Dimensions
	in, out := xd[len(xd)-1], dOut.Shape().Dimensions[dOut.Rank()-1]
	n := x.Shape().Size() / in
	x2, d2 := Reshape(x, n, in), Reshape(dOut, n, out)
	var g denseGrads
	if outIn { // W (out, in)
		g.dx = DotGeneral(d2, []int{1}, nil, w, []int{0}, nil) // [n, out]·[out, in]
	} else { // W (in, out)
		g.dx = DotGeneral(d2, []int{1}, nil, w, []int{1}, nil) // [n, out]·[in, out]ᵀ
	}
	g.dx = Reshape(g.dx, xd...)
	if outIn {
		g.dw = rowProducts(d2, x2) // (out, in)
	} else {
		g.dw = rowProducts(x2, d2) // (in, out)
	}
	if withBias {
		g.db = ReduceSum(d2, 0)
	}
	return g
}

// rowProducts is Σ_rows pᵀ·q for p (n, P) and q (n, Q), shape (P, Q). The operand with fewer
// columns is transposed, so that the n rows become its last axis; when that is q, the small
// (Q, P) product is transposed back.
func rowProducts(p, q *Node) *Node {
	if p.Shape().Dimensions[1] <= q.Shape().Dimensions[1] {
		return DotGeneral(Transpose(p, 0, 1), []int{1}, nil, q, []int{0}, nil) // [P, n]·[n, Q]
	}
	return Transpose(DotGeneral(Transpose(q, 0, 1), []int{1}, nil, p, []int{0}, nil), 0, 1) // ([Q, n]·[n, P])ᵀ
}
