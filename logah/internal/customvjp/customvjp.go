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
//
// Apply's identities run in the forward pass, and the Go backend copies an identity's input
// whenever that input has other consumers. [Fused] avoids them: it computes the forward pass on
// the inputs themselves and attaches the Apply construction as the node's alternate gradient
// path (GoMLX's mechanism for fused operations), which is never executed.
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

// Fused returns forward(inputs…) built on the inputs themselves, whose gradient with respect to
// inputs[i] is vjp(out, adjoint)[i], where out is the returned node and adjoint the gradient
// arriving at it. Unlike [Apply] it adds no operation to the forward pass.
//
// It relies on graph.InternalFusedOpCaller: a copy of the forward pass built through [Apply]
// becomes the alternate gradient path of the returned node. Reverse-mode differentiation sends
// the adjoint into that copy's output identity, through GoMLX's derivation of the copy (never
// used, so never evaluated) to the identities on the inputs, which return vjp's gradients. The
// copy itself is dead code and is eliminated, except where fused operations are disabled
// (GOMLX_FUSION=0): then it is the value, as [Apply] computes it.
//
// forward must build new nodes (not return one of its inputs) and must be differentiable by
// GoMLX (its derivation is built, though not run). vjp is called at most once per
// differentiation; the nodes it builds are not differentiated further, so it may use inputs and
// out directly.
func Fused(inputs []*Node, forward func(in []*Node) *Node, vjp func(out, adjoint *Node) []*Node) *Node {
	var out *Node
	out, _ = InternalFusedOpCaller(
		func() *Node { return forward(inputs) },
		func() *Node {
			// out is set (to this copy, where it is the value) before any differentiation.
			return Apply(inputs, forward, func(adjoint *Node) []*Node { return vjp(out, adjoint) })
		},
		true)
	return out
}

// Attach returns out, a value the caller computed from inputs, with the gradient vjp(adjoint)
// with respect to inputs[i], where adjoint is the gradient arriving at the returned node. It is
// [Fused] for a computation that must be built once: one that draws random numbers, or whose
// intermediate nodes vjp reuses. Gradients do not flow through out's own computation.
//
// The returned node is an identity of out; where the caller uses out nowhere else, the Go
// backend executes it by handing over out's buffer. Its alternate gradient path is a stub that depends on out
// (through StopGradient) and on every input through a zero-valued sum: never executed, except
// where fused operations are disabled (GOMLX_FUSION=0), where it is the value (out plus zero;
// NaN if an input holds an infinity).
func Attach(inputs []*Node, out *Node, vjp func(adjoint *Node) []*Node) *Node {
	if out.NumOutputs() != 1 {
		panic(fmt.Sprintf("customvjp: Attach needs a single-output node, got %d outputs", out.NumOutputs()))
	}
	res, _ := InternalFusedOpCaller(
		func() *Node { return Identity(out) },
		func() *Node {
			return Apply(inputs, func(in []*Node) *Node {
				zero := ScalarZero(out.Graph(), out.DType())
				for _, x := range in {
					if x != nil {
						zero = Add(zero, MulScalar(ConvertDType(ReduceAllSum(x), out.DType()), 0))
					}
				}
				return Add(StopGradient(out), zero)
			}, vjp)
		},
		true)
	return res
}
