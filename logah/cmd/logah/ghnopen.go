package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
)

// openGHN is ghn.Open on the default backend, saying on stderr when the hypernetwork is the
// latest checkpoint of a run that has not written ghn.safetensors (stopped, or still running).
func openGHN(path string) (*ghn.GHN, error) {
	g, err := ghn.Open(path, backend.MustDefault())
	if err != nil {
		return nil, err
	}
	noteOrigin(os.Stderr, g)
	return g, nil
}

// noteOrigin writes "using the checkpoint of step N in DIR" when g is a run's checkpoint.
func noteOrigin(w io.Writer, g *ghn.GHN) {
	if o := g.Origin(); o.IsCheckpoint() {
		fmt.Fprintf(w, "using %s\n", o)
	}
}

// saveGHNDir writes a hypernetwork as DIR/ghn.safetensors (the layout ghn.Open reads) and
// returns the file's path.
func saveGHNDir(model *ghn.GHN, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, ghn.FileName)
	return path, model.Save(path)
}
