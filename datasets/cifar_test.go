package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadCIFAR10Synthetic(t *testing.T) {
	root := t.TempDir()
	writeCIFAR10Dir(t, root, 4, 3)
	// The archive's parent folder and the .bin folder itself both work.
	for _, dir := range []string{root, filepath.Join(root, "cifar-10-batches-bin")} {
		d, err := LoadCIFAR10(dir, Train)
		if err != nil {
			t.Fatal(err)
		}
		if d.N != 20 || d.C != 3 || d.H != 32 || d.W != 32 || d.NumClasses() != 10 {
			t.Fatalf("train: N=%d shape %d×%d×%d", d.N, d.C, d.H, d.W)
		}
		want, wantLabels := synthImages(20, 3, 32, 32, 10)
		if !bytes.Equal(d.Uint8, want) {
			t.Error("train pixels differ from the records (batches not read in order?)")
		}
		for i, l := range d.Labels {
			if l != int(wantLabels[i]) {
				t.Fatalf("label %d = %d, want %d", i, l, wantLabels[i])
			}
		}
		if !slices.Equal(d.Mean, CIFAR10Mean) || d.Coarse != nil {
			t.Errorf("mean %v, coarse %v", d.Mean, d.Coarse)
		}
	}
	d, err := LoadCIFAR10(root, Test)
	if err != nil || d.N != 3 || d.Name != "cifar10/test" {
		t.Fatalf("test part: %v, %+v", err, d)
	}
}

func TestLoadCIFAR100Synthetic(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "cifar-100-binary")
	writeBytes(t, filepath.Join(sub, "train.bin"), cifarRecords(0, 150, 2, 100))
	writeBytes(t, filepath.Join(sub, "test.bin"), cifarRecords(0, 7, 2, 100))
	d, err := LoadCIFAR100(root, Train)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 150 || d.NumClasses() != 100 || len(d.CoarseClasses) != 20 {
		t.Fatalf("N=%d classes %d coarse %d", d.N, d.NumClasses(), len(d.CoarseClasses))
	}
	if d.Labels[123] != 23 || d.Coarse[123] != 3 {
		t.Errorf("record 123: fine %d coarse %d, want 23 and 3", d.Labels[123], d.Coarse[123])
	}
	want, _ := synthImages(150, 3, 32, 32, 100)
	if !bytes.Equal(d.Uint8, want) {
		t.Error("pixels differ from the records")
	}
	c, err := d.UseCoarseLabels()
	if err != nil {
		t.Fatal(err)
	}
	if c.Labels[123] != 3 || c.NumClasses() != 20 || c.Classes[0] != "aquatic_mammals" || c.Validate() != nil {
		t.Errorf("coarse view: label %d, %d classes", c.Labels[123], c.NumClasses())
	}
	if _, err := (&Images{}).UseCoarseLabels(); err == nil {
		t.Error("UseCoarseLabels without coarse labels succeeded")
	}
}

func TestCIFARBadFiles(t *testing.T) {
	root := t.TempDir()
	writeCIFAR10Dir(t, root, 2, 2)
	sub := filepath.Join(root, "cifar-10-batches-bin")
	// A truncated batch.
	data, _ := os.ReadFile(filepath.Join(sub, "data_batch_3.bin"))
	writeBytes(t, filepath.Join(sub, "data_batch_3.bin"), data[:len(data)-100])
	if _, err := LoadCIFAR10(root, Train); err == nil || !strings.Contains(err.Error(), "multiple of the 3073-byte record") {
		t.Errorf("truncated: error = %v", err)
	}
	// A label outside 0..9.
	writeBytes(t, filepath.Join(sub, "data_batch_3.bin"), data)
	bad := slices.Clone(data)
	bad[0] = 10
	writeBytes(t, filepath.Join(sub, "test_batch.bin"), bad)
	if _, err := LoadCIFAR10(root, Test); err == nil || !strings.Contains(err.Error(), "Labels[0]=10") {
		t.Errorf("bad label: error = %v", err)
	}
	// A missing batch makes the whole dataset missing.
	os.Remove(filepath.Join(sub, "data_batch_5.bin"))
	if _, err := LoadCIFAR10(root, Test); err == nil || !strings.Contains(err.Error(), "data_batch_{1..5}.bin") {
		t.Errorf("missing batch: error = %v", err)
	}
}

func TestClassNames(t *testing.T) {
	for name, c := range map[string]struct {
		names []string
		n     int
	}{
		"cifar10": {CIFAR10Classes, 10}, "cifar100": {CIFAR100Classes, 100}, "coarse": {CIFAR100CoarseClasses, 20},
		"mnist": {MNISTClasses, 10}, "fashion": {FashionMNISTClasses, 10},
	} {
		if len(c.names) != c.n {
			t.Errorf("%s: %d names, want %d", name, len(c.names), c.n)
		}
		if name == "cifar100" || name == "coarse" {
			// CIFAR-100's label order is alphabetical.
			if !slices.IsSorted(c.names) {
				t.Errorf("%s: names not in alphabetical order", name)
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(c.names)))) != c.n {
			t.Errorf("%s: duplicate names", name)
		}
	}
}
