package datasets

import "math/rand/v2"

// Noise is a synthetic image set of n uniformly random 28×28×1 images with random labels of
// 10 classes, drawn from seed: a stand-in for Fashion-MNIST where only speed matters
// (benchmarks), or where the real data is not installed.
func Noise(n int, seed uint64) *Images {
	r := rand.New(rand.NewPCG(seed, 2))
	d := &Images{Name: "noise", N: n, C: 1, H: 28, W: 28, Uint8: make([]uint8, n*28*28), Labels: make([]int, n),
		Classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, Mean: []float32{0.3}, Std: []float32{0.3}}
	for i := range d.Uint8 {
		d.Uint8[i] = uint8(r.IntN(256))
	}
	for i := range d.Labels {
		d.Labels[i] = r.IntN(10)
	}
	return d
}
