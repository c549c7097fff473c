package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/trainer"
)

func init() {
	register("finetune", "train a ViT or GPT-2 from random init or a safetensors file (e.g. predicted parameters)", cmdFinetune)
}

func cmdFinetune(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("finetune", flag.ContinueOnError)
	config := fs.String("arch", "", "model name (vit-s, gpt2, …) or a JSON config file")
	initFrom := fs.String("init", "random", "initialisation: random, or parameters with PyTorch names: a .safetensors file, a PyTorch state dict (.bin/.pt/.pth, torch.save), or a Hugging Face GPT-2 directory (config.json + model.safetensors or pytorch_model.bin)")
	df := addDataFlags(fs)
	epochs := fs.Int("epochs", 1, "epochs of training")
	steps := fs.Int("steps", 0, "exact number of steps (overrides --epochs)")
	batch := fs.Int("batch", 64, "batch size")
	lr := fs.Float64("lr", 1e-3, "peak learning rate")
	warmup := fs.Int("warmup", 100, "warm-up steps")
	wd := fs.Float64("wd", 1e-2, "AdamW weight decay")
	clip := fs.Float64("clip", 5, "global gradient-norm clipping (0: off)")
	smoothing := fs.Float64("label-smoothing", 0, "images: label smoothing")
	dropout := fs.Float64("dropout", 0.1, "text: GPT-2 dropout")
	augment := fs.Bool("augment", false, "images: random crop (pad 4) and horizontal flip")
	seed := fs.Uint64("seed", 1, "seed for initialisation, data order and dropout")
	out := fs.String("out", "", "output directory for metrics.jsonl, checkpoints and final.safetensors")
	resume := fs.Bool("resume", false, "continue from the latest checkpoint in --out")
	maxTrain := fs.Int("max-train", 0, "use only the first N training examples (0: all)")
	maxEval := fs.Int("max-eval", 0, "evaluate on the first N test examples / validation batches (0: all)")
	evalEvery := fs.Int("eval-every", 0, "evaluate every N steps besides epoch ends")
	quiet := fs.Bool("quiet", false, "no progress line")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *config == "" && len(pos) == 1 {
		*config = pos[0]
	} else if len(pos) > 0 {
		return usageErrorf("unexpected arguments %v", pos)
	}
	a, err := archFromFlag(*config)
	if err != nil {
		return err
	}
	var init *params.Set
	if *initFrom == "random" {
		init, err = params.Init(a, *seed)
	} else {
		init, err = params.LoadModel(a, *initFrom)
	}
	if err != nil {
		return fmt.Errorf("--init %s: %w", *initFrom, err)
	}

	var task trainer.Task
	switch v := a.(type) {
	case arch.ViT:
		train, test, err := df.images(v, *maxTrain)
		if err != nil {
			return err
		}
		opts := trainer.ImageTaskOptions{LabelSmoothing: *smoothing, MaxEvalExamples: *maxEval}
		if *augment {
			opts.Augment = datasets.CIFARAugment
		}
		it, err := trainer.NewImageTask(train, test, *batch, *seed, opts)
		if err != nil {
			return err
		}
		task = it
	case arch.LM:
		spec, err := df.spec()
		if err != nil {
			return err
		}
		tt, err := spec.TextTask(v, *batch, *seed, *dropout, *maxEval)
		if err != nil {
			return err
		}
		task = tt
	}

	cfg := trainer.DefaultFineTune()
	cfg.Epochs, cfg.Steps, cfg.LR, cfg.WarmupSteps, cfg.Seed = *epochs, *steps, *lr, *warmup, *seed
	cfg.Optimizer.WeightDecay, cfg.Optimizer.ClipNorm = *wd, *clip
	cfg.OutDir, cfg.Resume, cfg.EvalEvery = *out, *resume, *evalEvery
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Fprintf(stdout, "fine-tuning %s (%s parameters) from %s on %s\n", a, thousands(arch.NumParams(a)), *initFrom, *df.data)
	res, err := trainer.FineTune(ctx, backend.MustDefault(), a, init, task, cfg, progressPrinter(os.Stderr, *quiet))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done: %d steps; final %s\n", res.Steps, formatMetrics(res.Final))
	if *out != "" {
		path := filepath.Join(*out, "final.safetensors")
		if err := params.Save(path, res.Params, map[string]string{"arch": a.String()}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s and %s\n", path, filepath.Join(*out, "metrics.jsonl"))
	}
	return nil
}

// archFromFlag accepts a model name or a path to a JSON config.
func archFromFlag(s string) (arch.Arch, error) {
	if s == "" {
		return nil, usageErrorf("missing --arch: a model name or a JSON config file")
	}
	if strings.HasSuffix(s, ".json") {
		return resolveArch(nil, s)
	}
	return arch.Named(s)
}

// progressPrinter prints a progress line updated in place, and evaluations on their own line.
func progressPrinter(w io.Writer, quiet bool) func(trainer.Progress) {
	last := time.Time{}
	return func(p trainer.Progress) {
		if quiet {
			return
		}
		if p.Eval != nil {
			fmt.Fprintf(w, "\r\033[Kstep %d/%d (epoch %.2f): eval %s\n", p.Step, p.TotalSteps, p.Epoch, formatMetrics(p.Eval))
			return
		}
		if time.Since(last) < 200*time.Millisecond && p.Step != p.TotalSteps {
			return
		}
		last = time.Now()
		rate := float64(p.Step) / max(p.Elapsed.Seconds(), 1e-9)
		fmt.Fprintf(w, "\r\033[Kstep %d/%d  epoch %.2f  loss %.4f  lr %.2e  %.1f steps/s", p.Step, p.TotalSteps, p.Epoch, p.Loss, p.LR, rate)
	}
}

func formatMetrics(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %.4g", k, m[k])
	}
	return strings.Join(parts, ", ")
}
