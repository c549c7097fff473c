package params

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// Stats summarises the values of one tensor. Sums are accumulated in float64.
type Stats struct {
	Name  string
	DType DType
	Shape []int
	Count int64   // number of elements
	Mean  float64 // arithmetic mean
	Std   float64 // unbiased standard deviation (divides by Count-1, as torch.Tensor.std); 0 when Count < 2
	Min   float64
	Max   float64
	Norm  float64 // Frobenius norm: the square root of the sum of squares
}

// Stats computes the statistics of the tensor. A NaN element makes Mean, Std, Norm, Min and Max
// NaN; an empty tensor gives zeros.
func (t *Tensor) Stats() Stats {
	st := Stats{Name: t.name, DType: t.dtype, Shape: slices.Clone(t.shape), Count: int64(t.Len())}
	if st.Count == 0 {
		return st
	}
	var sum, sumSq float64
	lo, hi := math.Inf(1), math.Inf(-1)
	nan := false
	t.each(func(_ int, v float64) {
		sum += v
		sumSq += v * v
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
		if v != v {
			nan = true
		}
	})
	st.Mean = sum / float64(st.Count)
	st.Min, st.Max = lo, hi
	st.Norm = math.Sqrt(sumSq)
	if st.Count > 1 {
		// Second pass about the mean: exact enough where sumSq - n·mean² would cancel.
		var dev float64
		mean := st.Mean
		t.each(func(_ int, v float64) { d := v - mean; dev += d * d })
		st.Std = math.Sqrt(dev / float64(st.Count-1))
	}
	if nan {
		st.Min, st.Max, st.Std = math.NaN(), math.NaN(), math.NaN()
	}
	return st
}

// String is a one-line summary, e.g. `encoder.ln.weight F32[64] mean=1 std=0 min=1 max=1 norm=8`.
func (st Stats) String() string {
	return fmt.Sprintf("%s %s%v mean=%.4g std=%.4g min=%.4g max=%.4g norm=%.4g",
		st.Name, st.DType, st.Shape, st.Mean, st.Std, st.Min, st.Max, st.Norm)
}

// Stats returns the statistics of every tensor, in order.
func (s *Set) Stats() []Stats {
	out := make([]Stats, 0, s.Len())
	for t := range s.All() {
		out = append(out, t.Stats())
	}
	return out
}

// WriteSummary writes the statistics of every tensor as an aligned text table with the columns
// name, dtype, shape, count, mean, std, min, max and norm, followed by a total line.
func (s *Set) WriteSummary(w io.Writer) error {
	return WriteStatsTable(w, s.Stats())
}

// WriteStatsTable writes stats as an aligned text table (see [Set.WriteSummary]).
func WriteStatsTable(w io.Writer, stats []Stats) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "name\tdtype\tshape\tcount\tmean\tstd\tmin\tmax\tnorm\t")
	var total int64
	for _, st := range stats {
		total += st.Count
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t\n",
			st.Name, st.DType, shapeString(st.Shape), st.Count, st.Mean, st.Std, st.Min, st.Max, st.Norm)
	}
	fmt.Fprintf(tw, "total (%d tensors)\t\t\t%d\t\t\t\t\t\t\n", len(stats), total)
	return tw.Flush()
}

// shapeString writes a shape as "3x64x2x2", or "scalar" for an empty shape.
func shapeString(shape []int) string {
	if len(shape) == 0 {
		return "scalar"
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "x")
}
