package nets

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/internal/graphcheck"
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
func (w Weights) get(name string) *Node { return graphcheck.Get("nets", w, name) }

// checkWeights validates a and verifies that w has every parameter of a with the right shape, a
// float dtype shared by all tensors, and that all nodes belong to one graph. It returns that graph
// and dtype.
func checkWeights(a arch.Arch, w Weights) (*Graph, dtypes.DType, error) {
	specs := make([]graphcheck.Spec, 0, len(a.Params()))
	for _, p := range a.Params() {
		specs = append(specs, graphcheck.Spec{Name: p.Name, Shape: p.Shape})
	}
	return graphcheck.Weights(a, specs, w)
}

// catch converts a panic raised while building a graph into an error prefixed by what.
func catch(what string, fn func()) error { return graphcheck.Catch(what, fn) }
