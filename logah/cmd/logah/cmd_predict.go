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
	archFlag := fs.String("arch", "", "model name (gpt2-large, vit-s, llama-3.1-8b, …) or a JSON config file")
	out := fs.String("out", "", "output: a .safetensors file (PyTorch names: load_state_dict works directly), or a directory with --format hf/torchvision")
	format := fs.String("format", "safetensors", "safetensors (one file), hf (GPT-2, Llama: a Hugging Face directory for AutoModelForCausalLM.from_pretrained) or torchvision (ViT: model.safetensors + vit_args.json)")
	dtypeFlag := fs.String("dtype", "f32", "element type of the written tensors: f32 (float32) or bf16 (bfloat16, rounded to nearest even: half the disk)")
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
	dt, err := predictDType(*dtypeFlag, f)
	if err != nil {
		return err
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
		rep, err = model.PredictToFile(a, path, ghn.PredictOptions{Seed: *seed, ConnectLMHead: *connect, DType: dt})
		return err
	})
	if err != nil {
		return err
	}
	peak := ""
	if rss, ok := procmem.PeakRSS(); ok {
		peak = fmt.Sprintf(", peak memory %d MB", rss>>20)
	}
	fmt.Fprintf(stdout, "%s: %d tensors, %s parameters, %s, %s bytes → %s (%.1f s%s)\n", a, rep.Tensors, thousands(rep.Params),
		rep.DType, thousands(rep.Bytes), *out, time.Since(start).Seconds(), peak)
	if rep.Params != arch.NumParams(a) {
		return fmt.Errorf("internal error: wrote %d parameters, the model has %d", rep.Params, arch.NumParams(a))
	}
	return nil
}

// predictDType reads --dtype: "f32" (the default) or "bf16". A Hugging Face directory (--format
// hf) takes only f32, because the config.json params.WriteModel writes declares torch_dtype
// "float32": bfloat16 weights beside it would contradict it (from_pretrained(torch_dtype="auto")
// would build a float32 model). torchvision's load_state_dict casts, so bf16 is fine there.
func predictDType(s string, f params.Format) (params.DType, error) {
	var dt params.DType
	switch s {
	case "f32", "F32", "float32":
		dt = params.F32
	case "bf16", "BF16", "bfloat16":
		dt = params.BF16
	default:
		return "", usageErrorf("--dtype %q: use f32 (float32) or bf16 (bfloat16)", s)
	}
	if dt == params.BF16 && f == params.FormatHF {
		return "", usageErrorf(`--dtype bf16 cannot go with --format hf: its config.json declares torch_dtype "float32"; ` +
			"use --format safetensors --dtype bf16 (one file, Hugging Face names) or --format hf --dtype f32")
	}
	return dt, nil
}
