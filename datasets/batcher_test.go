package datasets

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestBatcherInOrder(t *testing.T) {
	d := toy(5)
	b, err := NewBatcher(d, BatchOptions{BatchSize: 2, Normalize: true})
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 3 {
		t.Fatalf("Len = %d, want 3", b.Len())
	}
	var sizes []int
	for batch := range b.Epoch(0) {
		sizes = append(sizes, batch.Size)
		if batch.C != 1 || batch.H != 2 || batch.W != 2 || len(batch.Pixels) != batch.Size*4 {
			t.Fatalf("batch shape %d×%d×%d×%d with %d values", batch.Size, batch.C, batch.H, batch.W, len(batch.Pixels))
		}
		for j := range batch.Size {
			i := batch.Step*2 + j
			if batch.Indices[j] != i || batch.Labels[j] != int32(i%3) {
				t.Errorf("step %d row %d: index %d label %d", batch.Step, j, batch.Indices[j], batch.Labels[j])
			}
			for k := range 4 {
				want := (float32(4*i+k)/255 - 0.5) / 0.25
				if got := batch.Pixels[j*4+k]; abs(got-want) > 1e-6 {
					t.Errorf("image %d pixel %d = %g, want %g", i, k, got, want)
				}
			}
		}
	}
	if !slices.Equal(sizes, []int{2, 2, 1}) {
		t.Errorf("batch sizes %v", sizes)
	}
	b, _ = NewBatcher(d, BatchOptions{BatchSize: 2, DropLast: true})
	if b.Len() != 2 {
		t.Errorf("DropLast Len = %d", b.Len())
	}
	// Without Normalize the values are x/255.
	if got := b.Batch(0, 1).Pixels[1]; abs(got-9.0/255) > 1e-7 {
		t.Errorf("unnormalised pixel = %g", got)
	}
}

