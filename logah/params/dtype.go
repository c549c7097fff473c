package params

import "fmt"

// DType is the element type of a tensor, spelled as in the safetensors header ("F32", "BF16",
// ...).
//
// A [Tensor] holds one of the four floating-point types [F32], [F64], [F16] and [BF16]. The
// other safetensors types are recognised when a file is opened (so a checkpoint that also holds
// integer buffers can still be read), and their bytes can be read with [File.RawReader], but
// they cannot become a [Tensor].
type DType string

// Floating-point dtypes a [Tensor] can hold.
const (
	F32  DType = "F32"  // IEEE 754 binary32, the working type of this package
	F64  DType = "F64"  // IEEE 754 binary64
	F16  DType = "F16"  // IEEE 754 binary16 (half precision)
	BF16 DType = "BF16" // bfloat16: the upper 16 bits of a binary32
)

// Other dtypes of the safetensors format, recognised in file headers only.
const (
	Bool   DType = "BOOL"
	U8     DType = "U8"
	I8     DType = "I8"
	F8E5M2 DType = "F8_E5M2"
	F8E4M3 DType = "F8_E4M3"
	I16    DType = "I16"
	U16    DType = "U16"
	I32    DType = "I32"
	U32    DType = "U32"
	I64    DType = "I64"
	U64    DType = "U64"
)

// dtypeSizes maps every dtype the format defines with a whole number of bytes per element to
// that number.
var dtypeSizes = map[DType]int{
	Bool: 1, U8: 1, I8: 1, F8E5M2: 1, F8E4M3: 1,
	I16: 2, U16: 2, F16: 2, BF16: 2,
	I32: 4, U32: 4, F32: 4,
	I64: 8, U64: 8, F64: 8,
}

// Size is the number of bytes of one element, or 0 for an unknown dtype.
func (d DType) Size() int { return dtypeSizes[d] }

// Known reports whether d is one of the safetensors dtypes this package recognises.
func (d DType) Known() bool { return dtypeSizes[d] != 0 }

// IsFloat reports whether a [Tensor] can hold d (F32, F64, F16 or BF16).
func (d DType) IsFloat() bool {
	switch d {
	case F32, F64, F16, BF16:
		return true
	}
	return false
}

// checkFloat returns an error naming the fix when d cannot be held by a Tensor.
func checkFloat(what string, d DType) error {
	if d.IsFloat() {
		return nil
	}
	if d.Known() {
		return fmt.Errorf("%s: dtype %s is not a floating-point type: tensors hold F32, F64, F16 or BF16 "+
			"(read the raw bytes with File.RawReader instead)", what, d)
	}
	return fmt.Errorf("%s: unknown dtype %q: use F32, F64, F16 or BF16", what, string(d))
}
