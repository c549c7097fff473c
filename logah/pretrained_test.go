package logah_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/logah-go/logah/logah"
	"github.com/logah-go/logah/logah/arch"
)

// Every shipped hypernetwork opens and predicts all parameters of each architecture it held out.
func TestPretrainedHypernetworksPredictTheirHeldOutArchitectures(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(logah.RepoRoot(), "logah", "pretrained", "*", "ghn.safetensors"))
	if err != nil || len(dirs) < 2 {
		t.Fatalf("pretrained hypernetworks: %v, %v", dirs, err)
	}
	for _, file := range dirs {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			held, err := arch.ResolveList(filepath.Join(dir, "held_out.json"))
			if err != nil {
				t.Fatal(err)
			}
			g, err := logah.LoadGHN(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			for _, a := range held {
				set, err := logah.Predict(g, a)
				if err != nil {
					t.Fatalf("%s: %v", a, err)
				}
				if set.NumParams() != arch.NumParams(a) {
					t.Errorf("%s: predicted %d parameters, the architecture has %d", a, set.NumParams(), arch.NumParams(a))
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "metrics.jsonl")); err != nil {
				t.Errorf("no training log: %v", err)
			}
		})
	}
}
