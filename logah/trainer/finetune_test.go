package trainer

import (
	"context"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/datasets/text"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/checkpoint"
	"github.com/logah-go/logah/logah/params"
)

// stripes makes a learnable 4-class image set: class k has a bright horizontal band at rows
// [3k, 3k+3) of a 12×12 image, plus noise.
func stripes(n int, seed uint64) *datasets.Images {
	r := rand.New(rand.NewPCG(seed, 0))
	d := &datasets.Images{Name: "stripes", N: n, C: 1, H: 12, W: 12, Uint8: make([]uint8, n*144), Labels: make([]int, n),
		Classes: []string{"0", "1", "2", "3"}, Mean: []float32{0.3}, Std: []float32{0.3}}
	for i := range n {
		k := r.IntN(4)
		d.Labels[i] = k
		for p := range 144 {
			v := r.IntN(60)
			if row := p / 12; row >= 3*k && row < 3*k+3 {
				v += 180
			}
			d.Uint8[i*144+p] = uint8(v)
		}
	}
	return d
}

var tinyViT = arch.ViT{ImageSize: 12, Channels: 1, Patch: 4, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 4}

func TestFineTuneViTLearns(t *testing.T) {
	task, err := NewImageTask(stripes(256, 1), stripes(128, 2), 32, 3)
	if err != nil {
		t.Fatal(err)
	}
	init, err := params.Init(tinyViT, 5)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultFineTune()
	cfg.Epochs, cfg.LR, cfg.WarmupSteps = 4, 3e-3, 4
	res, err := FineTune(context.Background(), backend.MustDefault(), tinyViT, init, task, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, last := res.Records[0], res.Final
	if first.Split != "eval" || last["accuracy"] < 0.9 || last["loss"] >= first.Values["loss"] {
		t.Fatalf("did not learn: initial %v, final %v", first.Values, last)
	}
	if res.Steps != 4*8 {
		t.Fatalf("steps %d", res.Steps)
	}
}

// An interrupted run resumed from its checkpoint ends bit-identical to an uninterrupted one.
func TestFineTuneResumeIsExact(t *testing.T) {
	backend := backend.MustDefault()
	init, _ := params.Init(tinyViT, 5)
	cfg := DefaultFineTune()
	cfg.Epochs, cfg.LR, cfg.WarmupSteps, cfg.EvalInitial = 2, 3e-3, 2, false
	newTask := func() Task {
		task, err := NewImageTask(stripes(128, 1), stripes(64, 2), 32, 3)
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	whole, err := FineTune(context.Background(), backend, tinyViT, init, newTask(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}

	cfg.OutDir, cfg.CheckpointEvery, cfg.Resume = t.TempDir(), 3, true
	ctx, cancel := context.WithCancel(context.Background())
	_, err = FineTune(ctx, backend, tinyViT, init, newTask(), cfg, func(p Progress) {
		if p.Step == 5 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("expected an interruption, got %v", err)
	}
	// A copy of the run whose newest checkpoint (step 5) is truncated resumes from the one before (step 4, an epoch end).
	damaged := cfg
	damaged.OutDir = t.TempDir()
	copyDir(t, cfg.OutDir, damaged.OutDir)
	latest := filepath.Join(damaged.OutDir, "ckpt", "ckpt-000000005.safetensors")
	data, err := os.ReadFile(latest)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(latest, data[:len(data)/2], 0o644)

	resumed, err := FineTune(context.Background(), backend, tinyViT, init, newTask(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}

	var warnings strings.Builder
	checkpoint.Warnings = &warnings
	defer func() { checkpoint.Warnings = os.Stderr }()
	firstStep := 0
	fromEarlier, err := FineTune(context.Background(), backend, tinyViT, init, newTask(), damaged, func(p Progress) {
		if firstStep == 0 {
			firstStep = p.Step
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if firstStep != 5 {
		t.Errorf("resume past a damaged step-5 checkpoint started at step %d, want 5", firstStep)
	}
	if w := warnings.String(); !strings.Contains(w, "ckpt-000000005.safetensors") || !strings.Contains(w, "ckpt-000000004.safetensors (step 4)") {
		t.Errorf("warning %q does not name the damaged and the used checkpoint", w)
	}
	if d, err := params.MaxAbsError(fromEarlier.Params, whole.Params); err != nil || d != 0 {
		t.Errorf("run resumed from the earlier checkpoint differs: max |Δparam| %g %v", d, err)
	}

	diff, err := params.MaxAbsError(resumed.Params, whole.Params)
	if err != nil {
		t.Fatal(err)
	}
	if diff != 0 || resumed.Final["loss"] != whole.Final["loss"] {
		t.Fatalf("resumed run differs: max |Δparam| %g, loss %v vs %v", diff, resumed.Final, whole.Final)
	}
	recs, err := ReadMetrics(cfg.OutDir + "/metrics.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Step < recs[i-1].Step {
			t.Fatalf("metrics log not monotonic after resume: %v then %v", recs[i-1].Step, recs[i].Step)
		}
	}
}

// Both language models learn a repetitive corpus: perplexity falls fourfold in 60 steps.
func TestFineTuneLanguageModelPerplexityFalls(t *testing.T) {
	tok := text.Bytes{}
	corpus := []string{}
	for i := range 200 {
		corpus = append(corpus, "the quick brown fox jumps over the lazy dog "+string(rune('a'+i%26)))
	}
	ids := text.Tokenize(tok, corpus)
	for _, a := range []arch.Arch{
		arch.GPT2{Layers: 1, Width: 32, Heads: 4, Inner: 128, Vocab: 256, Context: 32},
		arch.Llama{Layers: 1, Width: 32, Heads: 4, KVHeads: 2, Inner: 96, Vocab: 256, Context: 32, NormEps: 1e-5, RopeTheta: 1e4},
	} {
		train, _ := text.NewLMBatcher(ids[:len(ids)*9/10], 4, 32, 1)
		valid, _ := text.NewLMBatcher(ids[len(ids)*9/10:], 4, 32, 1)
		init, err := params.Init(a, 1)
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultFineTune()
		cfg.Steps, cfg.LR, cfg.WarmupSteps = 60, 3e-3, 5
		res, err := FineTune(context.Background(), backend.MustDefault(), a, init, &TextTask{Train: train, Valid: valid, Dropout: 0.1}, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p0, p1 := res.Records[0].Values["perplexity"], res.Final["perplexity"]; !(p1 < p0/4) {
			t.Errorf("%s: perplexity %g → %g", a, p0, p1)
		}
	}
}

// copyDir copies the regular files of src (recursively) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
