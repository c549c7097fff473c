package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/logah-go/logah/internal/atomicfile"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/trainer"
)

// GHNTraining is one hypernetwork training run: `logah train-ghn` with its flags.
//
// The optimisation is trainer.GHNTrainConfig's, embedded with its names: Family, MetaBatch,
// Steps, LR, WarmupSteps, MinLRFactor, Optimizer, Lambda, Seed, EvalEvery, OutDir,
// CheckpointEvery, Resume, … (its Exclude and EvalArchs are TrainGHN's to fill from HeldOut).
// The fields below are what the trainer does not decide: the data, the hypernetwork to build
// and how many architectures to hold out.
type GHNTraining struct {
	trainer.GHNTrainConfig
	Data Data
	// Size is "tiny" (LoGAH-Tiny: hid 64, 3 layers, 8 heads, r 32) or a JSON config file.
	Size string
	// DMax is d_max, the largest predicted block (`--d-max`; ghn.Config.MaxShape, the
	// reference's max_shape) of the LoGAH decoder, whose K is 16·DMax. A JSON Size sets its
	// own, and the GHN-3 decoder uses d_max = the hidden size, GHN-3's own setting.
	DMax int
	// Decoder is ghn.DecoderLoGAH (low-rank) or ghn.DecoderGHN3 (the tiled GHN-3 baseline).
	Decoder ghn.DecoderKind
	// Batch is the data batch the MetaBatch architectures of a step share.
	Batch int
	// HeldOut architectures of the family (drawn by [GHNTraining.HeldOutArchs]) are never
	// trained on; their predictions, without fine-tuning, are evaluated every EvalEvery steps
	// (0: at the end) on MaxEval test images; text families evaluate
	// MaxEval/[TextEvalExamplesPerBatch]+1 validation batches instead.
	HeldOut, MaxEval int
	// Context overrides the text families' context length (0: the family's).
	Context int
	// Dropout is GPT-2's dropout while training on text (Llama has none).
	Dropout float64
}

// TextEvalExamplesPerBatch converts GHNTraining.MaxEval, which counts test images, into
// validation batches for text families: MaxEval/TextEvalExamplesPerBatch + 1 batches (the
// default 2000 evaluates 21 batches, 500 evaluates 6), so that one --max-eval serves both kinds
// of family.
const TextEvalExamplesPerBatch = 100

// DefaultDropout is GPT-2's dropout on embeddings, attention and residual branches while
// training (Hugging Face GPT2Config's resid_pdrop, embd_pdrop and attn_pdrop).
const DefaultDropout = 0.1

// DefaultGHNTraining returns the defaults of `logah train-ghn`: LoGAH-Tiny with d_max 512,
// m = 1, batch 64, the paper's optimiser (lr 3e-4, wd 1e-2, clip 5, λ 3e-5; see
// trainer.DefaultGHNTrain), 1000 steps with 50 of warm-up, five held-out architectures
// evaluated on 2000 test images, a checkpoint every 100 steps.
func DefaultGHNTraining(family string) GHNTraining {
	tc := trainer.DefaultGHNTrain(family)
	tc.CheckpointEvery = 100
	return GHNTraining{GHNTrainConfig: tc, Data: DefaultData(), Size: "tiny", DMax: 512, Decoder: ghn.DecoderLoGAH,
		Batch: 64, HeldOut: 5, MaxEval: 2000, Dropout: DefaultDropout}
}

// family is the sampled family: Family, or the fixed list Archs when it is set.
func (s GHNTraining) family() (arch.Family, error) {
	if len(s.Archs) > 0 {
		return arch.ListFamily("custom", s.Archs), nil
	}
	return arch.FamilyByName(s.Family)
}

// Config is the hypernetwork configuration the run trains.
func (s GHNTraining) Config() (ghn.Config, error) {
	fam, err := s.family()
	if err != nil {
		return ghn.Config{}, err
	}
	variant, classes := ghn.VariantViT, 10
	if v, ok := fam.Sample(s.Seed, 1)[0].(arch.ViT); ok {
		classes = v.Classes
	} else {
		variant = ghn.VariantGPT
	}
	return GHNConfig(s.Size, variant, classes, s.DMax, s.Decoder)
}

// heldOutSeedOffset makes the held-out draw independent of the training draws of the same seed;
// heldOutTries bounds the draws, so a family smaller than HeldOut gives all its members.
const (
	heldOutSeedOffset = 1_000_003
	heldOutTries      = 10_000
)

