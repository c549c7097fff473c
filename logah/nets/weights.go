package nets

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/arch"
)

// Weights holds a target network's parameters as graph nodes, keyed by their PyTorch names
// (see [arch.Arch.Params]). All nodes must belong to the graph being built and share one float
// dtype (float32 for training, float64 for gradient checks). Extra entries are ignored, so a
// Hugging Face state dict of a tied GPT-2, which lists lm_head.weight beside
// transformer.wte.weight, is accepted as is.
type Weights map[string]*Node

// get returns the named weight; callers run after [checkWeights], so a missing name is a
// programmer error.
func (w Weights) get(name string) *Node {
	n := w[name]
	if n == nil {
		panic(fmt.Errorf("nets: weight %q missing (internal error: weights were validated)", name))
	}
	return n
}

// checkWeights verifies that w has every parameter of a with the right shape, a float dtype
// shared by all tensors, and that all nodes belong to one graph. It returns that graph and dtype.
func checkWeights(a arch.Arch, w Weights) (*Graph, dtypes.DType, error) {
	if err := a.Validate(); err != nil {
		return nil, dtypes.InvalidDType, err
	}
	var g *Graph
	dtype := dtypes.InvalidDType
	first := ""
	for _, p := range a.Params() {
		n, ok := w[p.Name]
		if !ok || n == nil {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q (shape %v) is missing", a, p.Name, p.Shape)
		}
		if !slices.Equal(n.Shape().Dimensions, p.Shape) {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q has shape %v, want %v",
				a, p.Name, n.Shape().Dimensions, p.Shape)
		}
		dt := n.DType()
		if !dt.IsFloat() {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q has dtype %s, want a float dtype", a, p.Name, dt)
		}
		if g == nil {
			g, dtype, first = n.Graph(), dt, p.Name
			continue
		}
		if dt != dtype {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q has dtype %s but %q has %s: all weights must share one dtype",
				a, p.Name, dt, first, dtype)
		}
		if n.Graph() != g {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q belongs to another graph than %q", a, p.Name, first)
		}
	}
	return g, dtype, nil
}

// catch runs fn and converts a panic raised while building the graph into an error prefixed
// by what.
func catch(what string, fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("%s: %w", what, e)
			} else {
				err = fmt.Errorf("%s: %v", what, r)
			}
		}
	}()
	fn()
	return nil
}
