package show

import (
	"math"
	"strconv"
	"strings"
)

// niceTicks returns about n "nice" tick values (1, 2, 2.5 or 5 times a power of ten) covering
// [lo, hi], and the step between them.
func niceTicks(lo, hi float64, n int) ([]float64, float64) {
	if !(hi > lo) {
		return []float64{lo}, 0
	}
	raw := (hi - lo) / float64(max(n, 1))
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for v := math.Ceil(lo/step-1e-9) * step; v <= hi+step*1e-9; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, v)
	}
	return ticks, step
}

// niceRange widens [lo, hi] to tick boundaries, and makes an empty range non-empty.
func niceRange(lo, hi float64, n int) (float64, float64) {
	if lo == hi {
		d := math.Abs(lo) * 0.1
		if d == 0 {
			d = 1
		}
		lo, hi = lo-d, hi+d
	}
	_, step := niceTicks(lo, hi, n)
	return math.Floor(lo/step+1e-9) * step, math.Ceil(hi/step-1e-9) * step
}

// logTicks returns tick values for a log axis over [lo, hi] (both > 0): powers of ten, plus
// 2× and 5× when the range spans less than three decades.
func logTicks(lo, hi float64) []float64 {
	a, b := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	mults := []float64{1}
	if b-a <= 1 {
		mults = []float64{1, 2, 3, 5}
	} else if b-a <= 3 {
		mults = []float64{1, 2, 5}
	}
	var ticks []float64
	for e := a; e <= b; e++ {
		for _, m := range mults {
			v := m * math.Pow(10, e)
			if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				ticks = append(ticks, v)
			}
		}
	}
	return ticks
}

// tickLabel formats a tick value given the step between ticks (0 for log axes).
func tickLabel(v, step float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1e9:
		return trimZeros(strconv.FormatFloat(v/1e9, 'f', 1, 64)) + "G"
	case a >= 1e6:
		return trimZeros(strconv.FormatFloat(v/1e6, 'f', 2, 64)) + "M"
	case a >= 1e4:
		return trimZeros(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	case a < 1e-3:
		return strconv.FormatFloat(v, 'e', 0, 64)
	}
	if step > 0 {
		decimals := max(0, int(math.Ceil(-math.Log10(step)+1e-9)))
		if s := step * math.Pow(10, float64(decimals)); math.Abs(s-math.Round(s)) > 1e-6 {
			decimals++ // steps like 2.5
		}
		return strconv.FormatFloat(v, 'f', decimals, 64)
	}
	return trimZeros(strconv.FormatFloat(v, 'f', 3, 64))
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
