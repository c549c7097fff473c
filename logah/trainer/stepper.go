package trainer

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/checkpoint"
	"github.com/logah-go/logah/logah/params"
)

// LossFunc builds the loss of one training step inside the step's graph: from the trainable
// tensors (in the stepper's name order), the batch inputs and an RNG state (for dropout), it
// returns the scalar loss, extra scalar metrics (e.g. the number of correct predictions) and
// the advanced RNG state.
type LossFunc func(trainable []*Node, batch []*Node, rng *Node) (loss *Node, metrics []*Node, rngOut *Node)

// State is what a training run carries from one step to the next: the trainable float32
// tensors (in Names order), their AdamW moments M and V, the RNG state and the number of steps
// done. Fine-tuning updates it through a [Stepper]'s compiled step, hypernetwork training
// through its own accumulate-then-update graphs; both save it with [State.Checkpoint] and
// restore it with [State.Restore], so a resumed run continues bit for bit.
type State struct {
	Names  []string
	Params []*tensors.Tensor
	M, V   []*tensors.Tensor
	RNG    *tensors.Tensor
	Step   int
}

// NewState starts training the given float32 tensors (which it takes over): zero moments, the
// RNG state of seed, step 0.
func NewState(names []string, init []*tensors.Tensor, seed int64) (*State, error) {
	if len(names) != len(init) {
		return nil, fmt.Errorf("training state: %d names for %d tensors", len(names), len(init))
	}
	s := &State{Names: names, Params: init}
	for _, t := range init {
		if t.DType() != dtypes.Float32 {
			return nil, fmt.Errorf("training state: tensors must be float32, got %s", t.DType())
		}
		s.M = append(s.M, tensors.FromShape(t.Shape()))
		s.V = append(s.V, tensors.FromShape(t.Shape()))
	}
	rng, err := RNGStateFromSeed(seed)
	if err != nil {
		return nil, err
	}
	s.RNG = rng
	return s, nil
}

// Stepper trains a [State] with one compiled graph per batch shape that computes the loss, the
// gradients, global-norm clipping and the AdamW update. Everything it holds but the graphs is
// in the embedded State.
type Stepper struct {
	State
	Opt     AdamW
	exec    *Exec
	metrics int
}

