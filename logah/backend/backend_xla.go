//go:build xla

package backend

import (
	"os"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/go-xla/compute/xla" // registers the "xla" backend (cgo, PJRT plugins)
)

func init() {
	xlaNew = func(spec string) (compute.Backend, error) {
		// Nothing downloads at run time: find the plugin ourselves (with an error that says how
		// to point at one) and keep go-xla from trying GitHub when it is missing.
		if _, err := FindPlugin(spec, os.LookupEnv); err != nil {
			return nil, err
		}
		if _, set := os.LookupEnv("GOMLX_NO_AUTO_INSTALL"); !set {
			os.Setenv("GOMLX_NO_AUTO_INSTALL", "1")
		}
		return compute.NewWithConfig(spec)
	}
}
