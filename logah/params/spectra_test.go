package params

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// orthonormal returns an m×k matrix (row-major) with orthonormal columns (k ≤ m), by
// Gram-Schmidt on Gaussian columns.
func orthonormal(r *rand.Rand, m, k int) []float64 {
	cols := make([][]float64, k)
	for j := range cols {
		c := make([]float64, m)
		for i := range c {
			c[i] = r.NormFloat64()
		}
		for pass := 0; pass < 2; pass++ {
			for _, prev := range cols[:j] {
				var d float64
				for i := range c {
					d += c[i] * prev[i]
				}
				for i := range c {
					c[i] -= d * prev[i]
				}
			}
		}
		var n float64
		for _, x := range c {
			n += x * x
		}
		n = math.Sqrt(n)
		for i := range c {
			c[i] /= n
		}
		cols[j] = c
	}
	out := make([]float64, m*k)
	for i := 0; i < m; i++ {
		for j := 0; j < k; j++ {
			out[i*k+j] = cols[j][i]
		}
	}
	return out
}

// usvt returns U·diag(s)·Vᵀ for U m×k and V n×k (row-major).
func usvt(u []float64, s []float64, v []float64, m, n int) []float64 {
	k := len(s)
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var x float64
			for l := 0; l < k; l++ {
				x += u[i*k+l] * s[l] * v[j*k+l]
			}
			out[i*n+j] = x
		}
	}
	return out
}

func checkSV(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d singular values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Fatalf("%s: σ[%d] = %.17g, want %.17g (all: %v)", what, i, got[i], want[i], got)
		}
	}
}

func TestSingularValuesDiagonal(t *testing.T) {
	d := []float64{3, -7, 0.5, 0, 2}
	a := make([]float64, 25)
	for i, x := range d {
		a[i*5+i] = x
	}
	checkSV(t, "diag", SingularValues(a, 5, 5), []float64{7, 3, 2, 0.5, 0}, 1e-14)
	if got := SingularValues([]float64{-4}, 1, 1); got[0] != 4 {
		t.Fatalf("1×1: %v", got)
	}
	checkSV(t, "zero", SingularValues(make([]float64, 6), 2, 3), []float64{0, 0}, 0)
}

func TestSingularValuesRankOne(t *testing.T) {
	u := []float64{1, 2, 3, 4}
	v := []float64{-1, 0.5, 2}
	a := make([]float64, 12)
	for i := range u {
		for j := range v {
			a[i*3+j] = u[i] * v[j]
		}
	}
	want := math.Sqrt(30) * math.Sqrt(5.25)
	checkSV(t, "4×3 rank 1", SingularValues(a, 4, 3), []float64{want, 0, 0}, 1e-13)
	// Its transpose (3×4) has the same values.
	at := make([]float64, 12)
	for i := 0; i < 4; i++ {
		for j := 0; j < 3; j++ {
			at[j*4+i] = a[i*3+j]
		}
	}
	checkSV(t, "3×4 rank 1", SingularValues(at, 3, 4), []float64{want, 0, 0}, 1e-13)
	sv := SingularValues(a, 4, 3)
	if r := NumericalRank(sv, RankTol); r != 1 {
		t.Fatalf("numerical rank %d, want 1", r)
	}
	if er := EntropyRank(sv); math.Abs(er-1) > 1e-12 {
		t.Fatalf("entropy rank %v, want 1", er)
	}
}

func TestSingularValuesOrthogonalTimesDiagonal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 40
	q := orthonormal(r, n, n)
	s := make([]float64, n)
	for i := range s {
		s[i] = math.Pow(10, -float64(i)/8) // 1 … ~1e-5: a wide, known spectrum
	}
	// Q·diag(s): its singular values are s.
	a := usvt(q, s, orthonormal(r, n, n), n, n)
	checkSV(t, "Q·D·Vᵀ", SingularValues(a, n, n), s, 1e-13)
	b := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			b[i*n+j] = q[i*n+j] * s[j]
		}
	}
	checkSV(t, "Q·D", SingularValues(b, n, n), s, 1e-13)
}

func TestSingularValuesRectangular(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, dims := range [][3]int{{192, 64, 64}, {64, 256, 64}, {256, 64, 32}, {30, 7, 7}, {7, 30, 5}} {
		m, n, k := dims[0], dims[1], dims[2]
		s := make([]float64, k)
		for i := range s {
			s[i] = float64(k-i) * 0.25
		}
		a := usvt(orthonormal(r, m, k), s, orthonormal(r, n, k), m, n)
		want := append(slices.Clone(s), make([]float64, min(m, n)-k)...)
		got := SingularValues(a, m, n)
		checkSV(t, "rectangular", got, want, 1e-12)
		if nr := NumericalRank(got, RankTol); nr != k {
			t.Fatalf("%d×%d rank %d: numerical rank %d", m, n, k, nr)
		}
		// Σσ² is the squared Frobenius norm.
		var fro, ss float64
		for _, x := range a {
			fro += x * x
		}
		for _, x := range got {
			ss += x * x
		}
		if math.Abs(fro-ss) > 1e-10*fro {
			t.Fatalf("%d×%d: Σσ² = %v, ‖A‖² = %v", m, n, ss, fro)
		}
	}
}

