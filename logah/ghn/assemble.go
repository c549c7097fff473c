package ghn

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/arch"
)

// This file turns one node's decoder output into a parameter tensor inside a graph: crop it to
// the target (the first half of the reference's _tile_params), normalise it (_normalize), and
// tile it to the target shape (the second half of _tile_params). Normalising before tiling is
// the same computation — the scaling is elementwise and the HEAD rule's std is computed with
// each block entry weighted by the number of copies the tiling makes — and it keeps the
// normalisation cost at the block size.

// cropBlock cuts the part of a node's decoder output o (key layout, see [decode]) that the
// target needs: at most the target's size along every axis. noise (D) fills the class-token slot
// of a positional embedding (nil: zeros).
func cropBlock(t target, key Key, o, noise *Node) (*Node, error) {
	ts, od := t.shape, o.Shape().Dimensions
	switch {
	case len(ts) == 1 && (key.Kind == Key1D || key.Kind == KeyClassBias):
		return Reshape(rangeSlice(o, []int{t.slot, 0}, []int{t.slot + 1, min(ts[0], od[1])}), min(ts[0], od[1])), nil
	case len(ts) == 2 && key.Kind == Key4D:
		a, b := min(ts[0], od[0]), min(ts[1], od[1])
		return Reshape(rangeSlice(o, []int{0, 0, od[2] / 2, od[3] / 2}, []int{a, b, od[2]/2 + 1, od[3]/2 + 1}), a, b), nil
	case len(ts) == 2 && key.Kind == KeyClassWeight:
		return rangeSlice(o, []int{0, 0}, []int{min(ts[0], od[0]), min(ts[1], od[1])}), nil
	case len(ts) == 3 && key.Kind == Key4D && od[0] == 1:
		x := Transpose(Reshape(o, 1, od[1], od[2]*od[3]), 1, 2) // (1, s², D)
		x = rangeSlice(x, []int{0, 0, 0}, []int{min(ts[0], 1), min(ts[1], od[2]*od[3]), min(ts[2], od[1])})
		d := x.Shape().Dimensions[2]
		var cls *Node
		if noise == nil {
			cls = Zeros(x.Graph(), shapes.Make(x.DType(), 1, 1, d))
		} else {
			if nd := noise.Shape().Dimensions; len(nd) != 1 || nd[0] < d {
				return nil, fmt.Errorf("class-token noise of %q has shape %v, want (%d)", t.name, nd, ts[2])
			}
			cls = Reshape(Slice(ConvertDType(noise, x.DType()), AxisRange(0, d)), 1, 1, d)
		}
		return Concatenate([]*Node{cls, x}, 1), nil
	case len(ts) == 4 && key.Kind == Key4D:
		s2, s3 := min(ts[2], od[2]), min(ts[3], od[3])
		if s2 < ts[2] || s3 < ts[3] {
			return nil, fmt.Errorf("%q: decoded kernel %dx%d is smaller than the target's %dx%d", t.name, od[2], od[3], ts[2], ts[3])
		}
		o2, o3 := od[2]/2, od[3]/2
		return rangeSlice(o, []int{0, 0, o2 - s2/2, o3 - s3/2}, []int{min(ts[0], od[0]), min(ts[1], od[1]), o2 + (s2+1)/2, o3 + (s3+1)/2}), nil
	}
	return nil, fmt.Errorf("%q: cannot fit a %s decoder output to shape %v", t.name, key, ts)
}

// normaliseBlock applies op to a cropped block x that tiles to target shape ts.
func normaliseBlock(x *Node, op normOp, ts []int) *Node {
	switch op.kind {
	case normScale:
		x = MulScalar(x, op.scale)
		if op.div != 0 {
			x = Div(x, ConstAs(x, op.div)) // a true division, as torch's p / math.sqrt(…)
		}
	case normSigmoid:
		x = MulScalar(Sigmoid(MulScalar(x, 0.5)), 2)
	case normTanh:
		x = Tanh(MulScalar(x, 0.2))
	case normStd:
		std := ConvertDType(tiledStd(x, ts), x.DType())
		x = MulScalar(Div(x, AddScalar(std, stdEps)), op.scale)
	}
	return x
}

