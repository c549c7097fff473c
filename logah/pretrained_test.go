package logah_test

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/logah-go/logah/logah"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/experiment"
	"github.com/logah-go/logah/logah/ghn"
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
			g, held := openPretrained(t, dir)
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

// The shipped GPT hypernetwork predicts a held-out GPT-2 that already models Go source: its
// perplexity on the validation split is a fraction of random initialisation's (about the 256 of
// a uniform guess over bytes).
func TestPretrainedGPTHypernetworkModelsGoSource(t *testing.T) {
	g, held := openPretrained(t, logah.Pretrained("gpts-mini-gosrc-2h"))
	c := experiment.DefaultComparison()
	c.Data.Name, c.Epochs, c.Seeds, c.MaxEval, c.Batch = "text", 0, 1, 4, 16
	c.Archs = []arch.Arch{slices.MinFunc(held, func(a, b arch.Arch) int { return cmp.Compare(arch.NumParams(a), arch.NumParams(b)) })}
	c.Inits = []experiment.Init{{Name: "random"}, {Name: "logah", GHN: g}}
	runs, err := experiment.Compare(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	random, predicted := runs[0].Initial["perplexity"], runs[1].Initial["perplexity"]
	t.Logf("%s: perplexity %.2f predicted, %.2f random", c.Archs[0], predicted, random)
	if runs[1].Init != "logah" || predicted > 25 || random < 150 {
		t.Fatalf("%s: perplexity %.1f from predicted parameters, %.1f from random ones; want under 25 and over 150", c.Archs[0], predicted, random)
	}
}

// openPretrained opens the shipped hypernetwork in dir (closed when the test ends) and the
// architectures it held out of its training.
func openPretrained(t *testing.T, dir string) (*ghn.GHN, []arch.Arch) {
	t.Helper()
	held, err := arch.ResolveList(filepath.Join(dir, "held_out.json"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := logah.LoadGHN(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g, held
}
