package ghn

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/nets"
)

// newTiny returns a randomly initialised LoGAH-Tiny.
func newTiny(b *testing.B, v Variant, classes int) *GHN {
	b.Helper()
	cfg := LoGAHTiny(v, classes)
	w, err := Init(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := New(cfg, w, nil)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func benchPredict(b *testing.B, v Variant, classes int, model string) {
	m := newTiny(b, v, classes)
	defer m.Close()
	a, err := arch.Named(model)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Predict(a, PredictOptions{}); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.ReportMetric(float64(arch.NumParams(a))/1e6, "Mparams")
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Predict(a, PredictOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictViTS: LoGAH-Tiny predicting ViT-S (CIFAR-100, 21.4 M parameters) in one
// compiled graph, tensors copied back to the host.
func BenchmarkPredictViTS(b *testing.B) { benchPredict(b, VariantViT, 100, "vit-s") }

// BenchmarkPredictGPT2Small: LoGAH-Tiny predicting untied GPT-2 small (163 M parameters) in
// memory.
func BenchmarkPredictGPT2Small(b *testing.B) { benchPredict(b, VariantGPT, 10, "gpt2-untied") }

// BenchmarkPredictToFileGPT2Small streams untied GPT-2 small (0.65 GB) into a file.
func BenchmarkPredictToFileGPT2Small(b *testing.B) {
	m := newTiny(b, VariantGPT, 10)
	defer m.Close()
	a, _ := arch.Named("gpt2-untied")
	path := filepath.Join(b.TempDir(), "gpt2.safetensors")
	if _, err := m.PredictToFile(a, path, PredictOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.PredictToFile(a, path, PredictOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainStepMetaBatch: one training-style forward and backward pass of LoGAH-Tiny on a
// meta-batch of two small ViTs (ViTs-1K-like depths and widths, CIFAR images, batch 8): predict
// both inside the graph, run each ViT, mean of CE + 3e-5·Σ‖p‖_F, gradients of every GHN weight.
func BenchmarkTrainStepMetaBatch(b *testing.B) {
	cfg := LoGAHTiny(VariantViT, 10).WithDefaults()
	set, err := Init(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	archs := []arch.Arch{
		arch.ViT{ImageSize: 32, Channels: 3, Patch: 4, Depth: 3, Width: 384, Heads: 6, MLPDim: 1536, Classes: 10},
		arch.ViT{ImageSize: 32, Channels: 3, Patch: 4, Depth: 6, Width: 128, Heads: 4, MLPDim: 512, Classes: 10},
	}
	batch, err := NewBatch(cfg, archs...)
	if err != nil {
		b.Fatal(err)
	}
	const images = 8
	exec, err := NewExec(backend.MustDefault(), func(ins []*Node) []*Node {
		g := ins[0].Graph()
		w := weightsOf(cfg, ins[3:])
		preds, err := PredictNodes(cfg, w, batch, NodeOptions{ClassNoise: []*Node{ins[2], ins[2]}})
		if err != nil {
			panic(err)
		}
		var total *Node
		for i, a := range archs {
			logits, err := nets.ViTForward(a.(arch.ViT), preds[i], ins[0], nets.ViTOptions{})
			if err != nil {
				panic(err)
			}
			ce, err := nets.CrossEntropy(logits, ins[1], 0)
			if err != nil {
				panic(err)
			}
			loss := ce
			for _, s := range a.Params() {
				if s.Role != arch.RoleClassToken {
					loss = Add(loss, MulScalar(Sqrt(ReduceAllSum(Square(preds[i][s.Name]))), predWD))
				}
			}
			if total == nil {
				total = loss
			} else {
				total = Add(total, loss)
			}
		}
		total = DivScalar(total, float64(len(archs)))
		_ = g
		return append([]*Node{total}, Gradient(total, ins[3:]...)...)
	})
	if err != nil {
		b.Fatal(err)
	}
	defer exec.Finalize()
	r := rand.New(rand.NewPCG(1, 2))
	img := make([]float32, images*3*32*32)
	for i := range img {
		img[i] = float32(r.NormFloat64())
	}
	args := []any{tensors.FromFlatDataAndDimensions(img, images, 3, 32, 32),
		tensors.FromFlatDataAndDimensions([]int32{0, 1, 2, 3, 4, 5, 6, 7}, images),
		tensors.FromFlatDataAndDimensions(ClassNoise(1, 0, 384)[:384], 384)}
	// Both ViTs read the first D entries of the same noise vector.
	args = append(args, weightArgs(b, cfg, set)...)
	run := func() {
		outs, err := exec.Call(args...)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outs {
			o.MustFinalizeAll()
		}
	}
	run() // compile
	b.ResetTimer()
	for b.Loop() {
		run()
	}
}
