package ghn

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/netgraph"
	"github.com/logah-go/logah/logah/params"
)

// GHN is a hypernetwork with concrete weights, ready to predict parameters on a backend. It
// compiles one graph per (architecture batch, computation) and keeps the most recent ones
// (see [GHN.SetCacheSize]). It is safe for concurrent use; calls are serialised.
type GHN struct {
	cfg     Config
	weights *params.Set
	backend compute.Backend
	origin  Origin // where Open found it

	mu      sync.Mutex
	used    []ParamSpec
	tensors []*tensors.Tensor // float32 copies of the used weights, in table order
	cache   *execCache
}

// New wraps a configuration and its weights (every tensor of [Config.Params], any float dtype;
// see [CheckSet]) for prediction on backend (nil: backend.Default, the pure-Go backend with sequential node
// scheduling). The weights are read, not
// copied, until the first prediction converts them.
func New(cfg Config, weights *params.Set, be compute.Backend) (*GHN, error) {
	if err := CheckSet(cfg, weights); err != nil {
		return nil, err
	}
	if be == nil {
		be = backend.MustDefault()
	}
	return &GHN{cfg: cfg.WithDefaults(), weights: weights, backend: be, used: usedParams(cfg),
		cache: newExecCache(DefaultCacheSize)}, nil
}

// Config returns the configuration.
func (m *GHN) Config() Config { return m.cfg }

// Weights returns the parameter set (shared, not copied).
func (m *GHN) Weights() *params.Set { return m.weights }

// Backend returns the backend the GHN runs on.
func (m *GHN) Backend() compute.Backend { return m.backend }

// SetCacheSize bounds the number of compiled graphs kept (default [DefaultCacheSize]).
func (m *GHN) SetCacheSize(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cache.Resize(n)
}

// Close frees the compiled graphs and the weight buffers.
func (m *GHN) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cache.Clear()
	for _, t := range m.tensors {
		t.MustFinalizeAll()
	}
	m.tensors = nil
}

// weightTensors returns the used weights as float32 tensors (created once); m.mu is held.
func (m *GHN) weightTensors() ([]*tensors.Tensor, error) {
	if m.tensors != nil {
		return m.tensors, nil
	}
	ts := make([]*tensors.Tensor, len(m.used))
	for i, p := range m.used {
		t, err := m.weights.Get(p.Name)
		if err != nil {
			return nil, err
		}
		ts[i] = toTensor(t)
	}
	m.tensors = ts
	return ts, nil
}

// weightsFromInputs maps graph inputs (in table order) to Weights.
func (m *GHN) weightsFromInputs(ins []*Node) Weights {
	w := make(Weights, len(m.used))
	for i, p := range m.used {
		w[p.Name] = ins[i]
	}
	return w
}

// PredictOptions configures [GHN.Predict] and its variants.
type PredictOptions struct {
	// Seed seeds the N(0, 0.02²) noise of the class-token slot of ViT positional embeddings
	// (the reference draws fresh noise at every call; here it is reproducible).
	Seed uint64
	// ClassNoise, when non-nil, gives that noise explicitly, one (D) vector per architecture
	// (entries for GPT-2 architectures are ignored). It overrides Seed.
	ClassNoise [][]float32
	// ConnectLMHead builds untied GPT-2 graphs with ln_f → lm_head (a deviation from the
	// reference's orphan lm_head; see netgraph.Options).
	ConnectLMHead bool
	// Raw skips the normalisation (the reference's "pre_norm" tensors).
	Raw bool
	// DType is the element type of the predicted tensors: "" or params.F32 for float32, or
	// params.BF16 for bfloat16. The prediction is always computed in float32; with BF16 every
	// value is rounded to the nearest bfloat16 (ties to even, as torch's .to(torch.bfloat16))
	// at the end — by [GHN.PredictToFile] while it writes, so a bfloat16 file takes half the
	// disk and the same memory. Other dtypes are refused.
	DType params.DType
}

// ClassNoise draws the class-token noise of a ViT positional embedding: d values from
// N(0, 0.02²), deterministic in (seed, index).
func ClassNoise(seed uint64, index, d int) []float32 {
	r := rand.New(rand.NewPCG(seed, uint64(index)+0x9e3779b97f4a7c15))
	v := make([]float32, d)
	for i := range v {
		v[i] = float32(r.NormFloat64() * ClassNoiseStd)
	}
	return v
}

// noiseFor returns the class-token noise vectors of a batch (nil for GPT-2 archs).
func (o PredictOptions) noiseFor(archs []arch.Arch) ([][]float32, error) {
	out := make([][]float32, len(archs))
	for i, a := range archs {
		v, ok := a.(arch.ViT)
		if !ok {
			continue
		}
		if o.ClassNoise != nil {
			if i >= len(o.ClassNoise) || len(o.ClassNoise[i]) != v.Width {
				return nil, fmt.Errorf("%s: PredictOptions.ClassNoise[%d] must have %d values", a, i, v.Width)
			}
			out[i] = o.ClassNoise[i]
			continue
		}
		out[i] = ClassNoise(o.Seed, i, v.Width)
	}
	return out, nil
}

// batchKey names a batch of architectures and graph options for the executor cache.
func batchKey(archs []arch.Arch, connect bool) (string, error) {
	parts := make([]json.RawMessage, len(archs))
	for i, a := range archs {
		j, err := arch.MarshalJSON(a)
		if err != nil {
			return "", err
		}
		parts[i] = j
	}
	k, err := json.Marshal(struct {
		Archs   []json.RawMessage
		Connect bool
	}{parts, connect})
	return string(k), err
}

