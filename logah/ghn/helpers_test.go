package ghn

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/netgraph"
	"github.com/logah-go/logah/logah/params"
)

// Tolerances of the fixture README for a float32 port.
const (
	atol = 1e-5
)

// fixtureArchs are the target models of graphs.json (used by the parity tests) and of
// graphs_llama.json.
var fixtureArchs = map[string]arch.Arch{
	"vit_d1":         arch.ViT{ImageSize: 32, Channels: 3, Patch: 2, Depth: 1, Width: 64, Heads: 4, MLPDim: 256, Classes: 10},
	"vit_d2":         arch.ViT{ImageSize: 32, Channels: 3, Patch: 2, Depth: 2, Width: 64, Heads: 4, MLPDim: 256, Classes: 10},
	"vit_d3_D96":     arch.ViT{ImageSize: 28, Channels: 1, Patch: 4, Depth: 3, Width: 96, Heads: 3, MLPDim: 384, Classes: 10},
	"gpt2_b1_untied": arch.GPT2{Layers: 1, Width: 64, Heads: 8, Inner: 256, Vocab: 50257, Context: 1024},
	"gpt2_b2_untied": arch.GPT2{Layers: 2, Width: 64, Heads: 8, Inner: 256, Vocab: 50257, Context: 1024},
	"gpt2_b1_tied":   arch.GPT2{Layers: 1, Width: 64, Heads: 8, Inner: 256, Vocab: 50257, Context: 1024, Tied: true},
	// graphs_llama.json (TestLlamaDecoderKeysMatchReference checks these against its configs).
	"llama_b1_tied": arch.Llama{Layers: 1, Width: 64, Heads: 4, KVHeads: 4, Inner: 172, Vocab: 32000, Context: 4096,
		NormEps: 1e-5, RopeTheta: 10000, Tied: true},
	"llama_b2_gqa_untied": arch.Llama{Layers: 2, Width: 64, Heads: 8, KVHeads: 2, Inner: 256, Vocab: 128256, Context: 131072,
		NormEps: 1e-5, RopeTheta: 500000, RopeScaling: arch.Llama3RopeScaling(8)},
	"llama_b2_tied": arch.Llama{Layers: 2, Width: 96, Heads: 6, KVHeads: 3, Inner: 256, Vocab: 32000, Context: 4096,
		NormEps: 1e-5, RopeTheta: 10000, Tied: true},
}

