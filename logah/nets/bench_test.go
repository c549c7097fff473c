package nets

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
)

// Benchmark configurations (see the package report for numbers):
//
//	GOEXPERIMENT=simd go test ./logah/nets -run '^$' -bench . -benchtime 10x
//
// LOGAH_BENCH_BACKEND passes a configuration to the Go backend (gobackend.New), e.g.
// "parallelism=1" to measure single-threaded work on a shared machine.
var (
	benchViT  = arch.ViT{ImageSize: 28, Channels: 1, Patch: 4, Depth: 4, Width: 64, Heads: 4, MLPDim: 256, Classes: 10}
	benchGPT2 = arch.GPT2{Layers: 4, Width: 64, Heads: 4, Inner: 256, Vocab: arch.GPT2Vocab, Context: 128}
	// benchLlama is llama-mini with Llama 2's vocabulary: the size of benchGPT2, with grouped-query
	// attention (4 query, 2 key/value heads).
	benchLlama = arch.Llama{Layers: 4, Width: 64, Heads: 4, KVHeads: 2, Inner: 176, Vocab: arch.Llama2Vocab, Context: 128,
		NormEps: 1e-5, RopeTheta: 10000}
)

const (
	benchViTBatch   = 64
	benchGPT2Batch  = 8
	benchLlamaBatch = 8
)

// BenchmarkViTTrainStep times a training-style step of a Fashion-MNIST-sized ViT (depth 4,
// width 64, 28×28×1, patch 4, batch 64): forward, cross entropy and the gradient with respect
// to every weight.
func BenchmarkViTTrainStep(b *testing.B) {
	images, labels := vitBenchInputs()
	benchStep(b, benchViT, images, labels, benchViTBatch, "images/s")
}

// BenchmarkViTForward times the evaluation forward pass (logits) of the same ViT.
func BenchmarkViTForward(b *testing.B) {
	images, _ := vitBenchInputs()
	benchLogits(b, benchViT, images, benchViTBatch, "images/s")
}

// BenchmarkGPT2TrainStep times a training-style step of a mini GPT-2 (4 layers, width 64,
// 4 heads, context 128, batch 8, GPT-2 BPE vocabulary of 50257, untied lm_head): forward, causal
// LM loss and the gradient with respect to every weight.
func BenchmarkGPT2TrainStep(b *testing.B) {
	tokens := tensors.FromValue(randomTokens(benchGPT2Batch, benchGPT2.Context, benchGPT2.Vocab, 1))
	benchStep(b, benchGPT2, tokens, nil, benchGPT2Batch*benchGPT2.Context, "tokens/s")
}

// BenchmarkGPT2Forward times the evaluation forward pass (logits) of the same GPT-2.
func BenchmarkGPT2Forward(b *testing.B) {
	tokens := tensors.FromValue(randomTokens(benchGPT2Batch, benchGPT2.Context, benchGPT2.Vocab, 1))
	benchLogits(b, benchGPT2, tokens, benchGPT2Batch*benchGPT2.Context, "tokens/s")
}

// BenchmarkLlamaTrainStep times a training-style step of a mini Llama (4 layers, width 64,
// 4 query and 2 key/value heads, MLP 176, context 128, batch 8, Llama 2's vocabulary of 32000,
// untied lm_head): forward, causal LM loss and the gradient with respect to every weight.
func BenchmarkLlamaTrainStep(b *testing.B) {
	tokens := tensors.FromValue(randomTokens(benchLlamaBatch, benchLlama.Context, benchLlama.Vocab, 1))
	benchStep(b, benchLlama, tokens, nil, benchLlamaBatch*benchLlama.Context, "tokens/s")
}

// BenchmarkLlamaForward times the evaluation forward pass (logits) of the same Llama.
func BenchmarkLlamaForward(b *testing.B) {
	tokens := tensors.FromValue(randomTokens(benchLlamaBatch, benchLlama.Context, benchLlama.Vocab, 1))
	benchLogits(b, benchLlama, tokens, benchLlamaBatch*benchLlama.Context, "tokens/s")
}

func vitBenchInputs() (*tensors.Tensor, *tensors.Tensor) {
	images := tensorOf(randomImages(benchViT, benchViTBatch, 1), dtypes.Float32,
		benchViTBatch, benchViT.Channels, benchViT.ImageSize, benchViT.ImageSize)
	labels := make([]int32, benchViTBatch)
	for i := range labels {
		labels[i] = int32(i % benchViT.Classes)
	}
	return images, tensors.FromValue(labels)
}

// benchBackend returns the Go backend, configured from LOGAH_BENCH_BACKEND.
func benchBackend(b *testing.B) compute.Backend {
	cfg := os.Getenv("LOGAH_BENCH_BACKEND")
	if cfg == "" {
		return backend.MustDefault()
	}
	backend, err := gobackend.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return backend
}

func benchStep(b *testing.B, a arch.Arch, inputs, labels *tensors.Tensor, items int, unit string) {
	backend := benchBackend(b)
	cache := NewExecCache(2)
	defer cache.Clear()
	params := randomParams(a, 1)
	step := func() {
		_, grads, err := LossAndGradients(backend, cache, a, params, inputs, labels)
		if err != nil {
			b.Fatal(err)
		}
		for _, g := range grads {
			g.FinalizeAll()
		}
	}
	step() // compile outside the timer
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		step()
	}
	reportRate(b, items, unit, cpuTime()-cpu0)
}

func benchLogits(b *testing.B, a arch.Arch, inputs *tensors.Tensor, items int, unit string) {
	backend := benchBackend(b)
	cache := NewExecCache(2)
	defer cache.Clear()
	params := randomParams(a, 1)
	run := func() {
		l, err := Logits(backend, cache, a, params, inputs)
		if err != nil {
			b.Fatal(err)
		}
		l.FinalizeAll()
	}
	run()
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		run()
	}
	reportRate(b, items, unit, cpuTime()-cpu0)
}

// reportRate reports wall milliseconds per step, the throughput, and the process CPU time per
// step (user + system, all threads): on a shared machine the CPU time is the steadier number.
func reportRate(b *testing.B, items int, unit string, cpu time.Duration) {
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perOp*1e3, "ms/step")
	b.ReportMetric(float64(items)/perOp, unit)
	b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/step")
}

// cpuTime is the CPU time used by the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
