package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/logah-go/logah/logah/experiment"
)

func init() {
	register("compare", "fine-tune architectures from several initialisations (random, hypernetworks) over seeds and tabulate", cmdCompare)
}

func cmdCompare(args []string, stdout io.Writer) error {
	c := experiment.DefaultComparison()
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	cf := addComparisonFlags(fs, &c)
	fs.Float64Var(&c.LR, "lr", c.LR, "peak learning rate of every initialisation without its own (--init NAME=DIR,lr=R; see also --lr-from)")
	lrFrom := fs.String("lr-from", "", "fine-tune each initialisation at its own best peak learning rate of this `logah sweep-lr` directory (instead of --lr)")
	fs.StringVar(&c.SaveTo, "out", "", "write every run (with its evaluation curve) as JSON to this file, after each run")
	fs.StringVar(&c.CheckpointDir, "checkpoint-dir", "", "checkpoint each run in progress in a directory of its own here, removed once the run is in --out; with --resume a stopped run continues from its last checkpoint")
	fs.IntVar(&c.CheckpointEvery, "checkpoint-every", 200, "with --checkpoint-dir: checkpoint every N steps, besides every epoch end")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("usage: logah compare --arch A [--arch B] --init random --init logah=DIR [flags]")
	}
	if c.Resume && c.SaveTo == "" {
		return usageErrorf("--resume needs --out, the file of the earlier runs")
	}
	if c.CheckpointEvery < 0 {
		return usageErrorf("--checkpoint-every %d: give a number of steps (0: epoch ends only)", c.CheckpointEvery)
	}
	if *lrFrom != "" && flagSet(fs, "lr") {
		return usageErrorf("--lr (one rate for all) and --lr-from (each initialisation's best rate) exclude each other: give one")
	}
	closeInits, err := cf.finish(&c)
	defer closeInits()
	if err != nil {
		return err
	}
	metric := experiment.Metric(c.Data)
	if *lrFrom != "" {
		if c.Inits, err = bestLRsFrom(*lrFrom, c.Inits, metric); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM) // a run in progress checkpoints before the exit
	defer stop()
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

// bestLRsFrom gives every initialisation its best learning rate of the sweep in dir. The other
// initialisations the sweep holds play no part (one still being swept does not hold up the rest).
func bestLRsFrom(dir string, inits []experiment.Init, metric string) ([]experiment.Init, error) {
	swept, err := experiment.ReadSweep(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(inits))
	for i, in := range inits {
		if in.LR > 0 {
			return nil, usageErrorf("--init %s,lr=%g and --lr-from %s both set its learning rate: give one", in.Name, in.LR, dir)
		}
		names[i] = in.Name
	}
	choices, err := experiment.BestLRs(swept, metric, names...)
	if err != nil {
		return nil, fmt.Errorf("--lr-from %s: %w", dir, err)
	}
	out, err := experiment.WithBestLRs(inits, choices)
	if err != nil {
		return nil, fmt.Errorf("--lr-from %s: %w", dir, err)
	}
	return out, nil
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// printCompare prints the protocol, then the tables of printRunsSummary.
func printCompare(w io.Writer, c experiment.Comparison, runs []experiment.Run, metric string) {
	names := c.InitNames()
	var ownLRs, perturbed []string
	for _, in := range c.Inits {
		if in.LR > 0 {
			ownLRs = append(ownLRs, fmt.Sprintf("%s %g", in.Name, in.LR))
		}
		if d := c.ProtocolOf(in).Perturbation(); d != "" {
			perturbed = append(perturbed, fmt.Sprintf("%s: %s", in.Name, d))
		}
	}
	shared := c.ProtocolOf(c.Inits[0]) // its learning rate; each initialisation's start is below
	shared.InitScale, shared.InitNoise, shared.InitRedraw = 0, 0, ""
	fmt.Fprintf(w, "protocol: %v\n", shared)
	if len(ownLRs) > 0 {
		fmt.Fprintf(w, "peak learning rate of each initialisation: %s\n", strings.Join(ownLRs, ", "))
	}
	if len(perturbed) > 0 {
		fmt.Fprintf(w, "starting points changed before fine-tuning: %s\n", strings.Join(perturbed, "; "))
	}
	printRunsSummary(w, runs, names, metric, c.BudgetLabel())
}
