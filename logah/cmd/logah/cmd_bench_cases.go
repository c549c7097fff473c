package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/datasets/text"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/netgraph"
	"github.com/logah-go/logah/logah/nets"
	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/trainer"
)

func graphCases(o *benchOpts) []benchCase {
	n := o.reps(1000, 50)
	return []benchCase{
		{"graph build", fmt.Sprintf("vits1k: %d ViTs with distances (cut-off %d)", n, netgraph.DefaultCutoff), benchFamilyGraphs(n), nil},
		{"graph build", "GPT-2 XL (gpt2-xl) with distances", benchGPT2XLGraph, nil},
	}
}

func benchFamilyGraphs(n int) func(o *benchOpts, r *benchRow) error {
	return func(o *benchOpts, r *benchRow) error {
		fam, err := arch.FamilyByName("vits1k")
		if err != nil {
			return err
		}
		members := fam.Members()[:n]
		d, _, err := timeReps(o.budget(budget{3, 20, 2 * time.Second}, budget{2, 2, 0}), func() error {
			for _, a := range members {
				if _, err := netgraph.Build(a, netgraph.Options{}); err != nil {
					return err
				}
			}
			return nil
		})
		r.time = fmt.Sprintf("%.3f s (%s/graph)", d.Seconds(), fmtDur(d/time.Duration(n)))
		return err
	}
}

func benchGPT2XLGraph(o *benchOpts, r *benchRow) error {
	a, err := arch.Named("gpt2-xl")
	if err != nil {
		return err
	}
	var g *netgraph.Graph
	d, _, err := timeReps(o.budget(budget{10, 500, time.Second}, budget{3, 3, 0}), func() (err error) {
		g, err = netgraph.Build(a, netgraph.Options{})
		return err
	})
	if err != nil {
		return err
	}
	r.config = fmt.Sprintf("GPT-2 XL: %d nodes with distances", g.N())
	r.time = fmtDur(d)
	return nil
}

// ---- predict ----

func predictCases(o *benchOpts) []benchCase {
	vit, _ := arch.Named("vit-s")
	gpt, _ := arch.Named("gpt2")
	large, _ := arch.Named("gpt2-large")
	return []benchCase{
		{"GHN prediction", fmt.Sprintf("LoGAH-Tiny → ViT-S (%s), in memory", mparams(vit)),
			benchPredictMem(ghn.VariantViT, 100, "vit-s", o.budget(budget{3, 20, 5 * time.Second}, once)), nil},
		{"GHN prediction", fmt.Sprintf("LoGAH-Tiny → GPT-2 small (%s), in memory", mparams(gpt)),
			benchPredictMem(ghn.VariantGPT, 10, "gpt2", o.budget(budget{2, 5, 8 * time.Second}, once)), nil},
		{"GHN prediction", fmt.Sprintf("LoGAH-Tiny → GPT-2 Large (%s) → %.2f GB safetensors, child process",
			mparams(large), float64(4*arch.NumParams(large))/1e9), benchPredictFile, nil},
		{"GPT-2 Large forward", "73 tokens, evaluation, parameters read from that file (read + compile + forward)",
			benchGPT2LargeForward, &torchCase{"gpt2fwd", "total"}},
	}
}

// newTinyGHN is a randomly initialised LoGAH-Tiny (d_max 2048).
func newTinyGHN(v ghn.Variant, classes int) (*ghn.GHN, error) {
	cfg := ghn.LoGAHTiny(v, classes)
	set, err := ghn.Init(cfg, 1)
	if err != nil {
		return nil, err
	}
	return ghn.New(cfg, set, backend.MustDefault())
}

func benchPredictMem(v ghn.Variant, classes int, model string, b budget) func(o *benchOpts, r *benchRow) error {
	return func(o *benchOpts, r *benchRow) error {
		a, err := arch.Named(model)
		if err != nil {
			return err
		}
		g, err := newTinyGHN(v, classes)
		if err != nil {
			return err
		}
		defer g.Close()
		predict := func() error { _, err := g.Predict(a, ghn.PredictOptions{}); return err }
		first, _, err := timeReps(once, predict)
		if err != nil {
			return err
		}
		d, n, err := timeReps(b, predict)
		r.time = fmt.Sprintf("%s (median of %d; first call, compiling: %s)", fmtDur(d), n, fmtDur(first))
		return err
	}
}

// benchPredictFile runs "logah predict --arch gpt2-large" in a child process, whose peak RSS
// the kernel reports, and deletes the file.
func benchPredictFile(o *benchOpts, r *benchRow) error {
	if o.quick {
		r.time = "skipped (--quick)"
		return nil
	}
	dir, err := os.MkdirTemp(o.tmp, "logah-bench-")
	if err != nil {
		return err
	}
	// The file stays for the forward row (and its PyTorch twin) until the command ends.
	o.cleanups = append(o.cleanups, func() { os.RemoveAll(dir) })
	if err := writeTinyGHN(filepath.Join(dir, "ghn")); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "predict", "--ghn", filepath.Join(dir, "ghn"), "--arch", "gpt2-large", "--out", filepath.Join(dir, "x.safetensors"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s predict: %v: %s", exe, err, out.String())
	}
	r.time = fmtDur(time.Since(t0)) + " (process start to file written)"
	if m := peakMemoryRE.FindStringSubmatch(out.String()); m != nil {
		r.mem = m[1] + " MB peak RSS (VmHWM)"
	}
	o.largeFile = filepath.Join(dir, "x.safetensors")
	return nil
}

