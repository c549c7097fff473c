package text

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// GoSourceOptions configures [GoSource].
type GoSourceOptions struct {
	// Root is the folder whose .go files make the corpus; empty means GOROOT/src (see [GOROOT]).
	Root string
	// MaxBytes > 0 stops reading once that many bytes have been read (the last file is cut), for
	// quick CPU runs. Files are read in a fixed order, so a cap always gives the same text.
	MaxBytes int64
	// ValidPercent is the share of files, in percent, that go to the validation split (default 5).
	ValidPercent int
}

// GoSource builds a corpus from Go source files: every .go file under the root (GOROOT/src by
// default, present wherever Go is installed, so it needs no download), read in lexical walk
// order (each folder's entries sorted by name, as filepath.WalkDir visits them), one document per
// file. Folders named testdata (fixtures, often not Go at all) and hidden folders
// are skipped.
//
// A file goes to the validation split when the FNV-1a hash of its slash-separated path relative
// to the root, modulo 100, is below ValidPercent, so the split is the same on every machine and
// does not move when files are added elsewhere. The Test split is empty.
func GoSource(opts GoSourceOptions) (*Corpus, error) {
	if opts.ValidPercent == 0 {
		opts.ValidPercent = 5
	}
	if opts.ValidPercent < 0 || opts.ValidPercent >= 100 {
		return nil, fmt.Errorf("go-src: ValidPercent %d outside [0, 100)", opts.ValidPercent)
	}
	root := opts.Root
	if root == "" {
		goroot, err := GOROOT()
		if err != nil {
			return nil, err
		}
		root = filepath.Join(goroot, "src")
	}
	c := &Corpus{Name: "go-src"}
	var read int64
	errStop := errors.New("cap reached")
	// WalkDir visits entries in lexical order, which makes the corpus deterministic.
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".go") {
			return nil
		}
		data, err := readCapped(path, opts.MaxBytes, read)
		if err != nil {
			return err
		}
		read += int64(len(data))
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if len(data) > 0 {
			if validFile(filepath.ToSlash(rel), opts.ValidPercent) {
				c.Valid = append(c.Valid, string(data))
			} else {
				c.Train = append(c.Train, string(data))
			}
		}
		if opts.MaxBytes > 0 && read >= opts.MaxBytes {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("go-src: reading %s: %w", root, err)
	}
	if len(c.Train) == 0 {
		return nil, fmt.Errorf("go-src: no .go files under %s: pass GoSourceOptions.Root pointing at Go source", root)
	}
	return c, nil
}

// validFile decides the split of a file from its relative path.
func validFile(rel string, percent int) bool {
	h := fnv.New64a()
	io.WriteString(h, rel)
	return int(h.Sum64()%100) < percent
}

// readCapped reads a file, at most maxBytes-already bytes when maxBytes > 0.
func readCapped(path string, maxBytes, already int64) ([]byte, error) {
	if maxBytes <= 0 {
		return os.ReadFile(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxBytes-already))
}

// GOROOT returns the root of the Go installation: $GOROOT when set, else what `go env GOROOT`
// prints, else the root recorded in this binary when it was built.
func GOROOT() (string, error) {
	if g := os.Getenv("GOROOT"); g != "" {
		return g, nil
	}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		if g := strings.TrimSpace(string(out)); g != "" {
			return g, nil
		}
	}
	//lint:ignore SA1019 last resort when no go command is on PATH.
	if g := runtime.GOROOT(); g != "" {
		if _, err := os.Stat(filepath.Join(g, "src")); err == nil {
			return g, nil
		}
	}
	return "", fmt.Errorf("go-src: cannot find GOROOT: set GOROOT, put the go command on PATH, or pass GoSourceOptions.Root")
}
