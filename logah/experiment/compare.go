package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/compute"

	"github.com/logah-go/logah/internal/atomicfile"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/trainer"
)

// Init is where a fine-tuning run's parameters start: random (PyTorch's default initialisers)
// when GHN is nil and Params empty, else the parameters GHN predicts, else those of Params.
// [ParseInit] reads the command line's spelling.
type Init struct {
	// Name labels the initialisation in results ("random", "logah", …).
	Name string
	GHN  *ghn.GHN
	// Params, when set, is a parameter file or directory used as is for every architecture
	// (which it must fit): a safetensors file, a Hugging Face or torchvision directory, or a
	// torch.save state dict (see params.LoadModel).
	Params string
	// LR, when positive, is this initialisation's own peak learning rate in a comparison,
	// replacing Comparison.LR: each initialisation fine-tuned at the rate a learning-rate sweep
	// chose for it (BestLRs), so that no initialisation runs at a rate chosen for another.
	LR float64
	// Scale and Noise change predicted or loaded starting weights before fine-tuning: every
	// weight tensor of rank ≥ 2 (linear, convolution and embedding weights, positional
	// embeddings, class tokens; not norms or biases) w becomes Scale·w + Noise·r, where r is the
	// same tensor of the architecture's random initialisation drawn with the run's seed (the
	// random baseline's starting point, so the noise has each layer's own scale). Scale 0 means
	// 1; Noise 0 adds nothing. They test whether predictions fine-tune better shrunk or
	// perturbed (low-rank predicted matrices, for one, may fine-tune slowly).
	Scale, Noise float64
	// Redraw, when set, is a "+"-separated list of tensor-name suffixes: every tensor of the
	// predicted or loaded parameters whose name ends so is replaced, before fine-tuning, by the
	// same tensor of the architecture's random initialisation drawn with the run's seed (Scale
	// and Noise leave it alone). The authors' GPT-2 fine-tuning at HEAD re-draws every
	// c_proj.weight after loading predicted parameters ([AuthorsGPT2Redraw]).
	Redraw string
}

// AuthorsGPT2Redraw is the Init.Redraw of the authors' GPT-2 fine-tuning script at HEAD
// (train_gpt2.py, docs/method.md §6.1): the attention and MLP output projections, whose random
// initialisation is normal(0, 0.02/√(2·n_layer)), are re-drawn from it after the predicted
// parameters are loaded. The paper-era script has the same block commented out.
const AuthorsGPT2Redraw = "c_proj.weight"

// Comparison fine-tunes every architecture from every initialisation with every seed, with
// the same budget and optimiser: `logah compare` with its flags.
type Comparison struct {
	Archs []arch.Arch
	Inits []Init
	Data  Data
	// Seeds runs seeds 1…Seeds of each (architecture, initialisation): the seed draws the
	// random initialisation, the class-token noise of predictions, data order and dropout.
	Seeds int
	// Epochs of fine-tuning; Steps > 0 overrides it. With neither, only the initial parameters
	// are evaluated.
	Epochs, Steps int
	// MaxTrain keeps the first MaxTrain training images, so an epoch is one pass over them
	// (0: all; images only). MaxEval caps evaluation: test images, or validation batches.
	MaxTrain, MaxEval int
	Batch             int
	// LR is the peak learning rate of every initialisation whose Init.LR is 0. The warm-up lasts
	// WarmupSteps steps, or WarmupFraction of the steps when that is not 0 (then WarmupSteps
	// must be 0). After the warm-up the rate follows a cosine down to LR·MinLRFactor at the last
	// step: MinLRFactor 1 keeps it constant.
	LR             float64
	WarmupSteps    int
	WarmupFraction float64
	MinLRFactor    float64
	// WarmupShape is the warm-up's shape: linear ("" too), or trainer.WarmupLog, the
	// logarithmic warm-up of DeepSpeed under which the authors fine-tune GPT-2s.
	WarmupShape trainer.WarmupShape
	// ClipNorm, when positive, replaces the global gradient-norm clipping of
	// trainer.DefaultAdamW (5); the authors' GPT-2 recipe clips at 1 (Hugging Face's default).
	ClipNorm float64
	// EvalEvery evaluates every that many steps besides the start and the end (0: epoch ends).
	EvalEvery int
	// Dropout is GPT-2's dropout while fine-tuning (text only).
	Dropout float64
	// SaveTo, when set, is a JSON file that Compare rewrites atomically after every run with the
	// runs so far, so an interrupted comparison loses at most the run in progress. Every other
	// run in the file stays (those of other comparisons, or of another process writing to the
	// same file at the same time: the file is locked while it is rewritten); a run of this
	// comparison's (architecture, initialisation, seed) replaces the one the file held.
	SaveTo string
	// Resume takes the runs already in SaveTo that belong to this comparison (same architecture,
	// initialisation, seed and protocol) instead of running them again, and continues a run
	// that CheckpointDir holds from its last checkpoint.
	Resume bool
	// CheckpointDir, when set, gives each run in progress a directory of its own in it,
	// <arch>-<init>-seed<N>, where the trainer writes its metrics log and checkpoints (every
	// CheckpointEvery steps and every epoch end): a comparison stopped in the middle of a run
	// and started again with Resume continues that run from its last checkpoint, with the
	// numbers of an uninterrupted run. A run's directory is removed once the run is saved to
	// SaveTo (kept without SaveTo). Without Resume a run starts over.
	CheckpointDir   string
	CheckpointEvery int
}

