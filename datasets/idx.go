package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX is an array read from an IDX file, the format of the MNIST family: a magic number
// (two zero bytes, a type code, the number of dimensions), the dimensions as big-endian uint32,
// then the values in row-major order. Only unsigned bytes (type code 0x08) are supported, which
// is what image and label files use.
type IDX struct {
	Dims []int
	Data []uint8
}

// maxIDXValues bounds the size announced by a header (1<<31 bytes), so a corrupt header fails
// with a clear error instead of a huge allocation.
const maxIDXValues = 1 << 31

// ReadIDX reads an uncompressed IDX stream. It validates the magic number and that the data is
// exactly as long as the dimensions say (no truncation, no trailing bytes).
func ReadIDX(r io.Reader) (*IDX, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("idx: reading magic number: %w", err)
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("idx: bad magic number % x (want 00 00 08 NDIM): not an IDX file", head)
	}
	if head[2] != 0x08 {
		return nil, fmt.Errorf("idx: type code 0x%02x not supported (only 0x08, unsigned bytes)", head[2])
	}
	ndim := int(head[3])
	if ndim == 0 {
		return nil, fmt.Errorf("idx: zero dimensions in magic number % x", head)
	}
	raw := make([]byte, 4*ndim)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("idx: reading %d dimensions: %w", ndim, err)
	}
	dims := make([]int, ndim)
	total := 1
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(raw[4*i:]))
		total *= dims[i]
		if total > maxIDXValues {
			return nil, fmt.Errorf("idx: dimensions %v too large", dims[:i+1])
		}
	}
	data := make([]uint8, total)
	if n, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("idx: dimensions %v announce %d values but the file holds %d (truncated)", dims, total, n)
	}
	// Read on to the end: trailing bytes are an error, and a gzip stream checks its CRC only there.
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n > 0 {
			return nil, fmt.Errorf("idx: trailing data after the %d values announced by dimensions %v", total, dims)
		}
		if errors.Is(err, io.EOF) {
			return &IDX{Dims: dims, Data: data}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("idx: %w", err)
		}
	}
}

// ReadIDXFile reads an IDX file, gzip-compressed or not (detected from its first bytes).
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var r io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	idx, err := ReadIDX(r)
	if err != nil {
		if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
			return nil, fmt.Errorf("%s: corrupt gzip data (%w): download the file again", path, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return idx, nil
}

// LoadIDXPair builds a dataset from an images file (N, H, W) and a labels file (N) in IDX format,
// gzip-compressed or not. classes names the labels; mean and std are the single-channel
// normalisation constants. It checks that the counts agree and every label has a class name.
func LoadIDXPair(name, imagesPath, labelsPath string, classes []string, mean, std float32) (*Images, error) {
	im, err := ReadIDXFile(imagesPath)
	if err != nil {
		return nil, fmt.Errorf("%s: images: %w", name, err)
	}
	if len(im.Dims) != 3 {
		return nil, fmt.Errorf("%s: images file %s has dimensions %v, want (N, H, W)", name, imagesPath, im.Dims)
	}
	lb, err := ReadIDXFile(labelsPath)
	if err != nil {
		return nil, fmt.Errorf("%s: labels: %w", name, err)
	}
	if len(lb.Dims) != 1 {
		return nil, fmt.Errorf("%s: labels file %s has dimensions %v, want (N)", name, labelsPath, lb.Dims)
	}
	if im.Dims[0] != lb.Dims[0] {
		return nil, fmt.Errorf("%s: %d images in %s but %d labels in %s", name, im.Dims[0], imagesPath, lb.Dims[0], labelsPath)
	}
	labels := make([]int, len(lb.Data))
	for i, l := range lb.Data {
		labels[i] = int(l)
	}
	d := &Images{
		Name: name, N: im.Dims[0], C: 1, H: im.Dims[1], W: im.Dims[2],
		Uint8: im.Data, Labels: labels, Classes: classes,
		Mean: []float32{mean}, Std: []float32{std},
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}
