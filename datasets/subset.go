package datasets

import (
	"fmt"
	"math"
)

// Subset returns a new dataset with the images at the given indices, in that order (an index may
// repeat). Pixels and labels are copied; class names and normalisation constants are kept.
func (d *Images) Subset(indices []int, name string) (*Images, error) {
	size := d.ImageSize()
	out := d.shallowCopy()
	out.Name = name
	if name == "" {
		out.Name = fmt.Sprintf("%s[subset of %d]", d.Name, len(indices))
	}
	out.N = len(indices)
	out.Labels = make([]int, len(indices))
	if d.Coarse != nil {
		out.Coarse = make([]int, len(indices))
	}
	if d.Uint8 != nil {
		out.Uint8 = make([]uint8, len(indices)*size)
	} else {
		out.Float32 = make([]float32, len(indices)*size)
	}
	for j, i := range indices {
		if i < 0 || i >= d.N {
			return nil, fmt.Errorf("datasets %s: Subset index %d (position %d) outside [0, %d)", d.Name, i, j, d.N)
		}
		out.Labels[j] = d.Labels[i]
		if d.Coarse != nil {
			out.Coarse[j] = d.Coarse[i]
		}
		if d.Uint8 != nil {
			copy(out.Uint8[j*size:(j+1)*size], d.Uint8[i*size:(i+1)*size])
		} else {
			copy(out.Float32[j*size:(j+1)*size], d.Float32[i*size:(i+1)*size])
		}
	}
	return out, nil
}

// Range returns the images [from, to) as a new dataset named like "cifar10/train[0:45000]".
func (d *Images) Range(from, to int) (*Images, error) {
	if from < 0 || to > d.N || from > to {
		return nil, fmt.Errorf("datasets %s: Range [%d, %d) outside [0, %d]", d.Name, from, to, d.N)
	}
	idx := make([]int, to-from)
	for i := range idx {
		idx[i] = from + i
	}
	return d.Subset(idx, fmt.Sprintf("%s[%d:%d]", d.Name, from, to))
}

// Split cuts the dataset in order: the first round(fraction*N) images and the rest. LoGAH (after
// ppuda) trains the hypernetwork on the first 90% of the CIFAR training set and holds out the
// last 10%: d.Split(0.9) gives 45000 / 5000 images.
func (d *Images) Split(fraction float64) (first, rest *Images, err error) {
	if !(fraction >= 0 && fraction <= 1) {
		return nil, nil, fmt.Errorf("datasets %s: Split fraction %g outside [0, 1]", d.Name, fraction)
	}
	k := int(math.Round(fraction * float64(d.N)))
	if first, err = d.Range(0, k); err != nil {
		return nil, nil, err
	}
	if rest, err = d.Range(k, d.N); err != nil {
		return nil, nil, err
	}
	return first, rest, nil
}

// SelectClasses keeps the images whose label is in classes and relabels them by position in
// classes (classes[0] becomes label 0, ...), with Classes renamed to match: the usual way to build
// transfer tasks such as "CIFAR-10 classes 0-4 vs 5-9". Image order is kept. Coarse labels, if
// any, are dropped (they no longer match a class subset).
func (d *Images) SelectClasses(classes []int) (*Images, error) {
	if len(classes) == 0 {
		return nil, fmt.Errorf("datasets %s: SelectClasses needs at least one class", d.Name)
	}
	newLabel := make(map[int]int, len(classes))
	names := make([]string, len(classes))
	for j, c := range classes {
		if c < 0 || c >= len(d.Classes) {
			return nil, fmt.Errorf("datasets %s: class %d outside [0, %d)", d.Name, c, len(d.Classes))
		}
		if _, dup := newLabel[c]; dup {
			return nil, fmt.Errorf("datasets %s: class %d listed twice in SelectClasses", d.Name, c)
		}
		newLabel[c] = j
		names[j] = d.Classes[c]
	}
	var idx []int
	for i, l := range d.Labels {
		if _, ok := newLabel[l]; ok {
			idx = append(idx, i)
		}
	}
	out, err := d.Subset(idx, fmt.Sprintf("%s/classes%v", d.Name, classes))
	if err != nil {
		return nil, err
	}
	for i, l := range out.Labels {
		out.Labels[i] = newLabel[l]
	}
	out.Classes = names
	out.Coarse, out.CoarseClasses = nil, nil
	return out, nil
}
