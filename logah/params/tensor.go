package params

import (
	"fmt"
	"math"
	"slices"
)

// Tensor is one named, shaped array of floating-point numbers.
//
// The values are stored in the tensor's own dtype: a []float32 for F32, a []float64 for F64 and
// the raw 16-bit patterns for F16 and BF16, so reading a file and writing it again is
// lossless. [Tensor.Float32s] gives float32 values for arithmetic whatever the dtype.
//
// The shape is row-major (the last dimension varies fastest), as in PyTorch and safetensors. A
// scalar has an empty shape and one element.
type Tensor struct {
	name  string
	dtype DType
	shape []int
	f32   []float32 // F32
	f64   []float64 // F64
	bits  []uint16  // F16, BF16
}

// NewTensor returns a zero-filled tensor.
func NewTensor(name string, dtype DType, shape []int) (*Tensor, error) {
	what := fmt.Sprintf("tensor %q", name)
	if err := checkFloat(what, dtype); err != nil {
		return nil, err
	}
	n, err := numElements(what, shape)
	if err != nil {
		return nil, err
	}
	t := &Tensor{name: name, dtype: dtype, shape: slices.Clone(shape)}
	switch dtype {
	case F32:
		t.f32 = make([]float32, n)
	case F64:
		t.f64 = make([]float64, n)
	default:
		t.bits = make([]uint16, n)
	}
	return t, nil
}

// FromFloat32 returns an F32 tensor that takes ownership of data (it is not copied). The length
// of data must be the product of shape.
func FromFloat32(name string, shape []int, data []float32) (*Tensor, error) {
	if err := checkLen(name, shape, len(data)); err != nil {
		return nil, err
	}
	return &Tensor{name: name, dtype: F32, shape: slices.Clone(shape), f32: data}, nil
}

// FromFloat64 returns an F64 tensor that takes ownership of data (it is not copied).
func FromFloat64(name string, shape []int, data []float64) (*Tensor, error) {
	if err := checkLen(name, shape, len(data)); err != nil {
		return nil, err
	}
	return &Tensor{name: name, dtype: F64, shape: slices.Clone(shape), f64: data}, nil
}

// FromBits16 returns an F16 or BF16 tensor that takes ownership of bits, the raw 16-bit
// patterns of its elements.
func FromBits16(name string, dtype DType, shape []int, bits []uint16) (*Tensor, error) {
	if dtype != F16 && dtype != BF16 {
		return nil, fmt.Errorf("tensor %q: FromBits16 needs dtype F16 or BF16, got %s", name, dtype)
	}
	if err := checkLen(name, shape, len(bits)); err != nil {
		return nil, err
	}
	return &Tensor{name: name, dtype: dtype, shape: slices.Clone(shape), bits: bits}, nil
}

func checkLen(name string, shape []int, n int) error {
	want, err := numElements(fmt.Sprintf("tensor %q", name), shape)
	if err != nil {
		return err
	}
	if want != int64(n) {
		return fmt.Errorf("tensor %q: shape %v holds %d elements but the data has %d", name, shape, want, n)
	}
	return nil
}

// numElements is the product of shape, with an error for a negative dimension or an overflow.
func numElements(what string, shape []int) (int64, error) {
	n := int64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("%s: dimension %d of shape %v is negative", what, i, shape)
		}
		if d != 0 && n > math.MaxInt64/int64(d) {
			return 0, fmt.Errorf("%s: shape %v has more than 2^63 elements", what, shape)
		}
		n *= int64(d)
	}
	if n > int64(math.MaxInt) {
		return 0, fmt.Errorf("%s: shape %v has %d elements, more than this platform can index", what, shape, n)
	}
	return n, nil
}

// Name is the tensor's name (for example "encoder.ln.weight").
func (t *Tensor) Name() string { return t.name }

// DType is the element type the values are stored in.
func (t *Tensor) DType() DType { return t.dtype }

// Shape returns a copy of the dimensions.
func (t *Tensor) Shape() []int { return slices.Clone(t.shape) }

// Rank is the number of dimensions.
func (t *Tensor) Rank() int { return len(t.shape) }

// Len is the number of elements.
func (t *Tensor) Len() int {
	switch t.dtype {
	case F32:
		return len(t.f32)
	case F64:
		return len(t.f64)
	}
	return len(t.bits)
}

