package datasets

import (
	"math/rand/v2"
	"testing"
)

// benchCIFAR is a synthetic CIFAR-sized dataset (5000 random 3×32×32 images).
func benchCIFAR() *Images {
	const n = 5000
	rng := rand.New(rand.NewPCG(1, 1))
	d := &Images{Name: "bench", N: n, C: 3, H: 32, W: 32, Uint8: make([]uint8, n*cifarPixels),
		Labels: make([]int, n), Classes: CIFAR10Classes, Mean: CIFAR10Mean, Std: CIFAR10Std}
	for i := range d.Uint8 {
		d.Uint8[i] = uint8(rng.Uint32())
	}
	for i := range d.Labels {
		d.Labels[i] = rng.IntN(10)
	}
	return d
}

func benchBatcher(b *testing.B, d *Images, opts BatchOptions) {
	bt, err := NewBatcher(d, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(opts.BatchSize * d.ImageSize() * 4)) // float32 bytes produced per batch
	b.ReportAllocs()
	for b.Loop() {
		bt.Next()
	}
	b.ReportMetric(float64(b.N*opts.BatchSize)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkBatcherCIFAR: batches of 64 CIFAR images, shuffled and normalised.
func BenchmarkBatcherCIFAR(b *testing.B) {
	benchBatcher(b, benchCIFAR(), BatchOptions{BatchSize: 64, Shuffle: true, Normalize: true, DropLast: true})
}

// BenchmarkBatcherCIFARAugment adds the random crop (padding 4) and flip.
func BenchmarkBatcherCIFARAugment(b *testing.B) {
	benchBatcher(b, benchCIFAR(), BatchOptions{BatchSize: 64, Shuffle: true, Normalize: true, DropLast: true, Augment: CIFARAugment})
}

// BenchmarkBatcherCIFARFloat32 is the augmented stream from a float32 dataset.
func BenchmarkBatcherCIFARFloat32(b *testing.B) {
	benchBatcher(b, benchCIFAR().ToFloat32(), BatchOptions{BatchSize: 64, Shuffle: true, Normalize: true, DropLast: true, Augment: CIFARAugment})
}

// BenchmarkLoadFashionMNIST measures reading and validating the 60000 training images.
func BenchmarkLoadFashionMNIST(b *testing.B) {
	if _, err := LoadFashionMNIST("", Train); err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, err := LoadFashionMNIST("", Train); err != nil {
			b.Fatal(err)
		}
	}
}
