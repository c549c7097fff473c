package show

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"

	"github.com/logah-go/logah/logah/arch"
)

// Tensor is what [Params] needs of a named tensor; *params.Tensor satisfies it.
type Tensor interface {
	Name() string
	Shape() []int
	Float32s() []float32
}

// NewTensor wraps a name, shape and values as a [Tensor] (the values are not copied).
func NewTensor(name string, shape []int, values []float32) Tensor {
	return plainTensor{name, shape, values}
}

type plainTensor struct {
	name   string
	shape  []int
	values []float32
}

func (t plainTensor) Name() string        { return t.name }
func (t plainTensor) Shape() []int        { return t.shape }
func (t plainTensor) Float32s() []float32 { return t.values }

// TensorStats summarises a tensor's values.
type TensorStats struct {
	Count               int
	Mean, Std, Min, Max float64
	NaN, Inf            int
	Histogram           []int // counts of the finite values in equal bins over [Min, Max]
}

// histBins is the number of histogram bins of a parameter row.
const histBins = 24

// Stats computes the statistics of values (two passes, float64 accumulation).
func Stats(values []float32) TensorStats {
	st := TensorStats{Count: len(values), Min: math.Inf(1), Max: math.Inf(-1)}
	var sum float64
	finite := 0
	for _, v := range values {
		f := float64(v)
		switch {
		case math.IsNaN(f):
			st.NaN++
			continue
		case math.IsInf(f, 0):
			st.Inf++
			continue
		}
		finite++
		sum += f
		st.Min, st.Max = math.Min(st.Min, f), math.Max(st.Max, f)
	}
	if finite == 0 {
		st.Mean, st.Std, st.Min, st.Max = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return st
	}
	st.Mean = sum / float64(finite)
	var ss float64
	st.Histogram = make([]int, histBins)
	width := (st.Max - st.Min) / histBins
	for _, v := range values {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		d := f - st.Mean
		ss += d * d
		k := 0
		if width > 0 {
			k = min(histBins-1, int((f-st.Min)/width))
		}
		st.Histogram[k]++
	}
	st.Std = math.Sqrt(ss / float64(finite))
	return st
}

// ParamsTable builds the table [Params] shows: one row per tensor with its shape, count,
// mean, std, min, max and a histogram (an inline SVG bar chart, a Unicode sparkline in text).
func ParamsTable[T Tensor](title string, tensors iter.Seq[T]) *Table {
	t := NewTable(title, "tensor", "shape", "count", "mean", "std", "min", "max", "histogram")
	var total int64
	n, bad := 0, 0
	for x := range tensors {
		vals := x.Float32s()
		st := Stats(vals)
		total += int64(st.Count)
		n++
		name := x.Name()
		if st.NaN+st.Inf > 0 {
			bad++
			name = fmt.Sprintf("%s (%d NaN, %d Inf)", name, st.NaN, st.Inf)
		}
		t.Add(name, formatShape(x.Shape()), st.Count, st.Mean, st.Std, st.Min, st.Max, histogramCell(st))
	}
	t.Footer = []any{fmt.Sprintf("%d tensors", n), "", total, "", "", "", "", ""}
	t.Caption = fmt.Sprintf("%s parameters (%s as float32)", formatInt(total), formatBytes(4*total))
	if bad > 0 {
		t.Caption += fmt.Sprintf("; %d tensor(s) hold NaN or Inf values", bad)
	}
	return t
}

// Params displays a parameter table with statistics and histograms. Pass a set's iterator,
// e.g. show.Params("predicted ViT-S", set.All()) for a *params.Set, or
// slices.Values(tensors) for a slice.
func Params[T Tensor](title string, tensors iter.Seq[T]) {
	t := ParamsTable(title, tensors)
	o := t.Output()
	o.Name = orDefault(title, "params")
	Display(o)
}

