package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/logah-go/logah/logah/experiment"
	"github.com/logah-go/logah/logah/ghn"
)

func init() {
	register("train-ghn", "train a LoGAH (or GHN-3) hypernetwork on a family of architectures", cmdTrainGHN)
}

func cmdTrainGHN(args []string, stdout io.Writer) error {
	d := experiment.DefaultGHNTraining("vits-mini")
	fs := flag.NewFlagSet("train-ghn", flag.ContinueOnError)
	fs.StringVar(&d.Family, "family", d.Family, "architecture family to sample (vits-mini, vits1k, gpts-mini, gpts1k, llamas-mini, llamas1k)")
	df := addDataFlags(fs)
	fs.IntVar(&d.Context, "context", 0, "text: context length of the training blocks (default: the family's)")
	fs.StringVar(&d.Size, "size", d.Size, "hypernetwork: tiny (hid 64, 3 layers, 8 heads, r 32) or a JSON config file")
	fs.IntVar(&d.DMax, "d-max", d.DMax, "largest predicted block (max_shape); K = 16·d-max")
	fs.StringVar((*string)(&d.Decoder), "decoder", string(d.Decoder), "decoder: logah (low-rank) or ghn3 (tiled baseline)")
	fs.IntVar(&d.MetaBatch, "meta-batch", d.MetaBatch, "architectures per step (m)")
	fs.IntVar(&d.Steps, "steps", d.Steps, "optimisation steps")
	fs.IntVar(&d.Batch, "batch", d.Batch, "data batch size (shared by the m architectures)")
	fs.Float64Var(&d.LR, "lr", d.LR, "peak learning rate")
	fs.Var(warmupSteps{steps: &d.WarmupSteps}, "warmup", "number of warm-up `steps`")
	fs.Float64Var(&d.Lambda, "lambda", d.Lambda, "weight of Σ‖p‖_F of the predicted tensors")
	fs.Uint64Var(&d.Seed, "seed", d.Seed, "seed")
	fs.IntVar(&d.HeldOut, "held-out", d.HeldOut, "architectures of the family kept out of training and used for evaluation")
	fs.IntVar(&d.EvalEvery, "eval-every", 0, "evaluate the held-out predictions every N steps (0: at the end)")
	fs.IntVar(&d.MaxEval, "max-eval", d.MaxEval, fmt.Sprintf("test images per evaluation (text families: max-eval/%d+1 validation batches)", experiment.TextEvalExamplesPerBatch))
	fs.Float64Var(&d.Dropout, "dropout", d.Dropout, "text: GPT-2 dropout while training")
	fs.StringVar(&d.OutDir, "out", "", "output directory (metrics.jsonl, ckpt/, ghn.safetensors, held_out.json)")
	fs.BoolVar(&d.Resume, "resume", false, "continue from the latest checkpoint in --out")
	fs.IntVar(&d.CheckpointEvery, "checkpoint-every", d.CheckpointEvery, "checkpoint every N steps")
	quiet := fs.Bool("quiet", false, "no progress line")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected arguments %v", pos)
	}
	if d.OutDir == "" {
		return usageErrorf("--out is required (checkpoints and the trained hypernetwork go there)")
	}
	if d.Data, err = df.spec(); err != nil {
		return err
	}
	cfg, err := d.Config()
	if err != nil {
		return usageErrorf("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	counts := cfg.NumParams()
	fmt.Fprintf(stdout, "training %s (%s parameters: encoder %s, decoder %s) on %s, m=%d, %d steps\n",
		cfg, thousands(counts.Total()), thousands(counts.Encoder), thousands(counts.Decoder), d.Family, d.MetaBatch, d.Steps)
	res, err := experiment.TrainGHN(ctx, d, progressPrinter(os.Stderr, *quiet))
	if err != nil {
		return err
	}
	defer res.GHN.Close()
	fmt.Fprintf(stdout, "done: %d steps; wrote %s\n", res.Steps, filepath.Join(d.OutDir, ghn.FileName))
	return nil
}
