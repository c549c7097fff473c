package params

import (
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestStats(t *testing.T) {
	for _, dt := range []DType{F32, F64, F16, BF16} {
		x, _ := FromFloat32("x", []int{2, 2}, []float32{1, 2, 3, 4})
		y, _ := x.Convert(dt) // small integers are exact in every dtype
		st := y.Stats()
		if st.Count != 4 || st.Mean != 2.5 || !near(st.Std, math.Sqrt(5.0/3), 1e-12) || st.Min != 1 || st.Max != 4 ||
			!near(st.Norm, math.Sqrt(30), 1e-12) || st.DType != dt {
			t.Errorf("%s: %+v", dt, st)
		}
	}
	one, _ := FromFloat32("one", []int{1}, []float32{-3})
	if st := one.Stats(); st.Std != 0 || st.Mean != -3 || st.Norm != 3 {
		t.Errorf("one element: %+v", st)
	}
	empty, _ := NewTensor("e", F32, []int{0, 5})
	if st := empty.Stats(); st.Count != 0 || st.Mean != 0 || st.Norm != 0 {
		t.Errorf("empty: %+v", st)
	}
	nan, _ := FromFloat32("n", []int{3}, []float32{1, float32(math.NaN()), 2})
	if st := nan.Stats(); !math.IsNaN(st.Mean) || !math.IsNaN(st.Std) || !math.IsNaN(st.Min) || !math.IsNaN(st.Max) {
		t.Errorf("NaN: %+v", st)
	}
	// A large offset must not destroy the standard deviation (two-pass accumulation).
	big, _ := FromFloat64("b", []int{3}, []float64{1e9 + 1, 1e9 + 2, 1e9 + 3})
	if st := big.Stats(); !near(st.Std, 1, 1e-9) {
		t.Errorf("offset std %v", st.Std)
	}
}

func TestWriteSummary(t *testing.T) {
	s := NewSet()
	s.AddFloat32("encoder.ln.weight", []int{4}, []float32{1, 1, 1, 1})
	s.AddFloat32("s", nil, []float32{2})
	var b strings.Builder
	if err := s.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"name", "norm", "encoder.ln.weight", "F32", "scalar", "total (2 tensors)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if lines := strings.Count(out, "\n"); lines != 4 {
		t.Errorf("summary has %d lines, want 4:\n%s", lines, out)
	}
	if got := s.Stats()[0].String(); !strings.HasPrefix(got, "encoder.ln.weight F32[4] mean=1 std=0 min=1 max=1 norm=2") {
		t.Errorf("Stats.String: %q", got)
	}
}