// DefaultComparison is one epoch, 3 seeds, batch 64, lr 1e-3 with a warm-up over 5 % of the
// steps and a cosine decay to 1 % of it: a budget in which a CPU-scale ViT learns a lot in one
// epoch.
func DefaultComparison() Comparison {
	return Comparison{Data: DefaultData(), Seeds: 3, Epochs: 1, Batch: 64, LR: 1e-3, WarmupFraction: 0.05, MinLRFactor: 0.01, Dropout: DefaultDropout}
}

// PaperViTFineTuning is DefaultComparison with the authors' ViT fine-tuning recipe (docs/method.md §6.1,
// train_vit.py): AdamW lr 4e-5, weight decay 1e-2, batch 32, gradient clipping at 5, and a
// cosine annealing stepped once per epoch over 100 epochs. Its first epoch, the one compared
// here, therefore runs at the constant rate 4e-5, without warm-up.
func PaperViTFineTuning() Comparison {
	c := DefaultComparison()
	c.Batch, c.LR, c.WarmupFraction, c.MinLRFactor = 32, 4e-5, 0, 1
	return c
}

// PaperGPT2FineTuning is DefaultComparison with the authors' GPT-2 fine-tuning recipe
// (docs/method.md §6.1, train_gpt2.py under DeepSpeed with ds_config_1gpu.json) on the text
// data: AdamW lr 3e-6, weight decay 1e-2, clipping at 1 (the Hugging Face Trainer's default),
// dropout 0.1, and DeepSpeed's logarithmic warm-up over 500 steps ([trainer.WarmupLog]) after
// which the rate stays at 3e-6 (the paper-era WarmupLR; HEAD's WarmupCosineLR anneals over
// 100 epochs of WikiText-103, so it too is constant within any budget compared here). Batch 16
// sequences of the model's context, and 500 steps: set Steps for another token budget. The
// authors' LoGAH branch at HEAD also re-draws every c_proj.weight of the prediction: give
// predicted initialisations Init.Redraw = [AuthorsGPT2Redraw].
func PaperGPT2FineTuning() Comparison {
	c := DefaultComparison()
	c.Data.Name, c.Steps, c.Batch = "text", 500, 16 // Steps overrides DefaultComparison's epoch, as --steps does
	c.LR, c.WarmupSteps, c.WarmupFraction, c.WarmupShape, c.MinLRFactor, c.ClipNorm = 3e-6, 500, 0, trainer.WarmupLog, 1, 1
	return c
}

