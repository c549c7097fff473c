package show

import (
	"maps"
	"math"
	"slices"
)

// Series builders for distributions: several histograms in one plot, and empirical
// cumulative distributions, which compare distributions of different sizes on one axis.

// HistogramBars draws a histogram (value → count) as bar outlines whose heights are fractions of
// total. Several histograms share a plot: the one numbered slot of slots takes the slot-th
// part of each bin (bins are binWidth wide, centred on their value, and the bars fill 80 % of
// a bin). NaN points separate the bars, so the series is one line.
func HistogramBars(name string, hist map[int]int, total int, binWidth float64, slot, slots int) Series {
	w := binWidth * 0.8 / float64(slots)
	var xs, ys []float64
	for _, k := range slices.Sorted(maps.Keys(hist)) {
		x0 := float64(k) - binWidth*0.4 + float64(slot)*w
		y := float64(hist[k]) / float64(total)
		xs = append(xs, x0, x0, x0+w, x0+w, math.NaN())
		ys = append(ys, 0, y, y, 0, math.NaN())
	}
	return Series{Name: name, X: xs, Y: ys}
}

// CDF is the empirical cumulative distribution of values as a step line: at each value x it
// rises from the fraction of values below x to the fraction at or below it.
func CDF(name string, values []float64) Series {
	v := slices.Sorted(slices.Values(values))
	xs := make([]float64, 0, 2*len(v))
	ys := make([]float64, 0, 2*len(v))
	for i, x := range v {
		xs = append(xs, x, x)
		ys = append(ys, float64(i)/float64(len(v)), float64(i+1)/float64(len(v)))
	}
	return Series{Name: name, X: xs, Y: ys}
}
