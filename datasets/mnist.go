package datasets

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Standard normalisation constants (0..1 scale) of the MNIST family, computed on the training
// images; the tests check them against the installed Fashion-MNIST.
const (
	MNISTMean        = 0.1307
	MNISTStd         = 0.3081
	FashionMNISTMean = 0.2860
	FashionMNISTStd  = 0.3530
)

// MNISTClasses are the ten digit classes.
var MNISTClasses = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// FashionMNISTClasses are Fashion-MNIST's ten classes in label order.
var FashionMNISTClasses = []string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// idxFiles are the four files of an MNIST-family dataset, as distributed (gzip-compressed). The
// uncompressed files (without ".gz") are accepted too.
var idxFiles = []string{
	"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
	"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
}

// LoadMNIST loads MNIST's train (60000) or test (10000) part: 1×28×28 uint8 images, labels 0..9.
// dir holds the four IDX files; when empty, the dataset is looked for in [SearchDirs]("mnist").
func LoadMNIST(dir string, part Part) (*Images, error) {
	return loadMNISTFamily("mnist", dir, part, MNISTClasses, MNISTMean, MNISTStd)
}

// LoadFashionMNIST loads Fashion-MNIST's train (60000) or test (10000) part: 1×28×28 uint8
// images, labels 0..9. dir holds the four IDX files; when empty, the dataset is looked for in
// [SearchDirs]("fashion-mnist"), which ends with /usr/share/datasets/fashion-mnist (Debian package
// dataset-fashion-mnist).
func LoadFashionMNIST(dir string, part Part) (*Images, error) {
	return loadMNISTFamily("fashion-mnist", dir, part, FashionMNISTClasses, FashionMNISTMean, FashionMNISTStd)
}

func loadMNISTFamily(name, dir string, part Part, classes []string, mean, std float32) (*Images, error) {
	var prefix string
	var want int
	switch part {
	case Train:
		prefix, want = "train", 60000
	case Test:
		prefix, want = "t10k", 10000
	default:
		return nil, fmt.Errorf("%s: unknown part %q (want %q or %q)", name, part, Train, Test)
	}
	found, err := locate(name, dir, findIDX)
	if err != nil {
		return nil, err
	}
	images := idxPath(found, prefix+"-images-idx3-ubyte")
	labels := idxPath(found, prefix+"-labels-idx1-ubyte")
	d, err := LoadIDXPair(name+"/"+string(part), images, labels, classes, mean, std)
	if err != nil {
		return nil, err
	}
	if d.N != want || d.H != 28 || d.W != 28 {
		return nil, fmt.Errorf("%s: %s holds %d images of %d×%d, want %d of 28×28: not the official %s files",
			name, images, d.N, d.H, d.W, want, name)
	}
	return d, nil
}

// findIDX accepts a directory with the four IDX files, compressed or not.
func findIDX(dir string) (string, bool) {
	for _, f := range idxFiles {
		if !hasFiles(dir, f) && !hasFiles(dir, strings.TrimSuffix(f, ".gz")) {
			return "", false
		}
	}
	return dir, true
}

// idxPath prefers the compressed file, as distributed.
func idxPath(dir, base string) string {
	if hasFiles(dir, base+".gz") {
		return filepath.Join(dir, base+".gz")
	}
	return filepath.Join(dir, base)
}
