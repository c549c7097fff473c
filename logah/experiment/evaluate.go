package experiment

import (
	"fmt"
	"os"
	"time"

	"github.com/gomlx/compute"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/trainer"
)

// Evaluation is what [Evaluate] measures: a parameter file of an architecture on a dataset.
type Evaluation struct {
	// Arch is the network; Params a safetensors file with its PyTorch-named parameters
	// (predicted, fine-tuned, or saved by other tools).
	Arch   arch.Arch
	Params string
	Data   Data
	// Batch is the evaluation batch (images per batch, or sequences of the GPT-2's context).
	Batch int
	// MaxEval caps the evaluation: test images, or validation batches for text (0: all).
	MaxEval int
}

// DefaultEvaluation is an Evaluation of a on the default data set, batch 64 (1 for GPT-2, whose
// sequences are a whole context long), all of the test set.
func DefaultEvaluation(a arch.Arch, paramsPath string) Evaluation {
	e := Evaluation{Arch: a, Params: paramsPath, Data: DefaultData(), Batch: 64}
	if _, ok := a.(arch.LM); ok {
		e.Data.Name, e.Batch = "text", 1
	}
	return e
}

// EvalResult is the outcome of [Evaluate].
type EvalResult struct {
	Arch    string             `json:"arch"`
	Params  string             `json:"params"`
	Data    string             `json:"data"`
	Metrics map[string]float64 `json:"metrics"` // loss and accuracy (ViT) or perplexity (GPT-2)
	// ReadSeconds is the time to read the parameters, EvalSeconds the evaluation's.
	ReadSeconds float64 `json:"read_seconds"`
	EvalSeconds float64 `json:"eval_seconds"`
}

// Evaluate measures a parameter file: the test accuracy of a ViT on an image dataset, or the
// validation perplexity of a GPT-2 on text. The parameters are read straight into the
// backend's buffers ([trainer.LoadEvalWeights]), so a model is held in memory once: GPT-2 Large
// (3.1 GB of float32) evaluates in a few GB. progress, when not nil, gets one line per phase.
func Evaluate(backend compute.Backend, e Evaluation, progress func(string)) (*EvalResult, error) {
	say := func(format string, args ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, args...))
		}
	}
	if e.Arch == nil {
		return nil, fmt.Errorf("evaluate: no architecture")
	}
	if _, err := os.Stat(e.Params); err != nil {
		return nil, fmt.Errorf("evaluate: parameters: %w", err)
	}
	if _, err := params.ResolveModelFile(e.Arch, e.Params); err != nil { // a directory's config, before the data
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	if e.Batch <= 0 {
		return nil, fmt.Errorf("evaluate: batch must be positive, got %d", e.Batch)
	}
	say("preparing %s", e.Data.Name)
	task, err := e.Data.Task(e.Arch, TaskOptions{Batch: e.Batch, Seed: 1, MaxTrain: e.Batch, MaxEval: e.MaxEval})
	if err != nil {
		return nil, err
	}
	say("reading %s", e.Params)
	start := time.Now()
	w, err := trainer.LoadEvalWeights(backend, e.Arch, e.Params)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", e.Params, err)
	}
	defer func() {
		for _, t := range w {
			t.MustFinalizeAll()
		}
	}()
	read := time.Since(start)
	say("evaluating %s", e.Arch)
	start = time.Now()
	metrics, err := task.Evaluate(backend, e.Arch, w)
	if err != nil {
		return nil, err
	}
	return &EvalResult{Arch: e.Arch.String(), Params: e.Params, Data: e.Data.Name, Metrics: metrics,
		ReadSeconds: read.Seconds(), EvalSeconds: time.Since(start).Seconds()}, nil
}
