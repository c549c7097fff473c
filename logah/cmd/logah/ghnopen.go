package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/trainer"
)

// openGHN loads a hypernetwork from a file (.safetensors, .pt) or a train-ghn directory; a
// directory without ghn.safetensors (a run still going, or stopped) uses its latest checkpoint.
func openGHN(path string) (*ghn.GHN, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, "ghn.safetensors")); os.IsNotExist(err) {
			g, step, err := trainer.GHNFromCheckpoint(path, backend.MustDefault())
			if err != nil {
				return nil, fmt.Errorf("%s: no ghn.safetensors and %w", path, err)
			}
			fmt.Fprintf(os.Stderr, "using the checkpoint of step %d in %s\n", step, path)
			return g, nil
		}
	}
	return ghn.Open(path, backend.MustDefault())
}

// saveGHNDir writes a hypernetwork as DIR/ghn.safetensors (the layout openGHN and ghn.Open
// read) and returns the file's path.
func saveGHNDir(model *ghn.GHN, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "ghn.safetensors")
	return path, model.Save(path)
}