// gpt2ForwardTokens are the token ids of the GPT-2 forward rows (here and in
// docs/bench/torch_gpt2_forward.py): 7·i mod vocab for i < 73.
func gpt2ForwardTokens(n, vocab int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32(7 * i % vocab)
	}
	return ids
}

// benchGPT2LargeForward reads the GPT-2 Large file of benchPredictFile straight into the
// backend's buffers (trainer.LoadEvalWeights) and runs one forward pass on 73 tokens, reporting
// the read, the first call (compilation included) and a second.
func benchGPT2LargeForward(o *benchOpts, r *benchRow) error {
	if o.largeFile == "" {
		r.time = "skipped (needs the GPT-2 Large file of the row above)"
		return nil
	}
	a, err := arch.Named("gpt2-large")
	if err != nil {
		return err
	}
	t0 := time.Now()
	w, err := trainer.LoadEvalWeights(backend.MustDefault(), a, o.largeFile)
	if err != nil {
		return err
	}
	read := time.Since(t0)
	tokens := tensors.FromFlatDataAndDimensions(gpt2ForwardTokens(73, a.(arch.GPT2).Vocab), 1, 73)
	var first, second time.Duration
	for i := range 2 {
		t := time.Now()
		logits, err := nets.Logits(backend.MustDefault(), nil, a, w, tokens)
		if err != nil {
			return err
		}
		logits.MustFinalizeAll()
		if i == 0 {
			first = time.Since(t)
		} else {
			second = time.Since(t)
		}
	}
	for _, t := range w {
		t.MustFinalizeAll()
	}
	r.dur = read + first
	r.time = fmt.Sprintf("%s (read %s + first forward %s, compilation included; a second forward %s)",
		fmtDur(r.dur), fmtDur(read), fmtDur(first), fmtDur(second))
	return nil
}

// peakMemoryRE finds the peak memory "logah predict" reports. The child reports it itself: on
// Linux the ru_maxrss of a child also counts this (large) process's memory at the fork.
var peakMemoryRE = regexp.MustCompile(`peak memory (\d+) MB`)

// writeTinyGHN saves a randomly initialised LoGAH-Tiny GPT hypernetwork (d_max 2048) as a
// directory "logah predict --ghn" reads.
func writeTinyGHN(dir string) error {
	g, err := newTinyGHN(ghn.VariantGPT, 10)
	if err != nil {
		return err
	}
	defer g.Close()
	_, err = saveGHNDir(g, dir)
	return err
}

// ---- hypernetwork training ----

func ghnTrainCases(o *benchOpts) []benchCase {
	nArchs := o.reps(4, 1)
	// Warm-up steps compile the graphs of the architectures (drawn at random from the list);
	// the median absorbs a late compilation.
	m1 := o.budget(budget{5, 20, 20 * time.Second}, once)
	m4 := o.budget(budget{3, 10, 30 * time.Second}, once)
	return []benchCase{
		{"GHN training step", fmt.Sprintf("LoGAH-Tiny d_max 512, %s, batch 64, m=1", miniViTs(nArchs)), benchGHNTrain(1, nArchs, o.reps(6, 1), m1), &torchCase{"ghn", "m=1"}},
		{"GHN training step", fmt.Sprintf("LoGAH-Tiny d_max 512, %s, batch 64, m=4", miniViTs(nArchs)), benchGHNTrain(4, nArchs, o.reps(3, 1), m4), &torchCase{"ghn", "m=4"}},
	}
}

func miniViTs(n int) string {
	if n == 1 {
		return "1 vits-mini ViT"
	}
	return fmt.Sprintf("%d vits-mini ViTs", n)
}

// benchGHNTrain times trainer.TrainGHN steps as BenchmarkTrainGHNStep does: the architectures
// cycle through a fixed list so that their compiled graphs are reused after the warm-up steps.
func benchGHNTrain(m, nArchs, warm int, b budget) func(o *benchOpts, r *benchRow) error {
	return func(o *benchOpts, r *benchRow) error {
		fam, err := arch.FamilyByName("vits-mini")
		if err != nil {
			return err
		}
		cfg := ghn.LoGAHTiny(ghn.VariantViT, 10)
		cfg.MaxShape, cfg.MaxCK = 512, 16*512
		init, err := ghn.Init(cfg, 1)
		if err != nil {
			return err
		}
		train, test, src := benchImages(64 * (warm + b.max + 2))
		task, err := trainer.NewImageTask(train, test, 64, 1)
		if err != nil {
			return err
		}
		d, n, err := timeSteps(warm, b, func(ctx context.Context, steps int, progress func(trainer.Progress)) error {
			tc := trainer.DefaultGHNTrain("")
			tc.Archs, tc.MetaBatch, tc.Steps, tc.CacheSize = fam.Sample(11, nArchs), m, steps, 16
			_, err := trainer.TrainGHN(ctx, backend.MustDefault(), cfg, init, task, tc, progress)
			return err
		})
		r.config += ", " + src
		r.time, r.dur = fmt.Sprintf("%s/step (median of %d after %d warm-up)", fmtDur(d), n, warm), d
		return err
	}
}

