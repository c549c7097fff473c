package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/logah-go/logah/internal/flags"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/experiment"
)

func init() {
	register("compare", "fine-tune architectures from several initialisations (random, hypernetworks) over seeds and tabulate", cmdCompare)
}

func cmdCompare(args []string, stdout io.Writer) error {
	c := experiment.DefaultComparison()
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	var inits, archFlags flags.List
	fs.Var(&archFlags, "arch", "model name, JSON config, or a JSON list of configs such as train-ghn's held_out.json (repeatable)")
	fs.Var(&inits, "init", "random, NAME=HYPERNETWORK (a train-ghn directory, .safetensors or .pt), or NAME=params:PATH (parameters used as they are: .safetensors, a Hugging Face/torchvision directory, a torch.save state dict) (repeatable)")
	df := addDataFlags(fs)
	fs.IntVar(&c.Seeds, "seeds", c.Seeds, "seeds per (architecture, initialisation)")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "fine-tuning epochs")
	fs.IntVar(&c.Steps, "steps", 0, "fine-tuning steps (overrides --epochs); with --epochs 0 and no --steps, evaluation only")
	fs.IntVar(&c.MaxTrain, "max-train", 0, "use only the first N training images (0: all); an epoch is one pass over them")
	fs.IntVar(&c.MaxEval, "max-eval", 0, "evaluate on the first N test images, or N validation batches for text (0: all)")
	fs.IntVar(&c.Batch, "batch", c.Batch, "batch size")
	fs.Float64Var(&c.LR, "lr", c.LR, "peak learning rate (the same for every initialisation)")
	warmup := addWarmupFlags(fs, &c.WarmupSteps, &c.WarmupFraction)
	fs.Float64Var(&c.MinLRFactor, "min-lr-factor", c.MinLRFactor, "cosine decay to lr × this at the last step (1: constant; the authors' ViT recipe is --batch 32 --lr 4e-5 --warmup 0 --min-lr-factor 1)")
	fs.IntVar(&c.EvalEvery, "eval-every", 0, "also evaluate every N steps (the curves in --out)")
	fs.Float64Var(&c.Dropout, "dropout", c.Dropout, "text: GPT-2 dropout while fine-tuning")
	fs.StringVar(&c.SaveTo, "out", "", "write every run (with its evaluation curve) as JSON to this file, after each run")
	fs.BoolVar(&c.Resume, "resume", false, "keep the runs of this comparison already in --out instead of running them again")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || len(archFlags) == 0 || len(inits) == 0 {
		return usageErrorf("usage: logah compare --arch A [--arch B] --init random --init logah=DIR [flags]")
	}
	if c.Resume && c.SaveTo == "" {
		return usageErrorf("--resume needs --out, the file of the earlier runs")
	}
	if err := warmup(); err != nil {
		return err
	}
	if c.Data, err = df.spec(); err != nil {
		return err
	}
	for _, f := range archFlags {
		as, err := arch.ResolveList(f)
		if err != nil {
			return err
		}
		c.Archs = append(c.Archs, as...)
	}
	for _, spec := range inits {
		in, err := experiment.ParseInit(spec)
		if err != nil {
			return usageErrorf("%v", err)
		}
		if in.GHN != nil {
			noteOrigin(os.Stderr, in.GHN)
			defer in.GHN.Close()
		}
		c.Inits = append(c.Inits, in)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	metric := experiment.Metric(c.Data)
	runs, err := experiment.Compare(ctx, c, func(p experiment.RunProgress) {
		if p.Step == p.TotalSteps && p.Eval != nil {
			fmt.Fprintf(os.Stderr, "%s  %-8s seed %d: %s %.4f after %d steps\n", p.Arch, p.Init, p.Seed, metric, p.Eval[metric], p.Step)
		}
	})
	if err != nil {
		return err
	}
	printCompare(stdout, c, runs, metric)
	return nil
}

// printCompare prints mean ± std of the headline metric before and after fine-tuning per
// initialisation, then each initialisation's paired difference from the first one over the
// (architecture, seed) pairs they share, with a 95 % confidence interval.
func printCompare(w io.Writer, c experiment.Comparison, runs []experiment.Run, metric string) {
	names := make([]string, len(c.Inits))
	for i, in := range c.Inits {
		names[i] = in.Name
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "protocol: %v\n", c.Protocol())
	fmt.Fprintf(tw, "initialisation\truns\t%s, no fine-tuning\t%s after %s\n", metric, metric, c.BudgetLabel())
	for _, row := range experiment.SummaryRows(experiment.Summarize(runs, metric, names...), metric) {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	for _, name := range names[1:] {
		before, err := experiment.Paired(runs, metric, names[0], name, false, 0.95)
		if err != nil {
			continue // fewer than two shared pairs: nothing to say
		}
		after, _ := experiment.Paired(runs, metric, names[0], name, true, 0.95)
		fmt.Fprintf(w, "paired, no fine-tuning:  %s\npaired, after %s: %s\n", before, c.BudgetLabel(), after)
	}
}
