package ghn

import (
	"slices"
	"sort"
)

// ShapeVocab is the shape encoder's vocabulary (docs/method.md §2.1, ppuda's ShapeEncoder and LoGAH's
// LLMShapeEncoder): the channel counts and kernel sizes the GHN has embeddings for. A shape
// (c_out, c_in, k_h, k_w) is encoded by four table lookups; nodes without a parameter use the
// extra last row of each table.
type ShapeVocab struct {
	// Channels are the known channel counts, sorted ascending.
	Channels []int
	// Spatial are the known kernel sizes, sorted ascending.
	Spatial []int
}

// Vocab returns the shape vocabulary of a configuration:
//
//	channels: {1, 3, NumClasses} ∪ {8, 16, …, 56} ∪ {64, 80, …, 4080} ∪ {4096, 4128, …, 8192}
//	          (VariantGPT adds 32000, 50257 and 128256)
//	spatial:  {1, 3, 5, …, odd < max(12, SpatialMax)} ∪ {14, 16}
func (c Config) Vocab() ShapeVocab {
	c = c.WithDefaults()
	ch := []int{1, 3, c.NumClasses}
	if c.Variant == VariantGPT {
		ch = append(ch, 32000, 50257, 128256)
	}
	for v := 8; v < 64; v += 8 {
		ch = append(ch, v)
	}
	for v := 64; v < 4096; v += 16 {
		ch = append(ch, v)
	}
	for v := 4096; v <= 8192; v += 32 {
		ch = append(ch, v)
	}
	sp := []int{14, 16}
	for v := 1; v < max(12, c.SpatialMax); v += 2 {
		sp = append(sp, v)
	}
	return ShapeVocab{Channels: uniqueSorted(ch), Spatial: uniqueSorted(sp)}
}

func uniqueSorted(v []int) []int {
	sort.Ints(v)
	return slices.Compact(v)
}

// ChannelRows is the number of rows of the channel embedding table (vocabulary + 1).
func (v ShapeVocab) ChannelRows() int { return len(v.Channels) + 1 }

// SpatialRows is the number of rows of the spatial embedding table (vocabulary + 1).
func (v ShapeVocab) SpatialRows() int { return len(v.Spatial) + 1 }

// ChannelIndex is the row of a channel count: its own if known; 4–7 use 8's; other values
// below the largest entry use the numerically closest entry (ties go to the smaller one);
// values above the largest entry use the last entry.
func (v ShapeVocab) ChannelIndex(c int) int {
	if c >= 4 && c < 8 {
		if i, ok := slices.BinarySearch(v.Channels, 8); ok {
			return i
		}
	}
	return closest(v.Channels, c)
}

// SpatialIndex is the row of a kernel size: its own if known; 2 uses 3's; other values below
// the largest entry use the closest entry (ties → smaller, so 4 → 3); larger values use the
// last entry.
func (v ShapeVocab) SpatialIndex(k int) int {
	if k == 2 {
		if i, ok := slices.BinarySearch(v.Spatial, 3); ok {
			return i
		}
	}
	return closest(v.Spatial, k)
}

// closest returns the index of x in the sorted vocab, else of the closest entry (ties →
// smaller); anything above the last entry maps to the last index, and so does anything below
// the first (the reference's lookup table starts at 1; shapes are positive anyway).
func closest(vocab []int, x int) int {
	i, ok := slices.BinarySearch(vocab, x)
	switch {
	case ok:
		return i
	case i == len(vocab), i == 0:
		return len(vocab) - 1
	}
	if x-vocab[i-1] <= vocab[i]-x {
		return i - 1
	}
	return i
}

// shape4D is the shape encoder's 4-D view of a parameter shape (ppuda tensor_shape_to_4d):
// (c) → (c,1,1,1); (a,b) → (a,b,1,1); (1,S,D) with S,D > 1 → (1,D,⌊√S⌋,⌊√S⌋); other
// (a,b,c) → (a,b,c,1); 4-D unchanged.
func shape4D(sz []int) [4]int {
	switch len(sz) {
	case 1:
		return [4]int{sz[0], 1, 1, 1}
	case 2:
		return [4]int{sz[0], sz[1], 1, 1}
	case 3:
		if sz[0] == 1 && min(sz[1], sz[2]) > 1 {
			s := isqrt(sz[1])
			return [4]int{1, sz[2], s, s}
		}
		return [4]int{sz[0], sz[1], sz[2], 1}
	default:
		return [4]int{sz[0], sz[1], sz[2], sz[3]}
	}
}

// ShapeIndices returns the four embedding rows encoding a parameter shape; a nil shape (a node
// without parameter) gets the extra rows (n_ch, n_ch, n_sp, n_sp).
func (v ShapeVocab) ShapeIndices(shape []int) [4]int32 {
	if shape == nil {
		nc, ns := int32(len(v.Channels)), int32(len(v.Spatial))
		return [4]int32{nc, nc, ns, ns}
	}
	s := shape4D(shape)
	return [4]int32{int32(v.ChannelIndex(s[0])), int32(v.ChannelIndex(s[1])),
		int32(v.SpatialIndex(s[2])), int32(v.SpatialIndex(s[3]))}
}

func isqrt(n int) int {
	r := 0
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}
