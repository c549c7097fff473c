package trainer

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

// LoadEvalWeights reads the parameters of a from a safetensors or PyTorch file into tensors ready for
// [Task.Evaluate] and the nets package, one tensor at a time and straight into the backend's
// shared buffers where the backend has them (the Go backend does): the weights are held once,
// not once as a parameter set and again as tensors, and running the network does not copy
// them to the backend again. It is [EvalWeights] for files, and the way to load big models.
//
// Every parameter of a must be in the file with its shape; extra tensors are ignored. path
// may also be a directory of params.WriteModel's formats (a Hugging Face GPT-2 directory:
// config.json, checked against a, and model.safetensors or pytorch_model.bin) or a PyTorch
// state dict file (.bin, .pt, .pth); see params.OpenModel. The caller owns the tensors
// (FinalizeAll them to free memory early).
func LoadEvalWeights(backend compute.Backend, a arch.Arch, path string) (map[string]*tensors.Tensor, error) {
	f, err := params.OpenModel(a, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w := map[string]*tensors.Tensor{}
	fail := func(err error) (map[string]*tensors.Tensor, error) {
		for _, t := range w {
			t.MustFinalizeAll()
		}
		return nil, err
	}
	for _, p := range a.Params() {
		t, err := tensors.FromShapeForBackend(backend, 0, shapes.Make(dtypes.Float32, p.Shape...))
		if err != nil {
			return fail(fmt.Errorf("%s: %w", p.Name, err))
		}
		w[p.Name] = t
		var readErr error
		if err := tensors.MutableFlatData(t, func(flat []float32) {
			readErr = f.ReadFloat32Into(p.Name, p.Shape, flat)
		}); err != nil {
			return fail(fmt.Errorf("%s: %w", p.Name, err))
		}
		if readErr != nil {
			return fail(readErr)
		}
	}
	return w, nil
}
