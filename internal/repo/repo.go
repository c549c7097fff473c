// Package repo finds the LoGAH Lab checkout on disk: the directory whose go.mod declares this
// module. The library facade (notebooks' runs and the pretrained hypernetwork), the Jupyter
// kernel (the checkout it serves) and the parity tests (testdata/reference) all look it up the
// same way, here.
package repo

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ModulePath is the module whose checkout this package finds.
const ModulePath = "github.com/logah-go/logah"

// IsRoot reports whether dir/go.mod declares [ModulePath].
func IsRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`) == ModulePath
		}
	}
	return false
}

// FindUp returns the first directory at or above start that [IsRoot], and false when there is
// none.
func FindUp(start string) (string, bool) {
	for d := start; ; d = filepath.Dir(d) {
		if IsRoot(d) {
			return d, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// Root returns the checkout holding the working directory (tests run in their package's
// directory, notebooks' cells in a temporary one: see the facade's RepoRoot for $LOGAH_REPO).
func Root() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(wd)
	if err != nil {
		return "", err
	}
	if root, ok := FindUp(abs); ok {
		return root, nil
	}
	return "", fmt.Errorf("no go.mod of %s at or above %s: run from inside the LoGAH checkout", ModulePath, abs)
}