// tiledStd is the unbiased std of the tensor that tiling x up to ts gives, computed on x with
// every entry weighted by its number of copies (in float64).
func tiledStd(x *Node, ts []int) *Node {
	g := x.Graph()
	xd := x.Shape().Dimensions
	x64 := ConvertDType(x, dtypes.Float64)
	var weights *Node
	total := 1.0
	for _, d := range ts {
		total *= float64(d)
	}
	for _, ax := range tiledAxes(xd, ts) {
		c := Const(g, tileCounts(xd[ax], ts[ax]))
		shape := make([]int, len(xd))
		for i := range shape {
			shape[i] = 1
		}
		shape[ax] = xd[ax]
		c = BroadcastToDims(Reshape(c, shape...), xd...)
		if weights == nil {
			weights = c
		} else {
			weights = Mul(weights, c)
		}
	}
	weighted := func(v *Node) *Node {
		if weights == nil {
			return ReduceAllSum(v)
		}
		return ReduceAllSum(Mul(v, weights))
	}
	mean := DivScalar(weighted(x64), total)
	dev := Sub(x64, mean)
	return Sqrt(DivScalar(weighted(Mul(dev, dev)), total-1))
}

// tileTo repeats x along the axes the reference tiles and crops it to ts (for 4-D tensors the
// kernel is cropped around its centre, a no-op when it already has the target's size).
func tileTo(x *Node, ts []int) *Node {
	for _, ax := range tiledAxes(x.Shape().Dimensions, ts) {
		x = repeatAxis(x, ax, ts[ax])
	}
	xd := x.Shape().Dimensions
	lo, hi := make([]int, len(ts)), slices.Clone(ts)
	if len(ts) == 4 {
		o2, o3 := xd[2]/2, xd[3]/2
		lo[2], hi[2], lo[3], hi[3] = o2-ts[2]/2, o2+(ts[2]+1)/2, o3-ts[3]/2, o3+(ts[3]+1)/2
	}
	return rangeSlice(x, lo, hi)
}

// rangeSlice is x[lo₀:hi₀, lo₁:hi₁, …], or x itself when that is the whole tensor (the Go
// backend's slice is an elementwise copy, worth skipping).
func rangeSlice(x *Node, lo, hi []int) *Node {
	dims := x.Shape().Dimensions
	whole := true
	specs := make([]SliceAxisSpec, len(dims))
	for i := range dims {
		specs[i] = AxisRange(lo[i], hi[i])
		whole = whole && lo[i] == 0 && hi[i] == dims[i]
	}
	if whole {
		return x
	}
	return Slice(x, specs...)
}

// repeatAxis tiles x along axis until it has at least n entries there, then crops it to n:
// out[…, a, …] = x[…, a mod s, …].
func repeatAxis(x *Node, axis, n int) *Node {
	d := x.Shape().Dimensions
	s := d[axis]
	reps := (n + s - 1) / s
	// Insert a repetition axis before `axis`, broadcast, merge.
	x = InsertAxes(x, axis)
	bd := make([]int, 0, len(d)+1)
	bd = append(bd, d[:axis]...)
	bd = append(bd, reps)
	bd = append(bd, d[axis:]...)
	x = BroadcastToDims(x, bd...)
	nd := append(append(append([]int{}, d[:axis]...), reps*s), d[axis+1:]...)
	x = Reshape(x, nd...)
	specs := make([]SliceAxisSpec, len(nd))
	for i := range specs {
		specs[i] = AxisRange()
	}
	specs[axis] = AxisRange(0, n)
	return Slice(x, specs...)
}

// assemble cuts, normalises (unless raw) and tiles one target out of its node's decoder output.
func assemble(cfg Config, a arch.Arch, t target, key Key, o, noise *Node, raw bool) (*Node, error) {
	x, err := cropBlock(t, key, o, noise)
	if err != nil {
		return nil, err
	}
	if !raw {
		x = normaliseBlock(x, normFor(cfg, a, t.name, t.shape, t.role), t.shape)
	}
	return tileTo(x, t.shape), nil
}
