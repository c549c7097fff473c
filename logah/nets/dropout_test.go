package nets

import (
	"math"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
)

// TestDropoutStatistics checks PyTorch's dropout semantics: zeros with probability rate, the
// kept entries scaled by 1/(1-rate), and the RNG state advanced.
func TestDropoutStatistics(t *testing.T) {
	backend := backend.MustDefault()
	state, err := RNGStateFromSeed(42)
	if err != nil {
		t.Fatal(err)
	}
	const n, rate = 100000, 0.25
	outs, err := ExecOnceN(backend, func(s *Node) []*Node {
		rng := &RNG{State: s}
		x := Ones(s.Graph(), shapes.Make(dtypes.Float32, n))
		return []*Node{dropout(x, rate, rng), rng.State}
	}, state)
	if err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for _, v := range tensors.MustCopyFlatData[float32](outs[0]) {
		switch {
		case v == 0:
			zeros++
		case math.Abs(float64(v)-1/(1-rate)) > 1e-6:
			t.Fatalf("kept value %v, want %v", v, 1/(1-rate))
		}
	}
	if frac := float64(zeros) / n; math.Abs(frac-rate) > 0.01 {
		t.Errorf("dropped fraction %.4f, want %.2f", frac, rate)
	}
	if slices.Equal(tensors.MustCopyFlatData[uint64](outs[1]), tensors.MustCopyFlatData[uint64](state)) {
		t.Errorf("RNG state did not advance")
	}
}

// rngLogits runs forward once with a's parameters (params) as weights and an RNG seeded with
// seed, on input, and returns the logits.
func rngLogits(t *testing.T, a arch.Arch, params map[string]*tensors.Tensor, input *tensors.Tensor,
	seed int64, forward func(w Weights, x *Node, rng *RNG) (*Node, error)) []float64 {
	t.Helper()
	state, err := RNGStateFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	specs := a.Params()
	args := []any{state, input}
	for _, p := range specs {
		args = append(args, params[p.Name])
	}
	out, err := ExecOnce(backend.MustDefault(), func(ins []*Node) *Node {
		w := Weights{}
		for i, p := range specs {
			w[p.Name] = ins[2+i]
		}
		logits, err := forward(w, ins[1], &RNG{State: ins[0]})
		if err != nil {
			panic(err)
		}
		return logits
	}, args...)
	if err != nil {
		t.Fatal(err)
	}
	return flat64(t, out)
}

// TestGPT2Dropout checks that training-mode dropout changes the logits, is reproducible for a
// seed, and that a zero rate is exactly evaluation mode.
func TestGPT2Dropout(t *testing.T) {
	cfg := arch.GPT2{Layers: 2, Width: 16, Heads: 4, Inner: 32, Vocab: 17, Context: 8}
	params := randomParams(cfg, 2)
	tokens := tensors.FromValue(randomTokens(2, 6, cfg.Vocab, 3))
	run := func(seed int64, opts GPT2Options) []float64 {
		return rngLogits(t, cfg, params, tokens, seed, func(w Weights, x *Node, rng *RNG) (*Node, error) {
			opts.RNG = rng
			return GPT2Forward(cfg, w, x, opts)
		})
	}
	eval := run(1, GPT2Options{})
	train := run(1, GPT2TrainOptions(nil))
	again := run(1, GPT2TrainOptions(nil))
	other := run(2, GPT2TrainOptions(nil))
	zero := run(1, GPT2Options{Training: true})
	notTraining := run(1, GPT2Options{EmbdDropout: 0.5, AttnDropout: 0.5, ResidDropout: 0.5})
	if maxAbsDiff(eval, train) < 1e-3 {
		t.Errorf("dropout 0.1 in training did not change the logits")
	}
	if maxAbsDiff(train, again) != 0 {
		t.Errorf("same seed, different logits")
	}
	if maxAbsDiff(train, other) < 1e-3 {
		t.Errorf("different seeds, same logits")
	}
	if maxAbsDiff(eval, zero) != 0 || maxAbsDiff(eval, notTraining) != 0 {
		t.Errorf("zero dropout or eval mode differs from evaluation")
	}
}

// TestViTDropout checks that ViT dropout is active only in training.
func TestViTDropout(t *testing.T) {
	cfg := arch.ViT{ImageSize: 8, Channels: 1, Patch: 4, Depth: 2, Width: 8, Heads: 2, MLPDim: 16, Classes: 5}
	params := randomParams(cfg, 2)
	images := tensorOf(randomImages(cfg, 2, 3), dtypes.Float32, 2, 1, 8, 8)
	run := func(opts ViTOptions) []float64 {
		return rngLogits(t, cfg, params, images, 7, func(w Weights, x *Node, rng *RNG) (*Node, error) {
			opts.RNG = rng
			return ViTForward(cfg, w, x, opts)
		})
	}
	eval := run(ViTOptions{Dropout: 0.3, AttentionDropout: 0.3})
	zero := run(ViTOptions{Training: true})
	train := run(ViTOptions{Training: true, Dropout: 0.3, AttentionDropout: 0.3})
	if maxAbsDiff(eval, zero) != 0 {
		t.Errorf("training without dropout differs from evaluation")
	}
	if maxAbsDiff(eval, train) < 1e-3 {
		t.Errorf("dropout in training did not change the logits")
	}
}