// loadFixtureGHN reads ghn_vit_tiny / ghn_gpt_tiny.
func loadFixtureGHN(t testing.TB, v Variant) (Config, *params.Set) {
	t.Helper()
	name := "ghn_vit_tiny.safetensors"
	if v == VariantGPT {
		name = "ghn_gpt_tiny.safetensors"
	}
	set, _, err := params.Load(fixtures.Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	cfg := fixtureConfig(v)
	if err := CheckSet(cfg, set); err != nil {
		t.Fatal(err)
	}
	return cfg, set
}

// newGHN returns New(cfg, set, nil), closed when the test ends.
func newGHN(t testing.TB, cfg Config, set *params.Set) *GHN {
	t.Helper()
	m, err := New(cfg, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// newBatch returns NewBatch(cfg, archs...) or fails the test.
func newBatch(t testing.TB, cfg Config, archs ...arch.Arch) *Batch {
	t.Helper()
	b, err := NewBatch(cfg, archs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureFile loads a fixture safetensors file and its metadata.
func fixtureFile(t testing.TB, name string) (*params.Set, map[string]string) {
	t.Helper()
	set, meta, err := params.Load(fixtures.Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return set, meta
}

// get returns a tensor's float32 values and shape or fails.
func get(t testing.TB, set *params.Set, name string) ([]float32, []int) {
	t.Helper()
	x, err := set.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return x.Float32s(), x.Shape()
}

// diff is the largest |got - want| and an error for shape mismatches.
func diff(got []float32, gotShape []int, want []float32, wantShape []int) (float64, error) {
	if !slices.Equal(gotShape, wantShape) {
		return 0, fmt.Errorf("shape %v, want %v", gotShape, wantShape)
	}
	if len(got) != len(want) {
		return 0, fmt.Errorf("length %d, want %d", len(got), len(want))
	}
	m := 0.0
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(d) {
			return math.Inf(1), nil
		}
		m = max(m, d)
	}
	return m, nil
}

// tensorData copies a GoMLX tensor's values and frees it.
func tensorData(t testing.TB, x *tensors.Tensor) ([]float32, []int) {
	t.Helper()
	v, err := tensors.CopyFlatData[float32](x)
	if err != nil {
		t.Fatal(err)
	}
	dims := slices.Clone(x.Shape().Dimensions)
	x.MustFinalizeAll()
	return v, dims
}

// weightArgs lists the used weights of a set as tensors, in table order.
func weightArgs(t testing.TB, cfg Config, set *params.Set) []any {
	t.Helper()
	var args []any
	for _, p := range usedParams(cfg) {
		x, err := set.Get(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, toTensor(x))
	}
	return args
}

func weightsOf(cfg Config, ins []*Node) Weights {
	w := Weights{}
	for i, p := range usedParams(cfg) {
		w[p.Name] = ins[i]
	}
	return w
}

// traceResult holds host copies of the encoder/decoder intermediates of one batch.
type traceResult struct {
	x0, ln1, edgeBias, emb []float32
	layers                 [][]float32
	decoded                [][]float32
	decodedShape           [][]int
}

// runTrace evaluates the encoder and decoder intermediates of a batch.
func runTrace(t testing.TB, cfg Config, set *params.Set, b *Batch) traceResult {
	t.Helper()
	cfg = cfg.WithDefaults()
	exec, err := NewExec(backend.MustDefault(), func(ins []*Node) []*Node {
		w := weightsOf(cfg, ins)
		tr := &predTrace{}
		if _, err := predictAll(cfg, w, b, b.ConstInputs(ins[0].Graph()), nil, true, tr); err != nil {
			panic(err)
		}
		out := []*Node{tr.enc.x0, tr.enc.ln1, tr.enc.edgeBias, tr.emb}
		out = append(out, tr.enc.layers...)
		return append(out, tr.decoded...)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	outs, err := exec.Call(weightArgs(t, cfg, set)...)
	if err != nil {
		t.Fatal(err)
	}
	var r traceResult
	r.x0, _ = tensorData(t, outs[0])
	r.ln1, _ = tensorData(t, outs[1])
	r.edgeBias, _ = tensorData(t, outs[2])
	r.emb, _ = tensorData(t, outs[3])
	for i := range cfg.Layers {
		v, _ := tensorData(t, outs[4+i])
		r.layers = append(r.layers, v)
	}
	for _, o := range outs[4+cfg.Layers:] {
		v, s := tensorData(t, o)
		r.decoded = append(r.decoded, v)
		r.decodedShape = append(r.decodedShape, s)
	}
	return r
}

// rows returns rows [lo, hi) of a row-major (·, width) slice.
func rows(x []float32, width, lo, hi int) []float32 { return x[lo*width : hi*width] }

// jsonMeta decodes a JSON-encoded metadata entry.
func jsonMeta(t testing.TB, meta map[string]string, key string, v any) {
	t.Helper()
	s, ok := meta[key]
	if !ok {
		t.Fatalf("metadata %q missing", key)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("metadata %q: %v", key, err)
	}
}

type nodeT = netgraph.Node

// mustGraph builds the graph of a the way a Batch for cfg does.
func mustGraph(t testing.TB, cfg Config, a arch.Arch) *netgraph.Graph {
	t.Helper()
	g, err := netgraph.Build(a, netgraph.Options{VirtualEdgeCutoff: cfg.WithDefaults().Cutoff})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// hostLinear64 applies the Linear prefix.{weight,bias} of a set to x in float64.
func hostLinear64(t testing.TB, set *params.Set, prefix string, x []float64) []float64 {
	t.Helper()
	w, ws := get(t, set, prefix+".weight")
	b, _ := get(t, set, prefix+".bias")
	out := make([]float64, ws[0])
	for o := range out {
		s := float64(b[o])
		for i, v := range x {
			s += float64(w[o*ws[1]+i]) * v
		}
		out[o] = s
	}
	return out
}

// hostLinear is hostLinear64 on float32 input.
func hostLinear(t testing.TB, set *params.Set, prefix string, x []float32) []float64 {
	t.Helper()
	x64 := make([]float64, len(x))
	for i, v := range x {
		x64[i] = float64(v)
	}
	return hostLinear64(t, set, prefix, x64)
}

func relu64(x []float64) []float64 {
	for i, v := range x {
		x[i] = math.Max(0, v)
	}
	return x
}

// fixtureConfig is the configuration of the reference fixtures (ghn_vit_tiny / ghn_gpt_tiny):
// h = 32, 2 layers, 4 heads, r = 8, K = 4096, d_max = 256, 10 classes, with the unused
// decoder.l1 (185,000 parameters for ViT, 185,120 for GPT).
func fixtureConfig(v Variant) Config {
	return Config{Variant: v, Hid: 32, Layers: 2, Heads: 4, Rank: 8, MaxCK: 4096, MaxShape: 256,
		SpatialMax: DefaultSpatialMax, NumClasses: 10, FinalLN: true, Decoder: DecoderLoGAH, KeepL1: true}
}