// Protocol is what must be equal for two runs to be compared: the data, the fine-tuning budget
// and the optimiser. Every Run records the protocol it ran under.
type Protocol struct {
	Data           string  `json:"data"`
	Epochs         int     `json:"epochs,omitempty"`
	Steps          int     `json:"steps,omitempty"`
	MaxTrain       int     `json:"max_train,omitempty"`
	MaxEval        int     `json:"max_eval,omitempty"`
	Batch          int     `json:"batch"`
	LR             float64 `json:"lr"`
	WarmupSteps    int     `json:"warmup_steps,omitempty"`
	WarmupFraction float64 `json:"warmup_fraction,omitempty"`
	MinLRFactor    float64 `json:"min_lr_factor"`
	// WarmupShape and ClipNorm are recorded when they are not the defaults (linear, 5).
	WarmupShape trainer.WarmupShape `json:"warmup_shape,omitempty"`
	ClipNorm    float64             `json:"clip_norm,omitempty"`
	EvalEvery   int                 `json:"eval_every,omitempty"`
	Dropout     float64             `json:"dropout,omitempty"`
	// Validation is Data.Validation: evaluations on the last Validation training images (text:
	// tokens), which training then leaves out, instead of on the test split.
	Validation int `json:"validation,omitempty"`
	// InitScale, InitNoise and InitRedraw are the initialisation's Init.Scale, Init.Noise and
	// Init.Redraw (0 or empty: none).
	InitScale  float64 `json:"init_scale,omitempty"`
	InitNoise  float64 `json:"init_noise,omitempty"`
	InitRedraw string  `json:"init_redraw,omitempty"`
}

