package datasets

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadIDX(t *testing.T) {
	pix, _ := synthImages(3, 1, 2, 4, 10)
	idx, err := ReadIDX(bytes.NewReader(idxBytes([]int{3, 2, 4}, pix)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(idx.Dims, []int{3, 2, 4}) || !bytes.Equal(idx.Data, pix) {
		t.Errorf("ReadIDX = %v, %d bytes", idx.Dims, len(idx.Data))
	}
	good := idxBytes([]int{3, 2, 4}, pix)
	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		{"bad magic", "bad magic", append([]byte{1, 0}, good[2:]...)},
		{"float type", "type code 0x0d", append([]byte{0, 0, 0x0d}, good[3:]...)},
		{"truncated", "truncated", good[:len(good)-1]},
		{"trailing", "trailing data", append(slices.Clone(good), 9)},
		{"short header", "dimensions", good[:6]},
		{"empty", "magic", nil},
	} {
		_, err := ReadIDX(bytes.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestLoadIDXPair(t *testing.T) {
	dir := t.TempDir()
	pix, labels := synthImages(5, 1, 3, 3, 10)
	im, lb := filepath.Join(dir, "im"), filepath.Join(dir, "lb.gz")
	writeBytes(t, im, idxBytes([]int{5, 3, 3}, pix)) // uncompressed works too
	writeBytes(t, lb, gzipBytes(t, idxBytes([]int{5}, labels)))
	d, err := LoadIDXPair("toy", im, lb, MNISTClasses, 0.5, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 5 || d.C != 1 || d.H != 3 || d.W != 3 || !bytes.Equal(d.Uint8, pix) || !slices.Equal(d.Labels, []int{0, 1, 2, 3, 4}) {
		t.Errorf("dataset = %+v", d)
	}
	// Count mismatch between the two files.
	writeBytes(t, lb, idxBytes([]int{4}, labels[:4]))
	if _, err := LoadIDXPair("toy", im, lb, MNISTClasses, 0.5, 0.25); err == nil || !strings.Contains(err.Error(), "5 images") {
		t.Errorf("count mismatch: error = %v", err)
	}
	// A label without a class name.
	writeBytes(t, lb, idxBytes([]int{5}, []byte{0, 1, 2, 3, 10}))
	if _, err := LoadIDXPair("toy", im, lb, MNISTClasses, 0.5, 0.25); err == nil || !strings.Contains(err.Error(), "Labels[4]=10") {
		t.Errorf("bad label: error = %v", err)
	}
	// Labels file with image dimensions.
	writeBytes(t, lb, idxBytes([]int{5, 1}, labels))
	if _, err := LoadIDXPair("toy", im, lb, MNISTClasses, 0.5, 0.25); err == nil || !strings.Contains(err.Error(), "want (N)") {
		t.Errorf("bad label dims: error = %v", err)
	}
	// Corrupt gzip stream.
	z := gzipBytes(t, idxBytes([]int{5}, labels))
	z[len(z)-5] ^= 0xff // CRC
	writeBytes(t, lb, z)
	if _, err := LoadIDXPair("toy", im, lb, MNISTClasses, 0.5, 0.25); err == nil || !strings.Contains(err.Error(), "download the file again") {
		t.Errorf("corrupt gzip: error = %v", err)
	}
}

func TestMNISTFamilyChecksOfficialShape(t *testing.T) {
	dir := t.TempDir()
	writeMNISTDir(t, dir, 20, 10, 28, 28)
	_, err := LoadMNIST(dir, Train)
	if err == nil || !strings.Contains(err.Error(), "want 60000 of 28×28") {
		t.Errorf("error = %v, want one about the official shape", err)
	}
	if _, err := LoadFashionMNIST(dir, "valid"); err == nil || !strings.Contains(err.Error(), "unknown part") {
		t.Errorf("bad part: error = %v", err)
	}
}

func TestMissingDatasetSaysHowToGetIt(t *testing.T) {
	root := t.TempDir()
	t.Setenv(EnvDataRoot, root)
	if got := DefaultRoot(); got != root {
		t.Fatalf("DefaultRoot = %q, want $LOGAH_DATA %q", got, root)
	}
	_, err := LoadMNIST("", Test)
	if !errors.Is(err, ErrMissing) {
		t.Fatalf("error = %v, want ErrMissing", err)
	}
	for _, want := range []string{filepath.Join(root, "mnist"), "logah data get mnist", "LOGAH_DATA", "t10k-images-idx3-ubyte.gz"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	_, err = LoadFashionMNIST(filepath.Join(root, "nowhere"), Train)
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") {
		t.Errorf("error = %v, want ErrMissing with the Debian package", err)
	}
	_, err = LoadCIFAR100("", Train)
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "logah data get cifar100") {
		t.Errorf("error = %v, want ErrMissing with the download command", err)
	}
	// $LOGAH_DATA/NAME is found without a directory argument.
	writeMNISTDir(t, filepath.Join(root, "mnist"), 3, 2, 28, 28)
	if _, err := LoadMNIST("", Test); errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "want 10000") {
		t.Errorf("error = %v, want the files in $LOGAH_DATA/mnist to be found (and rejected for their size)", err)
	}
}

func TestLoadUnknown(t *testing.T) {
	if _, err := Load("imagenet", "", Train); err == nil || !strings.Contains(err.Error(), "cifar10") {
		t.Errorf("error = %v", err)
	}
}
