//go:build xla

package main

// Built with -tags xla (needs cgo), the kernel program links GoMLX's XLA backend so that
// `doctor` can load the PJRT plugin that GOMLX_BACKEND names and report what it found.
// Notebook cells are separate programs: the launcher gives them -tags=xla through GOFLAGS
// whenever GOMLX_BACKEND selects XLA (see env.go).

import (
	"fmt"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/go-xla/compute/xla"
)

// xlaBuild tells whether this binary links GoMLX's XLA backend (the xla build tag).
const xlaBuild = true

// probeXLA creates the backend of the GOMLX_BACKEND value and describes it.
func probeXLA(backend string) (string, error) {
	b, err := compute.NewWithConfig(backend)
	if err != nil {
		return "", err
	}
	defer b.Finalize()
	return fmt.Sprintf("%s loaded: %s", backend, b.Description()), nil
}
