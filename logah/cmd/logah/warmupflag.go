package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/logah-go/logah/logah/trainer"
)

// warmupSteps is the --warmup flag: a whole number of warm-up steps, in every command. A
// fraction such as 0.05, which `logah compare --warmup` meant before it counted steps, is an
// error that names the flag for fractions (fractionFlag; "" where the command has none).
type warmupSteps struct {
	steps        *int
	fractionFlag string
}

func (w warmupSteps) String() string {
	if w.steps == nil {
		return "0"
	}
	return strconv.Itoa(*w.steps)
}

func (w warmupSteps) Set(s string) error {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		*w.steps = n
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < 1 && w.fractionFlag != "" {
		return fmt.Errorf("--warmup counts steps; for %g of the run's steps write --%s %s", f, w.fractionFlag, s)
	}
	return fmt.Errorf("--warmup is a whole number of warm-up steps (such as 50), got %q", s)
}

// addWarmupFlags defines --warmup (steps) and --warmup-fraction (of the run's steps) into
// steps and fraction, and returns the check to run after parsing: the two flags exclude each
// other, and the one given replaces the other's default.
func addWarmupFlags(fs *flag.FlagSet, steps *int, fraction *float64) (resolve func() error) {
	fs.Var(warmupSteps{steps, "warmup-fraction"}, "warmup", "number of warm-up `steps`")
	fs.Float64Var(fraction, "warmup-fraction", *fraction, "warm-up as a fraction of the run's steps, instead of --warmup")
	return func() error {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		switch {
		case set["warmup"] && set["warmup-fraction"]:
			return usageErrorf("--warmup (steps) and --warmup-fraction (of the steps) exclude each other: give one")
		case set["warmup"]:
			*fraction = 0
		case set["warmup-fraction"]:
			*steps = 0
		}
		return nil
	}
}

// addWarmupShapeFlag defines --warmup-shape into shape.
func addWarmupShapeFlag(fs *flag.FlagSet, shape *trainer.WarmupShape) {
	fs.Func("warmup-shape", "how the warm-up rises: linear (default) or log, DeepSpeed's, as in the authors' GPT-2 recipe", func(s string) error {
		if err := trainer.WarmupShape(s).Validate(); err != nil {
			return fmt.Errorf("--warmup-shape: %w", err)
		}
		*shape = trainer.WarmupShape(s)
		return nil
	})
}
