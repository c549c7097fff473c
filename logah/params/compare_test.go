package params

import (
	"math"
	"strings"
	"testing"
)

func TestCompareTensors(t *testing.T) {
	want, _ := FromFloat32("w", []int{4}, []float32{1, -2, 0, 4})
	got, _ := FromFloat32("w", []int{4}, []float32{1.5, -2, 0, 3})
	d, err := CompareTensors(got, want)
	if err != nil {
		t.Fatal(err)
	}
	if d.MaxAbs != 1 || d.WorstIndex != 3 || !near(d.MaxRel, 0.5/1.5, 1e-12) || d.RelToMax != 0.25 {
		t.Fatalf("%+v", d)
	}
	if d, _ := CompareTensors(want, want); d.MaxAbs != 0 || d.MaxRel != 0 || d.RelToMax != 0 {
		t.Fatalf("self: %+v", d)
	}
	// A different dtype compares by value.
	w16, _ := want.Convert(BF16)
	if d, _ := CompareTensors(w16, want); d.MaxAbs != 0 {
		t.Fatalf("BF16 copy differs: %+v", d)
	}
	nan, _ := FromFloat32("w", []int{4}, []float32{1, -2, float32(math.NaN()), 4})
	if d, _ := CompareTensors(nan, want); !math.IsInf(d.MaxAbs, 1) || d.WorstIndex != 2 {
		t.Fatalf("NaN: %+v", d)
	}
	if d, _ := CompareTensors(nan, nan); d.MaxAbs != 0 {
		t.Fatalf("NaN vs itself: %+v", d)
	}
	zeros, _ := NewTensor("w", F32, []int{4})
	if d, _ := CompareTensors(want, zeros); !math.IsInf(d.RelToMax, 1) || d.MaxRel != 1 {
		t.Fatalf("against zeros: %+v", d)
	}
	other, _ := NewTensor("w", F32, []int{2, 2})
	_, err = CompareTensors(other, want)
	wantErr(t, err, `"w"`, "shape [2 2] differs from the reference shape [4]")
}

func TestCompareSets(t *testing.T) {
	a, b := NewSet(), NewSet()
	a.AddFloat32("x", []int{2}, []float32{1, 2})
	a.AddFloat32("y", []int{1}, []float32{10})
	b.AddFloat32("y", []int{1}, []float32{10.5})
	b.AddFloat32("x", []int{2}, []float32{1, 2.25})
	c, err := Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxAbs != 0.5 || c.WorstAbs != "y" || c.WorstRel != "x" || len(c.Tensors) != 2 || c.Tensors[0].Name != "y" {
		t.Fatalf("%+v", c)
	}
	if m, _ := MaxAbsError(a, b); m != 0.5 {
		t.Fatal(m)
	}
	if m, _ := MaxRelError(a, b); !near(m, 0.25/2.25, 1e-12) {
		t.Fatal(m)
	}
	var buf strings.Builder
	c.WriteTable(&buf)
	if !strings.Contains(buf.String(), "worst") || !strings.Contains(buf.String(), "max abs") {
		t.Fatal(buf.String())
	}

	b.AddFloat32("z", []int{1}, []float32{0})
	a.AddFloat32("q", []int{1}, []float32{0})
	_, err = Compare(a, b)
	wantErr(t, err, "1 missing from got (z)", "1 not in want (q)", "Subset")
	_, err = MaxAbsError(a, b)
	wantErr(t, err, "missing")

	b.Replace(mustTensor(t, "x", []int{1, 2}, []float32{1, 2}))
	sa, _ := a.Subset("x")
	sb, _ := b.Subset("x")
	_, err = Compare(sa, sb)
	wantErr(t, err, `"x"`, "shape")
}

func mustTensor(t *testing.T, name string, shape []int, data []float32) *Tensor {
	t.Helper()
	x, err := FromFloat32(name, shape, data)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
