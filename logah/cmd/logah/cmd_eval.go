package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/experiment"
)

func init() {
	register("eval", "accuracy (ViT) or perplexity (GPT-2) of a parameter file: predicted, fine-tuned or from other tools", cmdEval)
}

// cmdEval implements "logah eval": flags → an experiment.Evaluation → experiment.Evaluate.
func cmdEval(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	archFlag := fs.String("arch", "", "model name (vit-mini, gpt2-large, …) or a JSON config file")
	paramsPath := fs.String("params", "", "the parameters, with PyTorch names: a .safetensors file, a PyTorch state dict (.bin/.pt/.pth, torch.save), or a Hugging Face GPT-2 directory (config.json + model.safetensors or pytorch_model.bin; predict --format hf writes one)")
	df := addDataFlags(fs)
	batch := fs.Int("batch", 0, "evaluation batch (default: 64 images, or 1 sequence of the GPT-2's context)")
	maxEval := fs.Int("max-eval", 0, "test images, or validation batches for text, to evaluate (0: all)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected arguments %v", pos)
	}
	if *archFlag == "" || *paramsPath == "" {
		return usageErrorf("--arch and --params are required")
	}
	a, err := archFromFlag(*archFlag)
	if err != nil {
		return err
	}
	e := experiment.DefaultEvaluation(a, *paramsPath)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	data, err := df.spec()
	if err != nil {
		return err
	}
	if !set["data"] { // keep the default that fits the architecture (text for a GPT-2)
		data.Name = e.Data.Name
	}
	e.Data, e.MaxEval = data, *maxEval
	if *batch > 0 {
		e.Batch = *batch
	}
	b, err := backend.Default()
	if err != nil {
		return err
	}
	res, err := experiment.Evaluate(b, e, func(line string) { fmt.Fprintln(os.Stderr, "logah eval: "+line) })
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", " ")
		return enc.Encode(res)
	}
	names := make([]string, 0, len(res.Metrics))
	for k := range res.Metrics {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(stdout, "%s on %s (%s):", res.Params, res.Data, res.Arch)
	for _, k := range names {
		fmt.Fprintf(stdout, " %s %.4g", k, res.Metrics[k])
	}
	fmt.Fprintf(stdout, " (read %.1f s, evaluation %.1f s)\n", res.ReadSeconds, res.EvalSeconds)
	return nil
}
