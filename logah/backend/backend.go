// Package backend chooses the GoMLX compute backend LoGAH Lab runs on.
//
// By default it is GoMLX's pure-Go backend (no cgo, no downloads), which is fast only when the
// program is built with GOEXPERIMENT=simd. GOMLX_BACKEND selects another one: "go" (the
// default), or "xla:cpu", "xla:cuda", "xla:/abs/path/plugin.so" in binaries built with the
// xla build tag (cgo; see kernel/README.md for installing a PJRT plugin offline). Default builds
// never import the XLA backend, which would try to download plugins.
//
// The Go backend is GoMLX's github.com/gomlx/compute with our patch series (patches/, applied by
// ./install.sh; [Engine] reports what a binary was built with). Graph nodes run in parallel on
// the engine's worker pool, the engine's default: with the patches, kernels that fan out from
// inside a node never wait for a free worker, so the pool cannot deadlock (docs/performance.md
// tells the unpatched engine's story). LOGAH_GO_BACKEND passes other options to the Go backend
// (for example "ops_sequential" or "parallelism=1"); GOMLX_BACKEND=go:OPTIONS does the same for
// one run.
package backend

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
)

// DefaultGoOptions is the Go backend configuration used when LOGAH_GO_BACKEND is unset: the
// engine's defaults (parallel node scheduling).
const DefaultGoOptions = ""

// xlaNew is set by the xla build (backend_xla.go).
var xlaNew func(config string) (compute.Backend, error)

var (
	once     sync.Once
	instance compute.Backend
	initErr  error
)

// Default returns the process-wide backend selected by GOMLX_BACKEND (created once).
func Default() (compute.Backend, error) {
	once.Do(func() { instance, initErr = New(os.Getenv("GOMLX_BACKEND")) })
	return instance, initErr
}

// MustDefault is [Default] for programs that cannot continue without a backend. It panics
// with an [*UnavailableError], which command lines report as a plain error (the message says
// how to fix the configuration), not as a crash.
func MustDefault() compute.Backend {
	b, err := Default()
	if err != nil {
		panic(&UnavailableError{Err: err})
	}
	return b
}

// UnavailableError is the panic value of [MustDefault]: the backend GOMLX_BACKEND asks for
// cannot be created.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "compute backend: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// New creates the backend named by spec ("" or "go" for the Go backend, "xla:…" for XLA).
func New(spec string) (compute.Backend, error) {
	switch {
	case spec == "" || spec == "go" || strings.HasPrefix(spec, "go:"):
		return gobackend.New(goOptions(spec))
	case spec == "xla" || strings.HasPrefix(spec, "xla:"):
		if xlaNew == nil {
			return nil, fmt.Errorf("GOMLX_BACKEND=%s needs a binary built with the xla tag (cgo): go build -tags xla …; or unset GOMLX_BACKEND to use the pure-Go backend", spec)
		}
		return xlaNew(spec)
	default:
		return nil, fmt.Errorf("GOMLX_BACKEND=%q is not a known backend: use go, xla:cpu, xla:cuda or xla:/abs/path/plugin.so", spec)
	}
}

// goOptions is the Go backend configuration for spec: the options after "go:", else
// LOGAH_GO_BACKEND, else DefaultGoOptions.
func goOptions(spec string) string {
	if extra, found := strings.CutPrefix(spec, "go:"); found {
		return extra
	}
	if opts, ok := os.LookupEnv("LOGAH_GO_BACKEND"); ok {
		return opts
	}
	return DefaultGoOptions
}
