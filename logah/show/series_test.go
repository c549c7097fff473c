package show

import (
	"math"
	"slices"
	"testing"
)

func TestHistogramBarsShareBinsAndScaleToFractions(t *testing.T) {
	hist := map[int]int{3: 1, 1: 3} // four members: 3/4 at value 1, 1/4 at value 3
	first := HistogramBars("a", hist, 4, 1, 0, 2)
	second := HistogramBars("b", hist, 4, 1, 1, 2)
	if len(first.X) != 10 || !math.IsNaN(first.X[4]) || !math.IsNaN(first.Y[9]) {
		t.Fatalf("two bars of 4 points and a NaN separator each, got X %v", first.X)
	}
	if first.Y[1] != 0.75 || first.Y[6] != 0.25 || first.Y[0] != 0 || first.Y[3] != 0 {
		t.Errorf("bar heights %v, want 0.75 at value 1 then 0.25 at value 3, from 0", first.Y)
	}
	// Bars fill 80 % of the bin around its value; the second histogram takes the second half.
	if first.X[0] != 0.6 || math.Abs(first.X[2]-1.0) > 1e-12 || math.Abs(second.X[0]-1.0) > 1e-12 || math.Abs(second.X[2]-1.4) > 1e-12 {
		t.Errorf("slots: first bar [%g, %g], second histogram's [%g, %g]; want [0.6, 1] and [1, 1.4]", first.X[0], first.X[2], second.X[0], second.X[2])
	}
}

func TestCDFRisesFromZeroToOne(t *testing.T) {
	s := CDF("widths", []float64{64, 32, 64, 128})
	if !slices.Equal(s.X, []float64{32, 32, 64, 64, 64, 64, 128, 128}) {
		t.Errorf("x %v: each value twice, sorted", s.X)
	}
	if !slices.Equal(s.Y, []float64{0, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1}) {
		t.Errorf("y %v: the fraction below, then at or below each value", s.Y)
	}
	if e := CDF("empty", nil); len(e.X) != 0 {
		t.Errorf("empty input gives %v", e.X)
	}
}
