// Package customvjp gives a GoMLX computation a hand-written gradient (vector-Jacobian
// product) with respect to several inputs at once.
//
// GoMLX's graph.IdentityWithCustomGradient replaces the gradient flowing through one node, but
// an operation such as y = x·Wᵀ + b needs the adjoint of its output y to produce the gradients
// of all of x, W and b. [Apply] arranges this: the adjoint of y is captured by an identity on
// the output, which reverse-mode differentiation visits first because it was built last; the
// identities placed on the inputs then return the gradients computed from that adjoint, and
// ignore the ones GoMLX derived for them through the forward computation. Those derived
// gradients are never used by any output, so the backend never evaluates them.
//
// The forward value is exactly forward's; only the gradient differs, and it is as exact as the
// vjp the caller writes. Tests of the callers compare both with GoMLX's own gradient.
package customvjp

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
)

// Apply returns forward(inputs…), whose gradient with respect to inputs[i] is vjp(adjoint)[i],
// where adjoint is the gradient arriving at the output. vjp is called at most once per
// differentiation and must return one node per input, each of that input's shape; a nil input
// is passed through as nil and its entry of vjp's result is ignored.
//
// vjp receives the original input nodes through its closure; they should be wrapped in
// StopGradient when used, as the gradient is meant to stop at them.
func Apply(inputs []*Node, forward func(in []*Node) *Node, vjp func(adjoint *Node) []*Node) *Node {
	var adjoint, computedFor *Node
	var grads []*Node
	gradient := func(i int) *Node {
		if adjoint != computedFor {
			computedFor = adjoint
			grads = vjp(adjoint)
			if len(grads) != len(inputs) {
				panic(fmt.Sprintf("customvjp: vjp returned %d gradients for %d inputs", len(grads), len(inputs)))
			}
		}
		return grads[i]
	}
	wrapped := make([]*Node, len(inputs))
	for i, x := range inputs {
		if x == nil {
			continue
		}
		wrapped[i] = IdentityWithCustomGradient(x, func(_, _ *Node) *Node { return gradient(i) })
	}
	y := forward(wrapped)
	return IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		adjoint = v
		return v
	})
}
