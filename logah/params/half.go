package params

import "math"

// The conversions below are exact from 16 bits to 32 bits (every F16 and BF16 value is a
// float32) and round to nearest, ties to even, from 32 bits to 16 bits. NaNs stay NaNs (quiet)
// and infinities stay infinities; float32 values beyond the F16 range become ±Inf.

// F16ToFloat32 converts IEEE 754 half-precision bits to a float32.
func F16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	case man == 0: // ±0
		return math.Float32frombits(sign)
	default: // subnormal: value = man · 2⁻²⁴, exact in float32
		f := float32(man) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	}
}

// Float32ToF16 converts a float32 to IEEE 754 half-precision bits, rounding to nearest even.
func Float32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff { // Inf or NaN
		if man == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(man>>13) // keep a quiet NaN with the top payload bits
	}
	e := exp - 127 + 15 // rebiased exponent
	if e >= 0x1f {
		return sign | 0x7c00 // overflow
	}
	if e <= 0 {
		// Subnormal or zero in half precision: shift the full mantissa (with its hidden bit).
		if e < -10 {
			return sign // too small even for rounding up to the smallest subnormal
		}
		m := man | 0x800000
		shift := uint32(14 - e) // 13 for the mantissa width difference, plus 1-e
		half := uint32(1) << (shift - 1)
		rem := m & (1<<shift - 1)
		r := m >> shift
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(e)<<10 | man>>13
	rem := man & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++ // may carry into the exponent, which is right (up to Inf)
	}
	return sign | uint16(r)
}

// BF16ToFloat32 converts bfloat16 bits to a float32 (exact).
func BF16ToFloat32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// Float32ToBF16 converts a float32 to bfloat16 bits, rounding to nearest even.
func Float32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 { // NaN: keep it a (quiet) NaN
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}
