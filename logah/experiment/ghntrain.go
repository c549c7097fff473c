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
type GHNTraining struct {
	// Family is the architecture family sampled (vits-mini, vits1k, gpts-mini, gpts1k,
	// llamas-mini, llamas1k, …).
	Family string
	Data   Data
	// Size is "tiny" (LoGAH-Tiny: hid 64, 3 layers, 8 heads, r 32) or a JSON config file.
	Size string
	// DMax is the largest predicted block (max_shape); K = 16·DMax.
	DMax int
	// Decoder is "logah" (low-rank) or "ghn3" (the GHN-3 tiled baseline).
	Decoder string
	// MetaBatch is m, the architectures per step; Batch the data batch they share.
	MetaBatch, Steps, Batch int
	LR                      float64
	Warmup                  int
	Lambda                  float64
	Seed                    uint64
	// HeldOut architectures of the family are never trained on; their predictions (no
	// fine-tuning) are evaluated every EvalEvery steps (0: at the end) on MaxEval test images
	// (text: MaxEval/100+1 validation batches).
	HeldOut, EvalEvery, MaxEval int
	// Context overrides the text families' context length (0: the family's).
	Context int
	// Out receives metrics.jsonl, ckpt/, held_out.json and ghn.safetensors.
	Out             string
	CheckpointEvery int
	// Resume continues from the latest checkpoint in Out; a finished run is then just loaded.
	Resume bool
}

// DefaultGHNTraining returns the defaults of `logah train-ghn`: LoGAH-Tiny with d_max 512,
// m = 1, batch 64, the paper's optimiser (lr 3e-4, wd 1e-2, clip 5, λ 3e-5), 1000 steps and
// five held-out architectures.
func DefaultGHNTraining(family string) GHNTraining {
	return GHNTraining{Family: family, Data: DefaultData(), Size: "tiny", DMax: 512, Decoder: "logah",
		MetaBatch: 1, Steps: 1000, Batch: 64, LR: 3e-4, Warmup: 50, Lambda: 3e-5, Seed: 1,
		HeldOut: 5, MaxEval: 2000, CheckpointEvery: 100}
}

// Config is the hypernetwork configuration the run trains.
func (s GHNTraining) Config() (ghn.Config, error) {
	fam, err := arch.FamilyByName(s.Family)
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

// HeldOutArchs are the s.HeldOut distinct members of the family drawn with another seed than
// training; training skips them.
func (s GHNTraining) HeldOutArchs() ([]arch.Arch, error) {
	fam, err := arch.FamilyByName(s.Family)
	if err != nil {
		return nil, err
	}
	var held []arch.Arch
	seen := map[arch.Arch]bool{}
	next := fam.Sampler(s.Seed + 1_000_003)
	for tries := 0; len(held) < s.HeldOut && tries < 10000; tries++ {
		if a := next(); !seen[a] {
			seen[a] = true
			held = append(held, a)
		}
	}
	return held, nil
}

// task prepares the training data of the family (its first member decides images or text).
func (s GHNTraining) task() (trainer.Task, error) {
	fam, err := arch.FamilyByName(s.Family)
	if err != nil {
		return nil, err
	}
	switch a := fam.Sample(s.Seed, 1)[0].(type) {
	case arch.ViT:
		t, err := s.Data.Task(a, TaskOptions{Batch: s.Batch, Seed: s.Seed, MaxEval: s.MaxEval})
		if err != nil {
			return nil, fmt.Errorf("family %s: %w", s.Family, err)
		}
		return t, nil
	case arch.LM:
		if s.Context > 0 {
			a = a.WithContext(s.Context)
		}
		return s.Data.TextTask(a, s.Batch, s.Seed, 0.1, s.MaxEval/100+1)
	default:
		return nil, fmt.Errorf("family %s: unknown architecture kind", s.Family)
	}
}

// TrainGHN runs the training s describes (on the default backend) and returns the trained
// hypernetwork with the metrics of this invocation (those of earlier, resumed invocations are
// in Out/metrics.jsonl: see [ReadGHNMetrics]).
func TrainGHN(ctx context.Context, s GHNTraining, progress func(trainer.Progress)) (*trainer.GHNTrainResult, error) {
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
	if s.Out != "" {
		if err := os.MkdirAll(s.Out, 0o755); err != nil {
			return nil, err
		}
		if err := WriteArchList(filepath.Join(s.Out, "held_out.json"), held); err != nil {
			return nil, err
		}
	}
	init, err := ghn.Init(cfg, s.Seed)
	if err != nil {
		return nil, err
	}
	tc := trainer.DefaultGHNTrain(s.Family)
	tc.MetaBatch, tc.Steps, tc.LR, tc.WarmupSteps, tc.Lambda, tc.Seed = s.MetaBatch, s.Steps, s.LR, s.Warmup, s.Lambda, s.Seed
	tc.Exclude, tc.EvalArchs, tc.EvalEvery = held, held, s.EvalEvery
	tc.OutDir, tc.Resume, tc.CheckpointEvery = s.Out, s.Resume, s.CheckpointEvery
	return trainer.TrainGHN(ctx, backend.MustDefault(), cfg, init, task, tc, progress)
}

// ReadGHNMetrics reads the metrics log of a training output directory.
func ReadGHNMetrics(out string) ([]trainer.Record, error) {
	return trainer.ReadMetrics(filepath.Join(out, "metrics.jsonl"))
}

// WriteArchList writes architectures as a JSON list (the format of held_out.json, read back by
// [ReadArchList] and by `logah compare --arch`).
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

// ReadArchList reads a JSON list of architecture configurations, or a single one.
func ReadArchList(path string) ([]arch.Arch, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []json.RawMessage
	if json.Unmarshal(data, &list) != nil {
		a, err := arch.ParseJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return []arch.Arch{a}, nil
	}
	out := make([]arch.Arch, len(list))
	for i, raw := range list {
		if out[i], err = arch.ParseJSON(raw); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", path, i, err)
		}
	}
	return out, nil
}

// GHNConfig is the hypernetwork configuration of the train-ghn / init-ghn flags: size "tiny"
// (LoGAH-Tiny with d_max = dMax and K = 16·dMax) or a JSON config file, for the variant and
// number of classes, with the "logah" (low-rank) or "ghn3" (tiled) decoder.
func GHNConfig(size string, v ghn.Variant, classes, dMax int, decoder string) (ghn.Config, error) {
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
	case "logah", "":
	case "ghn3":
		cfg = ghn.GHN3Baseline(cfg, cfg.Hid)
	default:
		return cfg, fmt.Errorf("decoder %q: use logah or ghn3", decoder)
	}
	return cfg, cfg.Validate()
}
