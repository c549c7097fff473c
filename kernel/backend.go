package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/logah-go/logah/logah/backend"
)

// xlaImport is the package that registers GoMLX's XLA backend ("xla:cpu", "xla:cuda",
// "xla:/abs/plugin.so"). Only files with the xla build tag may import it.
const xlaImport = "github.com/gomlx/go-xla/compute/xla"

func checkBackend(e *env) []check {
	backend, _ := e.Get("GOMLX_BACKEND")
	c := check{Name: "backend"}
	switch {
	case backend == "go":
		c.Status, c.Detail = statusOK, "GOMLX_BACKEND=go: GoMLX's pure-Go backend (no cgo, no downloads)"
		return []check{c}
	case !isXLA(backend):
		c.Status, c.Detail = statusFail, fmt.Sprintf("GOMLX_BACKEND=%q is not a backend LoGAH builds with", backend)
		c.Fix = `use "go" (default), "xla:cpu", "xla:cuda" or "xla:/abs/path/pjrt_c_api_cuda_plugin.so"`
		return []check{c}
	}
	flags, _ := e.Get("GOFLAGS")
	c.Status = statusOK
	c.Detail = fmt.Sprintf("GOMLX_BACKEND=%s: XLA; cells build with GOFLAGS=%q", backend, flags)
	checks := []check{c, checkPlugin(e, backend), checkCgo(e), checkXLACells(e)}
	if strings.Contains(backend, "cuda") {
		checks = append(checks, checkGPU())
	}
	return checks
}

// findPlugin looks for the plugin of backend as backend.FindPlugin does, in the kernel's
// environment.
func findPlugin(e *env, spec string) (string, error) {
	return backend.FindPlugin(spec, e.Get)
}

func checkPlugin(e *env, backend string) check {
	c := check{Name: "xla-plugin"}
	path, err := findPlugin(e, backend)
	if err != nil {
		c.Status, c.Detail = statusFail, err.Error()
		c.Fix = "point GOMLX_BACKEND at the plugin (xla:/abs/path/pjrt_c_api_cuda_plugin.so) or set PJRT_PLUGIN_LIBRARY_PATH to its directory; see kernel/README.md, \"XLA and CUDA\""
		return c
	}
	c.Status, c.Detail = statusOK, path
	if probe, err := probeXLA(backend); err != nil {
		c.Status, c.Detail = statusFail, fmt.Sprintf("%s found, but creating the backend failed: %v", path, err)
		c.Fix = "check that the plugin matches go-xla v0.4.1 (PJRT C API) and that its NVIDIA libraries are next to it (see kernel/README.md)"
	} else if probe != "" {
		c.Detail = probe
	} else {
		c.Detail += " (not loaded: build the doctor with -tags xla to try it: go run -tags xla ./kernel doctor)"
	}
	return c
}

func checkCgo(e *env) check {
	c := check{Name: "cgo"}
	goCmd, ok := e.LookPath("go")
	if !ok {
		c.Status, c.Detail = statusFail, "go not found"
		return c
	}
	out, err := runEnv(e, goCmd, "env", "CGO_ENABLED", "CC")
	if err != nil {
		c.Status, c.Detail = statusFail, err.Error()
		return c
	}
	lines := strings.Fields(out)
	if len(lines) < 2 || lines[0] != "1" {
		c.Status, c.Detail = statusFail, "CGO_ENABLED is not 1: the XLA backend (go-xla) needs cgo"
		c.Fix = "export CGO_ENABLED=1 and install a C compiler (apt-get install gcc)"
		return c
	}
	if _, ok := e.LookPath(lines[1]); !ok {
		c.Status, c.Detail = statusFail, fmt.Sprintf("C compiler %q not found: go-xla needs cgo", lines[1])
		c.Fix = "apt-get install gcc (or set CC)"
		return c
	}
	c.Status, c.Detail = statusOK, "cgo enabled, CC="+lines[1]
	return c
}

// checkXLACells reports whether the checkout registers the XLA backend for cells built with
// -tags=xla: some file with the xla build constraint must import xlaImport.
func checkXLACells(e *env) check {
	c := check{Name: "xla-cells"}
	repo, _ := e.Get("LOGAH_REPO")
	var found []string
	_ = filepath.WalkDir(repo, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "out", "node_modules", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") && registersXLA(path) {
			rel, _ := filepath.Rel(repo, path)
			found = append(found, rel)
		}
		return nil
	})
	if len(found) == 0 {
		c.Status, c.Detail = statusFail, "no `//go:build xla` file in the checkout imports "+xlaImport+", so cells cannot use XLA"
		c.Fix = "add a file with `//go:build xla` and `import _ \"" + xlaImport + "\"` to the package that creates the backend"
		return c
	}
	c.Status, c.Detail = statusOK, "XLA registered under -tags=xla by "+strings.Join(found, ", ")
	return c
}

func registersXLA(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	tagged, imports := false, false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "package main" {
			return false // a command (like this kernel program) is not imported by cells
		}
		if strings.HasPrefix(line, "//go:build") && strings.Contains(line, "xla") && !strings.Contains(line, "!xla") {
			tagged = true
		}
		if strings.Contains(line, `"`+xlaImport+`"`) {
			imports = true
		}
	}
	return tagged && imports
}

func checkGPU() check {
	c := check{Name: "gpu"}
	if matches, _ := filepath.Glob("/dev/nvidia[0-9]*"); len(matches) > 0 {
		c.Status, c.Detail = statusOK, strings.Join(matches, ", ")
		return c
	}
	c.Status, c.Detail = statusFail, "no /dev/nvidia* device: xla:cuda needs an NVIDIA GPU and driver"
	c.Fix = "use GOMLX_BACKEND=go (CPU) on this machine, or install the NVIDIA driver"
	return c
}
