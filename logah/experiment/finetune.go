package experiment

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/params"
	"github.com/logah-go/logah/logah/trainer"
)

// FineTuning is one fine-tuning run of a target network: `logah finetune` with its flags. Each
// run of a [Comparison] is one too.
//
// The optimisation is trainer.FineTuneConfig's, embedded with its names: Epochs, Steps, LR,
// WarmupSteps, MinLRFactor, Optimizer (weight decay, clipping), Seed, EvalEvery, LogEvery,
// OutDir, CheckpointEvery, Resume, EvalInitial. The fields below are what the trainer does not
// decide: the network, where its parameters start, and the data.
type FineTuning struct {
	trainer.FineTuneConfig
	// Arch is the network fine-tuned.
	Arch arch.Arch
	// Init is where its parameters start: PyTorch's initialisers drawn with Seed (the zero
	// Init), the prediction of Init.GHN (class-token noise drawn with Seed), or the parameter
	// file Init.Params; shrunk or perturbed as Init.Scale and Init.Noise say.
	Init Init
	Data Data
	// Batch is the training batch (images, or sequences of the model's context).
	Batch int
	// WarmupFraction, when not 0, sets the warm-up to this fraction of the run's steps
	// (rounded down) instead of WarmupSteps, which must then be 0.
	WarmupFraction float64
	// MaxTrain keeps the first MaxTrain training images, so an epoch is one pass over them
	// (0: all; images only). MaxEval caps evaluation: test images, or validation batches.
	MaxTrain, MaxEval int
	// LabelSmoothing and Augment (random crop with padding 4 and horizontal flip) apply to
	// images; Dropout to GPT-2 (ViTs and Llamas have none). See [TaskOptions].
	LabelSmoothing float64
	Augment        bool
	Dropout        float64
}

// FinalParams is the file FineTune writes into OutDir: the fine-tuned parameters, with PyTorch
// names, as safetensors.
const FinalParams = "final.safetensors"

// DefaultFineTuning returns the defaults of `logah finetune` for a: random initialisation,
// Fashion-MNIST (set Data.Name to "text" for a language model), one epoch of batch 64, AdamW
// lr 1e-3 (wd 1e-2, clip 5) after 100 warm-up steps with a cosine decay to 1 % of it, GPT-2
// dropout 0.1, seed 1 (see trainer.DefaultFineTune).
func DefaultFineTuning(a arch.Arch) FineTuning {
	cfg := trainer.DefaultFineTune()
	cfg.WarmupSteps = 100
	return FineTuning{FineTuneConfig: cfg, Arch: a, Init: Init{Name: "random"}, Data: DefaultData(), Batch: 64, Dropout: DefaultDropout}
}

// initial returns the parameters f starts from.
func (f FineTuning) initial() (*params.Set, error) {
	if err := f.Init.checkPerturbation(); err != nil {
		return nil, err
	}
	var (
		set *params.Set
		err error
	)
	switch {
	case f.Init.GHN != nil:
		set, err = f.Init.GHN.Predict(f.Arch, ghn.PredictOptions{Seed: f.Seed})
	case f.Init.Params != "":
		set, err = params.LoadModel(f.Arch, f.Init.Params)
	default:
		set, err = params.Init(f.Arch, f.Seed)
	}
	if err != nil || !f.Init.perturbed() {
		return set, err
	}
	return set, perturbWeights(set, f.Arch, f.Seed, f.Init)
}

// task prepares f's data.
func (f FineTuning) task() (trainer.Task, error) {
	return f.Data.Task(f.Arch, TaskOptions{Batch: f.Batch, Seed: f.Seed, MaxTrain: f.MaxTrain, MaxEval: f.MaxEval,
		Dropout: f.Dropout, LabelSmoothing: f.LabelSmoothing, Augment: f.Augment})
}

// totalSteps is the length of f's run on task: Steps, else Epochs epochs (0: evaluation only).
func (f FineTuning) totalSteps(task trainer.Task) int {
	if f.Steps > 0 {
		return f.Steps
	}
	return max(f.Epochs, 0) * task.StepsPerEpoch()
}

// validate checks what can be checked before reading any data.
func (f FineTuning) validate() error {
	switch {
	case f.Arch == nil:
		return fmt.Errorf("no architecture: set Arch (arch.Named, a JSON config)")
	case f.WarmupFraction < 0 || f.WarmupFraction > 1:
		return fmt.Errorf("warm-up fraction %g: want a fraction of the steps in [0, 1]", f.WarmupFraction)
	case f.WarmupFraction != 0 && f.WarmupSteps != 0:
		return fmt.Errorf("a warm-up of %d steps and a warm-up fraction %g: set one of them", f.WarmupSteps, f.WarmupFraction)
	}
	return f.WarmupShape.Validate()
}

// trainerConfig is the trainer's configuration of a run of total steps: WarmupFraction
// resolved into WarmupSteps.
func (f FineTuning) trainerConfig(total int) trainer.FineTuneConfig {
	cfg := f.FineTuneConfig
	if f.WarmupFraction != 0 {
		cfg.WarmupSteps = int(f.WarmupFraction * float64(total))
	}
	return cfg
}

// FineTune runs the fine-tuning f describes on the default backend. With OutDir set, the run
// writes OutDir/metrics.jsonl and checkpoints as it goes (Resume continues from them, with the
// numbers of an uninterrupted run) and the fine-tuned parameters to OutDir/[FinalParams].
// progress, if not nil, sees every step and, in Progress.Eval, every evaluation.
func FineTune(ctx context.Context, f FineTuning, progress func(trainer.Progress)) (*trainer.FineTuneResult, error) {
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	init, err := f.initial()
	if err != nil {
		return nil, fmt.Errorf("initialisation %s: %w", f.Init.Name, err)
	}
	task, err := f.task()
	if err != nil {
		return nil, err
	}
	total := f.totalSteps(task)
	if total <= 0 {
		return nil, fmt.Errorf("finetune: set Epochs or Steps to a positive number")
	}
	res, err := trainer.FineTune(ctx, backend.MustDefault(), f.Arch, init, task, f.trainerConfig(total), progress)
	if err != nil {
		return nil, err
	}
	if f.OutDir != "" {
		if err := params.Save(filepath.Join(f.OutDir, FinalParams), res.Params, map[string]string{"arch": f.Arch.String()}); err != nil {
			return res, err
		}
	}
	return res, nil
}