func TestEntropyRank(t *testing.T) {
	if er := EntropyRank([]float64{2, 2, 2, 2}); math.Abs(er-4) > 1e-12 {
		t.Fatalf("flat spectrum: %v, want 4", er)
	}
	if er := EntropyRank([]float64{0, 0}); er != 0 {
		t.Fatalf("zero spectrum: %v", er)
	}
	if er := EntropyRank([]float64{1, 1, 0, 0}); math.Abs(er-2) > 1e-12 {
		t.Fatalf("two equal values: %v, want 2", er)
	}
	if n := NumericalRank([]float64{1, 2e-3, 1e-3, 0}, 1e-3); n != 2 {
		t.Fatalf("numerical rank %d, want 2", n)
	}
}

func TestTensorSpectrum(t *testing.T) {
	// A conv weight out=2, in=1, 2×2 is a 2×4 matrix.
	conv, err := FromFloat32("conv_proj.weight", []int{2, 1, 2, 2}, []float32{3, 0, 0, 0, 0, 4, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	sp, ok := conv.Spectrum()
	if !ok || sp.Rows != 2 || sp.Cols != 4 {
		t.Fatalf("spectrum %+v ok=%v", sp, ok)
	}
	checkSV(t, "conv", sp.Singular, []float64{4, 3}, 1e-14)
	if math.Abs(sp.Norm-5) > 1e-12 || sp.NumRank != 2 {
		t.Fatalf("norm %v rank %d", sp.Norm, sp.NumRank)
	}
	bias, _ := FromFloat32("b", []int{3}, []float32{1, 2, 3})
	tok, _ := FromFloat32("class_token", []int{1, 1, 3}, []float32{1, 2, 3})
	for _, x := range []*Tensor{bias, tok} {
		if _, ok := x.Spectrum(); ok {
			t.Fatalf("%s has a spectrum", x.Name())
		}
	}
}

func TestLayerCosines(t *testing.T) {
	s := NewSet()
	add := func(name string, shape []int, data []float32) {
		t.Helper()
		if err := s.AddFloat32(name, shape, data); err != nil {
			t.Fatal(err)
		}
	}
	add("encoder.layers.encoder_layer_0.mlp.0.weight", []int{1, 2}, []float32{1, 0})
	add("encoder.layers.encoder_layer_0.mlp.0.bias", []int{2}, []float32{1, 0})
	add("encoder.layers.encoder_layer_1.mlp.0.weight", []int{1, 2}, []float32{1, 1})
	add("encoder.layers.encoder_layer_1.mlp.0.bias", []int{2}, []float32{1, 1})
	add("encoder.layers.encoder_layer_2.mlp.0.weight", []int{1, 2}, []float32{-1, -1})
	add("transformer.h.0.attn.c_attn.weight", []int{2, 1}, []float32{1, 2})
	add("transformer.h.1.attn.c_attn.weight", []int{2, 1}, []float32{2, 4})
	got := s.LayerCosines()
	want := []LayerCosine{
		{"encoder.layers.encoder_layer_*.mlp.0.weight", 0, "encoder.layers.encoder_layer_0.mlp.0.weight", "encoder.layers.encoder_layer_1.mlp.0.weight", 1 / math.Sqrt2},
		{"encoder.layers.encoder_layer_*.mlp.0.weight", 1, "encoder.layers.encoder_layer_1.mlp.0.weight", "encoder.layers.encoder_layer_2.mlp.0.weight", -1},
		{"transformer.h.*.attn.c_attn.weight", 0, "transformer.h.0.attn.c_attn.weight", "transformer.h.1.attn.c_attn.weight", 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Pattern != w.Pattern || g.Layer != w.Layer || g.A != w.A || g.B != w.B || math.Abs(g.Cosine-w.Cosine) > 1e-7 {
			t.Fatalf("[%d] = %+v, want %+v", i, g, w)
		}
	}
	a, _ := s.Get("encoder.layers.encoder_layer_0.mlp.0.weight")
	b, _ := s.Get("transformer.h.0.attn.c_attn.weight")
	if _, err := CosineSimilarity(a, b); err == nil {
		t.Fatal("cosine of different shapes: no error")
	}
}

func BenchmarkSingularValues256x64(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	a := make([]float64, 256*64)
	for i := range a {
		a[i] = r.NormFloat64()
	}
	for b.Loop() {
		SingularValues(a, 256, 64)
	}
}