// UnmarshalJSON reads a protocol, including those of files written before the warm-up had a
// unit in its name: their "warmup" is WarmupFraction.
func (p *Protocol) UnmarshalJSON(data []byte) error {
	type plain Protocol // without this method
	var v struct {
		plain
		Warmup *float64 `json:"warmup"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*p = Protocol(v.plain)
	if v.Warmup != nil && p.WarmupFraction == 0 {
		p.WarmupFraction = *v.Warmup
	}
	return nil
}

// Protocol is c's protocol.
func (c Comparison) Protocol() Protocol {
	data := c.Data.Name
	if c.Data.IsText() {
		data = fmt.Sprintf("text %s %s %d bytes", c.Data.Text, c.Data.Tokenizer, c.Data.TextBytes)
	} else if len(c.Data.Classes) > 0 {
		data = fmt.Sprintf("%s classes %v", data, c.Data.Classes)
	}
	p := Protocol{Data: data, Epochs: c.Epochs, Steps: c.Steps, MaxTrain: c.MaxTrain, MaxEval: c.MaxEval, Batch: c.Batch, LR: c.LR,
		WarmupSteps: c.WarmupSteps, WarmupFraction: c.WarmupFraction, MinLRFactor: c.MinLRFactor, EvalEvery: c.EvalEvery,
		Validation: c.Data.Validation}
	if !c.WarmupShape.Linear() {
		p.WarmupShape = c.WarmupShape
	}
	if c.ClipNorm > 0 && c.ClipNorm != trainer.DefaultAdamW.ClipNorm {
		p.ClipNorm = c.ClipNorm
	}
	if c.Data.IsText() {
		p.Dropout = c.Dropout
	}
	return p
}

// InitNames lists the names of c's initialisations, in order.
func (c Comparison) InitNames() []string {
	names := make([]string, len(c.Inits))
	for i, in := range c.Inits {
		names[i] = in.Name
	}
	return names
}

// ProtocolOf is the protocol of in's runs: c's, at in's own learning rate when it has one,
// with in's perturbation of its starting weights.
func (c Comparison) ProtocolOf(in Init) Protocol {
	p := c.Protocol()
	if in.LR > 0 {
		p.LR = in.LR
	}
	if in.perturbed() {
		p.InitScale, p.InitNoise, p.InitRedraw = in.Scale, in.Noise, in.Redraw
		if p.InitScale == 0 {
			p.InitScale = 1
		}
	}
	return p
}

// String is a short description, e.g. "fashion-mnist, batch 32, lr 4e-05 constant, 1 epoch(s)
// of 6400 examples".
func (p Protocol) String() string {
	sched := fmt.Sprintf("cosine to ×%g after %d warm-up steps", p.MinLRFactor, p.WarmupSteps)
	switch {
	case p.WarmupFraction != 0:
		sched = fmt.Sprintf("cosine to ×%g after %g%% warm-up", p.MinLRFactor, 100*p.WarmupFraction)
	case p.MinLRFactor == 1 && p.WarmupSteps == 0:
		sched = "constant"
	case p.MinLRFactor == 1:
		sched = fmt.Sprintf("constant after %d warm-up steps", p.WarmupSteps)
	}
	if !p.WarmupShape.Linear() && (p.WarmupSteps > 0 || p.WarmupFraction > 0) {
		sched = strings.Replace(sched, "warm-up", string(p.WarmupShape)+" warm-up", 1)
	}
	if p.ClipNorm > 0 {
		sched += fmt.Sprintf(", clipping at %g", p.ClipNorm)
	}
	budget := fmt.Sprintf("%d steps", p.Steps)
	if p.Steps == 0 {
		budget = fmt.Sprintf("%d epoch(s)", p.Epochs)
	}
	if p.MaxTrain > 0 {
		budget += fmt.Sprintf(" of %d examples", p.MaxTrain)
	}
	data := p.Data
	if rest, ok := strings.CutPrefix(data, "text  "); ok { // the recorded spelling leaves the default corpus unnamed
		data = "text (Go source) " + rest
	}
	if p.Validation > 0 {
		unit := "images"
		if p.IsText() {
			unit = "tokens"
		}
		data += fmt.Sprintf(" (validation: the last %d training %s)", p.Validation, unit)
	}
	start := p.Perturbation()
	if start != "" {
		start = ", " + start
	}
	return fmt.Sprintf("%s, batch %d, lr %g %s, %s%s", data, p.Batch, p.LR, sched, budget, start)
}

// Perturbation describes how the runs changed their predicted or loaded starting weights
// (InitScale, InitNoise, InitRedraw), or is "" when they did not.
func (p Protocol) Perturbation() string {
	var parts []string
	if p.InitScale != 0 && (p.InitScale != 1 || p.InitNoise != 0) {
		s := fmt.Sprintf("starting weights ×%g", p.InitScale)
		if p.InitNoise != 0 {
			s += fmt.Sprintf(" + %g × random", p.InitNoise)
		}
		parts = append(parts, s)
	}
	if p.InitRedraw != "" {
		parts = append(parts, strings.ReplaceAll(p.InitRedraw, "+", " and ")+" re-drawn at random")
	}
	return strings.Join(parts, ", ")
}

// Run is one (architecture, initialisation, seed) fine-tuning run.
type Run struct {
	Arch    string             `json:"arch"`
	Init    string             `json:"init"`
	Seed    uint64             `json:"seed"`
	Initial map[string]float64 `json:"initial"` // evaluation before fine-tuning
	Final   map[string]float64 `json:"final"`   // after fine-tuning
	Steps   int                `json:"steps"`
	// Protocol is the comparison's protocol the run was made with.
	Protocol Protocol `json:"protocol"`
	// Curve holds every evaluation (step 0 first).
	Curve []trainer.Record `json:"curve,omitempty"`
}

// RunProgress reports a fine-tuning step of one run of a comparison.
type RunProgress struct {
	Arch arch.Arch
	Init string
	Seed uint64
	trainer.Progress
}

// Metric is the headline metric of a comparison on data: accuracy for images, perplexity for
// text.
func Metric(d Data) string {
	if d.IsText() {
		return "perplexity"
	}
	return "accuracy"
}

// Compare runs the comparison. progress, if not nil, sees every step of every run (and the
// evaluations in Progress.Eval).
func Compare(ctx context.Context, c Comparison, progress func(RunProgress)) ([]Run, error) {
	if len(c.Archs) == 0 || len(c.Inits) == 0 || c.Seeds <= 0 {
		return nil, fmt.Errorf("compare: need at least one architecture, one initialisation and one seed (got %d, %d, %d)", len(c.Archs), len(c.Inits), c.Seeds)
	}
	if c.Resume && c.SaveTo == "" {
		return nil, fmt.Errorf("compare: Resume needs SaveTo, the file of the earlier runs")
	}
	if c.ClipNorm < 0 || math.IsNaN(c.ClipNorm) {
		return nil, fmt.Errorf("compare: ClipNorm %g: want a positive gradient-norm bound (0: the default, %g)", c.ClipNorm, trainer.DefaultAdamW.ClipNorm)
	}
	if c.CheckpointEvery < 0 {
		return nil, fmt.Errorf("compare: CheckpointEvery %d: want a number of steps (0: epoch ends only)", c.CheckpointEvery)
	}
	if err := c.fineTuning(c.Archs[0], c.Inits[0], 1).validate(); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	for _, in := range c.Inits {
		if in.LR < 0 || math.IsNaN(in.LR) || math.IsInf(in.LR, 0) {
			return nil, fmt.Errorf("compare: initialisation %q: learning rate %g must be positive (0: the comparison's)", in.Name, in.LR)
		}
		if err := in.checkPerturbation(); err != nil {
			return nil, fmt.Errorf("compare: %w", err)
		}
	}
	var saved []Run
	if c.Resume {
		var err error
		if saved, err = ReadRuns(c.SaveTo); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	done, err := c.splitSaved(saved)
	if err != nil {
		return nil, err
	}
	be := backend.MustDefault()
	var runs []Run
	for _, pr := range c.plan() {
		if r, ok := done[pr.key()]; ok {
			runs = append(runs, r)
			continue
		}
		run, ckpt, err := c.one(ctx, be, pr.arch, pr.init, pr.seed, progress)
		if err != nil {
			if ckpt != nil && ctx.Err() != nil {
				err = fmt.Errorf("%w; the comparison continues this run from %s when resumed", err, ckpt.dir)
			}
			return runs, fmt.Errorf("%s, %s, seed %d: %w", pr.arch, pr.init.Name, pr.seed, err)
		}
		runs = append(runs, run)
		if c.SaveTo != "" {
			if err := c.save(runs); err != nil {
				return runs, err
			}
			if ckpt != nil {
				if err := ckpt.remove(); err != nil {
					return runs, err
				}
			}
		}
	}
	return runs, nil
}

// save writes the runs finished so far to SaveTo, followed by every other run the file holds
// now: the saved runs of this comparison still ahead, those of other comparisons, and those
// another process wrote since this one started. The file is locked from read to write, so
// processes sharing a results file (one per core, each with its own initialisations or
// architectures) add to it without losing each other's runs.
func (c Comparison) save(runs []Run) error {
	return atomicfile.Update(c.SaveTo, func(old []byte) ([]byte, error) {
		var inFile []Run
		if old != nil {
			if err := json.Unmarshal(old, &inFile); err != nil {
				return nil, fmt.Errorf("%s: not a list of comparison runs: %w", c.SaveTo, err)
			}
		}
		made := map[runKey]bool{}
		for _, r := range runs {
			made[r.key()] = true
		}
		out := slices.Clone(runs)
		for _, r := range inFile {
			if !made[r.key()] {
				out = append(out, r)
			}
		}
		return marshalRuns(out)
	})
}

// plannedRun is one (architecture, initialisation, seed) of a comparison.
type plannedRun struct {
	arch arch.Arch
	init Init
	seed uint64
}

// plan lists the comparison's runs in order: by architecture, then initialisation, then seed.
func (c Comparison) plan() []plannedRun {
	var out []plannedRun
	for _, a := range c.Archs {
		for _, in := range c.Inits {
			for s := 1; s <= c.Seeds; s++ {
				out = append(out, plannedRun{a, in, uint64(s)})
			}
		}
	}
	return out
}

func (p plannedRun) key() runKey { return runKey{p.arch.String(), p.init.Name, p.seed} }

func (r Run) key() runKey { return runKey{r.Arch, r.Init, r.Seed} }

// runKey names one run of a comparison.
type runKey struct {
	arch, init string
	seed       uint64
}

// splitSaved picks this comparison's runs out of earlier ones, by key (the others stay in the
// file). A saved run of this comparison's key but another protocol is an error: the file
// belongs to a different experiment.
func (c Comparison) splitSaved(saved []Run) (done map[runKey]Run, err error) {
	mine := map[runKey]Protocol{}
	for _, pr := range c.plan() {
		mine[pr.key()] = c.ProtocolOf(pr.init)
	}
	done = map[runKey]Run{}
	for _, r := range saved {
		k := r.key()
		p, ok := mine[k]
		switch {
		case !ok: // another comparison's
		case r.Protocol != p:
			return nil, fmt.Errorf("compare: %s holds %s, %s, seed %d made with another protocol (%v; now %v): save to another file, or run without resuming to replace it",
				c.SaveTo, r.Arch, r.Init, r.Seed, r.Protocol, p)
		default:
			done[k] = r
		}
	}
	return done, nil
}

// InitsOf lists the initialisations of runs in order of first appearance.
func InitsOf(runs []Run) []string {
	var names []string
	for _, r := range runs {
		if !slices.Contains(names, r.Init) {
			names = append(names, r.Init)
		}
	}
	return names
}

// IsText reports whether p's data is text (its metric is perplexity).
func (p Protocol) IsText() bool { return strings.HasPrefix(p.Data, "text") }

// Metric is the headline metric of p's runs: perplexity for text, accuracy for images.
func (p Protocol) Metric() string {
	if p.IsText() {
		return "perplexity"
	}
	return "accuracy"
}

// ReadRuns reads runs saved by Compare (Comparison.SaveTo, `logah compare --out`).
func ReadRuns(path string) ([]Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var runs []Run
	if err := json.Unmarshal(data, &runs); err != nil {
		return nil, fmt.Errorf("%s: not a list of comparison runs: %w", path, err)
	}
	return runs, nil
}

// WriteRuns writes runs as indented JSON, atomically.
func WriteRuns(path string, runs []Run) error {
	data, err := marshalRuns(runs)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data)
}

// marshalRuns is the content of a results file: runs as indented JSON.
func marshalRuns(runs []Run) ([]byte, error) {
	data, err := json.MarshalIndent(runs, "", "  ")
	return append(data, '\n'), err
}

// fineTuning is the run of a on init with seed: the comparison's settings, with the defaults
// of trainer.DefaultFineTune (AdamW wd 1e-2, clip 5) for what a comparison does not set.
func (c Comparison) fineTuning(a arch.Arch, init Init, seed uint64) FineTuning {
	cfg := trainer.DefaultFineTune()
	cfg.Epochs, cfg.Steps, cfg.LR, cfg.Seed, cfg.EvalEvery = c.Epochs, c.Steps, c.ProtocolOf(init).LR, seed, c.EvalEvery
	cfg.WarmupSteps, cfg.MinLRFactor, cfg.WarmupShape = c.WarmupSteps, c.MinLRFactor, c.WarmupShape
	if c.ClipNorm > 0 {
		cfg.Optimizer.ClipNorm = c.ClipNorm
	}
	return FineTuning{FineTuneConfig: cfg, Arch: a, Init: init, Data: c.Data, Batch: c.Batch, WarmupFraction: c.WarmupFraction,
		MaxTrain: c.MaxTrain, MaxEval: c.MaxEval, Dropout: c.Dropout}
}

// one makes one run, and returns it with the checkpoint directory it ran in (nil without
// CheckpointDir), for Compare to remove once the run is saved.
func (c Comparison) one(ctx context.Context, be compute.Backend, a arch.Arch, in Init, seed uint64, progress func(RunProgress)) (Run, *runCheckpoint, error) {
	f := c.fineTuning(a, in, seed)
	init, err := f.initial()
	if err != nil {
		return Run{}, nil, err
	}
	task, err := f.task()
	if err != nil {
		return Run{}, nil, err
	}
	run := Run{Arch: a.String(), Init: in.Name, Seed: seed, Protocol: c.ProtocolOf(in)}
	total := f.totalSteps(task)
	if total == 0 {
		w, err := trainer.EvalWeights(a, init)
		if err != nil {
			return run, nil, err
		}
		m, err := task.Evaluate(be, a, w)
		if err != nil {
			return run, nil, err
		}
		run.Initial, run.Final = m, m
		run.Curve = []trainer.Record{{Split: "eval", Values: m}}
		return run, nil, nil
	}
	var report func(trainer.Progress)
	if progress != nil {
		report = func(p trainer.Progress) { progress(RunProgress{Arch: a, Init: in.Name, Seed: seed, Progress: p}) }
	}
	cfg := f.trainerConfig(total)
	ckpt := c.newRunCheckpoint(run, init)
	if ckpt != nil {
		if err := ckpt.prepare(c.Resume); err != nil {
			return run, nil, err
		}
		cfg.OutDir, cfg.Resume, cfg.CheckpointEvery = ckpt.dir, true, c.CheckpointEvery
	}
	res, err := trainer.FineTune(ctx, be, a, init, task, cfg, report)
	if err != nil {
		return run, ckpt, err
	}
	records := res.Records
	if ckpt != nil {
		if records, err = ckpt.evalCurve(); err != nil {
			return run, ckpt, err
		}
	}
	for _, r := range records {
		if r.Split == "eval" {
			run.Curve = append(run.Curve, r)
		}
	}
	if len(run.Curve) == 0 {
		return run, ckpt, fmt.Errorf("fine-tuning recorded no evaluation")
	}
	run.Initial, run.Final, run.Steps = run.Curve[0].Values, res.Final, res.Steps
	return run, ckpt, nil
}

// Summary is the mean ± sample standard deviation of a metric over the runs of one
// initialisation, before and after fine-tuning.
type Summary struct {
	Init          string
	Runs          int
	Before, After MeanStd
}

// MeanStd is a mean and a sample standard deviation.
type MeanStd struct{ Mean, Std float64 }

// Format writes m as a value of metric: accuracies as percentages ("46.30% ± 2.20"), other
// metrics plainly ("18.00 ± 1.29").
func (m MeanStd) Format(metric string) string {
	if metric == "accuracy" {
		return fmt.Sprintf("%.2f%% ± %.2f", 100*m.Mean, 100*m.Std)
	}
	return fmt.Sprintf("%.2f ± %.2f", m.Mean, m.Std)
}

// NewMeanStd summarises xs.
func NewMeanStd(xs []float64) MeanStd {
	if len(xs) == 0 {
		return MeanStd{Mean: math.NaN(), Std: math.NaN()}
	}
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	if len(xs) > 1 {
		v /= float64(len(xs) - 1)
	}
	return MeanStd{Mean: m, Std: math.Sqrt(v)}
}

// Summarize groups runs by initialisation (in the order inits lists them; "" lists them in
// order of appearance) and summarises metric.
func Summarize(runs []Run, metric string, inits ...string) []Summary {
	if len(inits) == 0 {
		inits = InitsOf(runs)
	}
	var out []Summary
	for _, name := range inits {
		var before, after []float64
		for _, r := range runs {
			if r.Init == name {
				before = append(before, r.Initial[metric])
				after = append(after, r.Final[metric])
			}
		}
		out = append(out, Summary{Init: name, Runs: len(before), Before: NewMeanStd(before), After: NewMeanStd(after)})
	}
	return out
}

// SummaryRows formats summaries as table rows: initialisation, runs, metric without
// fine-tuning, metric after fine-tuning. after labels the budget ("1 epoch", "100 steps").
func SummaryRows(sums []Summary, metric string) [][]string {
	rows := make([][]string, len(sums))
	for i, s := range sums {
		rows[i] = []string{s.Init, fmt.Sprint(s.Runs), s.Before.Format(metric), s.After.Format(metric)}
	}
	return rows
}

// BudgetLabel describes the fine-tuning budget of c ("1 epoch", "100 steps").
func (c Comparison) BudgetLabel() string {
	switch {
	case c.Steps > 0:
		return fmt.Sprintf("%d steps", c.Steps)
	case c.Epochs == 1:
		return "1 epoch"
	default:
		return fmt.Sprintf("%d epochs", c.Epochs)
	}
}

// ParseInit reads an initialisation as `logah finetune` and `logah compare` write it: "random";
// "NAME=PATH", a hypernetwork opened by ghn.Open on the default backend (whose predictions
// are the parameters; its Origin says whether it is a run's checkpoint); "NAME=params:PATH",
// parameters used as they are (a file or directory params.LoadModel reads); or a bare PATH,
// parameters named by their path. Predicted or loaded parameters may end with ",scale=S",
// ",noise=N" and ",redraw=SUFFIX[+SUFFIX]" (Init.Scale, Init.Noise, Init.Redraw), e.g.
// "logah-noisy=runs/logah,noise=0.1" or "logah=runs/gpt-logah,redraw=c_proj.weight". Any
// initialisation may end with ",lr=R", its own peak learning rate in a comparison (Init.LR),
// e.g. "random,lr=3e-3" or "ghn3=runs/ghn3,lr=1e-2".
func ParseInit(spec string) (Init, error) {
	spec, opts, err := cutOptions(spec)
	if err != nil {
		return Init{}, err
	}
	in, err := parseInitSource(spec)
	if err != nil {
		return Init{}, err
	}
	in.Scale, in.Noise, in.Redraw, in.LR = opts.Scale, opts.Noise, opts.Redraw, opts.LR
	if err := in.checkPerturbation(); err != nil {
		return Init{}, fmt.Errorf("--init %s: %w", spec, err)
	}
	return in, nil
}

// cutOptions removes the ",scale=S", ",noise=N", ",redraw=SUFFIX" and ",lr=R" options from the
// end of an --init spelling and returns them.
func cutOptions(spec string) (rest string, opts Init, err error) {
	rest = spec
	for {
		i := strings.LastIndex(rest, ",")
		if i < 0 {
			return rest, opts, nil
		}
		key, value, _ := strings.Cut(rest[i+1:], "=")
		var dst *float64
		switch key {
		case "scale":
			dst = &opts.Scale
		case "noise":
			dst = &opts.Noise
		case "lr":
			dst = &opts.LR
		case "redraw":
			if value == "" {
				return "", Init{}, fmt.Errorf("--init %s: redraw= needs tensor-name suffixes, e.g. redraw=%s", spec, AuthorsGPT2Redraw)
			}
			opts.Redraw = value
		default:
			return rest, opts, nil
		}
		if dst != nil {
			if *dst, err = strconv.ParseFloat(value, 64); err != nil {
				return "", Init{}, fmt.Errorf("--init %s: %s=%q: want a number, e.g. %s=0.1", spec, key, value, key)
			}
			if key == "lr" && !(*dst > 0 && !math.IsInf(*dst, 0)) {
				return "", Init{}, fmt.Errorf("--init %s: lr=%s: give a positive peak learning rate, e.g. lr=3e-3", spec, value)
			}
		}
		rest = rest[:i]
	}
}

// parseInitSource is ParseInit without the options cutOptions removes.
func parseInitSource(spec string) (Init, error) {
	name, path, isGHN := strings.Cut(spec, "=")
	if !isGHN {
		if name == "random" {
			return Init{Name: name}, nil
		}
		st, err := os.Stat(spec)
		if err != nil {
			return Init{}, fmt.Errorf("--init %q: use random, PARAMETERS, NAME=params:PARAMETERS or NAME=HYPERNETWORK (%v)", spec, err)
		}
		if st.IsDir() && isGHNDir(spec) {
			return Init{}, fmt.Errorf("--init %s holds a hypernetwork: write NAME=%s to fine-tune from its prediction", spec, spec)
		}
		return Init{Name: spec, Params: spec}, nil
	}
	if file, ok := strings.CutPrefix(path, "params:"); ok {
		if _, err := os.Stat(file); err != nil {
			return Init{}, fmt.Errorf("--init %s: %w", spec, err)
		}
		return Init{Name: name, Params: file}, nil
	}
	g, err := ghn.Open(path, backend.MustDefault())
	if err != nil {
		return Init{}, fmt.Errorf("--init %s: %w", spec, err)
	}
	return Init{Name: name, GHN: g}, nil
}

// isGHNDir reports whether dir is the output of `logah train-ghn` (held_out.json from its start,
// ghn.safetensors at its end) or of `logah init-ghn`.
func isGHNDir(dir string) bool {
	for _, name := range []string{ghn.FileName, "held_out.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
