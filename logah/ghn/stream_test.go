package ghn

import (
	"path/filepath"
	"testing"

	"github.com/logah-go/logah/logah/params"
)

// TestPredictToFileParity streams the predictions of the fixture models to files and compares
// them with the in-graph prediction and with the reference.
func TestPredictToFileParity(t *testing.T) {
	for _, pc := range parityCases {
		for rule, file := range pc.predicted {
			t.Run(pc.graph+"/"+string(rule), func(t *testing.T) {
				cfg, set := loadFixtureGHN(t, pc.variant)
				cfg.Norm = rule
				m, err := New(cfg, set, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				a := fixtureArchs[pc.graph]
				opts := PredictOptions{Seed: 7}
				path := filepath.Join(t.TempDir(), "pred.safetensors")
				rep, err := m.PredictToFile(a, path, opts)
				if err != nil {
					t.Fatal(err)
				}
				streamed, meta, err := params.Load(path)
				if err != nil {
					t.Fatal(err)
				}
				if meta["format"] != "pt" {
					t.Errorf("metadata format = %q, want pt", meta["format"])
				}
				if rep.Tensors != len(a.Params()) || streamed.Len() != len(a.Params()) {
					t.Errorf("wrote %d tensors (file has %d), want %d", rep.Tensors, streamed.Len(), len(a.Params()))
				}
				if err := streamed.CheckArch(a); err != nil {
					t.Error(err)
				}
				inGraph, err := m.Predict(a, opts)
				if err != nil {
					t.Fatal(err)
				}
				worst := 0.0
				for _, name := range inGraph.Names() {
					g, gs := get(t, streamed, name)
					w, ws := get(t, inGraph, name)
					d, err := diff(g, gs, w, ws)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					worst = max(worst, d)
					if d > 1e-6 {
						t.Errorf("%s: streamed vs in-graph max |diff| = %g", name, d)
					}
				}
				ref, rmeta := fixtureFile(t, file)
				t.Logf("streamed vs in-graph: max |diff| = %.3g; vs reference: %.3g (%d decoder calls)",
					worst, compareToFixture(t, streamed, ref, rmeta, ""), rep.DecoderCalls)
			})
		}
	}
}
