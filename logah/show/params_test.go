package show

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

func TestStats(t *testing.T) {
	st := Stats([]float32{1, 2, 3, 4, float32(math.NaN()), float32(math.Inf(1))})
	if st.Count != 6 || st.NaN != 1 || st.Inf != 1 || st.Mean != 2.5 || st.Min != 1 || st.Max != 4 {
		t.Errorf("Stats = %+v", st)
	}
	if math.Abs(st.Std-math.Sqrt(1.25)) > 1e-12 {
		t.Errorf("std = %v, want %v", st.Std, math.Sqrt(1.25))
	}
	sum := 0
	for _, c := range st.Histogram {
		sum += c
	}
	if sum != 4 || st.Histogram[0] != 1 || st.Histogram[histBins-1] != 1 {
		t.Errorf("histogram = %v", st.Histogram)
	}
	if empty := Stats(nil); !math.IsNaN(empty.Mean) {
		t.Errorf("Stats(nil).Mean = %v", empty.Mean)
	}
}

func TestParamsTable(t *testing.T) {
	tensors := []Tensor{
		NewTensor("w", []int{2, 3}, []float32{-1, 0, 1, 2, 3, 4}),
		NewTensor("b", []int{3}, []float32{0, float32(math.NaN()), 0}),
	}
	tb := ParamsTable("p", slices.Values(tensors))
	if len(tb.Rows) != 2 || tb.Footer[2] != int64(9) {
		t.Fatalf("rows %d, footer %v", len(tb.Rows), tb.Footer)
	}
	h := tb.HTMLFragment()
	if strings.Count(h, "<svg") != 2 || !strings.Contains(h, "2×3") || !strings.Contains(h, "b (1 NaN, 0 Inf)") {
		t.Errorf("HTML: %s", h)
	}
	if !strings.Contains(tb.Caption, "NaN or Inf") {
		t.Errorf("caption does not warn about NaN: %q", tb.Caption)
	}
	rec := record(t)
	Params("p", slices.Values(tensors))
	if len(rec.Outputs) != 1 || !strings.Contains(rec.Outputs[0].Text, "9") {
		t.Errorf("Params displayed %+v", rec.Outputs)
	}
}

func TestArchParamsTable(t *testing.T) {
	a, err := arch.Named("gpt2-large")
	if err != nil {
		t.Fatal(err)
	}
	tb := ArchParamsTable(a)
	if len(tb.Rows) != len(a.Params()) || tb.Footer[3] != int64(774030080) {
		t.Errorf("%d rows, footer %v", len(tb.Rows), tb.Footer)
	}
	var sum int64
	for _, r := range RolesTable(a).Rows {
		sum += r[2].(int64)
	}
	if sum != arch.NumParams(a) {
		t.Errorf("roles sum to %d, want %d", sum, arch.NumParams(a))
	}
}

// *params.Tensor is what notebooks pass to Params (through (*params.Set).All).
var _ Tensor = (*params.Tensor)(nil)

func TestParamsOfInitialisedSet(t *testing.T) {
	a := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 2, Width: 32, Heads: 2, MLPDim: 64, Classes: 10}
	set, err := params.Init(a, 1)
	if err != nil {
		t.Fatal(err)
	}
	tb := ParamsTable("tiny vit", set.All())
	if len(tb.Rows) != set.Len() || tb.Footer[2] != set.NumParams() {
		t.Errorf("%d rows, footer %v; set has %d tensors, %d params", len(tb.Rows), tb.Footer, set.Len(), set.NumParams())
	}
}

func TestArchsTableCountsEachArchitecture(t *testing.T) {
	small := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	wide := small
	wide.Width, wide.MLPDim = 32, 64
	tab := ArchsTable("held-out", []arch.Arch{small, wide})
	if len(tab.Rows) != 2 || tab.Rows[1][0] != wide.String() || tab.Rows[1][1] != arch.NumParams(wide) || tab.Rows[0][1] == tab.Rows[1][1] {
		t.Errorf("rows %v", tab.Rows)
	}
}
