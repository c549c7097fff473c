package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/experiment"
)

// TestSweepThenCompareAtEachBestRate runs `logah sweep-lr` on a validation split and
// `logah compare --lr-from` on its directory, as the fine-tuning protocol of docs/results.md does.
func TestSweepThenCompareAtEachBestRate(t *testing.T) {
	_, err := datasets.LoadFashionMNIST("", datasets.Test)
	fixtures.NeedData(t, "Fashion-MNIST", err)
	dir := t.TempDir()
	tiny := tinyViTFile(t, dir)
	sweep := filepath.Join(dir, "sweep")
	budget := []string{"--arch", tiny, "--init", "random", "--seeds", "1", "--steps", "2", "--batch", "16", "--max-train", "64", "--max-eval", "0"}

	code, out, stderr := runCLI(append([]string{"sweep-lr", "--validation", "300", "--lrs", "1e-4,3e-3", "--out", sweep}, budget...)...)
	if code != 0 {
		t.Fatalf("sweep-lr: code %d: %s", code, stderr)
	}
	// With two rates the best is at an edge: the note says so and how to go on.
	for _, want := range []string{"validation: the last 300 training images", "lr 0.0001", "lr 0.003", "best lr", "tried; try", "(--extend-edges 1 does it for you)"} {
		if !strings.Contains(out, want) {
			t.Errorf("sweep-lr output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"lr0.0001.json", "lr0.003.json"} {
		if _, err := os.Stat(filepath.Join(sweep, f)); err != nil {
			t.Error(err)
		}
	}

	code, out, stderr = runCLI(append([]string{"compare", "--lr-from", sweep, "--max-eval", "100"}, budget...)...)
	if code != 0 || !strings.Contains(out, "peak learning rate of each initialisation: random 0.") {
		t.Fatalf("compare --lr-from: code %d: %s%s", code, out, stderr)
	}

	// Another initialisation, half swept (a run at one rate only), does not hold up random's choice.
	at := filepath.Join(sweep, "lr0.003.json")
	runs, err := experiment.ReadRuns(at)
	if err != nil {
		t.Fatal(err)
	}
	half, other := runs[0], runs[0]
	half.Init, other.Init, other.Seed, other.Protocol.LR = "half-swept", "half-swept", 2, 1e-4 // seed 2 at 1e-4, seed 1 at 3e-3
	if err := experiment.WriteRuns(at, append(runs, half, other)); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLI(append([]string{"compare", "--lr-from", sweep, "--max-eval", "100"}, budget...)...)
	if code != 0 || !strings.Contains(out, "peak learning rate of each initialisation: random 0.") {
		t.Fatalf("compare --lr-from beside a half-swept initialisation: code %d: %s%s", code, out, stderr)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep-lr", "--lrs", "1e-4,3e-3", "--out", sweep}, "--validation 10000"},
		{[]string{"sweep-lr", "--validation", "300", "--lrs", "1e-4,fast", "--out", sweep}, `--lrs "1e-4,fast"`},
		{[]string{"sweep-lr", "--validation", "300", "--lrs", "1e-3", "--out", sweep}, "give at least two"},
		{[]string{"sweep-lr", "--validation", "300", "--extend-edges", "-2", "--out", sweep}, "ExtendEdges (--extend-edges) is -2"},
		{[]string{"compare", "--lr-from", sweep, "--lr", "1e-3"}, "exclude each other"},
		{[]string{"compare", "--lr-from", filepath.Join(dir, "nowhere")}, "run logah sweep-lr --out"},
		{[]string{"compare", "--lr-from", sweep, "--init", "random,lr=1e-3"}, "both set its learning rate: give one"},
	} {
		code, _, stderr := runCLI(append(c.args, budget...)...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: code %d, stderr %q: want %q", c.args, code, stderr, c.want)
		}
	}
}

// tinyViTFile writes a one-block ViT for Fashion-MNIST into dir and returns its path: the
// architecture of the command-line fine-tuning tests, seconds per run.
func tinyViTFile(t *testing.T, dir string) string {
	t.Helper()
	file := filepath.Join(dir, "tiny.json")
	if err := os.WriteFile(file, []byte(`{"kind":"vit","image_size":28,"channels":1,"patch":7,"depth":1,"width":16,"heads":2,"mlp_dim":32,"classes":10}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}
