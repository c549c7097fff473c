package backend

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/gomlx/compute/gobackend"

	"github.com/logah-go/logah/internal/machine"
)

// ComputeModule is the module of GoMLX's compute engine (the pure-Go backend).
const ComputeModule = "github.com/gomlx/compute"

// PatchedEngineDir is where ./install.sh writes the patched copy of the engine, relative to
// the repository root; go.mod's replace directive names it.
const PatchedEngineDir = "bin/compute-patched-by-install.sh"

// patchSeries is the patch series ./install.sh applies to the engine (see patches/README.md).
//
//go:embed patches
var patchSeries embed.FS

// EngineInfo describes the compute engine this binary was built with.
type EngineInfo struct {
	// ComputeVersion is the version of github.com/gomlx/compute in go.mod.
	ComputeVersion string
	// Replacement is where go.mod's replace directive took the engine from ("" when the
	// binary was built with the unpatched module).
	Replacement string
	// Patched says the engine was compiled from the copy ./install.sh patched with exactly
	// the series this source carries.
	Patched bool
	// Series lists the patch files this source tree carries, in the order they apply.
	Series []string
	// SeriesSum is the sha256 of the concatenated patch files, as ./install.sh records it.
	SeriesSum string
	// Stale is set when the engine directory go.mod names was made from another patch series
	// than the one this source carries (the patches changed since ./install.sh last ran).
	Stale string
	// SIMD says the binary was built with GOEXPERIMENT=simd (the AVX kernels).
	SIMD bool
	// GoOptions is the Go backend configuration New uses ("" is the engine's default:
	// graph nodes scheduled in parallel on a worker pool of 2×GOMAXPROCS).
	GoOptions string
}

// Engine reports the engine this binary was built with and the configuration New uses. It
// finds the engine's source directory from the file names compiled into the binary (so it
// works in test binaries too, which carry no module list), and reads there the stamp
// ./install.sh leaves in the patched copy.
func Engine() EngineInfo {
	info := EngineInfo{GoOptions: goOptions(""), SIMD: machine.SIMD}
	info.Series, info.SeriesSum = embeddedSeries()
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == ComputeModule {
				info.ComputeVersion = dep.Version
			}
		}
	}
	dir := engineSourceDir()
	if strings.HasSuffix(filepath.ToSlash(dir), PatchedEngineDir) {
		info.Replacement = dir
		stamp, err := readStamp(filepath.Join(dir, "LOGAH_PATCHES"))
		switch {
		case err != nil:
			info.Stale = fmt.Sprintf("%s has no readable patch stamp (%v): run ./install.sh", dir, err)
		case stamp != info.SeriesSum:
			info.Stale = "the engine was patched with another series than this source carries: run ./install.sh"
		default:
			info.Patched = true
		}
	} else if dir != "" && !strings.Contains(filepath.ToSlash(dir), ComputeModule+"@") {
		info.Replacement = dir
	}
	if info.ComputeVersion == "" {
		info.ComputeVersion = computeVersion
	}
	return info
}

// computeVersion is the engine version the patch series applies to (go.mod pins it).
const computeVersion = "v0.1.2"

// engineSourceDir is the directory the engine's gobackend package was compiled from, "" when
// the binary was built with -trimpath.
func engineSourceDir() string {
	pc := reflect.ValueOf(gobackend.New).Pointer()
	fn := runtime.FuncForPC(pc)
	if fn == nil {
		return ""
	}
	file, _ := fn.FileLine(pc)
	if !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(filepath.Dir(file)) // …/gobackend/gobackend.go → module root
}

// readStamp returns the series checksum recorded in the stamp file ./install.sh writes.
func readStamp(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sum, ok := strings.CutPrefix(sc.Text(), "series "); ok {
			return sum, nil
		}
	}
	return "", fmt.Errorf("%s: no series line", path)
}

// String is a one-line description, e.g. "compute v0.1.2 patched (5 patches), simd, parallel scheduler".
func (e EngineInfo) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "compute %s", e.ComputeVersion)
	switch {
	case e.Patched:
		fmt.Fprintf(&b, " patched (%d patches, series %.12s)", len(e.Series), e.SeriesSum)
	case e.Replacement != "":
		fmt.Fprintf(&b, " replaced by %s (not the patched engine)", e.Replacement)
	default:
		b.WriteString(" unpatched")
	}
	if e.SIMD {
		b.WriteString(", simd")
	} else {
		b.WriteString(", no simd (build with GOEXPERIMENT=simd)")
	}
	if e.GoOptions == "" {
		b.WriteString(", parallel scheduler")
	} else {
		fmt.Fprintf(&b, ", Go backend options %q", e.GoOptions)
	}
	if e.Stale != "" {
		b.WriteString("; STALE: " + e.Stale)
	}
	return b.String()
}

// embeddedSeries lists the patch files and their checksum computed the way install.sh does
// (sha256 of the files concatenated in name order).
func embeddedSeries() ([]string, string) {
	var names []string
	h := sha256.New()
	_ = fs.WalkDir(patchSeries, "patches", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".patch") {
			return err
		}
		data, err := patchSeries.ReadFile(path)
		if err != nil {
			return err
		}
		names = append(names, d.Name())
		h.Write(data)
		return nil
	})
	return names, hex.EncodeToString(h.Sum(nil))
}
