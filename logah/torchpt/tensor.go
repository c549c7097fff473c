package torchpt

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Tensor is a tensor rebuilt from a checkpoint. Its data is held contiguous (row-major) and
// little-endian in its original dtype; Float32, Float64 and Int64 convert it on request.
//
// Tensors that share a storage in the file (aliases, views) share memory here too when they
// are contiguous: treat the bytes returned by Bytes as read-only.
type Tensor struct {
	// DType is the element type as stored (the storage class of the file).
	DType DType
	// Shape is the tensor's size; an empty shape is a scalar (one element).
	Shape []int
	// Stride and Offset are the original view into the storage, in elements. They describe
	// the file, not Bytes, which is always contiguous.
	Stride []int
	Offset int
	// StorageKey names the storage (the zip entry <prefix>/data/<key>); tensors with the same
	// key alias the same memory in PyTorch.
	StorageKey string
	// Device is the location the tensor was saved from ("cpu", "cuda:0", ...).
	Device string
	// RequiresGrad is the autograd flag saved with the tensor (true for nn.Parameter).
	RequiresGrad bool

	data []byte
}

// NamedTensor is a tensor with the name it has in a state dict.
type NamedTensor struct {
	Name string
	*Tensor
}

// NumElements returns the number of elements (the product of Shape; 1 for a scalar).
func (t *Tensor) NumElements() int {
	n := 1
	for _, s := range t.Shape {
		n *= s
	}
	return n
}

// Bytes returns the contiguous little-endian data in the tensor's dtype. The slice may be
// shared with other tensors of the same storage: do not modify it.
func (t *Tensor) Bytes() []byte { return t.data }

// Float32 returns a new slice with the tensor's elements converted to float32: exact for
// float32, float16, bfloat16 and small integers, rounded for float64 and large integers.
func (t *Tensor) Float32() ([]float32, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	n := t.NumElements()
	out := make([]float32, n)
	le := binary.LittleEndian
	switch t.DType {
	case Float32:
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(t.data[4*i:]))
		}
	case Float16:
		for i := range out {
			out[i] = halfToFloat32(le.Uint16(t.data[2*i:]))
		}
	case BFloat16:
		for i := range out {
			out[i] = bfloat16ToFloat32(le.Uint16(t.data[2*i:]))
		}
	default:
		for i := range out {
			out[i] = float32(elementFloat64(t.DType, t.data, i))
		}
	}
	return out, nil
}

// Float64 returns a new slice with the tensor's elements converted to float64 (exact for
// every dtype except int64 values beyond 2^53).
func (t *Tensor) Float64() ([]float64, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out := make([]float64, t.NumElements())
	for i := range out {
		out[i] = elementFloat64(t.DType, t.data, i)
	}
	return out, nil
}

// Int64 returns a new slice with the elements of an integer or bool tensor. For a
// floating-point tensor it returns an error: use Float32 or Float64.
func (t *Tensor) Int64() ([]int64, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if t.DType.IsFloat() {
		return nil, fmt.Errorf("torchpt: Int64 on a %s tensor: use Float32 or Float64", t.DType)
	}
	out := make([]int64, t.NumElements())
	for i := range out {
		out[i] = elementInt64(t.DType, t.data, i)
	}
	return out, nil
}

// check guards the conversions against tensors not built by this package.
func (t *Tensor) check() error {
	if t.DType.Size() == 0 {
		return fmt.Errorf("torchpt: tensor of unknown dtype %q cannot be converted", t.DType)
	}
	n := 1
	for _, s := range t.Shape {
		if s < 0 || (s > 0 && n > len(t.data)/s) {
			return fmt.Errorf("torchpt: tensor %v does not match its %d bytes of data", t, len(t.data))
		}
		n *= s
	}
	if n*t.DType.Size() != len(t.data) {
		return fmt.Errorf("torchpt: tensor %v has %d bytes of data, want %d", t, len(t.data), n*t.DType.Size())
	}
	return nil
}

// String describes the tensor briefly, e.g. "float32[32 8]".
func (t *Tensor) String() string { return fmt.Sprintf("%s%v", t.DType, t.Shape) }

// GoString keeps %#v short (it would otherwise print every byte).
func (t *Tensor) GoString() string { return "torchpt.Tensor(" + t.String() + ")" }
