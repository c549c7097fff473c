package trainer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/nets"
	"github.com/logah-go/logah/logah/params"
)

// FineTuneConfig configures training a target network from a given initialisation.
type FineTuneConfig struct {
	// Epochs of training; Steps, when > 0, overrides it with an exact step count.
	Epochs int `json:"epochs"`
	Steps  int `json:"steps,omitempty"`
	// LR is the peak learning rate; WarmupSteps of warm-up (linear, or as WarmupShape says)
	// precede a cosine decay to LR·MinLRFactor at the last step.
	LR          float64     `json:"lr"`
	WarmupSteps int         `json:"warmup_steps"`
	WarmupShape WarmupShape `json:"warmup_shape,omitempty"`
	MinLRFactor float64     `json:"min_lr_factor"`
	// Optimizer is AdamW with global-norm clipping.
	Optimizer AdamW `json:"optimizer"`
	// Seed drives data order, dropout and (through the caller) random initialisation.
	Seed uint64 `json:"seed"`
	// EvalEvery evaluates every that many steps (0: at the end of every epoch only).
	EvalEvery int `json:"eval_every,omitempty"`
	// LogEvery writes the running training loss every that many steps (0: [FineTuneLogEvery]).
	LogEvery int `json:"log_every,omitempty"`
	// OutDir receives metrics.jsonl and checkpoints; "" keeps the run in memory only.
	OutDir string `json:"-"`
	// CheckpointEvery writes a checkpoint every that many steps, besides every epoch end
	// (0: epoch ends only).
	CheckpointEvery int `json:"checkpoint_every,omitempty"`
	// Resume continues from OutDir's latest checkpoint when one exists.
	Resume bool `json:"-"`
	// EvalInitial evaluates the initial parameters as step 0.
	EvalInitial bool `json:"eval_initial"`
}

// FineTuneLogEvery is how often fine-tuning logs its running training loss by default: every
// 50 steps (FineTuneConfig.LogEvery 0).
const FineTuneLogEvery = 50

// DefaultFineTune returns sensible CPU-scale defaults (lr 1e-3, 5% warm-up steps set by the
// caller, AdamW wd 1e-2, clip 5).
func DefaultFineTune() FineTuneConfig {
	return FineTuneConfig{Epochs: 1, LR: 1e-3, MinLRFactor: 0.01, Optimizer: DefaultAdamW, Seed: 1, EvalInitial: true}
}

// Progress is reported after every step.
type Progress struct {
	Step, TotalSteps int
	Epoch            float64
	Loss, LR         float64
	Elapsed          time.Duration
	// Eval holds the evaluation metrics when this step ran one.
	Eval map[string]float64
}

// FineTuneResult is what a finished run returns.
type FineTuneResult struct {
	Params  *params.Set
	Records []Record
	// Final holds the last evaluation.
	Final map[string]float64
	Steps int
}

