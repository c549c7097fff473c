package datasets

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// remoteFile is one file of a dataset's official distribution.
type remoteFile struct {
	name string // file name, appended to the base URL
	md5  string // hex MD5 of the file as served
}

// source is where a dataset is published.
type source struct {
	base    string // base URL, ending in "/"
	files   []remoteFile
	extract bool // files are .tar.gz archives to unpack
	// find reports whether a directory already holds the dataset (so Download is a no-op).
	find func(dir string) (string, bool)
}

// sources lists the datasets [Download] can fetch, from their official locations.
var sources = map[string]source{
	"cifar10": {
		base:    "https://www.cs.toronto.edu/~kriz/",
		files:   []remoteFile{{"cifar-10-binary.tar.gz", "c58f30108f718f92721af3b95e74349a"}},
		extract: true,
		find:    findIn([]string{"cifar-10-batches-bin"}, append(cifar10Train, cifar10Test...)...),
	},
	"cifar100": {
		base:    "https://www.cs.toronto.edu/~kriz/",
		files:   []remoteFile{{"cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8"}},
		extract: true,
		find:    findIn([]string{"cifar-100-binary"}, "train.bin", "test.bin"),
	},
	"fashion-mnist": {
		base: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
		files: []remoteFile{
			{"train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
			{"train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"},
			{"t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"},
			{"t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"},
		},
		find: findIDX,
	},
	// MNIST's original site no longer serves the files reliably; this is the mirror torchvision
	// uses, with the MD5s of the original files.
	"mnist": {
		base: "https://ossci-datasets.s3.amazonaws.com/mnist/",
		files: []remoteFile{
			{"train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
			{"train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"},
			{"t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"},
			{"t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"},
		},
		find: findIDX,
	},
}

// DownloadNames lists the datasets [Download] accepts.
var DownloadNames = []string{"fashion-mnist", "mnist", "cifar10", "cifar100"}

// DownloadOption adjusts [Download].
type DownloadOption func(*downloadConfig)

type downloadConfig struct {
	baseURL  string
	client   *http.Client
	progress io.Writer
	ctx      context.Context
}

// WithBaseURL fetches the files from base + file name instead of the official location (a mirror,
// or a test server).
func WithBaseURL(base string) DownloadOption {
	return func(c *downloadConfig) {
		if !strings.HasSuffix(base, "/") {
			base += "/"
		}
		c.baseURL = base
	}
}

// WithHTTPClient uses client for the requests (default: a client with a 30-minute timeout).
func WithHTTPClient(client *http.Client) DownloadOption {
	return func(c *downloadConfig) { c.client = client }
}

// WithProgress writes one line per file fetched, verified and installed to w.
func WithProgress(w io.Writer) DownloadOption {
	return func(c *downloadConfig) { c.progress = w }
}

// WithContext makes the download stop when ctx is done.
func WithContext(ctx context.Context) DownloadOption {
	return func(c *downloadConfig) { c.ctx = ctx }
}

// Download fetches dataset name (one of [DownloadNames]) from its official location into
// root/name, the layout the loaders look for; an empty root means [DefaultRoot]() ($LOGAH_DATA, or
// ~/.cache/logah/datasets). It is the only function in this package that uses the network, and
// runs only when called.
//
// Every file's MD5 is checked against the published value before anything is installed. Files are
// downloaded and archives unpacked in a temporary folder inside root, which is then renamed to
// root/name in one step: an interrupted or failed download never leaves a partial dataset behind.
// If root/name already holds the dataset, Download does nothing; if it exists without the
// dataset, Download refuses to touch it and says so.
func Download(name, root string, opts ...DownloadOption) error {
	src, ok := sources[name]
	if !ok {
		return fmt.Errorf("datasets: cannot download %q (downloadable: %s)", name, strings.Join(DownloadNames, ", "))
	}
	cfg := downloadConfig{baseURL: src.base, client: &http.Client{Timeout: 30 * time.Minute}, ctx: context.Background()}
	for _, o := range opts {
		o(&cfg)
	}
	if root == "" {
		root = DefaultRoot()
	}
	final := filepath.Join(root, name)
	if _, ok := src.find(final); ok {
		cfg.say("%s: already in %s, nothing to download", name, final)
		return nil
	}
	if _, err := os.Lstat(final); err == nil {
		return fmt.Errorf("%s: %s exists but does not hold the dataset; remove it (or move it away) and run the download again", name, final)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("%s: creating data root: %w", name, err)
	}
	stage, err := os.MkdirTemp(root, "."+name+"-download-")
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer os.RemoveAll(stage) // after a successful rename it no longer exists

	for _, f := range src.files {
		u, err := url.JoinPath(cfg.baseURL, f.name)
		if err != nil {
			return fmt.Errorf("%s: bad base URL %q: %w", name, cfg.baseURL, err)
		}
		path := filepath.Join(stage, f.name)
		cfg.say("%s: fetching %s", name, u)
		if err := fetchVerified(cfg, u, path, f.md5); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if src.extract {
			cfg.say("%s: unpacking %s", name, f.name)
			if err := extractTarGz(path, stage); err != nil {
				return fmt.Errorf("%s: unpacking %s: %w", name, f.name, err)
			}
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	if _, ok := src.find(stage); !ok {
		return fmt.Errorf("%s: the downloaded files do not have the expected layout (%s)", name, strings.Join(expectedFiles(name), ", "))
	}
	if err := os.Chmod(stage, 0o755); err != nil { // MkdirTemp makes it 0700
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := os.Rename(stage, final); err != nil {
		return fmt.Errorf("%s: installing into %s: %w", name, final, err)
	}
	cfg.say("%s: installed in %s", name, final)
	return nil
}

func (c *downloadConfig) say(format string, args ...any) {
	if c.progress != nil {
		fmt.Fprintf(c.progress, format+"\n", args...)
	}
}

// fetchVerified downloads u into path and checks its MD5, removing the file on any failure.
func fetchVerified(cfg downloadConfig, u, path, wantMD5 string) (err error) {
	req, err := http.NewRequestWithContext(cfg.ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := cfg.client.Do(req)
	if err != nil {
		return fmt.Errorf("fetching %s: %w (no network? download the file elsewhere and place it by hand, see the package documentation)", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching %s: HTTP %s", u, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(f, h), resp.Body)
	if err != nil {
		return fmt.Errorf("fetching %s after %d bytes: %w", u, n, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, wantMD5) {
		return fmt.Errorf("checksum mismatch for %s: MD5 %s, want %s (%d bytes received): the file is corrupt or not the official one; nothing was installed, try again or use another mirror with WithBaseURL",
			u, got, wantMD5, n)
	}
	return f.Sync()
}
