package datasets

// The kernels below write one image into a batch. They run once per image plane and row, never
// allocate, and turn bytes into floats through a 256-entry table per channel (normalisation
// included), so a batch costs about one table look-up per output value.

// cropDraw is the random augmentation of one image: the crop's top-left corner in the padded image
// (dy, dx in [0, 2*Pad]; Pad, Pad is the identity) and whether to mirror it.
type cropDraw struct {
	dy, dx int
	flip   bool
}

// rowU8 converts a run of channel c's uint8 pixels into output values.
func (b *Batcher) rowU8(c int, dst []float32, src []uint8) {
	lut := b.lut[c*256 : (c+1)*256 : (c+1)*256]
	for k, v := range src {
		dst[k] = lut[v]
	}
}

// rowF32 converts a run of channel c's float32 pixels into output values.
func (b *Batcher) rowF32(c int, dst, src []float32) {
	scale, shift := b.scale[c], b.shift[c]
	for k, v := range src {
		dst[k] = v*scale + shift
	}
}

// blankU8 and blankF32 are the output value of a padding pixel in channel c: a zero pixel after
// normalisation.
func (b *Batcher) blankU8(c int) float32  { return b.lut[c*256] }
func (b *Batcher) blankF32(c int) float32 { return b.shift[c] }

// copyU8 converts one uint8 image without augmentation.
func (b *Batcher) copyU8(dst []float32, src []uint8) {
	copyImage(dst, src, b.ds.C, b.ds.H*b.ds.W, b.rowU8)
}

// copyF32 converts one float32 image without augmentation.
func (b *Batcher) copyF32(dst, src []float32) {
	copyImage(dst, src, b.ds.C, b.ds.H*b.ds.W, b.rowF32)
}

// cropU8 writes one uint8 image shifted by a crop and maybe mirrored; pixels from the padding are
// zero before normalisation.
func (b *Batcher) cropU8(dst []float32, src []uint8, d cropDraw) {
	cropImage(dst, src, b.ds.C, b.ds.H, b.ds.W, b.opts.Augment.Pad, d, b.blankU8, b.rowU8)
}

// cropF32 is cropU8 for float32 images.
func (b *Batcher) cropF32(dst, src []float32, d cropDraw) {
	cropImage(dst, src, b.ds.C, b.ds.H, b.ds.W, b.opts.Augment.Pad, d, b.blankF32, b.rowF32)
}

// copyImage converts an image of C planes of the given size, one plane per call of row.
func copyImage[T uint8 | float32](dst []float32, src []T, C, plane int, row func(c int, dst []float32, src []T)) {
	for c := range C {
		row(c, dst[c*plane:(c+1)*plane], src[c*plane:(c+1)*plane])
	}
}

// cropImage writes a C×H×W image shifted by the crop d (in an image padded by pad on each side) and
// mirrored if d.flip. Output pixels that come from the padding are set to blank(c); the others are
// converted by row, one run of source pixels per output row.
func cropImage[T uint8 | float32](dst []float32, src []T, C, H, W, pad int, d cropDraw,
	blank func(c int) float32, row func(c int, dst []float32, src []T)) {
	plane := H * W
	lo, hi, s0 := span(W, d.dx-pad, d.flip)
	for c := range C {
		zero := blank(c)
		for y := range H {
			out := dst[c*plane+y*W : c*plane+(y+1)*W]
			sy := y + d.dy - pad
			if sy < 0 || sy >= H || lo >= hi {
				fill(out, zero)
				continue
			}
			srow := src[c*plane+sy*W : c*plane+(sy+1)*W]
			fill(out[:lo], zero)
			fill(out[hi:], zero)
			mid := out[lo:hi]
			if !d.flip {
				row(c, mid, srow[s0:s0+len(mid)])
				continue
			}
			// Mirrored: output column lo+k reads source column s0-k. Convert the source run in
			// order, then reverse it in place.
			row(c, mid, srow[s0-len(mid)+1:s0+1])
			for i, j := 0, len(mid)-1; i < j; i, j = i+1, j-1 {
				mid[i], mid[j] = mid[j], mid[i]
			}
		}
	}
}

// span returns the output columns [lo, hi) whose source column lies inside the image, and the
// source column of output column lo, for a crop shifted by off = dx-Pad, mirrored or not. Source
// column of output x is x+off, or W-1-x+off when mirrored (crop first, then flip).
func span(w, off int, flip bool) (lo, hi, src0 int) {
	if flip {
		lo, hi = max(0, off), min(w, w+off)
		return lo, hi, w - 1 - lo + off
	}
	lo, hi = max(0, -off), min(w, w-off)
	return lo, hi, lo + off
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}
