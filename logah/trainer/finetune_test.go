package trainer

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/datasets/text"
	"github.com/logah-go/logah/logah/arch"
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
	resumed, err := FineTune(context.Background(), backend, tinyViT, init, newTask(), cfg, nil)
	if err != nil {
		t.Fatal(err)
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

func TestFineTuneGPT2PerplexityFalls(t *testing.T) {
	tok := text.Bytes{}
	corpus := []string{}
	for i := range 200 {
		corpus = append(corpus, "the quick brown fox jumps over the lazy dog "+string(rune('a'+i%26)))
	}
	ids := text.Tokenize(tok, corpus)
	train, _ := text.NewLMBatcher(ids[:len(ids)*9/10], 4, 32, 1)
	valid, _ := text.NewLMBatcher(ids[len(ids)*9/10:], 4, 32, 1)
	g := arch.GPT2{Layers: 1, Width: 32, Heads: 4, Inner: 128, Vocab: 256, Context: 32}
	init, _ := params.Init(g, 1)
	cfg := DefaultFineTune()
	cfg.Steps, cfg.LR, cfg.WarmupSteps = 60, 3e-3, 5
	res, err := FineTune(context.Background(), backend.MustDefault(), g, init, &TextTask{Train: train, Valid: valid, Dropout: 0.1}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p0, p1 := res.Records[0].Values["perplexity"], res.Final["perplexity"]; !(p1 < p0/4) {
		t.Fatalf("perplexity %g → %g", p0, p1)
	}
}
