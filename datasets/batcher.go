package datasets

import (
	"fmt"
	"iter"
	"math/rand/v2"
)

// BatchOptions configures a [Batcher]. The zero value (apart from BatchSize) gives the test-time
// stream: images in order, unnormalised (x/255), last partial batch included.
type BatchOptions struct {
	// BatchSize is the number of images per batch (required, > 0).
	BatchSize int
	// Shuffle visits the images in a new random order each epoch; the order depends only on
	// (Seed, epoch), so runs are reproducible and any epoch can be replayed.
	Shuffle bool
	// Seed seeds the shuffling and the augmentation.
	Seed uint64
	// DropLast skips the final batch of an epoch when it has fewer than BatchSize images, so every
	// batch has the same shape (one compiled graph).
	DropLast bool
	// Normalize outputs (x/255 - Mean[c]) / Std[c] with the dataset's constants instead of x/255.
	Normalize bool
	// Augment applies random crops and flips; the zero value applies none. [CIFARAugment] is the
	// standard CIFAR training augmentation.
	Augment Augment
}

// Augment describes the random data augmentation of a training stream, drawn independently per
// image from (Seed, epoch, batch index).
type Augment struct {
	// Pad zero-pads each side by Pad pixels and takes a random crop of the original size (0 = none).
	// Padding is zero in pixel space, before normalisation, as torchvision's RandomCrop does.
	Pad int
	// Flip mirrors each image horizontally with probability 1/2.
	Flip bool
}

// CIFARAugment is the standard CIFAR training augmentation used by LoGAH (after ppuda):
// random crop 32 with padding 4, then random horizontal flip.
var CIFARAugment = Augment{Pad: 4, Flip: true}

// Batch is one batch of images in the layout a model consumes.
//
// A Batcher reuses the slices of the Batch it returns: they are valid until the next batch is
// requested. Use [Batch.Clone] to keep one.
type Batch struct {
	// Pixels holds Size*C*H*W values in NCHW order.
	Pixels []float32
	// Labels holds Size class indices.
	Labels []int32
	// Indices holds the dataset index of each image.
	Indices []int
	// Size is the number of images (BatchSize, or fewer for a final partial batch).
	Size, C, H, W int
	// Epoch and Step locate the batch: it is batch Step (from 0) of epoch Epoch.
	Epoch, Step int
}

// Clone returns a copy of b that does not share memory with the Batcher.
func (b *Batch) Clone() *Batch {
	c := *b
	c.Pixels = append([]float32(nil), b.Pixels...)
	c.Labels = append([]int32(nil), b.Labels...)
	c.Indices = append([]int(nil), b.Indices...)
	return &c
}

// Batcher turns an [Images] dataset into batches of float32 pixels and int32 labels, with
// optional shuffling, normalisation and augmentation. A Batcher is not safe for concurrent use;
// give each goroutine its own (they may share the dataset).
type Batcher struct {
	ds   *Images
	opts BatchOptions

	// lut[c*256+v] is the output value of byte v in channel c (for Uint8 datasets).
	lut []float32
	// scale[c], shift[c] map a 0..1 value x to x*scale+shift (for Float32 datasets).
	scale, shift []float32

	permEpoch int   // epoch whose order perm holds, or -1
	perm      []int // visiting order of permEpoch

	next  struct{ epoch, step int } // position of Next
	batch Batch
	crops []cropDraw
	// augPCG, reseeded per batch, drives augRNG: no allocation per batch.
	augPCG *rand.PCG
	augRNG *rand.Rand
}

// NewBatcher returns a Batcher over ds. ds must not be modified while the Batcher is in use.
func NewBatcher(ds *Images, opts BatchOptions) (*Batcher, error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	if ds.N == 0 {
		return nil, fmt.Errorf("datasets %s: no images to batch", ds.Name)
	}
	if opts.BatchSize <= 0 {
		return nil, fmt.Errorf("datasets %s: BatchSize %d, want > 0", ds.Name, opts.BatchSize)
	}
	if opts.Augment.Pad < 0 {
		return nil, fmt.Errorf("datasets %s: Augment.Pad %d, want >= 0", ds.Name, opts.Augment.Pad)
	}
	if opts.DropLast && ds.N < opts.BatchSize {
		return nil, fmt.Errorf("datasets %s: %d images and DropLast with BatchSize %d would give no batch: lower BatchSize or unset DropLast", ds.Name, ds.N, opts.BatchSize)
	}
	b := &Batcher{ds: ds, opts: opts, permEpoch: -1, augPCG: rand.NewPCG(0, 0)}
	b.augRNG = rand.New(b.augPCG)
	b.scale = make([]float32, ds.C)
	b.shift = make([]float32, ds.C)
	for c := range ds.C {
		b.scale[c], b.shift[c] = 1, 0
		if opts.Normalize {
			b.scale[c] = 1 / ds.Std[c]
			b.shift[c] = -ds.Mean[c] / ds.Std[c]
		}
	}
	if ds.Uint8 != nil {
		b.lut = make([]float32, ds.C*256)
		for c := range ds.C {
			for v := range 256 {
				b.lut[c*256+v] = float32(v)/255*b.scale[c] + b.shift[c]
			}
		}
	}
	size := ds.ImageSize()
	b.batch.Pixels = make([]float32, opts.BatchSize*size)
	b.batch.Labels = make([]int32, opts.BatchSize)
	b.batch.Indices = make([]int, opts.BatchSize)
	b.crops = make([]cropDraw, opts.BatchSize)
	return b, nil
}

