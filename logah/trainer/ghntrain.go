package trainer

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/nets"
	"github.com/logah-go/logah/logah/params"
)

// GHNTrainConfig configures hypernetwork training (docs/method.md §5): every step samples MetaBatch
// architectures, predicts their parameters, runs them on the same data batch and minimises
// (Σ task loss + λ·Σ‖p‖_F)/m with AdamW, a warm-up + cosine schedule and global-norm clipping.
type GHNTrainConfig struct {
	// Family is the architecture family sampled for training (e.g. "vits-mini").
	Family string `json:"family"`
	// Archs, when not empty, replaces Family by a fixed list sampled uniformly.
	Archs []arch.Arch `json:"-"`
	// MetaBatch is m, the architectures per step.
	MetaBatch int `json:"meta_batch"`
	// Steps is the number of optimisation steps.
	Steps int `json:"steps"`
	// LR (3e-4 in the paper), WarmupSteps and MinLRFactor define the schedule.
	LR          float64 `json:"lr"`
	WarmupSteps int     `json:"warmup_steps"`
	MinLRFactor float64 `json:"min_lr_factor"`
	// Optimizer is AdamW (wd 1e-2) with global-norm clipping (5).
	Optimizer AdamW `json:"optimizer"`
	// Lambda weighs the Frobenius norms of the predicted tensors (3e-5).
	Lambda float64 `json:"lambda"`
	// Seed drives architecture sampling, data order and the class-token noise.
	Seed uint64 `json:"seed"`
	// Exclude lists architectures never sampled for training: a family's held-out members,
	// kept for evaluation (the checkpoint's configuration records them as "held_out").
	Exclude []arch.Arch `json:"-"`
	// LogEvery writes the running loss every that many steps (0: [GHNLogEvery]).
	LogEvery int `json:"log_every,omitempty"`
	// EvalEvery evaluates the predicted parameters of EvalArchs, without fine-tuning, every
	// that many steps (0: at the end only).
	EvalEvery int         `json:"eval_every,omitempty"`
	EvalArchs []arch.Arch `json:"-"`
	// CacheSize bounds the compiled per-architecture graphs kept (0: [GHNGraphsKept]).
	CacheSize int `json:"-"`
	// OutDir receives metrics.jsonl, checkpoints (ckpt/) and the trained ghn.safetensors.
	OutDir          string `json:"-"`
	CheckpointEvery int    `json:"checkpoint_every,omitempty"`
	Resume          bool   `json:"-"`
}

// Defaults of GHNTrainConfig's zero values.
const (
	// GHNLogEvery is how often hypernetwork training logs its running loss by default (every
	// 10 steps: its steps are slow and few).
	GHNLogEvery = 10
	// GHNGraphsKept is how many per-architecture gradient graphs are kept compiled by default:
	// a vits-mini family has fewer members, so every graph is compiled once.
	GHNGraphsKept = 64
)

// DefaultGHNTrain returns the paper's hyperparameters (lr 3e-4, wd 1e-2, clip 5, λ 3e-5)
// with m = 1.
func DefaultGHNTrain(family string) GHNTrainConfig {
	return GHNTrainConfig{Family: family, MetaBatch: 1, Steps: 1000, LR: 3e-4, WarmupSteps: 50, MinLRFactor: 0.01,
		Optimizer: DefaultAdamW, Lambda: 3e-5, Seed: 1}
}

// GHNTrainResult is a finished hypernetwork training run.
type GHNTrainResult struct {
	GHN     *ghn.GHN
	Records []Record
	Steps   int
}

// ghnTrainer holds the state of a run.
type ghnTrainer struct {
	backend compute.Backend
	cfg     ghn.Config
	tc      GHNTrainConfig
	task    Task
	names   []string
	st      *State // parameters, moments, RNG and step, updated by grads and update
	grads   *nets.ExecCache
	update  *Exec
}

