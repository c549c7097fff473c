package nets

import . "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

// Building blocks with the hand-written gradients of this package (see the package
// documentation), for other graphs built on the Go backend, such as a hypernetwork's.

// Linear is PyTorch's nn.Linear, x·wᵀ + b, for a weight stored (out, in) and any number of
// leading axes of x; b may be nil.
func Linear(x, w, b *Node) *Node { return linear(x, w, b) }

// LayerNorm normalises the last axis of x with gain gamma and bias beta (both of shape [D], or
// nil) and epsilon eps, as PyTorch's nn.LayerNorm.
func LayerNorm(x, gamma, beta *Node, eps float64) *Node { return layerNorm(x, gamma, beta, eps) }

// GELU is PyTorch's nn.GELU(): x·Φ(x), with the exact erf form of the normal CDF Φ.
func GELU(x *Node) *Node { return geluExact(x) }
