package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

type tarEntry struct {
	name string
	data []byte // nil for a folder
	typ  byte
}

func tarGz(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: e.typ}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
			if e.data == nil {
				h.Typeflag, h.Mode = tar.TypeDir, 0o755
			}
		}
		if h.Typeflag == tar.TypeSymlink {
			h.Linkname, h.Size = "/etc/passwd", 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write(e.data)
		}
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// fakeSource replaces a dataset's published MD5s with those of the test files for the duration of
// the test, and serves the files from a local test server that counts requests.
func fakeSource(t *testing.T, name string, files map[string][]byte) (base string, hits *atomic.Int32) {
	t.Helper()
	orig := sources[name]
	src := orig
	src.files = nil
	for _, f := range orig.files {
		src.files = append(src.files, remoteFile{f.name, md5Hex(files[f.name])})
	}
	sources[name] = src
	t.Cleanup(func() { sources[name] = orig })
	hits = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		data, ok := files[strings.TrimPrefix(r.URL.Path, "/mirror/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mirror", hits
}

func cifar10Archive(t *testing.T) []byte {
	entries := []tarEntry{{name: "cifar-10-batches-bin/"}}
	for k, f := range append(cifar10Train, cifar10Test...) {
		entries = append(entries, tarEntry{name: "cifar-10-batches-bin/" + f, data: cifarRecords(2*k, 2, 1, 10)})
	}
	entries = append(entries, tarEntry{name: "cifar-10-batches-bin/batches.meta.txt", data: []byte(strings.Join(CIFAR10Classes, "\n"))})
	return tarGz(t, entries)
}

// noStaging checks that a failed or finished download left no temporary folder in root.
func noStaging(t *testing.T, root string) {
	t.Helper()
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("staging folder %s left behind", e.Name())
		}
	}
}

func TestDownloadCIFAR10(t *testing.T) {
	base, hits := fakeSource(t, "cifar10", map[string][]byte{"cifar-10-binary.tar.gz": cifar10Archive(t)})
	root := t.TempDir()
	var log bytes.Buffer
	if err := Download("cifar10", root, WithBaseURL(base), WithProgress(&log)); err != nil {
		t.Fatal(err)
	}
	noStaging(t, root)
	d, err := LoadCIFAR10(filepath.Join(root, "cifar10"), Train)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 10 {
		t.Errorf("downloaded train part has %d images, want 10", d.N)
	}
	if _, err := os.Stat(filepath.Join(root, "cifar10", "cifar-10-binary.tar.gz")); err == nil {
		t.Error("archive kept after unpacking")
	}
	if !strings.Contains(log.String(), "installed in") {
		t.Errorf("progress log: %q", log.String())
	}
	// A second call finds the data and does not touch the network; $LOGAH_DATA makes it loadable
	// without a directory.
	if err := Download("cifar10", root, WithBaseURL(base)); err != nil || hits.Load() != 1 {
		t.Errorf("second download: %v, %d requests", err, hits.Load())
	}
	t.Setenv(EnvDataRoot, root)
	if _, err := LoadCIFAR10("", Test); err != nil {
		t.Errorf("load from $LOGAH_DATA: %v", err)
	}
}

func TestDownloadFashionMNIST(t *testing.T) {
	files := map[string][]byte{}
	// One image per file: only the layout matters here.
	pix, labels := synthImages(1, 1, 28, 28, 10)
	for _, f := range idxFiles {
		if strings.Contains(f, "images") {
			files[f] = gzipBytes(t, idxBytes([]int{1, 28, 28}, pix))
		} else {
			files[f] = gzipBytes(t, idxBytes([]int{1}, labels))
		}
	}
	base, hits := fakeSource(t, "fashion-mnist", files)
	root := t.TempDir()
	if err := Download("fashion-mnist", root, WithBaseURL(base)); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 4 {
		t.Errorf("%d requests, want 4", hits.Load())
	}
	for name, data := range files {
		got, err := os.ReadFile(filepath.Join(root, "fashion-mnist", name))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s not installed as served: %v", name, err)
		}
	}
	noStaging(t, root)
}

func TestDownloadChecksumMismatch(t *testing.T) {
	archive := cifar10Archive(t)
	fakeSource(t, "cifar10", map[string][]byte{"cifar-10-binary.tar.gz": archive}) // publishes its MD5
	// Another server serves a corrupted copy of the file whose MD5 was published.
	corrupt := bytes.Clone(archive)
	corrupt[len(corrupt)/2] ^= 1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(corrupt) }))
	defer srv.Close()
	root := t.TempDir()
	err := Download("cifar10", root, WithBaseURL(srv.URL))
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), md5Hex(archive)) {
		t.Fatalf("error = %v, want a checksum mismatch naming the expected MD5", err)
	}
	if _, err := os.Stat(filepath.Join(root, "cifar10")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed download installed something: %v", err)
	}
	noStaging(t, root)
}

func TestDownloadOfficialChecksums(t *testing.T) {
	// The real files cannot be fetched here; at least the published MD5s must fail on other data.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "not the dataset") }))
	defer srv.Close()
	for _, name := range DownloadNames {
		err := Download(name, t.TempDir(), WithBaseURL(srv.URL))
		if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), sources[name].files[0].md5) {
			t.Errorf("%s: error = %v", name, err)
		}
	}
}

func TestDownloadErrors(t *testing.T) {
	base, _ := fakeSource(t, "cifar10", map[string][]byte{})
	root := t.TempDir()
	if err := Download("cifar10", root, WithBaseURL(base)); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing file: error = %v", err)
	}
	noStaging(t, root)
	if err := Download("imagenet", root); err == nil || !strings.Contains(err.Error(), "cifar100") {
		t.Errorf("unknown dataset: error = %v", err)
	}
	// An existing folder without the dataset is never overwritten.
	os.MkdirAll(filepath.Join(root, "cifar10"), 0o755)
	if err := Download("cifar10", root, WithBaseURL(base)); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("existing folder: error = %v", err)
	}
}

func TestDownloadRefusesUnsafeArchives(t *testing.T) {
	for name, entry := range map[string]tarEntry{
		"parent path":   {name: "../evil.bin", data: []byte("x")},
		"absolute path": {name: "/tmp/evil.bin", data: []byte("x")},
		"symlink":       {name: "cifar-10-batches-bin/link", typ: tar.TypeSymlink},
	} {
		archive := tarGz(t, []tarEntry{entry})
		base, _ := fakeSource(t, "cifar10", map[string][]byte{"cifar-10-binary.tar.gz": archive})
		root := filepath.Join(t.TempDir(), "root")
		err := Download("cifar10", root, WithBaseURL(base))
		if err == nil || !strings.Contains(err.Error(), "unpacking") {
			t.Errorf("%s: error = %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(root), "evil.bin")); err == nil {
			t.Errorf("%s: file written outside the root", name)
		}
		noStaging(t, root)
	}
}
