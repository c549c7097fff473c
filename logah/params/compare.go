package params

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// TensorDiff measures how far one tensor is from another of the same shape.
type TensorDiff struct {
	Name string
	// MaxAbs is max |got-want| over the elements. A NaN or infinity in one tensor that is not
	// matched by the same value in the other counts as +Inf.
	MaxAbs float64
	// MaxRel is max |got-want| / max(|got|, |want|) over the elements (0 where both are 0).
	// It is 1 or more where the two differ in sign, and near-zero elements dominate it.
	MaxRel float64
	// RelToMax is MaxAbs / max |want|: the error relative to the tensor's scale, robust to
	// elements near zero (0 when both tensors are all zeros, +Inf when only want is).
	RelToMax float64
	// WorstIndex is the row-major index of the element with the largest absolute difference.
	WorstIndex int
}

// Comparison is the result of [Compare]: one [TensorDiff] per tensor (in the order of want) and
// the worst values overall.
type Comparison struct {
	Tensors []TensorDiff
	// MaxAbs, MaxRel and RelToMax are the largest per-tensor values, and WorstAbs, WorstRel and
	// WorstRelToMax the names of the tensors holding them.
	MaxAbs, MaxRel, RelToMax          float64
	WorstAbs, WorstRel, WorstRelToMax string
}

// CompareTensors measures the difference between got and want, which must have the same shape
// (their dtypes may differ: values are compared as float64).
func CompareTensors(got, want *Tensor) (TensorDiff, error) {
	if !slices.Equal(got.shape, want.shape) {
		return TensorDiff{}, fmt.Errorf("params: compare %q: shape %v differs from the reference shape %v",
			want.name, got.shape, want.shape)
	}
	d := TensorDiff{Name: want.name}
	g := got.Float64s()
	var wantMax float64
	want.each(func(i int, w float64) {
		v := g[i]
		var abs, rel float64
		switch {
		case v == w || (v != v && w != w): // equal, equal infinities, or both NaN
		case math.IsNaN(v) || math.IsNaN(w) || math.IsInf(v, 0) || math.IsInf(w, 0):
			abs, rel = math.Inf(1), math.Inf(1)
		default:
			abs = math.Abs(v - w)
			rel = abs / math.Max(math.Abs(v), math.Abs(w))
		}
		if abs > d.MaxAbs {
			d.MaxAbs, d.WorstIndex = abs, i
		}
		d.MaxRel = math.Max(d.MaxRel, rel)
		if a := math.Abs(w); a > wantMax && !math.IsInf(a, 0) {
			wantMax = a
		}
	})
	switch {
	case d.MaxAbs == 0:
	case wantMax == 0:
		d.RelToMax = math.Inf(1)
	default:
		d.RelToMax = d.MaxAbs / wantMax
	}
	return d, nil
}

// Compare measures got against want tensor by tensor. Both sets must hold the same names (in
// any order) with the same shapes; the error lists the names missing on either side. To compare
// part of a set, take a [Set.Subset] of both first.
func Compare(got, want *Set) (*Comparison, error) {
	var missing, extra []string
	for _, n := range want.names {
		if !got.Has(n) {
			missing = append(missing, n)
		}
	}
	for _, n := range got.names {
		if !want.Has(n) {
			extra = append(extra, n)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		var parts []string
		if len(missing) > 0 {
			parts = append(parts, fmt.Sprintf("%d missing from got (%s)", len(missing), abbreviate(missing, 4)))
		}
		if len(extra) > 0 {
			parts = append(parts, fmt.Sprintf("%d not in want (%s)", len(extra), abbreviate(extra, 4)))
		}
		return nil, fmt.Errorf("params: compare: the sets hold different names: %s: compare a Subset of both to restrict the names",
			strings.Join(parts, "; "))
	}
	c := &Comparison{}
	for _, n := range want.names {
		d, err := CompareTensors(got.byName[n], want.byName[n])
		if err != nil {
			return nil, err
		}
		c.Tensors = append(c.Tensors, d)
		if d.MaxAbs > c.MaxAbs || c.WorstAbs == "" {
			c.MaxAbs, c.WorstAbs = d.MaxAbs, n
		}
		if d.MaxRel > c.MaxRel || c.WorstRel == "" {
			c.MaxRel, c.WorstRel = d.MaxRel, n
		}
		if d.RelToMax > c.RelToMax || c.WorstRelToMax == "" {
			c.RelToMax, c.WorstRelToMax = d.RelToMax, n
		}
	}
	return c, nil
}

// MaxAbsError is the largest |got-want| over all tensors of two sets (see [Compare]).
func MaxAbsError(got, want *Set) (float64, error) {
	c, err := Compare(got, want)
	if err != nil {
		return 0, err
	}
	return c.MaxAbs, nil
}

// MaxRelError is the largest elementwise relative error over all tensors of two sets (see
// [TensorDiff.MaxRel] and [Compare]).
func MaxRelError(got, want *Set) (float64, error) {
	c, err := Compare(got, want)
	if err != nil {
		return 0, err
	}
	return c.MaxRel, nil
}

// WriteTable writes the per-tensor differences as an aligned text table, followed by the worst
// values overall.
func (c *Comparison) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "name\tmax abs\tmax rel\trel to max\t")
	for _, d := range c.Tensors {
		fmt.Fprintf(tw, "%s\t%.3g\t%.3g\t%.3g\t\n", d.Name, d.MaxAbs, d.MaxRel, d.RelToMax)
	}
	fmt.Fprintf(tw, "worst\t%.3g\t%.3g\t%.3g\t\n", c.MaxAbs, c.MaxRel, c.RelToMax)
	return tw.Flush()
}