// FineTune trains a on task starting from init (a parameter set with the names of
// a.Params(); use params.Init for PyTorch's random initialisation). progress, if not nil, is
// called after every step. With cfg.OutDir set, metrics go to OutDir/metrics.jsonl and
// checkpoints to OutDir/ckpt; with cfg.Resume, a run continues from the latest checkpoint and
// produces the same numbers as an uninterrupted one.
func FineTune(ctx context.Context, backend compute.Backend, a arch.Arch, init *params.Set, task Task, cfg FineTuneConfig, progress func(Progress)) (*FineTuneResult, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := init.CheckArch(a); err != nil {
		return nil, fmt.Errorf("initial parameters: %w", err)
	}
	total := cfg.Steps
	if total <= 0 {
		if cfg.Epochs <= 0 {
			return nil, fmt.Errorf("finetune: set epochs or steps to a positive number")
		}
		total = cfg.Epochs * task.StepsPerEpoch()
	}
	sched := Schedule{Base: cfg.LR, WarmupSteps: cfg.WarmupSteps, TotalSteps: total, MinFactor: cfg.MinLRFactor, Shape: cfg.WarmupShape}
	if err := sched.Validate(); err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	logEvery := cfg.LogEvery
	if logEvery <= 0 {
		logEvery = FineTuneLogEvery
	}

	specs := a.Params()
	names := make([]string, 0, len(specs))
	var initT []*tensors.Tensor
	for _, p := range specs { // every tensor is trained, the ViT class token included (as in torchvision)
		t, err := init.Get(p.Name)
		if err != nil {
			return nil, err
		}
		names = append(names, p.Name)
		initT = append(initT, tensors.FromFlatDataAndDimensions(append([]float32(nil), t.Float32s()...), p.Shape...))
	}
	lossFn := func(trainable []*Node, batch []*Node, rng *Node) (*Node, []*Node, *Node) {
		w := nets.Weights{}
		for i, n := range names {
			w[n] = trainable[i]
		}
		return task.Loss(a, w, batch, rng)
	}
	st, err := NewStepper(backend, names, initT, cfg.Optimizer, int64(cfg.Seed), len(task.MetricNames()), lossFn)
	if err != nil {
		return nil, err
	}
	defer st.Finalize()

	cfgJSON, err := runConfigJSON(a, cfg)
	if err != nil {
		return nil, err
	}
	run, err := openRun("finetune", cfg.OutDir, cfg.Resume, cfgJSON, &st.State)
	if err != nil {
		return nil, err
	}
	defer run.close()

	res := &FineTuneResult{}
	start := time.Now()
	spe := task.StepsPerEpoch()
	record := run.record
	evaluate := func(step int) (map[string]float64, error) {
		w := map[string]*tensors.Tensor{}
		for i, n := range st.Names {
			w[n] = st.Params[i]
		}
		m, err := task.Evaluate(backend, a, w)
		if err != nil {
			return nil, fmt.Errorf("evaluation at step %d: %w", step, err)
		}
		res.Final = m
		return m, record(Record{Step: step, Epoch: float64(step) / float64(spe), Split: "eval", Values: m})
	}

	if st.Step == 0 && cfg.EvalInitial {
		m, err := evaluate(0)
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(Progress{Step: 0, TotalSteps: total, Eval: m})
		}
	}
	var runLoss, runMetrics []float64
	metricNames := task.MetricNames()
	for st.Step < total {
		if err := ctx.Err(); err != nil {
			return nil, run.interrupted(&st.State, err)
		}
		e, k := st.Step/spe, st.Step%spe
		batch := task.TrainBatch(e, k)
		lr := sched.LR(st.Step)
		r, err := st.Run(lr, batch...)
		for _, b := range batch {
			b.FinalizeAll()
		}
		if err != nil {
			return nil, err
		}
		runLoss = append(runLoss, r.Loss)
		if len(runMetrics) < len(r.Metrics) {
			runMetrics = make([]float64, len(r.Metrics))
		}
		for i, m := range r.Metrics {
			runMetrics[i] += m
		}
		p := Progress{Step: st.Step, TotalSteps: total, Epoch: float64(st.Step) / float64(spe), Loss: r.Loss, LR: lr, Elapsed: time.Since(start)}
		if st.Step%logEvery == 0 || st.Step == total {
			vals := map[string]float64{"loss": mean(runLoss), "lr": lr, "grad_norm": r.GradNorm}
			for i, n := range metricNames {
				vals[n] = runMetrics[i] / float64(len(runLoss))
			}
			if err := record(Record{Step: st.Step, Epoch: p.Epoch, Split: "train", Values: vals}); err != nil {
				return nil, err
			}
			runLoss, runMetrics = runLoss[:0], make([]float64, len(metricNames))
		}
		epochEnd := st.Step%spe == 0 || st.Step == total
		if epochEnd || (cfg.EvalEvery > 0 && st.Step%cfg.EvalEvery == 0) {
			if p.Eval, err = evaluate(st.Step); err != nil {
				return nil, err
			}
		}
		if epochEnd || (cfg.CheckpointEvery > 0 && st.Step%cfg.CheckpointEvery == 0) {
			if err := run.checkpoint(&st.State); err != nil {
				return nil, err
			}
		}
		if progress != nil {
			progress(p)
		}
	}
	if res.Final == nil {
		if _, err := evaluate(st.Step); err != nil {
			return nil, err
		}
	}
	res.Steps, res.Records = st.Step, run.records
	if res.Params, err = st.Trained(); err != nil {
		return nil, err
	}
	return res, nil
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// runConfigJSON records what must match for a checkpoint to be resumed.
func runConfigJSON(a arch.Arch, cfg FineTuneConfig) (json.RawMessage, error) {
	aj, err := arch.MarshalJSON(a)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Arch json.RawMessage `json:"arch"`
		FineTuneConfig
	}{aj, cfg})
}
