package datasets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvDataRoot is the environment variable naming the data root: dataset NAME lives in
// $LOGAH_DATA/NAME (for example $LOGAH_DATA/fashion-mnist, $LOGAH_DATA/cifar10).
const EnvDataRoot = "LOGAH_DATA"

// SystemRoot is where Debian's dataset packages install data
// (/usr/share/datasets/fashion-mnist from the package dataset-fashion-mnist).
const SystemRoot = "/usr/share/datasets"

// ErrMissing is wrapped by every error about dataset files that are not there, so callers can
// test for it with errors.Is. The message itself says how to get the data.
var ErrMissing = errors.New("dataset not found")

// DefaultRoot returns the data root used when no directory is given: $LOGAH_DATA when set,
// otherwise the user cache directory plus "logah/datasets" (~/.cache/logah/datasets on Linux).
func DefaultRoot() string {
	if r := os.Getenv(EnvDataRoot); r != "" {
		return r
	}
	if c, err := os.UserCacheDir(); err == nil {
		return filepath.Join(c, "logah", "datasets")
	}
	return filepath.Join(os.TempDir(), "logah-datasets")
}

// SearchDirs returns the directories searched, in order, for dataset name when no directory is
// given: DefaultRoot()/name, then SystemRoot/name.
func SearchDirs(name string) []string {
	return []string{filepath.Join(DefaultRoot(), name), filepath.Join(SystemRoot, name)}
}

// locate finds the directory holding dataset name's files. dir, when not empty, is the only place
// looked at. find reports whether a directory holds the files and returns the directory that
// actually does (it may descend into an archive's top folder).
func locate(name, dir string, find func(dir string) (string, bool)) (string, error) {
	if dir != "" {
		if got, ok := find(dir); ok {
			return got, nil
		}
		return "", fmt.Errorf("%s: %w in %s: %s", name, ErrMissing, dir, howToGet(name))
	}
	tried := SearchDirs(name)
	for _, d := range tried {
		if got, ok := find(d); ok {
			return got, nil
		}
	}
	return "", fmt.Errorf("%s: %w (looked in %s): %s", name, ErrMissing, strings.Join(tried, ", "), howToGet(name))
}

// howToGet is the part of a "missing" error that tells the user what to do.
func howToGet(name string) string {
	var ways []string
	if name == "fashion-mnist" {
		ways = append(ways, "install the Debian package (apt-get install dataset-fashion-mnist)")
	}
	if _, ok := sources[name]; ok {
		ways = append(ways, fmt.Sprintf("download it explicitly with `logah data get %s` (or datasets.Download(%q, root)), which writes ROOT/%s with ROOT=$%s or %s",
			name, name, name, EnvDataRoot, DefaultRoot()))
	}
	ways = append(ways, fmt.Sprintf("or put the files (%s) in a directory and pass that directory, or set %s=ROOT with the files in ROOT/%s",
		strings.Join(expectedFiles(name), ", "), EnvDataRoot, name))
	return strings.Join(ways, "; ")
}

// expectedFiles lists the files a dataset directory must hold, for error messages.
func expectedFiles(name string) []string {
	switch name {
	case "mnist", "fashion-mnist":
		return idxFiles
	case "cifar10":
		return []string{"cifar-10-batches-bin/data_batch_{1..5}.bin", "test_batch.bin"}
	case "cifar100":
		return []string{"cifar-100-binary/train.bin", "test.bin"}
	}
	return nil
}

// hasFiles reports whether every file exists in dir.
func hasFiles(dir string, files ...string) bool {
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

// findIn returns a finder that accepts a directory holding files directly or inside one of the
// given sub-directories (the top folder of the official archive).
func findIn(subdirs []string, files ...string) func(string) (string, bool) {
	return func(dir string) (string, bool) {
		if hasFiles(dir, files...) {
			return dir, true
		}
		for _, s := range subdirs {
			if d := filepath.Join(dir, s); hasFiles(d, files...) {
				return d, true
			}
		}
		return "", false
	}
}