// Len returns the number of batches in one epoch.
func (b *Batcher) Len() int {
	if b.opts.DropLast {
		return b.ds.N / b.opts.BatchSize
	}
	return (b.ds.N + b.opts.BatchSize - 1) / b.opts.BatchSize
}

// Epoch returns the batches of epoch e in order. The same e always gives the same batches.
// Each yielded *Batch is reused by the next iteration (see [Batch]).
func (b *Batcher) Epoch(e int) iter.Seq[*Batch] {
	return func(yield func(*Batch) bool) {
		for step := range b.Len() {
			if !yield(b.Batch(e, step)) {
				return
			}
		}
	}
}

// Next returns the next batch of an endless stream that runs through epochs 0, 1, 2, ... in turn:
// the form a trainer counting steps rather than epochs wants. It is independent of [Batcher.Epoch]
// and gives the same batches.
func (b *Batcher) Next() *Batch {
	out := b.Batch(b.next.epoch, b.next.step)
	b.next.step++
	if b.next.step == b.Len() {
		b.next.epoch++
		b.next.step = 0
	}
	return out
}

// Seek makes [Batcher.Next] continue from batch step of epoch e (to resume training).
func (b *Batcher) Seek(e, step int) {
	b.next.epoch, b.next.step = e, step
}

// Batch builds batch step of epoch e directly. It panics if step is outside [0, Len()).
func (b *Batcher) Batch(e, step int) *Batch {
	if step < 0 || step >= b.Len() {
		panic(fmt.Sprintf("datasets: batch %d outside [0, %d)", step, b.Len()))
	}
	order := b.order(e)
	from := step * b.opts.BatchSize
	to := min(from+b.opts.BatchSize, b.ds.N)
	n := to - from
	ds := b.ds
	size := ds.ImageSize()

	out := &b.batch
	out.Size, out.C, out.H, out.W, out.Epoch, out.Step = n, ds.C, ds.H, ds.W, e, step
	out.Pixels = out.Pixels[:n*size]
	out.Labels = out.Labels[:n]
	out.Indices = out.Indices[:n]

	aug := b.opts.Augment
	if aug.Pad > 0 || aug.Flip {
		// One stream per batch, so a batch does not depend on which batches came before it.
		b.augPCG.Seed(b.opts.Seed^0x9e3779b97f4a7c15, uint64(e)<<32|uint64(step))
		rng := b.augRNG
		for j := range n {
			d := &b.crops[j]
			d.dy, d.dx = aug.Pad, aug.Pad
			if aug.Pad > 0 {
				d.dy, d.dx = rng.IntN(2*aug.Pad+1), rng.IntN(2*aug.Pad+1)
			}
			d.flip = aug.Flip && rng.Uint32()&1 == 1
		}
	}
	for j := range n {
		i := from + j
		if order != nil {
			i = order[i]
		}
		out.Indices[j] = i
		out.Labels[j] = int32(ds.Labels[i])
		dst := out.Pixels[j*size : (j+1)*size]
		switch {
		case aug.Pad == 0 && !aug.Flip && ds.Uint8 != nil:
			b.copyU8(dst, ds.Uint8[i*size:(i+1)*size])
		case aug.Pad == 0 && !aug.Flip:
			b.copyF32(dst, ds.Float32[i*size:(i+1)*size])
		case ds.Uint8 != nil:
			b.cropU8(dst, ds.Uint8[i*size:(i+1)*size], b.crops[j])
		default:
			b.cropF32(dst, ds.Float32[i*size:(i+1)*size], b.crops[j])
		}
	}
	return out
}

// order returns the visiting order of epoch e, or nil for the identity.
func (b *Batcher) order(e int) []int {
	if !b.opts.Shuffle {
		return nil
	}
	if b.permEpoch != e || b.perm == nil {
		if b.perm == nil {
			b.perm = make([]int, b.ds.N)
		}
		for i := range b.perm {
			b.perm[i] = i
		}
		rng := rand.New(rand.NewPCG(b.opts.Seed, uint64(e)))
		rng.Shuffle(len(b.perm), func(i, j int) { b.perm[i], b.perm[j] = b.perm[j], b.perm[i] })
		b.permEpoch = e
	}
	return b.perm
}
