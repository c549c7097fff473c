package params

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// wantErr fails unless err is non-nil and contains every fragment.
func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error containing %q, got nil", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q does not contain %q", err, f)
		}
	}
}

func TestTensorConstructors(t *testing.T) {
	x, err := FromFloat32("w", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	if err != nil {
		t.Fatal(err)
	}
	if x.Len() != 6 || x.Rank() != 2 || x.NumBytes() != 24 || x.String() != "w F32[2 3]" {
		t.Fatalf("bad tensor %v len %d rank %d bytes %d", x, x.Len(), x.Rank(), x.NumBytes())
	}
	s := x.Shape()
	s[0] = 99 // Shape is a copy
	if x.Shape()[0] != 2 {
		t.Fatal("Shape exposed internal storage")
	}
	x.Float32s()[0] = 7 // F32 storage is shared
	if x.At(0) != 7 || !math.IsNaN(x.At(6)) || !math.IsNaN(x.At(-1)) {
		t.Fatalf("At: %v %v", x.At(0), x.At(6))
	}

	_, err = FromFloat32("w", []int{2, 3}, make([]float32, 5))
	wantErr(t, err, `"w"`, "6 elements", "has 5")
	_, err = NewTensor("w", F32, []int{2, -1})
	wantErr(t, err, "negative")
	_, err = NewTensor("w", I64, []int{2})
	wantErr(t, err, "not a floating-point type")
	_, err = NewTensor("w", "F31", []int{2})
	wantErr(t, err, `unknown dtype "F31"`)
	_, err = NewTensor("w", F32, []int{1 << 40, 1 << 40})
	wantErr(t, err, "2^63")
	_, err = FromBits16("w", F32, []int{1}, []uint16{0})
	wantErr(t, err, "F16 or BF16")

	sc, err := NewTensor("s", F64, nil)
	if err != nil || sc.Len() != 1 || sc.Rank() != 0 {
		t.Fatalf("scalar: %v %v", sc, err)
	}
}

func TestTensorConvert(t *testing.T) {
	vals := []float32{0, 1, -2.5, 0.1, 65504, 1e-7}
	x, _ := FromFloat32("x", []int{6}, slices.Clone(vals))
	for _, dt := range []DType{F32, F64, F16, BF16} {
		y, err := x.Convert(dt)
		if err != nil {
			t.Fatal(err)
		}
		if y.DType() != dt || !slices.Equal(y.Shape(), []int{6}) {
			t.Fatalf("%s: got %v", dt, y)
		}
		got := y.Float32s()
		for i, v := range vals {
			var want float32
			switch dt {
			case F16:
				want = F16ToFloat32(Float32ToF16(v))
			case BF16:
				want = BF16ToFloat32(Float32ToBF16(v))
			default:
				want = v
			}
			if got[i] != want {
				t.Errorf("%s[%d] = %v, want %v", dt, i, got[i], want)
			}
		}
		// Converting back to F32 from a 16-bit dtype is exact.
		z, _ := y.Convert(F32)
		if !slices.Equal(z.Float32s(), got) {
			t.Errorf("%s -> F32 is not exact", dt)
		}
		if f64 := y.Float64s(); float32(f64[2]) != got[2] {
			t.Errorf("%s Float64s: %v", dt, f64)
		}
	}
	c := x.Clone("copy")
	c.Float32s()[1] = 42
	if x.Float32s()[1] != 1 || c.Name() != "copy" {
		t.Fatal("Clone shares storage or lost the name")
	}
	_, err := x.Convert(U8)
	wantErr(t, err, "not a floating-point type")
}
