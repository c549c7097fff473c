package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/logah-go/logah/internal/procmem"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/params"
)

func init() {
	register("predict", "predict all parameters of a model with a trained hypernetwork and write them as safetensors", cmdPredict)
}

// predictMemoryLimit is the soft memory limit of "logah predict" (see cmdPredict).
const predictMemoryLimit = 512 << 20

func cmdPredict(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	ghnPath := fs.String("ghn", "", "hypernetwork: a train-ghn/convert output directory, a .safetensors or an authors' .pt checkpoint")
	archFlag := fs.String("arch", "", "model name (gpt2-large, vit-s, …) or a JSON config file")
	out := fs.String("out", "", "output: a .safetensors file (PyTorch names: load_state_dict works directly), or a directory with --format hf/torchvision")
	format := fs.String("format", "safetensors", "safetensors (one file), hf (GPT-2: a Hugging Face directory for GPT2LMHeadModel.from_pretrained) or torchvision (ViT: model.safetensors + vit_args.json)")
	seed := fs.Uint64("seed", 1, "seed of the ViT class-token noise slot")
	connect := fs.Bool("connect-lm-head", false, "GPT-2: build the graph with ln_f → lm_head (deviation from the reference)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected arguments %v", pos)
	}
	if *ghnPath == "" || *archFlag == "" || *out == "" {
		return usageErrorf("--ghn, --arch and --out are required")
	}
	f, err := params.ParseFormat(*format)
	if err != nil {
		return usageErrorf("--format: %v", err)
	}
	a, err := archFromFlag(*archFlag)
	if err != nil {
		return err
	}
	start := time.Now()
	// The prediction streams one tensor at a time, so its live heap is small; a soft memory
	// limit makes the garbage collector return the space of written tensors before the heap
	// doubles (GPT-2 Large: about 520 MB peak RSS instead of 670-750 MB, same time).
	// GOMEMLIMIT, when set, wins.
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(predictMemoryLimit)
	}
	model, err := openGHN(*ghnPath)
	if err != nil {
		return fmt.Errorf("--ghn: %w", err)
	}
	defer model.Close()
	var rep ghn.FileReport
	err = params.WriteModel(a, f, *out, func(path string) (err error) {
		rep, err = model.PredictToFile(a, path, ghn.PredictOptions{Seed: *seed, ConnectLMHead: *connect})
		return err
	})
	if err != nil {
		return err
	}
	peak := ""
	if rss, ok := procmem.PeakRSS(); ok {
		peak = fmt.Sprintf(", peak memory %d MB", rss>>20)
	}
	fmt.Fprintf(stdout, "%s: %d tensors, %s parameters → %s (%.1f s%s)\n", a, rep.Tensors, thousands(rep.Params), *out, time.Since(start).Seconds(), peak)
	if rep.Params != arch.NumParams(a) {
		return fmt.Errorf("internal error: wrote %d parameters, the model has %d", rep.Params, arch.NumParams(a))
	}
	return nil
}