// HeldOutArchs are the s.HeldOut distinct members of the family drawn with another seed than
// training; training skips them.
func (s GHNTraining) HeldOutArchs() ([]arch.Arch, error) {
	fam, err := s.family()
	if err != nil {
		return nil, err
	}
	var held []arch.Arch
	seen := map[arch.Arch]bool{}
	next := fam.Sampler(s.Seed + heldOutSeedOffset)
	for tries := 0; len(held) < s.HeldOut && tries < heldOutTries; tries++ {
		if a := next(); !seen[a] {
			seen[a] = true
			held = append(held, a)
		}
	}
	return held, nil
}

// task prepares the training data of the family (its first member decides images or text).
func (s GHNTraining) task() (trainer.Task, error) {
	fam, err := s.family()
	if err != nil {
		return nil, err
	}
	a := fam.Sample(s.Seed, 1)[0]
	o := TaskOptions{Batch: s.Batch, Seed: s.Seed, MaxEval: s.MaxEval, Dropout: s.Dropout}
	if lm, ok := a.(arch.LM); ok {
		if s.Context > 0 {
			a = lm.WithContext(s.Context)
		}
		o.MaxEval = s.MaxEval/TextEvalExamplesPerBatch + 1
	}
	t, err := s.Data.Task(a, o)
	if err != nil {
		return nil, fmt.Errorf("family %s: %w", fam.Name, err)
	}
	return t, nil
}

// TrainGHN runs the training s describes (on the default backend) and returns the trained
// hypernetwork with the metrics of this invocation (those of earlier, resumed invocations are
// in OutDir/metrics.jsonl: see [ReadGHNMetrics]). OutDir also receives held_out.json (the
// held-out architectures, for `logah compare --arch`), ckpt/ and ghn.safetensors.
func TrainGHN(ctx context.Context, s GHNTraining, progress func(trainer.Progress)) (*trainer.GHNTrainResult, error) {
	if len(s.Exclude) > 0 || len(s.EvalArchs) > 0 {
		return nil, fmt.Errorf("train-ghn: Exclude and EvalArchs are drawn from the family: set HeldOut, the number of held-out architectures, instead")
	}
	cfg, err := s.Config()
	if err != nil {
		return nil, err
	}
	held, err := s.HeldOutArchs()
	if err != nil {
		return nil, err
	}
	task, err := s.task()
	if err != nil {
		return nil, err
	}
	if s.OutDir != "" {
		if err := os.MkdirAll(s.OutDir, 0o755); err != nil {
			return nil, err
		}
		if err := WriteArchList(filepath.Join(s.OutDir, "held_out.json"), held); err != nil {
			return nil, err
		}
	}
	init, err := ghn.Init(cfg, s.Seed)
	if err != nil {
		return nil, err
	}
	tc := s.GHNTrainConfig
	tc.Exclude, tc.EvalArchs = held, held
	return trainer.TrainGHN(ctx, backend.MustDefault(), cfg, init, task, tc, progress)
}

// ReadGHNMetrics reads the metrics log of a training output directory.
func ReadGHNMetrics(out string) ([]trainer.Record, error) {
	return trainer.ReadMetrics(filepath.Join(out, "metrics.jsonl"))
}

// WriteArchList writes architectures as a JSON list (the format of held_out.json, read back by
// arch.ResolveList, as `logah compare --arch` does).
func WriteArchList(path string, archs []arch.Arch) error {
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
	return atomicfile.WriteFile(path, append(data, '\n'))
}

// GHNConfig is the hypernetwork configuration of the train-ghn / init-ghn flags: size "tiny"
// (LoGAH-Tiny with d_max = dMax and K = 16·dMax) or a JSON config file, for the variant and
// number of classes, with the LoGAH (low-rank) or GHN-3 (tiled) decoder ("" is LoGAH's).
func GHNConfig(size string, v ghn.Variant, classes, dMax int, decoder ghn.DecoderKind) (ghn.Config, error) {
	var cfg ghn.Config
	switch size {
	case "tiny", "":
		cfg = ghn.LoGAHTiny(v, classes)
		cfg.MaxShape, cfg.MaxCK = dMax, 16*dMax
	default:
		data, err := os.ReadFile(size)
		if err != nil {
			return cfg, fmt.Errorf("size: %w (use tiny or a JSON config file)", err)
		}
		if cfg, err = ghn.ParseConfig(data); err != nil {
			return cfg, fmt.Errorf("size %s: %w", size, err)
		}
	}
	switch decoder {
	case ghn.DecoderLoGAH, "":
	case ghn.DecoderGHN3:
		cfg = ghn.GHN3Baseline(cfg, cfg.Hid)
	default:
		return cfg, fmt.Errorf("decoder %q: use %s or %s", decoder, ghn.DecoderLoGAH, ghn.DecoderGHN3)
	}
	return cfg, cfg.Validate()
}
