package datasets

import (
	"fmt"
	"math"
)

// Part names one of the two official parts of an image dataset.
type Part string

const (
	// Train is the official training part (60000 images for (Fashion-)MNIST, 50000 for CIFAR).
	Train Part = "train"
	// Test is the official test part (10000 images for all four datasets).
	Test Part = "test"
)

// Images is an in-memory image classification dataset: N images of shape (C, H, W) stored
// contiguously in NCHW order, one label per image, and what is needed to normalise them.
//
// Exactly one of Uint8 and Float32 holds the pixels. Uint8 pixels are raw bytes (0..255), as every
// supported file format stores them; Float32 pixels are on the scale of Uint8/255, so the same
// Mean and Std apply to both. Images loaded from files use Uint8 (a quarter of the memory);
// [Images.ToFloat32] converts.
//
// Methods that select images ([Images.Subset], [Images.Split], [Images.SelectClasses]) return new
// values with copied pixels, so a subset never aliases its parent.
type Images struct {
	// Name identifies the dataset, e.g. "fashion-mnist/train" or "cifar10/test[45000:50000]".
	Name string
	// N is the number of images; C, H, W the shape of one image.
	N, C, H, W int
	// Uint8 holds N*C*H*W raw pixels in NCHW order, or is nil when Float32 is used.
	Uint8 []uint8
	// Float32 holds N*C*H*W pixels on the 0..1 scale in NCHW order, or is nil when Uint8 is used.
	Float32 []float32
	// Labels holds N class indices in [0, len(Classes)).
	Labels []int
	// Classes names each class; Labels index it.
	Classes []string
	// Mean and Std are the per-channel normalisation constants (length C, on the 0..1 scale): a
	// normalised pixel is (x/255 - Mean[c]) / Std[c]. Loaders set the standard values of each
	// dataset; [Images.Stats] computes them from the data.
	Mean, Std []float32
	// Coarse and CoarseClasses hold CIFAR-100's 20 superclass labels; nil for other datasets.
	// [Images.UseCoarseLabels] makes them the primary labels.
	Coarse        []int
	CoarseClasses []string
}

// ImageSize returns C*H*W, the number of values in one image.
func (d *Images) ImageSize() int { return d.C * d.H * d.W }

// NumClasses returns len(d.Classes).
func (d *Images) NumClasses() int { return len(d.Classes) }

// Validate checks that the sizes, labels and normalisation constants are consistent. Loaders
// return validated values; call it after building an Images by hand.
func (d *Images) Validate() error {
	if d == nil {
		return fmt.Errorf("datasets: nil *Images")
	}
	if d.N < 0 || d.C <= 0 || d.H <= 0 || d.W <= 0 {
		return fmt.Errorf("datasets %s: bad shape N=%d C=%d H=%d W=%d (all must be positive)", d.Name, d.N, d.C, d.H, d.W)
	}
	want := d.N * d.ImageSize()
	switch {
	case d.Uint8 != nil && d.Float32 != nil:
		return fmt.Errorf("datasets %s: both Uint8 and Float32 are set; keep exactly one", d.Name)
	case d.Uint8 != nil && len(d.Uint8) != want:
		return fmt.Errorf("datasets %s: len(Uint8)=%d, want N*C*H*W=%d", d.Name, len(d.Uint8), want)
	case d.Float32 != nil && len(d.Float32) != want:
		return fmt.Errorf("datasets %s: len(Float32)=%d, want N*C*H*W=%d", d.Name, len(d.Float32), want)
	case d.Uint8 == nil && d.Float32 == nil && want != 0:
		return fmt.Errorf("datasets %s: no pixels: set Uint8 or Float32", d.Name)
	}
	if err := checkLabels(d.Name, "Labels", d.Labels, d.N, len(d.Classes)); err != nil {
		return err
	}
	if d.Coarse != nil || d.CoarseClasses != nil {
		if err := checkLabels(d.Name, "Coarse", d.Coarse, d.N, len(d.CoarseClasses)); err != nil {
			return err
		}
	}
	if len(d.Mean) != d.C || len(d.Std) != d.C {
		return fmt.Errorf("datasets %s: len(Mean)=%d and len(Std)=%d, want one per channel (%d)", d.Name, len(d.Mean), len(d.Std), d.C)
	}
	for c, s := range d.Std {
		if !(s > 0) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("datasets %s: Std[%d]=%g, want a positive finite value", d.Name, c, s)
		}
	}
	return nil
}

