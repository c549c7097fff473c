package params

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestHalfRoundTripAllPatterns(t *testing.T) {
	for _, c := range []struct {
		name string
		dec  func(uint16) float32
		enc  func(float32) uint16
	}{{"F16", F16ToFloat32, Float32ToF16}, {"BF16", BF16ToFloat32, Float32ToBF16}} {
		for h := range 1 << 16 {
			f := c.dec(uint16(h))
			back := c.enc(f)
			if f != f { // NaN must stay NaN
				if g := c.dec(back); g == g {
					t.Fatalf("%s %#04x: NaN became %v", c.name, h, g)
				}
				continue
			}
			if back != uint16(h) {
				t.Fatalf("%s %#04x -> %v -> %#04x", c.name, h, f, back)
			}
		}
	}
}

func TestF16KnownValues(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{0, 0x0000}, {float32(math.Copysign(0, -1)), 0x8000}, {1, 0x3c00}, {-2, 0xc000},
		{65504, 0x7bff},                // largest finite
		{65519.99, 0x7bff},             // just below the midpoint to Inf
		{65520, 0x7c00},                // the midpoint rounds to even, which is Inf
		{float32(math.Inf(1)), 0x7c00}, //
		{1e10, 0x7c00},                 // overflow
		{0x1p-24, 0x0001},              // smallest subnormal
		{0x1p-25, 0x0000},              // tie between 0 and the smallest subnormal: even is 0
		{0x1.8p-25, 0x0001},            // above the tie
		{0x3p-25, 0x0002},              // tie between 1 and 2 subnormal units: even is 2
		{0x1p-14, 0x0400},              // smallest normal
		{0x1.ff8p-15, 0x03ff},          // the largest subnormal
		{0x1.ffcp-15, 0x0400},          // a tie above it rounds to even, carrying into the normals
		{1 + 0x1p-11, 0x3c00},          // tie: rounds to even (1)
		{1 + 0x3p-11, 0x3c02},          // tie: rounds to even (1+2^-9)
		{0.1, 0x2e66}, {-0.333333, 0xb555},
	}
	for _, c := range cases {
		if got := Float32ToF16(c.f); got != c.h {
			t.Errorf("Float32ToF16(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
}

// TestHalfRoundsToNearest checks on random float32 values that the chosen 16-bit value is at
// least as close as both neighbours, and on an exact tie has an even last bit.
func TestHalfRoundsToNearest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name  string
		dec   func(uint16) float32
		enc   func(float32) uint16
		limit float64
	}{{"F16", F16ToFloat32, Float32ToF16, 65504}, {"BF16", BF16ToFloat32, Float32ToBF16, 3e38}} {
		for range 200000 {
			f := math.Float32frombits(r.Uint32())
			if f != f || math.Abs(float64(f)) > c.limit {
				continue
			}
			h := c.enc(f)
			got := float64(c.dec(h))
			err := math.Abs(got - float64(f))
			for _, nb := range []uint16{h - 1, h + 1} {
				v := float64(c.dec(nb))
				if v != v || math.IsInf(v, 0) || (nb&0x7fff) == 0x7fff {
					continue
				}
				e := math.Abs(v - float64(f))
				if e < err || (e == err && h&1 == 1 && math.Signbit(v) == math.Signbit(got)) {
					t.Fatalf("%s(%g) = %#04x (%g, err %g) but neighbour %#04x (%g) has err %g",
						c.name, f, h, got, err, nb, v, e)
				}
			}
		}
	}
}

func TestBF16KnownValues(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{1, 0x3f80}, {-2, 0xc000}, {0x1.01p0, 0x3f80}, {0x1.03p0, 0x3f82}, // ties to even
		{0x1.0101p0, 0x3f81}, {float32(math.Inf(-1)), 0xff80}, {math.MaxFloat32, 0x7f80},
	}
	for _, c := range cases {
		if got := Float32ToBF16(c.f); got != c.h {
			t.Errorf("Float32ToBF16(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	if v := BF16ToFloat32(Float32ToBF16(float32(math.NaN()))); v == v {
		t.Errorf("BF16 NaN became %v", v)
	}
}
