package datasets_test

import (
	"fmt"

	"github.com/logah-go/logah/datasets"
)

// A training stream as LoGAH uses on CIFAR: the first 90% of the training set, shuffled per epoch,
// augmented and normalised, in fixed-size batches.
func ExampleNewBatcher() {
	train, err := datasets.LoadCIFAR10("", datasets.Train) // $LOGAH_DATA/cifar10, ...
	if err != nil {
		fmt.Println(err) // says how to get the data
		return
	}
	fit, heldOut, err := train.Split(0.9)
	if err != nil {
		panic(err)
	}
	batcher, err := datasets.NewBatcher(fit, datasets.BatchOptions{
		BatchSize: 64, Shuffle: true, Seed: 1, DropLast: true, Normalize: true,
		Augment: datasets.CIFARAugment,
	})
	if err != nil {
		panic(err)
	}
	for epoch := range 2 {
		for batch := range batcher.Epoch(epoch) {
			_ = batch.Pixels // 64×3×32×32 float32, NCHW
			_ = batch.Labels // 64 int32
		}
	}
	fmt.Println(fit.N, heldOut.N, batcher.Len())
}

// Batches of a small in-memory dataset, unshuffled and normalised.
func ExampleBatcher_Epoch() {
	d := &datasets.Images{
		Name: "tiny", N: 3, C: 1, H: 1, W: 2,
		Uint8:   []uint8{0, 255, 51, 102, 255, 0},
		Labels:  []int{0, 1, 0},
		Classes: []string{"dark", "light"},
		Mean:    []float32{0.5}, Std: []float32{0.5},
	}
	b, err := datasets.NewBatcher(d, datasets.BatchOptions{BatchSize: 2, Normalize: true})
	if err != nil {
		panic(err)
	}
	for batch := range b.Epoch(0) {
		fmt.Println(batch.Size, batch.Pixels, batch.Labels)
	}
	// Output:
	// 2 [-1 1 -0.6 -0.19999999] [0 1]
	// 1 [1 -1] [0]
}

func ExampleLoadFashionMNIST() {
	test, err := datasets.LoadFashionMNIST("", datasets.Test) // /usr/share/datasets/fashion-mnist, ...
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(test.N, test.C, test.H, test.W, test.Classes[test.Labels[0]])
}
