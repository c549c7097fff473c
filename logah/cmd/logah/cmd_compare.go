package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/trainer"
)

func init() {
	register("compare", "fine-tune architectures from several initialisations (random, hypernetworks) over seeds and tabulate", cmdCompare)
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// CompareRun is one (architecture, initialisation, seed) fine-tuning run.
type CompareRun struct {
	Arch    string             `json:"arch"`
	Init    string             `json:"init"`
	Seed    uint64             `json:"seed"`
	Initial map[string]float64 `json:"initial"` // evaluation before fine-tuning
	Final   map[string]float64 `json:"final"`   // after fine-tuning
	Steps   int                `json:"steps"`
}

func cmdCompare(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	var inits, archFlags stringList
	fs.Var(&archFlags, "arch", "model name, JSON config, or a JSON list of configs such as train-ghn's held_out.json (repeatable)")
	fs.Var(&inits, "init", "random, or NAME=HYPERNETWORK (a train-ghn directory, .safetensors or .pt) (repeatable)")
	data := fs.String("data", "fashion-mnist", "image dataset")
	dataDir := fs.String("data-dir", "", "dataset directory")
	seeds := fs.Int("seeds", 3, "seeds per (architecture, initialisation)")
	epochs := fs.Int("epochs", 1, "fine-tuning epochs")
	steps := fs.Int("steps", 0, "fine-tuning steps (overrides --epochs); with --epochs 0 and no --steps, evaluation only")
	maxTrain := fs.Int("max-train", 0, "use only the first N training images (0: all); an epoch is one pass over them")
	maxEval := fs.Int("max-eval", 0, "evaluate on the first N test images (0: all)")
	batch := fs.Int("batch", 64, "batch size")
	lr := fs.Float64("lr", 1e-3, "peak learning rate (the same for every initialisation)")
	warmup := fs.Float64("warmup", 0.05, "warm-up as a fraction of the steps")
	out := fs.String("out", "", "write every run as JSON to this file")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || len(archFlags) == 0 || len(inits) == 0 {
		return usageErrorf("usage: logah compare --arch A [--arch B] --init random --init logah=DIR [flags]")
	}
	var archs []arch.Arch
	for _, f := range archFlags {
		as, err := archList(f)
		if err != nil {
			return err
		}
		archs = append(archs, as...)
	}
	train, err := datasets.Load(*data, *dataDir, datasets.Train)
	if err != nil {
		return err
	}
	test, err := datasets.Load(*data, *dataDir, datasets.Test)
	if err != nil {
		return err
	}
	if *maxTrain > 0 {
		if train, err = train.Range(0, min(*maxTrain, train.N)); err != nil {
			return err
		}
	}
	be := backend.MustDefault()
	ghns := map[string]*ghn.GHN{}
	var initNames []string
	for _, spec := range inits {
		name, path, isGHN := strings.Cut(spec, "=")
		initNames = append(initNames, name)
		if !isGHN {
			if name != "random" {
				return usageErrorf("--init %q: use random or NAME=HYPERNETWORK", spec)
			}
			continue
		}
		g, err := openGHN(path)
		if err != nil {
			return fmt.Errorf("--init %s: %w", spec, err)
		}
		defer g.Close()
		ghns[name] = g
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var runs []CompareRun
	for _, a := range archs {
		for _, name := range initNames {
			for s := 1; s <= *seeds; s++ {
				seed := uint64(s)
				var init *params.Set
				if g, ok := ghns[name]; ok {
					init, err = g.Predict(a, ghn.PredictOptions{Seed: seed})
				} else {
					init, err = params.Init(a, seed)
				}
				if err != nil {
					return fmt.Errorf("%s, %s: %w", a, name, err)
				}
				task, err := trainer.NewImageTask(train, test, *batch, seed, trainer.ImageTaskOptions{MaxEvalExamples: *maxEval})
				if err != nil {
					return err
				}
				cfg := trainer.DefaultFineTune()
				cfg.Epochs, cfg.Steps, cfg.LR, cfg.Seed = *epochs, *steps, *lr, seed
				total := cfg.Steps
				if total == 0 {
					total = cfg.Epochs * task.StepsPerEpoch()
				}
				cfg.WarmupSteps = int(*warmup * float64(total))
				run := CompareRun{Arch: a.String(), Init: name, Seed: seed}
				if total == 0 {
					m, err := task.Evaluate(be, a, tensorMap(a, init))
					if err != nil {
						return err
					}
					run.Initial, run.Final = m, m
				} else {
					res, err := trainer.FineTune(ctx, be, a, init, task, cfg, nil)
					if err != nil {
						return fmt.Errorf("%s, %s, seed %d: %w", a, name, seed, err)
					}
					run.Initial, run.Final, run.Steps = res.Records[0].Values, res.Final, res.Steps
				}
				runs = append(runs, run)
				fmt.Fprintf(os.Stderr, "%s  %-8s seed %d: accuracy %.4f → %.4f\n", a, name, seed, run.Initial["accuracy"], run.Final["accuracy"])
			}
		}
	}
	printCompare(stdout, runs, initNames, *epochs, *steps)
	if *out != "" {
		data, err := json.MarshalIndent(runs, "", "  ")
		if err != nil {
			return err
		}
		return writeFileAtomic(*out, append(data, '\n'))
	}
	return nil
}

// archList reads a name, a JSON config or a JSON list of configs.
func archList(s string) ([]arch.Arch, error) {
	if !strings.HasSuffix(s, ".json") {
		a, err := arch.Named(s)
		return []arch.Arch{a}, err
	}
	data, err := os.ReadFile(s)
	if err != nil {
		return nil, err
	}
	var list []json.RawMessage
	if json.Unmarshal(data, &list) != nil {
		a, err := arch.ParseJSON(data)
		return []arch.Arch{a}, err
	}
	out := make([]arch.Arch, len(list))
	for i, raw := range list {
		if out[i], err = arch.ParseJSON(raw); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", s, i, err)
		}
	}
	return out, nil
}

func tensorMap(a arch.Arch, set *params.Set) map[string]*tensors.Tensor {
	out := map[string]*tensors.Tensor{}
	for _, p := range a.Params() {
		t, _ := set.Get(p.Name)
		out[p.Name] = tensors.FromFlatDataAndDimensions(t.Float32s(), p.Shape...)
	}
	return out
}

// printCompare prints mean ± std of accuracy before and after fine-tuning per initialisation.
func printCompare(w io.Writer, runs []CompareRun, inits []string, epochs, steps int) {
	after := fmt.Sprintf("after %d epoch(s)", epochs)
	if steps > 0 {
		after = fmt.Sprintf("after %d steps", steps)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "initialisation\truns\taccuracy, no fine-tuning\taccuracy %s\n", after)
	for _, name := range inits {
		var a0, a1 []float64
		for _, r := range runs {
			if r.Init == name {
				a0 = append(a0, r.Initial["accuracy"])
				a1 = append(a1, r.Final["accuracy"])
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", name, len(a0), meanStd(a0), meanStd(a1))
	}
	tw.Flush()
}

func meanStd(xs []float64) string {
	if len(xs) == 0 {
		return "-"
	}
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	if len(xs) > 1 {
		v /= float64(len(xs) - 1)
	}
	return fmt.Sprintf("%.2f%% ± %.2f", 100*m, 100*math.Sqrt(v))
}
