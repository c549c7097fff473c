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

// copyU8 converts one uint8 image without augmentation.
func (b *Batcher) copyU8(dst []float32, src []uint8) {
	plane := b.ds.H * b.ds.W
	for c := range b.ds.C {
		lut := b.lut[c*256 : (c+1)*256 : (c+1)*256]
		d := dst[c*plane : (c+1)*plane]
		s := src[c*plane : (c+1)*plane]
		for k, v := range s {
			d[k] = lut[v]
		}
	}
}

// copyF32 converts one float32 image without augmentation.
func (b *Batcher) copyF32(dst, src []float32) {
	plane := b.ds.H * b.ds.W
	for c := range b.ds.C {
		scale, shift := b.scale[c], b.shift[c]
		d := dst[c*plane : (c+1)*plane]
		s := src[c*plane : (c+1)*plane]
		for k, v := range s {
			d[k] = v*scale + shift
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

// cropU8 writes one uint8 image shifted by a crop and maybe mirrored; pixels from the padding are
// zero before normalisation.
func (b *Batcher) cropU8(dst []float32, src []uint8, d cropDraw) {
	H, W, pad := b.ds.H, b.ds.W, b.opts.Augment.Pad
	plane := H * W
	lo, hi, s0 := span(W, d.dx-pad, d.flip)
	for c := range b.ds.C {
		lut := b.lut[c*256 : (c+1)*256 : (c+1)*256]
		zero := lut[0]
		for y := range H {
			row := dst[c*plane+y*W : c*plane+(y+1)*W]
			sy := y + d.dy - pad
			if sy < 0 || sy >= H || lo >= hi {
				fill(row, zero)
				continue
			}
			srow := src[c*plane+sy*W : c*plane+(sy+1)*W]
			fill(row[:lo], zero)
			fill(row[hi:], zero)
			mid := row[lo:hi]
			if d.flip {
				for k := range mid {
					mid[k] = lut[srow[s0-k]]
				}
			} else {
				for k, v := range srow[s0 : s0+len(mid)] {
					mid[k] = lut[v]
				}
			}
		}
	}
}

// cropF32 is cropU8 for float32 images.
func (b *Batcher) cropF32(dst, src []float32, d cropDraw) {
	H, W, pad := b.ds.H, b.ds.W, b.opts.Augment.Pad
	plane := H * W
	lo, hi, s0 := span(W, d.dx-pad, d.flip)
	for c := range b.ds.C {
		scale, shift := b.scale[c], b.shift[c]
		for y := range H {
			row := dst[c*plane+y*W : c*plane+(y+1)*W]
			sy := y + d.dy - pad
			if sy < 0 || sy >= H || lo >= hi {
				fill(row, shift)
				continue
			}
			srow := src[c*plane+sy*W : c*plane+(sy+1)*W]
			fill(row[:lo], shift)
			fill(row[hi:], shift)
			mid := row[lo:hi]
			if d.flip {
				for k := range mid {
					mid[k] = srow[s0-k]*scale + shift
				}
			} else {
				for k, v := range srow[s0 : s0+len(mid)] {
					mid[k] = v*scale + shift
				}
			}
		}
	}
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}
