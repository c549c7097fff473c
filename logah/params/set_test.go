package params

import (
	"slices"
	"testing"

	"github.com/logah-go/logah/logah/arch"
)

func TestSetOrderAndAccess(t *testing.T) {
	s := NewSet()
	for _, n := range []string{"c", "a", "b"} {
		if err := s.AddFloat32(n, []int{2}, []float32{1, 2}); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Names(); !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Fatalf("names %v: insertion order not kept", got)
	}
	if s.Len() != 3 || s.NumParams() != 6 || s.NumBytes() != 24 {
		t.Fatalf("len %d params %d bytes %d", s.Len(), s.NumParams(), s.NumBytes())
	}
	wantErr(t, s.AddFloat32("a", []int{1}, []float32{1}), `"a" is already in the set`)
	wantErr(t, s.AddFloat32("__metadata__", []int{1}, []float32{1}), "reserved")
	_, err := s.Get("zz")
	wantErr(t, err, `no tensor "zz"`, "c, a, b")

	r, _ := FromFloat32("a", []int{3}, []float32{7, 8, 9})
	if err := s.Replace(r); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get("a"); got != r || !slices.Equal(s.Names(), []string{"c", "a", "b"}) {
		t.Fatal("Replace did not keep the position")
	}
	z, _ := FromFloat32("z", []int{1}, []float32{1})
	wantErr(t, s.Replace(z), `no tensor "z"`)

	if !s.Remove("c") || s.Remove("c") || s.Has("c") || !slices.Equal(s.Names(), []string{"a", "b"}) {
		t.Fatalf("Remove: %v", s.Names())
	}
	var seen []string
	for x := range s.All() {
		seen = append(seen, x.Name())
	}
	if !slices.Equal(seen, []string{"a", "b"}) {
		t.Fatalf("All: %v", seen)
	}
	sub, err := s.Subset("b", "a")
	if err != nil || !slices.Equal(sub.Names(), []string{"b", "a"}) {
		t.Fatalf("Subset: %v %v", sub, err)
	}
	_, err = s.Subset("b", "q")
	wantErr(t, err, `"q"`)

	var zero Set // the zero Set is usable
	if err := zero.AddFloat32("x", nil, []float32{1}); err != nil || zero.Len() != 1 {
		t.Fatalf("zero Set: %v", err)
	}
}

func TestCheckArch(t *testing.T) {
	a := arch.ViT{ImageSize: 8, Channels: 1, Patch: 4, Depth: 1, Width: 8, Heads: 2, MLPDim: 16, Classes: 3}
	s, err := Init(a, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckArch(a); err != nil {
		t.Fatal(err)
	}
	s.Remove("class_token")
	bad, _ := NewTensor("conv_proj.bias", F32, []int{9})
	s.Replace(bad)
	s.AddFloat32("extra", []int{1}, []float32{0})
	wantErr(t, s.CheckArch(a), "1 missing (class_token)", "conv_proj.bias has shape [9], want [8]", "1 not in the architecture (extra)")
}