// histogramCell draws the histogram as an SVG bar chart (min and max in its tooltip).
func histogramCell(st TensorStats) Cell {
	if len(st.Histogram) == 0 {
		return Cell{HTML: "", Text: ""}
	}
	const w, h = 96, 18
	peak := slices.Max(st.Histogram)
	bw := float64(w) / float64(len(st.Histogram))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" style="vertical-align:middle"><title>%s .. %s</title><rect width="%d" height="%d" fill="#f3f5f7"/>`,
		w, h, formatFloat(st.Min), formatFloat(st.Max), w, h)
	vals := make([]float64, len(st.Histogram))
	for i, c := range st.Histogram {
		vals[i] = float64(c)
		if c == 0 || peak == 0 {
			continue
		}
		bh := math.Max(1, float64(h-1)*float64(c)/float64(peak))
		fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="#4e79a7"/>`, float64(i)*bw+0.2, float64(h)-bh, bw-0.4, bh)
	}
	// A zero marker when 0 is inside the range.
	if st.Min < 0 && st.Max > 0 {
		x := (0 - st.Min) / (st.Max - st.Min) * w
		fmt.Fprintf(&b, `<line x1="%.1f" y1="0" x2="%.1f" y2="%d" stroke="#e15759" stroke-width="1"/>`, x, x, h)
	}
	b.WriteString(`</svg>`)
	return Cell{HTML: b.String(), Text: sparkline(vals, len(vals))}
}

// ArchParamsTable is the parameter table of an architecture (no values: names, shapes, roles,
// counts and shares), with a footer of the exact total.
func ArchParamsTable(a arch.Arch) *Table {
	specs := a.Params()
	total := arch.NumParams(a)
	t := NewTable(a.String(), "tensor", "shape", "role", "count", "share")
	for _, p := range specs {
		t.Add(p.Name, formatShape(p.Shape), p.Role.String(), p.Size(), share(p.Size(), total))
	}
	t.Footer = []any{fmt.Sprintf("%d tensors", len(specs)), "", "", total, share(total, total)}
	t.Caption = fmt.Sprintf("%s parameters (%s as float32)", formatInt(total), formatBytes(4*total))
	return t
}

// ArchsTable lists architectures with their parameter counts, one row each ("architecture",
// "parameters"), e.g. the held-out members of a family.
func ArchsTable(title string, archs []arch.Arch) *Table {
	t := NewTable(title, "architecture", "parameters")
	for _, a := range archs {
		t.Add(a.String(), arch.NumParams(a))
	}
	return t
}

// RolesTable groups an architecture's parameters by role.
func RolesTable(a arch.Arch) *Table {
	total := arch.NumParams(a)
	type agg struct {
		tensors int
		params  int64
	}
	byRole := map[arch.Role]*agg{}
	var roles []arch.Role
	for _, p := range a.Params() {
		g := byRole[p.Role]
		if g == nil {
			g = &agg{}
			byRole[p.Role] = g
			roles = append(roles, p.Role)
		}
		g.tensors++
		g.params += p.Size()
	}
	slices.Sort(roles)
	t := NewTable("by role", "role", "tensors", "parameters", "share")
	for _, r := range roles {
		t.Add(r.String(), byRole[r].tensors, byRole[r].params, share(byRole[r].params, total))
	}
	return t
}

// ArchParams displays an architecture's parameter table and its breakdown by role.
func ArchParams(a arch.Arch) {
	params, roles := ArchParamsTable(a), RolesTable(a)
	html := wrap(`<div style="display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap"><div>` +
		params.HTMLFragment() + `</div><div>` + roles.HTMLFragment() + `</div></div>`)
	Display(Output{Name: "params-" + a.String(), HTML: html, Text: params.Text() + "\n" + roles.Text()})
}

// share is n as a percentage of total, right-aligned.
func share(n, total int64) Cell {
	if total == 0 {
		return Cell{}
	}
	p := 100 * float64(n) / float64(total)
	s := "<0.01%"
	switch {
	case p >= 10:
		s = fmt.Sprintf("%.1f%%", p)
	case p >= 0.01:
		s = fmt.Sprintf("%.2f%%", p)
	}
	return Cell{HTML: esc(s), Text: s, Numeric: true}
}