// NewStepper prepares training of the given float32 tensors with AdamW. The step graph is
// compiled on the first call of [Stepper.Run] (one graph per batch shape).
func NewStepper(backend compute.Backend, names []string, init []*tensors.Tensor, opt AdamW, seed int64, numMetrics int, loss LossFunc) (*Stepper, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	state, err := NewState(names, init, seed)
	if err != nil {
		return nil, err
	}
	s := &Stepper{State: *state, Opt: opt, metrics: numMetrics}
	P := len(names)
	exec, err := NewExec(backend, func(in []*Node) []*Node {
		ps, ms, vs := in[:P], in[P:2*P], in[2*P:3*P]
		step, lr, rngIn, batch := in[3*P], in[3*P+1], in[3*P+2], in[3*P+3:]
		lossNode, metrics, rngOut := loss(ps, batch, rngIn)
		grads := Gradient(lossNode, ps...)
		grads, norm := ClipByGlobalNorm(grads, opt.ClipNorm)
		states := make([]AdamWState, P)
		for i := range states {
			states[i] = AdamWState{M: ms[i], V: vs[i]}
		}
		newP, newS := opt.Update(ps, grads, states, step, lr)
		out := append([]*Node{lossNode, norm, rngOut}, metrics...)
		out = append(out, newP...)
		for _, st := range newS {
			out = append(out, st.M)
		}
		for _, st := range newS {
			out = append(out, st.V)
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	exec.SetMaxCache(stepGraphsKept)
	s.exec = exec
	return s, nil
}

// stepGraphsKept bounds the compiled step graphs a Stepper keeps (one per batch shape: the
// training batch and, rarely, a last partial one).
const stepGraphsKept = 8

// StepResult is what one step reports.
type StepResult struct {
	Loss, GradNorm float64
	Metrics        []float64
}

// Run performs one optimisation step with learning rate lr on the batch tensors (which the
// caller keeps owning).
func (s *Stepper) Run(lr float64, batch ...*tensors.Tensor) (StepResult, error) {
	P := len(s.Names)
	in := make([]any, 0, 3*P+3+len(batch))
	for _, group := range [][]*tensors.Tensor{s.Params, s.M, s.V} {
		for _, t := range group {
			in = append(in, t)
		}
	}
	in = append(in, float32(s.Step+1), float32(lr), s.RNG)
	for _, b := range batch {
		in = append(in, b)
	}
	out, err := s.exec.Call(in...)
	if err != nil {
		return StepResult{}, fmt.Errorf("training step %d: %w", s.Step+1, err)
	}
	res := StepResult{Loss: scalar(out[0]), GradNorm: scalar(out[1])}
	for i := range s.metrics {
		res.Metrics = append(res.Metrics, scalar(out[3+i]))
	}
	s.RNG.MustFinalizeAll()
	s.RNG = out[2]
	base := 3 + s.metrics
	for i := range P {
		s.Params[i].MustFinalizeAll()
		s.M[i].MustFinalizeAll()
		s.V[i].MustFinalizeAll()
		s.Params[i], s.M[i], s.V[i] = out[base+i], out[base+P+i], out[base+2*P+i]
	}
	out[0].MustFinalizeAll()
	out[1].MustFinalizeAll()
	for i := range s.metrics {
		out[3+i].MustFinalizeAll()
	}
	s.Step++
	return res, nil
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	case int32:
		return float64(v)
	case int64:
		return float64(v)
	}
	panic(fmt.Sprintf("trainer: %s is not a scalar", t.Shape()))
}

// Checkpoint packs the state into a named tensor set: "param/<name>" ([checkpoint.ParamPrefix]),
// "adam_m/<name>", "adam_v/<name>" and "rng".
func (s *State) Checkpoint() (*params.Set, error) {
	set := params.NewSet()
	for i, name := range s.Names {
		for _, kv := range []struct {
			prefix string
			t      *tensors.Tensor
		}{{checkpoint.ParamPrefix, s.Params[i]}, {"adam_m/", s.M[i]}, {"adam_v/", s.V[i]}} {
			if err := set.AddFloat32(kv.prefix+name, kv.t.Shape().Dimensions, tensors.MustCopyFlatData[float32](kv.t)); err != nil {
				return nil, err
			}
		}
	}
	// The RNG state is 64-bit words; float32 holds 16-bit pieces exactly.
	rng := tensors.MustCopyFlatData[uint64](s.RNG)
	words := make([]float32, 0, 4*len(rng))
	for _, v := range rng {
		for k := range 4 {
			words = append(words, float32(uint16(v>>(16*k))))
		}
	}
	if err := set.AddFloat32("rng", []int{len(words)}, words); err != nil {
		return nil, err
	}
	return set, nil
}

// Restore loads a state written by [State.Checkpoint] at the given step.
func (s *State) Restore(set *params.Set, step int) error {
	load := func(name string, like *tensors.Tensor) (*tensors.Tensor, error) {
		t, err := set.Get(name)
		if err != nil {
			return nil, err
		}
		dims := like.Shape().Dimensions
		if len(dims) != len(t.Shape()) {
			return nil, fmt.Errorf("checkpoint tensor %s has shape %v, want %v", name, t.Shape(), dims)
		}
		for i := range dims {
			if dims[i] != t.Shape()[i] {
				return nil, fmt.Errorf("checkpoint tensor %s has shape %v, want %v", name, t.Shape(), dims)
			}
		}
		return tensors.FromFlatDataAndDimensions(append([]float32(nil), t.Float32s()...), dims...), nil
	}
	for i, name := range s.Names {
		var err error
		var p, m, v *tensors.Tensor
		if p, err = load(checkpoint.ParamPrefix+name, s.Params[i]); err != nil {
			return err
		}
		if m, err = load("adam_m/"+name, s.M[i]); err != nil {
			return err
		}
		if v, err = load("adam_v/"+name, s.V[i]); err != nil {
			return err
		}
		s.Params[i], s.M[i], s.V[i] = p, m, v
	}
	rt, err := set.Get("rng")
	if err != nil {
		return err
	}
	words := rt.Float32s()
	state := make([]uint64, len(words)/4)
	for i := range state {
		for k := range 4 {
			state[i] |= uint64(uint16(words[4*i+k])) << (16 * k)
		}
	}
	s.RNG = tensors.FromFlatDataAndDimensions(state, RNGStateShape.Dimensions...)
	s.Step = step
	return nil
}

// Trained returns the current trainable tensors as a parameter set with their own names.
func (s *State) Trained() (*params.Set, error) {
	set := params.NewSet()
	for i, name := range s.Names {
		if err := set.AddFloat32(name, s.Params[i].Shape().Dimensions, tensors.MustCopyFlatData[float32](s.Params[i])); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// Finalize frees the compiled graphs and the state's buffers.
func (s *Stepper) Finalize() {
	s.exec.Finalize()
	s.State.Finalize()
}

// Finalize frees the state's buffers.
func (s *State) Finalize() {
	for i := range s.Params {
		s.Params[i].FinalizeAll()
		s.M[i].FinalizeAll()
		s.V[i].FinalizeAll()
	}
	s.RNG.FinalizeAll()
}