func checkLabels(name, field string, labels []int, n, numClasses int) error {
	if len(labels) != n {
		return fmt.Errorf("datasets %s: len(%s)=%d, want N=%d", name, field, len(labels), n)
	}
	if numClasses == 0 && n > 0 {
		return fmt.Errorf("datasets %s: %s given but no class names", name, field)
	}
	for i, l := range labels {
		if l < 0 || l >= numClasses {
			return fmt.Errorf("datasets %s: %s[%d]=%d outside [0, %d)", name, field, i, l, numClasses)
		}
	}
	return nil
}

// Image returns the pixels of image i as float32 on the 0..1 scale in CHW order (a new slice).
func (d *Images) Image(i int) []float32 {
	size := d.ImageSize()
	out := make([]float32, size)
	if d.Uint8 != nil {
		for j, v := range d.Uint8[i*size : (i+1)*size] {
			out[j] = float32(v) / 255
		}
	} else {
		copy(out, d.Float32[i*size:(i+1)*size])
	}
	return out
}

// ToFloat32 returns a copy whose pixels are float32 on the 0..1 scale (Uint8/255). A dataset that
// already uses Float32 is copied as is.
func (d *Images) ToFloat32() *Images {
	out := d.shallowCopy()
	out.Labels = append([]int(nil), d.Labels...)
	if d.Coarse != nil {
		out.Coarse = append([]int(nil), d.Coarse...)
	}
	if d.Float32 != nil {
		out.Float32 = append([]float32(nil), d.Float32...)
		return out
	}
	out.Float32 = make([]float32, len(d.Uint8))
	for i, v := range d.Uint8 {
		out.Float32[i] = float32(v) / 255
	}
	return out
}

// UseCoarseLabels returns a copy of a CIFAR-100 dataset whose Labels and Classes are the 20
// superclasses (and whose Coarse fields hold the 100 fine classes), or an error for datasets
// without coarse labels. Pixels are shared, not copied.
func (d *Images) UseCoarseLabels() (*Images, error) {
	if d.Coarse == nil {
		return nil, fmt.Errorf("datasets %s: no coarse labels (only CIFAR-100 has them)", d.Name)
	}
	out := *d
	out.Labels, out.Coarse = d.Coarse, d.Labels
	out.Classes, out.CoarseClasses = d.CoarseClasses, d.Classes
	out.Name = d.Name + "/coarse"
	return &out, nil
}

// Stats computes the per-channel mean and standard deviation (population, on the 0..1 scale) of
// the pixels, the way the standard constants were computed.
func (d *Images) Stats() (mean, std []float32) {
	plane := d.H * d.W
	sum := make([]float64, d.C)
	sumSq := make([]float64, d.C)
	for i := 0; i < d.N; i++ {
		for c := 0; c < d.C; c++ {
			off := (i*d.C + c) * plane
			var s, s2 float64
			if d.Uint8 != nil {
				// Integer sums are exact and much faster than float accumulation.
				var is, is2 uint64
				for _, v := range d.Uint8[off : off+plane] {
					is += uint64(v)
					is2 += uint64(v) * uint64(v)
				}
				s, s2 = float64(is)/255, float64(is2)/(255*255)
			} else {
				for _, v := range d.Float32[off : off+plane] {
					s += float64(v)
					s2 += float64(v) * float64(v)
				}
			}
			sum[c] += s
			sumSq[c] += s2
		}
	}
	mean = make([]float32, d.C)
	std = make([]float32, d.C)
	count := float64(d.N * plane)
	if count == 0 {
		return mean, std
	}
	for c := range d.C {
		m := sum[c] / count
		mean[c] = float32(m)
		std[c] = float32(math.Sqrt(max(sumSq[c]/count-m*m, 0)))
	}
	return mean, std
}

// shallowCopy copies the header and the small slices (class names, constants); pixels and labels
// are left nil for the caller to fill.
func (d *Images) shallowCopy() *Images {
	out := *d
	out.Classes = append([]string(nil), d.Classes...)
	out.CoarseClasses = append([]string(nil), d.CoarseClasses...)
	if d.CoarseClasses == nil {
		out.CoarseClasses = nil
	}
	out.Mean = append([]float32(nil), d.Mean...)
	out.Std = append([]float32(nil), d.Std...)
	out.Uint8, out.Float32, out.Labels, out.Coarse = nil, nil, nil, nil
	return &out
}
