package main

import (
	"flag"
	"os"

	"github.com/logah-go/logah/internal/flags"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/experiment"
	"github.com/logah-go/logah/logah/trainer"
)

// comparisonFlags are the flags that describe a comparison, shared by `logah compare` and
// `logah sweep-lr`: the architectures, the initialisations, the data and the fine-tuning budget.
type comparisonFlags struct {
	fs            *flag.FlagSet
	archs, inits  flags.List
	data          *dataFlags
	resolveWarmup func() error
}

// addComparisonFlags defines the comparison's flags into c, whose values are the defaults.
func addComparisonFlags(fs *flag.FlagSet, c *experiment.Comparison) *comparisonFlags {
	f := &comparisonFlags{fs: fs}
	fs.Var(&f.archs, "arch", "model name, JSON config, or a JSON list of configs such as train-ghn's held_out.json (repeatable)")
	fs.Var(&f.inits, "init", "random, NAME=HYPERNETWORK (a train-ghn directory, .safetensors or .pt), or NAME=params:PATH (parameters used as they are: .safetensors, a Hugging Face/torchvision directory, a torch.save state dict); append ,scale=S and/or ,noise=N to shrink or perturb their weight tensors, ,redraw=SUFFIX[+SUFFIX] to re-draw the tensors so named at random (the authors' GPT-2 recipe: redraw=c_proj.weight); append ,lr=R to fine-tune this one at its own peak learning rate instead of --lr (repeatable)")
	f.data = addDataFlags(fs)
	fs.IntVar(&c.Seeds, "seeds", c.Seeds, "seeds per (architecture, initialisation)")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "fine-tuning epochs")
	fs.IntVar(&c.Steps, "steps", 0, "fine-tuning steps (overrides --epochs); with --epochs 0 and no --steps, evaluation only")
	fs.IntVar(&c.MaxTrain, "max-train", 0, "use only the first N training images (0: all); an epoch is one pass over them")
	fs.IntVar(&c.MaxEval, "max-eval", 0, "evaluate on the first N test images, or N validation batches for text (0: all)")
	fs.IntVar(&c.Batch, "batch", c.Batch, "batch size")
	f.resolveWarmup = addWarmupFlags(fs, &c.WarmupSteps, &c.WarmupFraction)
	addWarmupShapeFlag(fs, &c.WarmupShape)
	fs.Float64Var(&c.MinLRFactor, "min-lr-factor", c.MinLRFactor, "cosine decay to lr × this at the last step (1: constant; the authors' ViT recipe is --batch 32 --lr 4e-5 --warmup 0 --min-lr-factor 1, their GPT-2 one --lr 3e-6 --warmup 500 --warmup-shape log --min-lr-factor 1 --clip 1 with ,redraw=c_proj.weight on predicted inits)")
	fs.Float64Var(&c.ClipNorm, "clip", trainer.DefaultAdamW.ClipNorm, "global gradient-norm clipping (a comparison always clips)")
	fs.IntVar(&c.EvalEvery, "eval-every", 0, "also evaluate every N steps (the curves in --out)")
	fs.Float64Var(&c.Dropout, "dropout", c.Dropout, "text: GPT-2 dropout while fine-tuning")
	fs.BoolVar(&c.Resume, "resume", false, "keep the runs of this comparison already in --out instead of running them again")
	return f
}

// finish completes c from the parsed flags: data, architectures and initialisations. The
// hypernetworks it opened are closed by the returned function.
func (f *comparisonFlags) finish(c *experiment.Comparison) (closeInits func(), err error) {
	closeInits = func() {
		for _, in := range c.Inits {
			if in.GHN != nil {
				in.GHN.Close()
			}
		}
	}
	if len(f.archs) == 0 || len(f.inits) == 0 {
		return closeInits, usageErrorf("usage: logah %s --arch A [--arch B] --init random --init logah=DIR [flags]", f.fs.Name())
	}
	if err := f.resolveWarmup(); err != nil {
		return closeInits, err
	}
	if c.ClipNorm <= 0 {
		return closeInits, usageErrorf("--clip %g: give a positive gradient-norm bound (the default is %g)", c.ClipNorm, trainer.DefaultAdamW.ClipNorm)
	}
	if c.Data, err = f.data.spec(); err != nil {
		return closeInits, err
	}
	for _, spec := range f.archs {
		as, err := arch.ResolveList(spec)
		if err != nil {
			return closeInits, err
		}
		c.Archs = append(c.Archs, as...)
	}
	for _, spec := range f.inits {
		in, err := experiment.ParseInit(spec)
		if err != nil {
			return closeInits, usageErrorf("%v", err)
		}
		if in.GHN != nil {
			noteOrigin(os.Stderr, in.GHN)
		}
		c.Inits = append(c.Inits, in)
	}
	return closeInits, nil
}
