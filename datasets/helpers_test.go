package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// idxBytes encodes an unsigned-byte IDX array.
func idxBytes(dims []int, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 0x08, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeBytes(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// synthImages returns n images of c×h×w whose pixel k of image i is (7*i + k) % 256, and labels
// i % classes.
func synthImages(n, c, h, w, classes int) ([]byte, []byte) {
	pix := make([]byte, n*c*h*w)
	for i := range n {
		for k := range c * h * w {
			pix[i*c*h*w+k] = byte((7*i + k) % 256)
		}
	}
	labels := make([]byte, n)
	for i := range labels {
		labels[i] = byte(i % classes)
	}
	return pix, labels
}

// writeMNISTDir writes the four IDX files of an n-train, m-test MNIST-like dataset into dir.
func writeMNISTDir(t testing.TB, dir string, n, m, h, w int) {
	t.Helper()
	for _, p := range []struct {
		prefix string
		count  int
	}{{"train", n}, {"t10k", m}} {
		pix, labels := synthImages(p.count, 1, h, w, 10)
		writeBytes(t, filepath.Join(dir, p.prefix+"-images-idx3-ubyte.gz"), gzipBytes(t, idxBytes([]int{p.count, h, w}, pix)))
		writeBytes(t, filepath.Join(dir, p.prefix+"-labels-idx1-ubyte.gz"), gzipBytes(t, idxBytes([]int{p.count}, labels)))
	}
}

// cifarRecords encodes n synthetic CIFAR records; labelBytes is 1 (CIFAR-10) or 2 (CIFAR-100,
// coarse = label % 20, fine = label). Record i of a file with offset base has label (base+i) %
// classes and pixels as synthImages for image base+i.
func cifarRecords(base, n, labelBytes, classes int) []byte {
	var out []byte
	pix, _ := synthImages(base+n, 3, 32, 32, classes)
	for i := base; i < base+n; i++ {
		l := byte(i % classes)
		if labelBytes == 2 {
			out = append(out, l%20)
		}
		out = append(out, l)
		out = append(out, pix[i*cifarPixels:(i+1)*cifarPixels]...)
	}
	return out
}

// writeCIFAR10Dir writes data_batch_1..5.bin (per records each) and test_batch.bin (test records)
// into dir/cifar-10-batches-bin.
func writeCIFAR10Dir(t testing.TB, dir string, per, test int) {
	t.Helper()
	sub := filepath.Join(dir, "cifar-10-batches-bin")
	for k, f := range cifar10Train {
		writeBytes(t, filepath.Join(sub, f), cifarRecords(k*per, per, 1, 10))
	}
	writeBytes(t, filepath.Join(sub, "test_batch.bin"), cifarRecords(0, test, 1, 10))
}
