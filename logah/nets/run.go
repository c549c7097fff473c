package nets

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
)

// This file runs the forward passes on concrete parameter tensors (stored or predicted), with
// one compiled graph per (architecture, mode, input shapes) kept in an [ExecCache].

// Logits runs the network a (an [arch.ViT], [arch.GPT2] or [arch.Llama]) in evaluation mode on
// the parameter tensors weights (keyed by PyTorch names, see [arch.Arch.Params]) and returns its
// logits: (B, Classes) for a ViT on images (B, C, H, W), (B, T, Vocab) for a GPT-2 or a Llama on
// tokens (B, T).
//
// cache may be nil, in which case the graph is compiled for this call only. The caller owns the
// returned tensor (FinalizeAll it to free memory early).
func Logits(backend compute.Backend, cache *ExecCache, a arch.Arch, weights map[string]*tensors.Tensor,
	inputs *tensors.Tensor) (*tensors.Tensor, error) {
	outs, err := run(backend, cache, a, "logits", weights, []*tensors.Tensor{inputs},
		func(w Weights, args []*Node) ([]*Node, error) {
			logits, err := forward(a, w, args[0])
			return []*Node{logits}, err
		})
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// Loss evaluates the network's loss in evaluation mode: the cross entropy of a ViT's logits on
// images against labels (B) of an integer dtype, or the causal LM loss of a GPT-2 or a Llama on
// tokens (labels must then be nil: the targets are the tokens shifted by one).
func Loss(backend compute.Backend, cache *ExecCache, a arch.Arch, weights map[string]*tensors.Tensor,
	inputs, labels *tensors.Tensor) (float64, error) {
	loss, _, err := lossAndMaybeGrads(backend, cache, a, weights, inputs, labels, false)
	return loss, err
}

// LossAndGradients is [Loss] plus the gradient of the loss with respect to every parameter,
// keyed like weights (the parameters of [arch.Arch.Params]). The caller owns the gradient
// tensors.
func LossAndGradients(backend compute.Backend, cache *ExecCache, a arch.Arch, weights map[string]*tensors.Tensor,
	inputs, labels *tensors.Tensor) (float64, map[string]*tensors.Tensor, error) {
	return lossAndMaybeGrads(backend, cache, a, weights, inputs, labels, true)
}

func lossAndMaybeGrads(backend compute.Backend, cache *ExecCache, a arch.Arch, weights map[string]*tensors.Tensor,
	inputs, labels *tensors.Tensor, withGrads bool) (float64, map[string]*tensors.Tensor, error) {
	args := []*tensors.Tensor{inputs}
	switch a.(type) {
	case arch.ViT:
		if labels == nil {
			return 0, nil, fmt.Errorf("%s: loss needs labels", a)
		}
		args = append(args, labels)
	case arch.GPT2, arch.Llama:
		if labels != nil {
			return 0, nil, fmt.Errorf("%s: the causal LM loss takes its targets from the tokens: pass nil labels", a)
		}
	}
	mode := "loss"
	if withGrads {
		mode = "loss+grads"
	}
	specs := a.Params()
	outs, err := run(backend, cache, a, mode, weights, args, func(w Weights, args []*Node) ([]*Node, error) {
		var loss *Node
		var err error
		switch cfg := a.(type) {
		case arch.ViT:
			var logits *Node
			if logits, err = ViTForward(cfg, w, args[0], ViTOptions{}); err == nil {
				loss, err = CrossEntropy(logits, args[1], 0)
			}
		case arch.GPT2:
			loss, err = GPT2Loss(cfg, w, args[0], GPT2Options{})
		case arch.Llama:
			loss, err = LlamaLoss(cfg, w, args[0], LlamaOptions{})
		}
		if err != nil || !withGrads {
			return []*Node{loss}, err
		}
		nodes := make([]*Node, len(specs))
		for i, p := range specs {
			nodes[i] = w[p.Name]
		}
		return append([]*Node{loss}, Gradient(loss, nodes...)...), nil
	})
	if err != nil {
		return 0, nil, err
	}
	loss, err := scalarValue(outs[0])
	outs[0].FinalizeAll()
	if err != nil || !withGrads {
		return loss, nil, err
	}
	grads := make(map[string]*tensors.Tensor, len(specs))
	for i, p := range specs {
		grads[p.Name] = outs[1+i]
	}
	return loss, grads, nil
}

// forward dispatches to the architecture's forward pass in evaluation mode.
func forward(a arch.Arch, w Weights, inputs *Node) (*Node, error) {
	switch cfg := a.(type) {
	case arch.ViT:
		return ViTForward(cfg, w, inputs, ViTOptions{})
	case arch.GPT2:
		return GPT2Forward(cfg, w, inputs, GPT2Options{})
	case arch.Llama:
		return LlamaForward(cfg, w, inputs, LlamaOptions{})
	}
	return nil, fmt.Errorf("nets: unsupported architecture %T", a)
}

// run checks the parameter tensors, then executes (compiling if needed) the graph built by
// build on the weights and the extra arguments, through cache when it is not nil.
func run(backend compute.Backend, cache *ExecCache, a arch.Arch, mode string, weights map[string]*tensors.Tensor,
	args []*tensors.Tensor, build func(w Weights, args []*Node) ([]*Node, error)) ([]*tensors.Tensor, error) {
	if backend == nil {
		return nil, fmt.Errorf("nets: nil backend")
	}
	if a == nil {
		return nil, fmt.Errorf("nets: nil architecture")
	}
	switch a.(type) {
	case arch.ViT, arch.GPT2, arch.Llama:
	default:
		return nil, fmt.Errorf("nets: unsupported architecture %T", a)
	}
	ordered, dtype, err := checkTensors(a, weights)
	if err != nil {
		return nil, err
	}
	keyShapes := make([]shapes.Shape, 0, len(args)+1)
	for i, t := range args {
		if t == nil {
			return nil, fmt.Errorf("%s: argument %d is nil", a, i)
		}
		keyShapes = append(keyShapes, t.Shape())
	}
	keyShapes = append(keyShapes, shapes.Make(dtype))
	specs := a.Params()
	nArgs := len(args)
	graphFn := func(ins []*Node) []*Node {
		w := make(Weights, len(specs))
		for i, p := range specs {
			w[p.Name] = ins[nArgs+i]
		}
		outs, err := build(w, ins[:nArgs])
		if err != nil {
			panic(err)
		}
		return outs
	}
	callArgs := make([]any, 0, nArgs+len(ordered))
	for _, t := range args {
		callArgs = append(callArgs, t)
	}
	for _, t := range ordered {
		callArgs = append(callArgs, t)
	}
	newExec := func() (*Exec, error) {
		e, err := NewExec(backend, graphFn)
		if err != nil {
			return nil, err
		}
		return e.WithName(fmt.Sprintf("nets:%s:%s", a, mode)), nil
	}
	var outs []*tensors.Tensor
	call := func(e *Exec) error {
		var err error
		outs, err = e.Call(callArgs...)
		if err != nil {
			return fmt.Errorf("%s %s: %w", a, mode, err)
		}
		return nil
	}
	if cache == nil {
		e, err := newExec()
		if err != nil {
			return nil, err
		}
		defer e.Finalize()
		return outs, call(e)
	}
	err = cache.Do(NewExecKey(a, mode, keyShapes...), newExec, call)
	return outs, err
}

// checkTensors verifies the parameter tensors against the architecture (presence, shape, one
// float dtype) and returns them in [arch.Arch.Params] order.
func checkTensors(a arch.Arch, weights map[string]*tensors.Tensor) ([]*tensors.Tensor, dtypes.DType, error) {
	if err := a.Validate(); err != nil {
		return nil, dtypes.InvalidDType, err
	}
	specs := a.Params()
	out := make([]*tensors.Tensor, len(specs))
	dtype := dtypes.InvalidDType
	for i, p := range specs {
		t := weights[p.Name]
		if t == nil {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q (shape %v) is missing", a, p.Name, p.Shape)
		}
		s := t.Shape()
		if !slices.Equal(s.Dimensions, p.Shape) {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q has shape %v, want %v", a, p.Name, s.Dimensions, p.Shape)
		}
		if !s.DType.IsFloat() {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q has dtype %s, want a float dtype", a, p.Name, s.DType)
		}
		if i == 0 {
			dtype = s.DType
		} else if s.DType != dtype {
			return nil, dtypes.InvalidDType, fmt.Errorf("%s: weight %q has dtype %s but %q has %s: all weights must share one dtype",
				a, p.Name, s.DType, specs[0].Name, dtype)
		}
		out[i] = t
	}
	return out, dtype, nil
}

// scalarValue reads a float scalar tensor.
func scalarValue(t *tensors.Tensor) (float64, error) {
	switch v := t.Value().(type) {
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return 0, fmt.Errorf("nets: expected a float scalar, got %s", t.Shape())
}
