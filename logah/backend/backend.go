// Package backend chooses the GoMLX compute backend LoGAH Lab runs on.
//
// By default it is GoMLX's pure-Go backend (no cgo, no downloads), which is fast only when the
// program is built with GOEXPERIMENT=simd. GOMLX_BACKEND selects another one: "go" (the
// default), or "xla:cpu", "xla:cuda", "xla:/abs/path/plugin.so" in binaries built with the
// xla build tag (cgo; see kernel/README.md for installing a PJRT plugin offline). Default builds
// never import the XLA backend, which would try to download plugins.
//
// The Go backend is created with the options in LOGAH_GO_BACKEND (default "ops_sequential":
// graph nodes run one after another, each op still using every core). With the default
// scheduling of github.com/gomlx/compute v0.1.2, independent nodes run concurrently as tasks of
// the worker pool, and the kernels that fan out themselves (large matrix products via
// Pool.Saturate, chunked Erf and fused GELU via Pool.WaitToStart) wait for free workers from
// inside a worker: when every worker holds such a node, none can proceed. We observed this
// deadlock (0% CPU, forever) in a ViT-S prediction and in hypernetwork training steps.
// Sequential scheduling runs nodes on the calling goroutine, so a kernel's fan-out never waits
// on itself; it costs up to ~25% on small networks.
package backend

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
)

// DefaultGoOptions is the Go backend configuration used when LOGAH_GO_BACKEND is unset.
const DefaultGoOptions = "ops_sequential"

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

// MustDefault is [Default] for programs that cannot continue without a backend.
func MustDefault() compute.Backend {
	b, err := Default()
	if err != nil {
		panic(err)
	}
	return b
}

// New creates the backend named by spec ("" or "go" for the Go backend, "xla:…" for XLA).
func New(spec string) (compute.Backend, error) {
	switch {
	case spec == "" || spec == "go" || strings.HasPrefix(spec, "go:"):
		opts, ok := os.LookupEnv("LOGAH_GO_BACKEND")
		if !ok {
			opts = DefaultGoOptions
		}
		if extra, found := strings.CutPrefix(spec, "go:"); found {
			opts = extra
		}
		return gobackend.New(opts)
	case spec == "xla" || strings.HasPrefix(spec, "xla:"):
		if xlaNew == nil {
			return nil, fmt.Errorf("GOMLX_BACKEND=%s needs a binary built with the xla tag (cgo): go build -tags xla …; or unset GOMLX_BACKEND to use the pure-Go backend", spec)
		}
		return xlaNew(spec)
	default:
		return nil, fmt.Errorf("GOMLX_BACKEND=%q is not a known backend: use go, xla:cpu, xla:cuda or xla:/abs/path/plugin.so", spec)
	}
}
