package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/experiment"
)

func init() {
	register("finetune", "train a ViT, GPT-2 or Llama from random init, a hypernetwork's prediction or a parameter file", cmdFinetune)
}

// cmdFinetune implements "logah finetune": flags → an experiment.FineTuning → experiment.FineTune.
func cmdFinetune(args []string, stdout io.Writer) error {
	f := experiment.DefaultFineTuning(nil)
	fs := flag.NewFlagSet("finetune", flag.ContinueOnError)
	archFlag := fs.String("arch", "", "model name (vit-s, gpt2, …) or a JSON config file")
	initFlag := fs.String("init", "random", "initialisation: random; parameters with PyTorch names (a .safetensors file, a PyTorch state dict .bin/.pt/.pth, a Hugging Face directory), optionally named as NAME=params:PATH; or NAME=HYPERNETWORK (a train-ghn directory, .safetensors or .pt) to start from its prediction; append ,scale=S and/or ,noise=N to shrink or perturb the weight tensors of predicted or loaded parameters, ,redraw=SUFFIX[+SUFFIX] to re-draw the tensors so named at random (the authors' GPT-2 recipe: redraw=c_proj.weight)")
	df := addDataFlags(fs)
	fs.IntVar(&f.Epochs, "epochs", f.Epochs, "epochs of training")
	fs.IntVar(&f.Steps, "steps", 0, "exact number of steps (overrides --epochs)")
	fs.IntVar(&f.Batch, "batch", f.Batch, "batch size")
	fs.Float64Var(&f.LR, "lr", f.LR, "peak learning rate")
	warmup := addWarmupFlags(fs, &f.WarmupSteps, &f.WarmupFraction)
	addWarmupShapeFlag(fs, &f.WarmupShape)
	fs.Float64Var(&f.MinLRFactor, "min-lr-factor", f.MinLRFactor, "cosine decay to lr × this at the last step (1: constant after the warm-up)")
	fs.Float64Var(&f.Optimizer.WeightDecay, "wd", f.Optimizer.WeightDecay, "AdamW weight decay")
	fs.Float64Var(&f.Optimizer.ClipNorm, "clip", f.Optimizer.ClipNorm, "global gradient-norm clipping (0: off)")
	fs.Float64Var(&f.LabelSmoothing, "label-smoothing", 0, "images: label smoothing")
	fs.BoolVar(&f.Augment, "augment", false, "images: random crop (pad 4) and horizontal flip")
	fs.Float64Var(&f.Dropout, "dropout", f.Dropout, "text: GPT-2 dropout")
	fs.Uint64Var(&f.Seed, "seed", f.Seed, "seed for initialisation (or a prediction's class-token noise), data order and dropout")
	fs.StringVar(&f.OutDir, "out", "", "output directory for metrics.jsonl, checkpoints and "+experiment.FinalParams)
	fs.BoolVar(&f.Resume, "resume", false, "continue from the latest checkpoint in --out")
	fs.IntVar(&f.CheckpointEvery, "checkpoint-every", 0, "with --out: also checkpoint every N steps (0: epoch ends only)")
	fs.IntVar(&f.MaxTrain, "max-train", 0, "use only the first N training examples (0: all)")
	fs.IntVar(&f.MaxEval, "max-eval", 0, "evaluate on the first N test examples / validation batches (0: all)")
	fs.IntVar(&f.EvalEvery, "eval-every", 0, "evaluate every N steps besides epoch ends")
	quiet := fs.Bool("quiet", false, "no progress line")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *archFlag == "" && len(pos) == 1 {
		*archFlag = pos[0]
	} else if len(pos) > 0 {
		return usageErrorf("unexpected arguments %v", pos)
	}
	if err := warmup(); err != nil {
		return err
	}
	if f.Arch, err = archFromFlag(*archFlag); err != nil {
		return err
	}
	if f.Data, err = df.spec(); err != nil {
		return err
	}
	if f.Init, err = experiment.ParseInit(*initFlag); err != nil {
		return usageErrorf("%v", err)
	}
	if f.Init.GHN != nil {
		noteOrigin(os.Stderr, f.Init.GHN)
		defer f.Init.GHN.Close()
	}
	if f.Init.LR > 0 {
		return usageErrorf("--init %s: ,lr= sets one initialisation's rate in logah compare; here give --lr %g", *initFlag, f.Init.LR)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Fprintf(stdout, "fine-tuning %s (%s parameters) from %s on %s\n", f.Arch, thousands(arch.NumParams(f.Arch)), f.Init.Name, f.Data.Name)
	res, err := experiment.FineTune(ctx, f, progressPrinter(os.Stderr, *quiet))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done: %d steps; final %s\n", res.Steps, formatMetrics(res.Final))
	if f.OutDir != "" {
		fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(f.OutDir, experiment.FinalParams), filepath.Join(f.OutDir, "metrics.jsonl"))
	}
	return nil
}