// NumBytes is the size of the values in the tensor's dtype, as stored in a safetensors file.
func (t *Tensor) NumBytes() int64 { return int64(t.Len()) * int64(t.dtype.Size()) }

// Float32s returns the values as float32. For an F32 tensor this is the tensor's own storage
// (writing to it changes the tensor); for the other dtypes it is a new slice of converted
// values (F16 and BF16 convert exactly, F64 rounds to nearest).
func (t *Tensor) Float32s() []float32 {
	switch t.dtype {
	case F32:
		return t.f32
	case F64:
		out := make([]float32, len(t.f64))
		for i, v := range t.f64 {
			out[i] = float32(v)
		}
		return out
	}
	out := make([]float32, len(t.bits))
	conv := halfDecoder(t.dtype)
	for i, h := range t.bits {
		out[i] = conv(h)
	}
	return out
}

// Float64s returns the values as float64. For an F64 tensor this is the tensor's own storage;
// for the other dtypes it is a new slice (the conversion is exact).
func (t *Tensor) Float64s() []float64 {
	if t.dtype == F64 {
		return t.f64
	}
	out := make([]float64, t.Len())
	t.each(func(i int, v float64) { out[i] = v })
	return out
}

// Bits16 returns the raw 16-bit patterns of an F16 or BF16 tensor (its own storage), or nil for
// the other dtypes.
func (t *Tensor) Bits16() []uint16 { return t.bits }

// At returns element i (in row-major order) as a float64. It returns NaN when i is out of range.
func (t *Tensor) At(i int) float64 {
	if i < 0 || i >= t.Len() {
		return math.NaN()
	}
	switch t.dtype {
	case F32:
		return float64(t.f32[i])
	case F64:
		return t.f64[i]
	}
	return float64(halfDecoder(t.dtype)(t.bits[i]))
}

// each calls fn with every element as a float64, in order, without allocating a converted copy.
func (t *Tensor) each(fn func(i int, v float64)) {
	switch t.dtype {
	case F32:
		for i, v := range t.f32 {
			fn(i, float64(v))
		}
	case F64:
		for i, v := range t.f64 {
			fn(i, v)
		}
	default:
		conv := halfDecoder(t.dtype)
		for i, h := range t.bits {
			fn(i, float64(conv(h)))
		}
	}
}

// Convert returns a copy of the tensor stored in another dtype (rounding to nearest even when
// the new dtype is narrower). Converting to the same dtype returns a copy.
func (t *Tensor) Convert(dtype DType) (*Tensor, error) {
	if err := checkFloat(fmt.Sprintf("tensor %q: convert", t.name), dtype); err != nil {
		return nil, err
	}
	out := &Tensor{name: t.name, dtype: dtype, shape: slices.Clone(t.shape)}
	switch dtype {
	case F32:
		if t.dtype == F32 {
			out.f32 = slices.Clone(t.f32)
		} else {
			out.f32 = t.Float32s()
		}
	case F64:
		if t.dtype == F64 {
			out.f64 = slices.Clone(t.f64)
		} else {
			out.f64 = t.Float64s()
		}
	default:
		out.bits = make([]uint16, t.Len())
		if t.dtype == dtype {
			copy(out.bits, t.bits)
			break
		}
		enc := halfEncoder(dtype)
		if t.dtype == F64 {
			// F64 rounds via float32: in rare near-tie cases this double rounding can differ
			// from a direct rounding in the last bit.
			for i, v := range t.f64 {
				out.bits[i] = enc(float32(v))
			}
		} else {
			for i, v := range t.Float32s() {
				out.bits[i] = enc(v)
			}
		}
	}
	return out, nil
}

// Clone returns a deep copy of the tensor, optionally under another name ("" keeps the name).
func (t *Tensor) Clone(name string) *Tensor {
	c, _ := t.Convert(t.dtype) // cannot fail: t.dtype is a float dtype
	if name != "" {
		c.name = name
	}
	return c
}

// String describes the tensor without its values, e.g. `encoder.ln.weight F32[64]`.
func (t *Tensor) String() string { return fmt.Sprintf("%s %s%v", t.name, t.dtype, t.shape) }

func halfDecoder(d DType) func(uint16) float32 {
	if d == BF16 {
		return BF16ToFloat32
	}
	return F16ToFloat32
}

func halfEncoder(d DType) func(float32) uint16 {
	if d == BF16 {
		return Float32ToBF16
	}
	return Float32ToF16
}
