package torchpt

import (
	"encoding/binary"
	"math"
)

// DType is the element type of a tensor as PyTorch stored it, named like torch's dtypes
// without the "torch." prefix ("float32", "bfloat16", "int64", ...).
type DType string

// The element types a checkpoint's storages may hold.
const (
	Float32  DType = "float32"
	Float16  DType = "float16"
	BFloat16 DType = "bfloat16"
	Float64  DType = "float64"
	Int64    DType = "int64"
	Int32    DType = "int32"
	Int16    DType = "int16"
	Int8     DType = "int8"
	Uint8    DType = "uint8"
	Bool     DType = "bool"
)

// Size returns the number of bytes of one element, or 0 for an unknown dtype.
func (d DType) Size() int {
	switch d {
	case Float64, Int64:
		return 8
	case Float32, Int32:
		return 4
	case Float16, BFloat16, Int16:
		return 2
	case Int8, Uint8, Bool:
		return 1
	}
	return 0
}

// IsFloat reports whether d is a floating-point type.
func (d DType) IsFloat() bool {
	return d == Float32 || d == Float16 || d == BFloat16 || d == Float64
}

// storageDTypes maps the storage classes torch.save names in its persistent ids
// (torch.FloatStorage, ...) to the element type they hold.
var storageDTypes = map[string]DType{
	"FloatStorage":    Float32,
	"HalfStorage":     Float16,
	"BFloat16Storage": BFloat16,
	"DoubleStorage":   Float64,
	"LongStorage":     Int64,
	"IntStorage":      Int32,
	"ShortStorage":    Int16,
	"CharStorage":     Int8,
	"ByteStorage":     Uint8,
	"BoolStorage":     Bool,
}

// torchDTypes maps dtype globals (torch.float32, torch.half, ...) that may appear as plain
// values in a checkpoint, for example in a config, to their DType.
var torchDTypes = map[string]DType{
	"float32": Float32, "float": Float32,
	"float16": Float16, "half": Float16,
	"bfloat16": BFloat16,
	"float64":  Float64, "double": Float64,
	"int64": Int64, "long": Int64,
	"int32": Int32, "int": Int32,
	"int16": Int16, "short": Int16,
	"int8":  Int8,
	"uint8": Uint8,
	"bool":  Bool,
}

// halfToFloat32 converts IEEE 754 binary16 bits to a float32, exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise the mantissa
		e := int32(-14)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3ff
		return math.Float32frombits(sign | uint32(e+127)<<23 | mant<<13)
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// bfloat16ToFloat32 converts bfloat16 bits to a float32, exactly.
func bfloat16ToFloat32(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}

// elementFloat64 decodes element i of little-endian data of dtype d as a float64.
// The caller guarantees that d is known and data is long enough.
func elementFloat64(d DType, data []byte, i int) float64 {
	le := binary.LittleEndian
	switch d {
	case Float32:
		return float64(math.Float32frombits(le.Uint32(data[4*i:])))
	case Float16:
		return float64(halfToFloat32(le.Uint16(data[2*i:])))
	case BFloat16:
		return float64(bfloat16ToFloat32(le.Uint16(data[2*i:])))
	case Float64:
		return math.Float64frombits(le.Uint64(data[8*i:]))
	}
	return float64(elementInt64(d, data, i))
}

// elementInt64 decodes element i of little-endian integer or bool data of dtype d.
func elementInt64(d DType, data []byte, i int) int64 {
	le := binary.LittleEndian
	switch d {
	case Int64:
		return int64(le.Uint64(data[8*i:]))
	case Int32:
		return int64(int32(le.Uint32(data[4*i:])))
	case Int16:
		return int64(int16(le.Uint16(data[2*i:])))
	case Int8:
		return int64(int8(data[i]))
	case Uint8:
		return int64(data[i])
	case Bool:
		if data[i] != 0 {
			return 1
		}
		return 0
	}
	return 0
}
