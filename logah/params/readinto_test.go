package params

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadFloat32Into checks the direct read against ReadTensor for an F32 and a BF16 tensor,
// and the errors for a wrong shape, a wrong destination length and an unknown name.
func TestReadFloat32Into(t *testing.T) {
	s := &Set{}
	if err := s.AddFloat32("w", []int{3, 5}, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, -14.5}); err != nil {
		t.Fatal(err)
	}
	f32 := &Set{}
	if err := f32.AddFloat32("h", []int{4}, []float32{1, -2, 0.5, 3}); err != nil {
		t.Fatal(err)
	}
	h, _ := f32.Get("h")
	half, err := h.Convert(BF16)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(half); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := Save(path, s, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, name := range []string{"w", "h"} {
		want, err := f.ReadTensor(name)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float32, want.Len())
		if err := f.ReadFloat32Into(name, want.Shape(), got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want.Float32s()) {
			t.Errorf("%s: ReadFloat32Into %v, ReadTensor %v", name, got, want.Float32s())
		}
	}
	for _, c := range []struct {
		name  string
		shape []int
		n     int
		want  string
	}{
		{"w", []int{5, 3}, 15, "has shape [3 5], the model needs [5 3]"},
		{"w", []int{3, 5}, 14, "destination holds 14 values"},
		{"nope", []int{3, 5}, 15, "nope"},
	} {
		err := f.ReadFloat32Into(c.name, c.shape, make([]float32, c.n))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadFloat32Into(%s, %v, %d): %v, want an error with %q", c.name, c.shape, c.n, err, c.want)
		}
	}
}
