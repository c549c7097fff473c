package ghn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/internal/graphcheck"
	"github.com/logah-go/logah/logah/nets"
	"github.com/logah-go/logah/logah/params"
)

// Weights holds a hypernetwork's parameters as graph nodes, keyed by the authors' state_dict
// names ([Config.Params]). The forward pass is a function of these nodes, so the same code
// serves prediction (weights fed as graph inputs) and training (the trainer passes one model
// variable's NodeValue per name, and differentiates through everything). Only the tensors
// marked Used in the table are read; extra entries are ignored. All nodes must belong to the
// graph being built and share one float dtype.
type Weights map[string]*Node

// get returns the named weight; callers run after checkWeights.
func (w Weights) get(name string) *Node { return graphcheck.Get("ghn", w, name) }

// checkWeights validates cfg and verifies that w has every used parameter of cfg with the right
// shape, one float dtype and one graph, and returns that graph and dtype.
func checkWeights(cfg Config, w Weights) (*Graph, dtypes.DType, error) {
	var specs []graphcheck.Spec
	for _, p := range cfg.Params() {
		if p.Used {
			specs = append(specs, graphcheck.Spec{Name: p.Name, Shape: p.Shape})
		}
	}
	return graphcheck.Weights(cfg, specs, w)
}

// usedParams lists the parameters the forward pass reads, in table order.
func usedParams(cfg Config) []ParamSpec {
	var out []ParamSpec
	for _, p := range cfg.Params() {
		if p.Used {
			out = append(out, p)
		}
	}
	return out
}

// CheckSet verifies that a parameter set holds every tensor of the configuration's table with
// the right shape and a float dtype. Aliases ([Aliases]) and, for LoGAH, a decoder.l1 the
// configuration does not keep are tolerated; any other extra name is an error (a typo or a
// checkpoint of another configuration).
func CheckSet(cfg Config, set *params.Set) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if set == nil {
		return fmt.Errorf("%s: nil parameter set", cfg)
	}
	shapes := map[string][]int{}
	for t := range set.All() {
		shapes[t.Name()] = t.Shape()
	}
	return checkShapes(cfg, shapes, set.Names())
}

// checkShapes is CheckSet on names and shapes; order lists the names present.
func checkShapes(cfg Config, shapes map[string][]int, order []string) error {
	table := paramIndex(cfg.Params())
	var missing []string
	for _, p := range cfg.Params() {
		s, ok := shapes[p.Name]
		if !ok {
			missing = append(missing, p.Name)
			continue
		}
		if !slices.Equal(s, p.Shape) {
			return fmt.Errorf("%s: tensor %q has shape %v, want %v", cfg, p.Name, s, p.Shape)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: %d tensors missing: %s", cfg, len(missing), abbreviate(missing, 5))
	}
	var extra []string
	for _, name := range order {
		if _, ok := table[name]; ok {
			continue
		}
		if _, ok := Aliases[name]; ok {
			continue
		}
		if cfg.Decoder == DecoderLoGAH && (name == "decoder.l1.weight" || name == "decoder.l1.bias") {
			continue
		}
		extra = append(extra, name)
	}
	if len(extra) > 0 {
		return fmt.Errorf("%s: %d unexpected tensors (another configuration?): %s", cfg, len(extra), abbreviate(extra, 5))
	}
	return nil
}

// toTensor converts a parameter tensor to a float32 GoMLX tensor.
func toTensor(t *params.Tensor) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(t.Float32s(), t.Shape()...) // copies
}

// fromTensor copies a float32 GoMLX tensor into a parameter tensor and frees it.
func fromTensor(name string, t *tensors.Tensor) (*params.Tensor, error) {
	data, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	dims := t.Shape().Dimensions
	t.MustFinalizeAll()
	return params.FromFloat32(name, dims, data)
}

// catch converts a panic raised while building a graph into an error prefixed by what.
func catch(what string, fn func()) error { return graphcheck.Catch(what, fn) }

// linear is PyTorch's nn.Linear with a weight stored (out, in); b may be nil. It is
// nets.Linear: the fused dense kernel with a hand-written gradient.
func linear(x, w, b *Node) *Node { return nets.Linear(x, w, b) }

// relu is max(x, 0).
func relu(x *Node) *Node { return Max(x, ZerosLike(x)) }

// decodeStrict unmarshals JSON refusing unknown fields.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// abbreviate joins up to n items and says how many more there are.
func abbreviate(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