// benchImages returns n Fashion-MNIST training images and 64 test images, or synthetic
// 28×28×1 images of the same shape (speed does not depend on content) when the dataset is not
// installed; src says which.
func benchImages(n int) (train, test *datasets.Images, src string) {
	tr, err1 := datasets.Load("fashion-mnist", "", datasets.Train)
	te, err2 := datasets.Load("fashion-mnist", "", datasets.Test)
	if err1 == nil && err2 == nil && tr.N >= n {
		tr, err1 = tr.Range(0, n)
		te, err2 = te.Range(0, min(64, te.N))
		if err1 == nil && err2 == nil {
			return tr, te, "Fashion-MNIST"
		}
	}
	return datasets.Noise(n, 1), datasets.Noise(64, 2), "synthetic 28×28×1 (Fashion-MNIST not found)"
}

// ---- target training ----

func targetTrainCases(o *benchOpts) []benchCase {
	vit, _ := arch.Named("vit-mini")
	gpt, _ := arch.Named("gpt2-mini-bpe")
	return []benchCase{
		{"target training step", fmt.Sprintf("vit-mini (%s), batch 64", mparams(vit)), benchTargetViT, &torchCase{"train", "ViT step"}},
		{"target training step", fmt.Sprintf("gpt2-mini-bpe (%s), batch 8×128 random tokens, dropout 0.1", mparams(gpt)), benchTargetGPT2, &torchCase{"train", "GPT-2 tied, dropout 0.1, step"}},
	}
}

// targetBudget returns the warm-up steps (compilation) and the budget of the timed steps of the
// target networks.
func (o *benchOpts) targetBudget() (warm int, b budget) {
	return o.reps(2, 1), o.budget(budget{5, 50, 10 * time.Second}, budget{2, 2, 0})
}

// benchFineTune times trainer.FineTune steps (forward, backward, AdamW update) of a from a
// random initialisation.
func benchFineTune(a arch.Arch, task trainer.Task, warm int, b budget) (time.Duration, int, error) {
	init, err := params.Init(a, 1)
	if err != nil {
		return 0, 0, err
	}
	return timeSteps(warm, b, func(ctx context.Context, steps int, progress func(trainer.Progress)) error {
		cfg := trainer.DefaultFineTune()
		cfg.Steps, cfg.EvalInitial, cfg.LogEvery = steps, false, steps
		_, err := trainer.FineTune(ctx, backend.MustDefault(), a, init, task, cfg, progress)
		return err
	})
}

func benchTargetViT(o *benchOpts, r *benchRow) error {
	a, err := arch.Named("vit-mini")
	if err != nil {
		return err
	}
	warm, b := o.targetBudget()
	train, test, src := benchImages(64 * (warm + b.max + 2)) // one epoch: no evaluation while timing
	task, err := trainer.NewImageTask(train, test, 64, 1, trainer.ImageTaskOptions{MaxEvalExamples: 64})
	if err != nil {
		return err
	}
	d, n, err := benchFineTune(a, task, warm, b)
	r.config += ", " + src
	r.time, r.dur = fmt.Sprintf("%s/step, %.0f images/s (median of %d)", fmtDur(d), 64/d.Seconds(), n), d
	return err
}

func benchTargetGPT2(o *benchOpts, r *benchRow) error {
	a, err := arch.Named("gpt2-mini-bpe")
	if err != nil {
		return err
	}
	g := a.(arch.GPT2)
	warm, b := o.targetBudget()
	const batch = 8
	train, err := text.NewLMBatcher(randomTokens(batch*g.Context*(warm+b.max+2), g.Vocab, 1), batch, g.Context, 1)
	if err != nil {
		return err
	}
	valid, err := text.NewLMBatcher(randomTokens(batch*g.Context, g.Vocab, 2), batch, g.Context, 1)
	if err != nil {
		return err
	}
	task := &trainer.TextTask{Train: train, Valid: valid, Dropout: 0.1, MaxEvalBatches: 1}
	d, n, err := benchFineTune(a, task, warm, b)
	r.time, r.dur = fmt.Sprintf("%s/step, %.0f tokens/s (median of %d)", fmtDur(d), float64(batch*g.Context)/d.Seconds(), n), d
	return err
}

func randomTokens(n, vocab int, seed uint64) []int32 {
	r := rand.New(rand.NewPCG(seed, 13))
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(r.IntN(vocab))
	}
	return out
}