// newBatch prepares archs for this GHN.
func (m *GHN) newBatch(archs []arch.Arch, o PredictOptions) (*Batch, string, error) {
	if len(archs) == 0 {
		return nil, "", fmt.Errorf("ghn: no architecture to predict")
	}
	key, err := batchKey(archs, o.ConnectLMHead)
	if err != nil {
		return nil, "", err
	}
	b, err := NewBatchWithOptions(m.cfg, netgraph.Options{ConnectLMHead: o.ConnectLMHead}, archs...)
	return b, key, err
}

// Predict predicts all parameters of one architecture: every tensor of a.Params(), in that
// order, named as torchvision / Hugging Face name them (LayerNorm biases come from their LN
// nodes; a ViT's class_token is zeros, as torchvision initialises it — it is not predicted).
func (m *GHN) Predict(a arch.Arch, opts PredictOptions) (*params.Set, error) {
	sets, err := m.PredictBatch([]arch.Arch{a}, opts)
	if err != nil {
		return nil, err
	}
	return sets[0], nil
}

// PredictBatch predicts several architectures with one encoder pass over their padded graphs
// and batched decoder calls; the result for each architecture equals predicting it alone.
func (m *GHN) PredictBatch(archs []arch.Arch, opts PredictOptions) ([]*params.Set, error) {
	dt, err := opts.dtype()
	if err != nil {
		return nil, err
	}
	b, bkey, err := m.newBatch(archs, opts)
	if err != nil {
		return nil, err
	}
	noise, err := opts.noiseFor(archs)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	wts, err := m.weightTensors()
	if err != nil {
		return nil, err
	}
	var vits []int // architectures fed a noise input, in order
	for i := range archs {
		if noise[i] != nil {
			vits = append(vits, i)
		}
	}
	mode := "predict"
	if opts.Raw {
		mode = "predict-raw"
	}
	exec, release, err := m.acquireExec(mode+bkey, func() (*Exec, error) {
		return NewExec(m.backend, func(ins []*Node) []*Node {
			nz := make([]*Node, len(archs))
			for j, i := range vits {
				nz[i] = ins[j]
			}
			w := m.weightsFromInputs(ins[len(vits):])
			out, err := predictAll(m.cfg, w, b, b.ConstInputs(ins[0].Graph()), nz, opts.Raw, nil)
			if err != nil {
				panic(err)
			}
			var flat []*Node
			for ai := range archs {
				for _, ti := range b.plan.perArch[ai] {
					flat = append(flat, out[ai][b.plan.targets[ti].name])
				}
			}
			return flat
		})
	})
	if err != nil {
		return nil, err
	}
	defer release()
	args := make([]any, 0, len(vits)+len(wts))
	for _, i := range vits {
		args = append(args, tensors.FromFlatDataAndDimensions(noise[i], len(noise[i])))
	}
	for _, t := range wts {
		args = append(args, t)
	}
	var outs []*tensors.Tensor
	if err := catch("ghn predict", func() { outs, err = exec.Call(args...) }); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("ghn predict: %w", err)
	}
	for _, a := range args[:len(vits)] {
		a.(*tensors.Tensor).MustFinalizeAll()
	}
	sets := make([]*params.Set, len(archs))
	k := 0
	for ai, a := range archs {
		byName := map[string]*params.Tensor{}
		for _, ti := range b.plan.perArch[ai] {
			name := b.plan.targets[ti].name
			t, err := fromTensor(name, outs[k])
			if err != nil {
				return nil, err
			}
			if dt != params.F32 {
				if t, err = t.Convert(dt); err != nil {
					return nil, err
				}
			}
			byName[name] = t
			k++
		}
		set := params.NewSet()
		for _, s := range a.Params() {
			t := byName[s.Name]
			if s.Role == arch.RoleClassToken {
				t, _ = params.NewTensor(s.Name, dt, s.Shape)
			}
			if err := set.Add(t); err != nil {
				return nil, err
			}
		}
		sets[ai] = set
	}
	return sets, nil
}

// Embeddings returns the node embeddings of each architecture's graph: (N_b, h) row-major,
// node order as in netgraph.Build.
func (m *GHN) Embeddings(archs []arch.Arch, opts PredictOptions) ([][]float32, error) {
	b, bkey, err := m.newBatch(archs, opts)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	flat, err := m.embeddings(b, bkey)
	if err != nil {
		return nil, err
	}
	h := m.cfg.Hid
	out := make([][]float32, len(archs))
	for i, g := range b.Graphs.Graphs {
		out[i] = flat[i*b.NMax*h : (i*b.NMax+g.N())*h]
	}
	return out, nil
}

// embeddings runs the encoder of a batch; m.mu is held. The result is (B·NMax, h).
func (m *GHN) embeddings(b *Batch, bkey string) ([]float32, error) {
	wts, err := m.weightTensors()
	if err != nil {
		return nil, err
	}
	exec, release, err := m.acquireExec("embed"+bkey, func() (*Exec, error) {
		return NewExec(m.backend, func(ins []*Node) *Node {
			return encode(m.cfg, m.weightsFromInputs(ins), b.ConstInputs(ins[0].Graph()), nil)
		})
	})
	if err != nil {
		return nil, err
	}
	defer release()
	args := make([]any, len(wts))
	for i, t := range wts {
		args[i] = t
	}
	var out *tensors.Tensor
	if err := catch("ghn encoder", func() { out, err = exec.Call1(args...) }); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("ghn encoder: %w", err)
	}
	defer out.MustFinalizeAll()
	return tensors.CopyFlatData[float32](out)
}
