//go:build xla

package backend

import (
	"github.com/gomlx/compute"
	_ "github.com/gomlx/go-xla/compute/xla" // registers the "xla" backend (cgo, PJRT plugins)
)

func init() {
	xlaNew = func(spec string) (compute.Backend, error) {
		// compute.New reads GOMLX_BACKEND; make sure it sees spec.
		return compute.NewWithConfig(spec)
	}
}