// TrainGHN trains a hypernetwork of configuration cfg, starting from init (e.g. ghn.Init),
// on task (an [ImageTask] for ViT families, a [TextTask] for GPT-2 families). Progress is
// reported after every step; evaluations report the mean metrics over tc.EvalArchs of the
// predicted parameters with no fine-tuning.
func TrainGHN(ctx context.Context, backend compute.Backend, cfg ghn.Config, init *params.Set, task Task, tc GHNTrainConfig, progress func(Progress)) (*GHNTrainResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	var err error
	var fam arch.Family
	if len(tc.Archs) > 0 {
		fam = arch.ListFamily("custom", tc.Archs)
	} else if fam, err = arch.FamilyByName(tc.Family); err != nil {
		return nil, err
	}
	if tc.MetaBatch <= 0 || tc.Steps <= 0 {
		return nil, fmt.Errorf("train-ghn: meta-batch (%d) and steps (%d) must be positive", tc.MetaBatch, tc.Steps)
	}
	sched := Schedule{Base: tc.LR, WarmupSteps: tc.WarmupSteps, TotalSteps: tc.Steps, MinFactor: tc.MinLRFactor}
	if err := sched.Validate(); err != nil {
		return nil, err
	}
	if err := tc.Optimizer.Validate(); err != nil {
		return nil, err
	}
	t := &ghnTrainer{backend: backend, cfg: cfg, tc: tc, task: task}
	var initT []*tensors.Tensor
	for _, p := range cfg.Params() {
		if !p.Used {
			continue
		}
		w, err := init.Get(p.Name)
		if err != nil {
			return nil, fmt.Errorf("initial hypernetwork: %w", err)
		}
		t.names = append(t.names, p.Name)
		initT = append(initT, tensors.FromFlatDataAndDimensions(append([]float32(nil), w.Float32s()...), p.Shape...))
	}
	if t.st, err = NewState(t.names, initT, int64(tc.Seed)); err != nil {
		return nil, err
	}
	defer t.st.Finalize()
	cacheSize := tc.CacheSize
	if cacheSize <= 0 {
		cacheSize = GHNGraphsKept
	}
	t.grads = nets.NewExecCache(cacheSize)
	defer t.grads.Clear()
	if err := t.buildUpdate(); err != nil {
		return nil, err
	}
	defer t.update.Finalize()

	cfgJSON, err := t.configJSON()
	if err != nil {
		return nil, err
	}
	run, err := openRun(ghn.CheckpointKind, tc.OutDir, tc.Resume, cfgJSON, t.st)
	if err != nil {
		return nil, err
	}
	defer run.close()

	heldOut := map[arch.Arch]bool{}
	for _, a := range tc.Exclude {
		heldOut[a] = true
	}
	res := &GHNTrainResult{}
	start := time.Now()
	record := run.record
	logEvery := tc.LogEvery
	if logEvery <= 0 {
		logEvery = GHNLogEvery
	}
	spe := task.StepsPerEpoch()
	var window []float64
	for t.st.Step < tc.Steps {
		if err := ctx.Err(); err != nil {
			return nil, run.interrupted(t.st, err)
		}
		step := t.st.Step
		archs, err := sampleArchs(fam, tc.Seed, step, tc.MetaBatch, heldOut)
		if err != nil {
			return nil, err
		}
		batch := task.TrainBatch(step/spe, step%spe)
		lr := sched.LR(step)
		loss, norm, err := t.step(archs, batch, lr)
		for _, b := range batch {
			b.FinalizeAll()
		}
		if err != nil {
			return nil, err
		}
		window = append(window, loss)
		p := Progress{Step: t.st.Step, TotalSteps: tc.Steps, Epoch: float64(t.st.Step) / float64(spe), Loss: loss, LR: lr, Elapsed: time.Since(start)}
		if t.st.Step%logEvery == 0 || t.st.Step == tc.Steps {
			if err := record(Record{Step: t.st.Step, Epoch: p.Epoch, Split: "train", Values: map[string]float64{"loss": mean(window), "lr": lr, "grad_norm": norm}}); err != nil {
				return nil, err
			}
			window = window[:0]
		}
		if len(tc.EvalArchs) > 0 && ((tc.EvalEvery > 0 && t.st.Step%tc.EvalEvery == 0) || t.st.Step == tc.Steps) {
			m, err := t.evaluate()
			if err != nil {
				return nil, err
			}
			p.Eval = m
			if err := record(Record{Step: t.st.Step, Epoch: p.Epoch, Split: "eval", Values: m}); err != nil {
				return nil, err
			}
		}
		if (tc.CheckpointEvery > 0 && t.st.Step%tc.CheckpointEvery == 0) || t.st.Step == tc.Steps {
			if err := run.checkpoint(t.st); err != nil {
				return nil, err
			}
		}
		if progress != nil {
			progress(p)
		}
	}
	res.Steps, res.Records = t.st.Step, run.records
	if res.GHN, err = t.current(); err != nil {
		return nil, err
	}
	if tc.OutDir != "" {
		if err := res.GHN.Save(filepath.Join(tc.OutDir, ghn.FileName)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// The seeds of a step's random draws. They are part of the numbers a run produces: changing
// them changes every hypernetwork trained from a given seed.
const (
	// stepSeedMix spreads the seeds of consecutive steps' architecture samplers over 64 bits
	// (2⁶⁴/φ, Fibonacci hashing).
	stepSeedMix = 0x9e3779b97f4a7c15
	// classNoiseStepShift moves the step above the seed's low bits in the class-token noise seed.
	classNoiseStepShift = 20
	// sampleTriesPerArch bounds the draws for one architecture outside the held-out set before
	// the family is declared exhausted.
	sampleTriesPerArch = 1000
)

// sampleArchs draws the meta-batch of a step: a pure function of (seed, step), skipping
// held-out architectures.
func sampleArchs(fam arch.Family, seed uint64, step, m int, heldOut map[arch.Arch]bool) ([]arch.Arch, error) {
	next := fam.Sampler(seed ^ (uint64(step)+1)*stepSeedMix)
	out := make([]arch.Arch, 0, m)
	for tries := 0; len(out) < m; tries++ {
		if tries > sampleTriesPerArch*m {
			return nil, fmt.Errorf("train-ghn: family %s has no architecture outside the held-out set", fam.Name)
		}
		if a := next(); !heldOut[a] {
			out = append(out, a)
		}
	}
	return out, nil
}

// configJSON records what must match for a checkpoint to be resumed. The hypernetwork's
// configuration is under "ghn", where ghn.Open finds it in a run without ghn.safetensors.
func (t *ghnTrainer) configJSON() (json.RawMessage, error) {
	cj, err := t.cfg.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var held, list []json.RawMessage
	for _, a := range t.tc.Archs {
		j, err := arch.MarshalJSON(a)
		if err != nil {
			return nil, err
		}
		list = append(list, j)
	}
	for _, a := range t.tc.Exclude {
		j, err := arch.MarshalJSON(a)
		if err != nil {
			return nil, err
		}
		held = append(held, j)
	}
	return json.Marshal(struct {
		GHN     json.RawMessage   `json:"ghn"`
		HeldOut []json.RawMessage `json:"held_out"`
		Archs   []json.RawMessage `json:"archs,omitempty"`
		GHNTrainConfig
	}{cj, held, list, t.tc})
}

// gradExec returns the compiled graph that adds one architecture's gradient to the
// accumulator: inputs (weights…, acc…, class noise, rng, batch…), outputs (task loss,
// regulariser, rng, acc…).
func (t *ghnTrainer) gradFn(a arch.Arch, b *ghn.Batch) func(in []*Node) []*Node {
	P := len(t.names)
	return func(in []*Node) []*Node {
		ws, acc, noise, rng, batch := in[:P], in[P:2*P], in[2*P], in[2*P+1], in[2*P+2:]
		w := ghn.Weights{}
		for i, n := range t.names {
			w[n] = ws[i]
		}
		opts := ghn.NodeOptions{}
		if _, isViT := a.(arch.ViT); isViT {
			opts.ClassNoise = []*Node{noise}
		}
		pred, err := ghn.PredictNodes(t.cfg, w, b, opts)
		if err != nil {
			panic(err)
		}
		taskLoss, _, rngOut := t.task.Loss(a, nets.Weights(pred[0]), batch, rng)
		var reg *Node
		for _, p := range a.Params() {
			if p.Role == arch.RoleClassToken {
				continue // a zero constant: norm 0, no gradient
			}
			n := Sqrt(ReduceAllSum(Square(pred[0][p.Name])))
			if reg == nil {
				reg = n
			} else {
				reg = Add(reg, n)
			}
		}
		reg = MulScalar(reg, t.tc.Lambda)
		grads := Gradient(Add(taskLoss, reg), ws...)
		out := []*Node{taskLoss, reg, rngOut}
		for i := range grads {
			out = append(out, Add(acc[i], grads[i]))
		}
		return out
	}
}

// buildUpdate compiles the AdamW update from the accumulated gradients (divided by m).
func (t *ghnTrainer) buildUpdate() error {
	P := len(t.names)
	opt := t.tc.Optimizer
	exec, err := NewExec(t.backend, func(in []*Node) []*Node {
		ps, ms, vs, acc := in[:P], in[P:2*P], in[2*P:3*P], in[3*P:4*P]
		step, lr, invM := in[4*P], in[4*P+1], in[4*P+2]
		grads := make([]*Node, P)
		for i := range acc {
			grads[i] = Mul(acc[i], invM)
		}
		grads, norm := ClipByGlobalNorm(grads, opt.ClipNorm)
		states := make([]AdamWState, P)
		for i := range states {
			states[i] = AdamWState{M: ms[i], V: vs[i]}
		}
		newP, newS := opt.Update(ps, grads, states, step, lr)
		out := append([]*Node{norm}, newP...)
		for _, s := range newS {
			out = append(out, s.M)
		}
		for _, s := range newS {
			out = append(out, s.V)
		}
		return out
	})
	t.update = exec
	return err
}

// step runs one meta-batch: gradients of every architecture accumulated, then one update.
func (t *ghnTrainer) step(archs []arch.Arch, batch []*tensors.Tensor, lr float64) (loss, norm float64, err error) {
	P := len(t.names)
	acc := make([]*tensors.Tensor, P)
	for i, p := range t.st.Params {
		acc[i] = tensors.FromShape(p.Shape())
	}
	defer func() {
		for _, a := range acc {
			a.FinalizeAll()
		}
	}()
	var batchShapes []shapes.Shape
	for _, b := range batch {
		batchShapes = append(batchShapes, b.Shape())
	}
	var total float64
	for i, a := range archs {
		gb, err := ghn.NewBatch(t.cfg, a)
		if err != nil {
			return 0, 0, err
		}
		width := 1
		if v, ok := a.(arch.ViT); ok {
			width = v.Width
		}
		noise := tensors.FromFlatDataAndDimensions(ghn.ClassNoise(t.tc.Seed^uint64(t.st.Step)<<classNoiseStepShift, i, width), width)
		in := make([]any, 0, 2*P+2+len(batch))
		for _, p := range t.st.Params {
			in = append(in, p)
		}
		for _, g := range acc {
			in = append(in, g)
		}
		in = append(in, noise, t.st.RNG)
		for _, b := range batch {
			in = append(in, b)
		}
		key := nets.NewExecKey(a, "ghn-grad", batchShapes...)
		var out []*tensors.Tensor
		err = t.grads.Do(key, func() (*Exec, error) { return NewExec(t.backend, t.gradFn(a, gb)) }, func(e *Exec) error {
			var err error
			out, err = e.Call(in...)
			return err
		})
		noise.FinalizeAll()
		if err != nil {
			return 0, 0, fmt.Errorf("train-ghn step %d, %s: %w", t.st.Step+1, a, err)
		}
		total += scalar(out[0]) + scalar(out[1])
		out[0].FinalizeAll()
		out[1].FinalizeAll()
		t.st.RNG.FinalizeAll()
		t.st.RNG = out[2]
		for j := range acc {
			acc[j].FinalizeAll()
			acc[j] = out[3+j]
		}
	}
	in := make([]any, 0, 4*P+3)
	for _, group := range [][]*tensors.Tensor{t.st.Params, t.st.M, t.st.V, acc} {
		for _, x := range group {
			in = append(in, x)
		}
	}
	m := float32(len(archs))
	in = append(in, float32(t.st.Step+1), float32(lr), 1/m)
	out, err := t.update.Call(in...)
	if err != nil {
		return 0, 0, fmt.Errorf("train-ghn update %d: %w", t.st.Step+1, err)
	}
	norm = scalar(out[0])
	out[0].FinalizeAll()
	for i := range P {
		t.st.Params[i].FinalizeAll()
		t.st.M[i].FinalizeAll()
		t.st.V[i].FinalizeAll()
		t.st.Params[i], t.st.M[i], t.st.V[i] = out[1+i], out[1+P+i], out[1+2*P+i]
	}
	t.st.Step++
	return total / float64(m), norm, nil
}

// current wraps the trained weights (plus zero placeholders for unused tensors) as a GHN.
func (t *ghnTrainer) current() (*ghn.GHN, error) {
	set := params.NewSet()
	trained := map[string]*tensors.Tensor{}
	for i, n := range t.names {
		trained[n] = t.st.Params[i]
	}
	for _, p := range t.cfg.Params() {
		var data []float32
		if tt, ok := trained[p.Name]; ok {
			data = tensors.MustCopyFlatData[float32](tt)
		} else {
			data = make([]float32, p.Size())
		}
		if err := set.AddFloat32(p.Name, p.Shape, data); err != nil {
			return nil, err
		}
	}
	return ghn.New(t.cfg, set, t.backend)
}

// evaluate predicts every evaluation architecture and evaluates it without fine-tuning,
// returning the mean of each metric.
func (t *ghnTrainer) evaluate() (map[string]float64, error) {
	model, err := t.current()
	if err != nil {
		return nil, err
	}
	defer model.Close()
	sum := map[string]float64{}
	for i, a := range t.tc.EvalArchs {
		set, err := model.Predict(a, ghn.PredictOptions{Seed: t.tc.Seed + uint64(i)})
		if err != nil {
			return nil, err
		}
		w, err := EvalWeights(a, set)
		if err != nil {
			return nil, err
		}
		m, err := t.task.Evaluate(t.backend, a, w)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			sum[k] += v / float64(len(t.tc.EvalArchs))
		}
	}
	return sum, nil
}
