package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/trainer"
)

func init() {
	register("train-ghn", "train a LoGAH (or GHN-3) hypernetwork on a family of architectures", cmdTrainGHN)
}

func cmdTrainGHN(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("train-ghn", flag.ContinueOnError)
	family := fs.String("family", "vits-mini", "architecture family to sample (vits-mini, vits1k, gpts-mini, gpts1k)")
	df := addDataFlags(fs)
	context_ := fs.Int("context", 0, "text: context length of the training blocks (default: the family's)")
	size := fs.String("size", "tiny", "hypernetwork: tiny (hid 64, 3 layers, 8 heads, r 32) or a JSON config file")
	dMax := fs.Int("d-max", 512, "largest predicted block (max_shape); K = 16·d-max")
	decoder := fs.String("decoder", "logah", "decoder: logah (low-rank) or ghn3 (tiled baseline)")
	meta := fs.Int("meta-batch", 1, "architectures per step (m)")
	steps := fs.Int("steps", 1000, "optimisation steps")
	batch := fs.Int("batch", 64, "data batch size (shared by the m architectures)")
	lr := fs.Float64("lr", 3e-4, "peak learning rate")
	warmup := fs.Int("warmup", 50, "warm-up steps")
	lambda := fs.Float64("lambda", 3e-5, "weight of Σ‖p‖_F of the predicted tensors")
	seed := fs.Uint64("seed", 1, "seed")
	heldOut := fs.Int("held-out", 5, "architectures of the family kept out of training and used for evaluation")
	evalEvery := fs.Int("eval-every", 0, "evaluate the held-out predictions every N steps (0: at the end)")
	maxEval := fs.Int("max-eval", 2000, "test examples (or validation batches) per evaluation")
	out := fs.String("out", "", "output directory (metrics.jsonl, ckpt/, ghn.safetensors, held_out.json)")
	resume := fs.Bool("resume", false, "continue from the latest checkpoint in --out")
	ckptEvery := fs.Int("checkpoint-every", 100, "checkpoint every N steps")
	quiet := fs.Bool("quiet", false, "no progress line")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected arguments %v", pos)
	}
	if *out == "" {
		return usageErrorf("--out is required (checkpoints and the trained hypernetwork go there)")
	}
	fam, err := arch.FamilyByName(*family)
	if err != nil {
		return err
	}
	sample := fam.Sample(*seed, 1)[0]
	variant, classes := ghn.VariantViT, 10
	if v, ok := sample.(arch.ViT); ok {
		classes = v.Classes
	} else {
		variant = ghn.VariantGPT
	}
	cfg, err := ghnConfigFromFlags(*size, variant, classes, *dMax, *decoder)
	if err != nil {
		return err
	}

	// Held-out architectures: distinct members drawn with another seed, never trained on.
	var held []arch.Arch
	seen := map[arch.Arch]bool{}
	next := fam.Sampler(*seed + 1_000_003)
	for tries := 0; len(held) < *heldOut && tries < 10000; tries++ {
		if a := next(); !seen[a] {
			seen[a] = true
			held = append(held, a)
		}
	}

	var task trainer.Task
	switch s := sample.(type) {
	case arch.ViT:
		train, test, err := df.images(s, 0)
		if err != nil {
			return fmt.Errorf("family %s: %w", *family, err)
		}
		if task, err = trainer.NewImageTask(train, test, *batch, *seed, trainer.ImageTaskOptions{MaxEvalExamples: *maxEval}); err != nil {
			return err
		}
	case arch.GPT2:
		ctxLen := s.Context
		if *context_ > 0 {
			ctxLen = *context_
		}
		s.Context = ctxLen
		if task, err = textTask(s, *df.text, *df.tokenizer, *df.textBytes, *batch, *seed, 0.1, *maxEval/100+1); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := writeArchList(filepath.Join(*out, "held_out.json"), held); err != nil {
		return err
	}
	init, err := ghn.Init(cfg, *seed)
	if err != nil {
		return err
	}
	tc := trainer.DefaultGHNTrain(*family)
	tc.MetaBatch, tc.Steps, tc.LR, tc.WarmupSteps, tc.Lambda, tc.Seed = *meta, *steps, *lr, *warmup, *lambda, *seed
	tc.HeldOut, tc.EvalArchs, tc.EvalEvery = held, held, *evalEvery
	tc.OutDir, tc.Resume, tc.CheckpointEvery = *out, *resume, *ckptEvery
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	counts := cfg.NumParams()
	fmt.Fprintf(stdout, "training %s (%s parameters: encoder %s, decoder %s) on %s, m=%d, %d steps\n",
		cfg, thousands(counts.Total()), thousands(counts.Encoder), thousands(counts.Decoder), *family, *meta, *steps)
	res, err := trainer.TrainGHN(ctx, backend.MustDefault(), cfg, init, task, tc, progressPrinter(os.Stderr, *quiet))
	if err != nil {
		return err
	}
	defer res.GHN.Close()
	fmt.Fprintf(stdout, "done: %d steps; wrote %s\n", res.Steps, filepath.Join(*out, "ghn.safetensors"))
	return nil
}

// ghnConfigFromFlags builds the hypernetwork configuration.
func ghnConfigFromFlags(size string, v ghn.Variant, classes, dMax int, decoder string) (ghn.Config, error) {
	var cfg ghn.Config
	switch size {
	case "tiny":
		cfg = ghn.LoGAHTiny(v, classes)
		cfg.MaxShape, cfg.MaxCK = dMax, 16*dMax
	default:
		data, err := os.ReadFile(size)
		if err != nil {
			return cfg, fmt.Errorf("--size: %w (use tiny or a JSON config file)", err)
		}
		if cfg, err = ghn.ParseConfig(data); err != nil {
			return cfg, fmt.Errorf("--size %s: %w", size, err)
		}
	}
	switch decoder {
	case "logah":
	case "ghn3":
		cfg = ghn.GHN3Baseline(cfg, cfg.Hid)
	default:
		return cfg, usageErrorf("unknown --decoder %q: use logah or ghn3", decoder)
	}
	return cfg, cfg.Validate()
}

func writeArchList(path string, archs []arch.Arch) error {
	list := make([]json.RawMessage, len(archs))
	for i, a := range archs {
		j, err := arch.MarshalJSON(a)
		if err != nil {
			return err
		}
		list[i] = j
	}
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}