func TestBatcherShuffle(t *testing.T) {
	d := toy(103)
	opts := BatchOptions{BatchSize: 10, Shuffle: true, Seed: 1}
	b, err := NewBatcher(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	order := func(b *Batcher, e int) []int {
		var idx []int
		for batch := range b.Epoch(e) {
			for j, i := range batch.Indices {
				if batch.Labels[j] != int32(d.Labels[i]) || batch.Pixels[j*4] != float32(4*i%256)/255 {
					t.Fatalf("row %d does not hold image %d", j, i)
				}
			}
			idx = append(idx, batch.Indices...)
		}
		return idx
	}
	e0, e1 := order(b, 0), order(b, 1)
	if got := slices.Sorted(slices.Values(e0)); len(got) != 103 || got[0] != 0 || got[102] != 102 || len(slices.Compact(got)) != 103 {
		t.Fatalf("epoch 0 does not visit every image once")
	}
	if slices.Equal(e0, e1) || slices.IsSorted(e0) {
		t.Error("epochs must be shuffled, differently")
	}
	b2, _ := NewBatcher(d, opts)
	if !slices.Equal(order(b2, 1), e1) || !slices.Equal(order(b2, 0), e0) {
		t.Error("same seed and epoch gave a different order")
	}
	opts.Seed = 2
	b3, _ := NewBatcher(d, opts)
	if slices.Equal(order(b3, 0), e0) {
		t.Error("different seeds gave the same order")
	}
}

func TestBatcherNext(t *testing.T) {
	d := toy(25)
	opts := BatchOptions{BatchSize: 10, Shuffle: true, Seed: 3, Augment: CIFARAugment}
	ref, _ := NewBatcher(d, opts)
	var want []*Batch
	for e := range 3 {
		for batch := range ref.Epoch(e) {
			want = append(want, batch.Clone())
		}
	}
	b, _ := NewBatcher(d, opts)
	for k, w := range want {
		got := b.Next()
		if got.Epoch != w.Epoch || got.Step != w.Step || !slices.Equal(got.Pixels, w.Pixels) || !slices.Equal(got.Indices, w.Indices) {
			t.Fatalf("Next #%d = epoch %d step %d, want epoch %d step %d with the same content", k, got.Epoch, got.Step, w.Epoch, w.Step)
		}
	}
	b.Seek(1, 2)
	if got := b.Next(); got.Epoch != 1 || got.Step != 2 || !slices.Equal(got.Pixels, want[5].Pixels) {
		t.Errorf("after Seek(1, 2): epoch %d step %d", got.Epoch, got.Step)
	}
}

// referenceCrop pads, crops and flips one image pixel by pixel: the definition the kernels must
// match (torchvision's RandomCrop(padding) then RandomHorizontalFlip, then Normalize).
func referenceCrop(src []float32, c, h, w, pad int, d cropDraw, mean, std []float32) []float32 {
	out := make([]float32, c*h*w)
	for ch := range c {
		for y := range h {
			for x := range w {
				xx := x
				if d.flip {
					xx = w - 1 - x
				}
				sy, sx := y+d.dy-pad, xx+d.dx-pad
				var v float32
				if sy >= 0 && sy < h && sx >= 0 && sx < w {
					v = src[(ch*h+sy)*w+sx]
				}
				out[(ch*h+y)*w+x] = (v - mean[ch]) / std[ch]
			}
		}
	}
	return out
}

func TestCropKernels(t *testing.T) {
	const c, h, w, pad = 3, 5, 7, 4 // not square, and a pad close to the size
	rng := rand.New(rand.NewPCG(5, 6))
	d := &Images{Name: "k", N: 1, C: c, H: h, W: w, Uint8: make([]byte, c*h*w), Labels: []int{0},
		Classes: []string{"x"}, Mean: []float32{0.1, 0.2, 0.3}, Std: []float32{0.5, 0.25, 2}}
	for k := range d.Uint8 {
		d.Uint8[k] = byte(rng.IntN(256))
	}
	f := d.ToFloat32()
	bu, err := NewBatcher(d, BatchOptions{BatchSize: 1, Normalize: true, Augment: Augment{Pad: pad, Flip: true}})
	if err != nil {
		t.Fatal(err)
	}
	bf, _ := NewBatcher(f, BatchOptions{BatchSize: 1, Normalize: true, Augment: Augment{Pad: pad, Flip: true}})
	got := make([]float32, c*h*w)
	for dy := range 2*pad + 1 {
		for dx := range 2*pad + 1 {
			for _, flip := range []bool{false, true} {
				draw := cropDraw{dy, dx, flip}
				want := referenceCrop(f.Float32, c, h, w, pad, draw, d.Mean, d.Std)
				bu.cropU8(got, d.Uint8, draw)
				if !closeAll(got, want) {
					t.Fatalf("uint8 kernel differs for %+v:\n got %v\nwant %v", draw, got, want)
				}
				bf.cropF32(got, f.Float32, draw)
				if !closeAll(got, want) {
					t.Fatalf("float32 kernel differs for %+v", draw)
				}
			}
		}
	}
	// The identity crop equals the plain copy.
	bu.cropU8(got, d.Uint8, cropDraw{pad, pad, false})
	plain := make([]float32, c*h*w)
	bu.copyU8(plain, d.Uint8)
	if !closeAll(got, plain) {
		t.Error("identity crop differs from the plain copy")
	}
}

func closeAll(a, b []float32) bool {
	for i := range a {
		if abs(a[i]-b[i]) > 1e-5 {
			return false
		}
	}
	return len(a) == len(b)
}

func TestAugmentDraws(t *testing.T) {
	d := toy(64)
	b, _ := NewBatcher(d, BatchOptions{BatchSize: 64, Seed: 9, Augment: CIFARAugment})
	seen := map[int]int{}
	flips := 0
	first := b.Batch(0, 0).Clone()
	for e := range 50 {
		b.Batch(e, 0)
		for _, dr := range b.crops {
			seen[dr.dy]++
			seen[100+dr.dx]++
			if dr.flip {
				flips++
			}
		}
	}
	for v := range 9 {
		if seen[v] == 0 || seen[100+v] == 0 {
			t.Errorf("offset %d never drawn: %v", v, seen)
		}
	}
	if share := float64(flips) / (50 * 64); share < 0.4 || share > 0.6 {
		t.Errorf("flip share %.2f, want about 0.5", share)
	}
	if again := b.Batch(0, 0); !slices.Equal(again.Pixels, first.Pixels) {
		t.Error("the same batch was augmented differently")
	}
	if other := b.Batch(1, 0); slices.Equal(other.Pixels, first.Pixels) {
		t.Error("two epochs were augmented identically")
	}
}

func TestBatcherErrors(t *testing.T) {
	d := toy(5)
	for name, o := range map[string]BatchOptions{
		"zero batch":   {},
		"drop all":     {BatchSize: 6, DropLast: true},
		"negative pad": {BatchSize: 2, Augment: Augment{Pad: -1}},
	} {
		if _, err := NewBatcher(d, o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewBatcher(toy(0), BatchOptions{BatchSize: 1}); err == nil {
		t.Error("empty dataset accepted")
	}
	bad := toy(5)
	bad.Labels[0] = 7
	if _, err := NewBatcher(bad, BatchOptions{BatchSize: 1}); err == nil {
		t.Error("invalid dataset accepted")
	}
}
