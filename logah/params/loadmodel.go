package params

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/torchpt"
)

// TorchModelFile is the state dict file of a Hugging Face directory saved without
// safetensors (save_pretrained(..., safe_serialization=False) and older transformers).
const TorchModelFile = "pytorch_model.bin"

// ModelReader reads the parameters of a model one tensor at a time: a safetensors [*File]
// or a PyTorch state dict (see [OpenModel]).
type ModelReader interface {
	// ReadFloat32Into reads the named tensor into dst as float32, checking its shape; the
	// error names the file and the tensor.
	ReadFloat32Into(name string, shape []int, dst []float32) error
	Close() error
}

// stateDictKeys are the entries of a training checkpoint that may hold the model's state
// dict, tried in this order after the whole file.
var stateDictKeys = []string{"state_dict", "model_state_dict", "model"}

// OpenModel opens the parameters of a at path for reading: the one place that decides how a
// parameter path is read (logah eval --params, finetune --init, compare --init NAME=PATH).
// path is resolved by [ResolveModelFile] (a directory's config is checked against a); the
// file is then read by its contents, not its name:
//
//   - a safetensors file;
//   - a PyTorch zip checkpoint (torch.save, as .bin, .pt or .pth) holding a state dict: the
//     whole file (torch.save(model.state_dict(), path)) or one under "state_dict",
//     "model_state_dict" or "model". It is read by package torchpt, which runs no code from
//     the file. Names are those of a.Params() (torchvision's ViT and Hugging Face's GPT-2
//     and Llama names); a DistributedDataParallel "module." prefix is dropped, and for a GPT-2 a state
//     dict of GPT2Model (wte.weight, h.0.…, without "transformer.") is accepted.
//
// Extra tensors are ignored.
func OpenModel(a arch.Arch, path string) (ModelReader, error) {
	file, err := ResolveModelFile(a, path)
	if err != nil {
		return nil, err
	}
	if !isZip(file) {
		return Open(file)
	}
	ck, err := torchpt.Load(file)
	if err != nil {
		return nil, err
	}
	sd, err := ck.StateDict("")
	if err != nil {
		found := false
		for _, key := range stateDictKeys {
			if _, ok := ck.Get(key); ok {
				if sd, err = ck.StateDict(key); err != nil {
					return nil, fmt.Errorf("%s: %w", file, err)
				}
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: a PyTorch checkpoint that is not a state dict, nor holds one under %s (top-level entries: %s)",
				file, quoteList(stateDictKeys), quoteList(ck.Keys()))
		}
	}
	return newTorchModel(a, file, sd), nil
}

// LoadModel reads the parameters of a at path (see [OpenModel]) into a Set in a.Params()
// order; a missing tensor or a wrong shape is an error naming the file and the tensor.
func LoadModel(a arch.Arch, path string) (*Set, error) {
	r, err := OpenModel(a, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	s := NewSet()
	for _, p := range a.Params() {
		n, err := numElements(p.Name, p.Shape)
		if err != nil {
			return nil, err
		}
		data := make([]float32, n)
		if err := r.ReadFloat32Into(p.Name, p.Shape, data); err != nil {
			return nil, err
		}
		if err := s.AddFloat32(p.Name, p.Shape, data); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func isZip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false // the safetensors reader reports it
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return false
	}
	return bytes.Equal(magic[:], []byte("PK\x03\x04"))
}

func quoteList(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// torchModel is a state dict read into memory by torchpt.
type torchModel struct {
	path    string
	tensors map[string]*torchpt.Tensor
	strip   string // removed from the architecture's names to find them in the file
}

func newTorchModel(a arch.Arch, path string, sd []torchpt.NamedTensor) *torchModel {
	m := &torchModel{path: path, tensors: map[string]*torchpt.Tensor{}}
	allModule := len(sd) > 0
	for _, t := range sd {
		allModule = allModule && strings.HasPrefix(t.Name, "module.")
	}
	for _, t := range sd {
		name := t.Name
		if allModule {
			name = strings.TrimPrefix(name, "module.")
		}
		m.tensors[name] = t.Tensor
	}
	// A GPT2Model's state dict: the architecture's "transformer.x" is "x" in the file.
	if _, ok := a.(arch.GPT2); ok {
		if _, ok := m.tensors["transformer.wte.weight"]; !ok {
			if _, ok := m.tensors["wte.weight"]; ok {
				m.strip = "transformer."
			}
		}
	}
	return m
}

func (m *torchModel) ReadFloat32Into(name string, shape []int, dst []float32) error {
	key := name
	if m.strip != "" {
		key = strings.TrimPrefix(name, m.strip)
	}
	t, ok := m.tensors[key]
	if !ok {
		return fmt.Errorf("%s: the state dict has no tensor %q (it has %d tensors)", m.path, key, len(m.tensors))
	}
	if !slices.Equal(t.Shape, shape) {
		return fmt.Errorf("%s: tensor %q has shape %v, the model needs %v", m.path, key, t.Shape, shape)
	}
	data, err := t.Float32()
	if err != nil {
		return fmt.Errorf("%s: tensor %q: %w", m.path, key, err)
	}
	if len(data) != len(dst) {
		return fmt.Errorf("%s: tensor %q: destination holds %d values, the tensor %d", m.path, key, len(dst), len(data))
	}
	copy(dst, data)
	return nil
}

func (m *torchModel) Close() error { m.tensors = nil; return nil }
