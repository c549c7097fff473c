package nets_test

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/nets"
)

// tinyViT is a Fashion-MNIST-shaped ViT small enough for an example.
var tinyViT = arch.ViT{ImageSize: 8, Channels: 1, Patch: 4, Depth: 1, Width: 8, Heads: 2, MLPDim: 16, Classes: 3}

// constParams returns parameter tensors filled with a constant (a stand-in for stored or
// predicted parameters).
func constParams(a arch.Arch, value float32) map[string]*tensors.Tensor {
	out := map[string]*tensors.Tensor{}
	for _, p := range a.Params() {
		t := tensors.FromShape(shapes.Make(dtypes.Float32, p.Shape...))
		tensors.MustMutableFlatData(t, func(flat []float32) {
			for i := range flat {
				flat[i] = value
			}
		})
		out[p.Name] = t
	}
	return out
}

// Run a ViT on parameter tensors, with a cache holding one compiled graph per architecture.
func ExampleLogits() {
	backend := backend.MustDefault()
	cache := nets.NewExecCache(8)
	defer cache.Clear()

	images := tensors.FromShape(shapes.Make(dtypes.Float32, 2, 1, 8, 8))
	logits, err := nets.Logits(backend, cache, tinyViT, constParams(tinyViT, 0.1), images)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(logits.Shape().Dimensions)
	fmt.Println(cache.Len(), "compiled graph(s)")
	// Output:
	// [2 3]
	// 1 compiled graph(s)
}

// Build the weights inside the graph, as a hypernetwork does, and differentiate the task loss
// with respect to what produced them (here a single scale applied to base tensors).
func ExampleViTForward() {
	specs := tinyViT.Params()
	exec, err := NewExec(backend.MustDefault(), func(ins []*Node) []*Node {
		images, labels, scale := ins[0], ins[1], ins[2]
		w := nets.Weights{}
		for i, p := range specs {
			w[p.Name] = Mul(ins[3+i], scale) // "predicted" weights
		}
		logits, err := nets.ViTForward(tinyViT, w, images, nets.ViTOptions{})
		if err != nil {
			panic(err)
		}
		loss, err := nets.CrossEntropy(logits, labels, 0.1)
		if err != nil {
			panic(err)
		}
		return []*Node{loss, Gradient(loss, scale)[0]}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer exec.Finalize()
	args := []any{tensors.FromShape(shapes.Make(dtypes.Float32, 2, 1, 8, 8)), []int32{0, 2}, float32(1)}
	base := constParams(tinyViT, 0.1)
	for _, p := range specs {
		args = append(args, base[p.Name])
	}
	outs, err := exec.Call(args...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss %.4f, d loss/d scale is a %s scalar\n", outs[0].Value(), outs[1].DType())
	// Output:
	// loss 1.0986, d loss/d scale is a Float32 scalar
}

// Missing or misshaped weights are reported by name before anything is compiled.
func ExampleLogits_error() {
	params := constParams(tinyViT, 0.1)
	delete(params, "heads.head.bias")
	images := tensors.FromShape(shapes.Make(dtypes.Float32, 1, 1, 8, 8))
	_, err := nets.Logits(backend.MustDefault(), nil, tinyViT, params, images)
	fmt.Println(err)
	// Output:
	// vit(L1 D8 H2 M16 p4 8x8x1 C3): weight "heads.head.bias" (shape [3]) is missing
}
