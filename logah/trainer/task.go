package trainer

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/datasets/text"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/nets"
	"github.com/logah-go/logah/logah/params"
)

// Task is the data side of training a target network: training batches addressed by
// (epoch, step) so a resumed run sees the same data, and an evaluation.
type Task interface {
	// StepsPerEpoch is the number of training batches in one epoch.
	StepsPerEpoch() int
	// TrainBatch returns the graph inputs of batch step of epoch e.
	TrainBatch(e, step int) []*tensors.Tensor
	// Loss builds the training loss of arch a on weights w and a batch (see [LossFunc]);
	// metrics are extra scalars summed over the batch.
	Loss(a arch.Arch, w nets.Weights, batch []*Node, rng *Node) (loss *Node, metrics []*Node, rngOut *Node)
	// MetricNames names the extra training metrics of Loss.
	MetricNames() []string
	// Evaluate computes evaluation metrics of a on the given parameter tensors.
	Evaluate(backend compute.Backend, a arch.Arch, weights map[string]*tensors.Tensor) (map[string]float64, error)
}

// EvalBatchImages is the default evaluation batch of an [ImageTask]: large, since evaluation
// keeps no activations for a backward pass.
const EvalBatchImages = 500

// evalGraphsKept bounds the compiled evaluation graphs a task keeps (one per architecture and
// batch shape: hypernetwork training evaluates a few held-out architectures).
const evalGraphsKept = 8

// ImageTaskOptions are the optional settings of an [ImageTask].
type ImageTaskOptions struct {
	LabelSmoothing float64
	// Augment is applied to training batches (e.g. datasets.CIFARAugment).
	Augment datasets.Augment
	// MaxEvalExamples caps the evaluation set (0: all).
	MaxEvalExamples int
	// EvalBatchSize is the evaluation batch (0: [EvalBatchImages]).
	EvalBatchSize int
}

// ImageTask classifies images (ViT).
type ImageTask struct {
	Train, Test *datasets.Images
	BatchSize   int
	Seed        uint64
	ImageTaskOptions

	batcher *datasets.Batcher
	evals   *nets.ExecCache
}

// NewImageTask prepares batching of train (shuffled with seed, normalised, optionally
// augmented; the last partial batch is dropped).
func NewImageTask(train, test *datasets.Images, batchSize int, seed uint64, opts ...ImageTaskOptions) (*ImageTask, error) {
	if batchSize <= 0 {
		return nil, fmt.Errorf("batch size must be positive, got %d", batchSize)
	}
	t := &ImageTask{Train: train, Test: test, BatchSize: batchSize, Seed: seed, evals: nets.NewExecCache(evalGraphsKept)}
	if len(opts) > 0 {
		t.ImageTaskOptions = opts[0]
	}
	if t.EvalBatchSize <= 0 {
		t.EvalBatchSize = EvalBatchImages
	}
	b, err := datasets.NewBatcher(t.Train, datasets.BatchOptions{BatchSize: t.BatchSize, Shuffle: true, Seed: t.Seed,
		DropLast: true, Normalize: true, Augment: t.Augment})
	if err != nil {
		return nil, err
	}
	t.batcher = b
	return t, nil
}

// StepsPerEpoch implements [Task].
func (t *ImageTask) StepsPerEpoch() int { return t.batcher.Len() }

// TrainBatch implements [Task]: images (B,C,H,W) float32 and labels (B) int32.
func (t *ImageTask) TrainBatch(e, step int) []*tensors.Tensor {
	b := t.batcher.Batch(e, step)
	return []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(append([]float32(nil), b.Pixels[:b.Size*b.C*b.H*b.W]...), b.Size, b.C, b.H, b.W),
		tensors.FromFlatDataAndDimensions(append([]int32(nil), b.Labels[:b.Size]...), b.Size),
	}
}

// MetricNames implements [Task].
func (t *ImageTask) MetricNames() []string { return []string{"correct"} }

// Loss implements [Task]: cross entropy (with label smoothing) and the number of correct
// top-1 predictions.
func (t *ImageTask) Loss(a arch.Arch, w nets.Weights, batch []*Node, rng *Node) (*Node, []*Node, *Node) {
	v, ok := a.(arch.ViT)
	if !ok {
		panic(fmt.Errorf("image task needs a ViT, got %s", a))
	}
	logits, err := nets.ViTForward(v, w, batch[0], nets.ViTOptions{})
	if err != nil {
		panic(err)
	}
	loss, err := nets.CrossEntropy(logits, batch[1], t.LabelSmoothing)
	if err != nil {
		panic(err)
	}
	return loss, []*Node{correctCount(logits, batch[1])}, rng
}

func correctCount(logits, labels *Node) *Node {
	pred := ArgMax(logits, -1, labels.DType())
	return ReduceAllSum(ConvertDType(Equal(pred, labels), dtypes.Float32))
}

// Evaluate implements [Task]: test loss and top-1 accuracy.
func (t *ImageTask) Evaluate(backend compute.Backend, a arch.Arch, weights map[string]*tensors.Tensor) (map[string]float64, error) {
	v, ok := a.(arch.ViT)
	if !ok {
		return nil, fmt.Errorf("image task needs a ViT, got %s", a)
	}
	specs := a.Params()
	build := func() (*Exec, error) {
		return NewExec(backend, func(in []*Node) []*Node {
			w := nets.Weights{}
			for i, p := range specs {
				w[p.Name] = in[i]
			}
			images, labels := in[len(specs)], in[len(specs)+1]
			logits, err := nets.ViTForward(v, w, images, nets.ViTOptions{})
			if err != nil {
				panic(err)
			}
			loss, err := nets.CrossEntropy(logits, labels, 0)
			if err != nil {
				panic(err)
			}
			n := float64(images.Shape().Dimensions[0])
			return []*Node{MulScalar(loss, n), correctCount(logits, labels)}
		})
	}
	n := t.Test.N
	if t.MaxEvalExamples > 0 {
		n = min(n, t.MaxEvalExamples)
	}
	test, err := t.Test.Range(0, n)
	if err != nil {
		return nil, err
	}
	eb, err := datasets.NewBatcher(test, datasets.BatchOptions{BatchSize: t.EvalBatchSize, Normalize: true})
	if err != nil {
		return nil, err
	}
	in := make([]any, 0, len(specs)+2)
	for _, p := range specs {
		in = append(in, weights[p.Name])
	}
	var lossSum, correct float64
	for b := range eb.Epoch(0) {
		x := tensors.FromFlatDataAndDimensions(append([]float32(nil), b.Pixels[:b.Size*b.C*b.H*b.W]...), b.Size, b.C, b.H, b.W)
		y := tensors.FromFlatDataAndDimensions(append([]int32(nil), b.Labels[:b.Size]...), b.Size)
		var out []*tensors.Tensor
		err := t.evals.Do(nets.NewExecKey(a, "eval"), build, func(e *Exec) (err error) {
			out, err = e.Call(append(in[:len(specs):len(specs)], x, y)...)
			return err
		})
		if err != nil {
			return nil, err
		}
		lossSum += scalar(out[0])
		correct += scalar(out[1])
		for _, o := range append(out, x, y) {
			o.FinalizeAll()
		}
	}
	return map[string]float64{"loss": lossSum / float64(n), "accuracy": correct / float64(n)}, nil
}

// TextTask trains causal language models (GPT-2 or Llama).
type TextTask struct {
	Train, Valid *text.LMBatcher
	// Dropout is Hugging Face's resid/embd/attn dropout during training (0.1 by default).
	Dropout float64
	// MaxEvalBatches caps the validation batches (0: the whole validation stream).
	MaxEvalBatches int

	evals *nets.ExecCache
}

// StepsPerEpoch implements [Task].
func (t *TextTask) StepsPerEpoch() int { return t.Train.BatchesPerEpoch() }

// TrainBatch implements [Task]: tokens (B, T) int32.
func (t *TextTask) TrainBatch(e, step int) []*tensors.Tensor {
	b := t.Train.Batch(e, step)
	return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(b.Inputs, b.Size, b.T)}
}

// MetricNames implements [Task].
func (t *TextTask) MetricNames() []string { return nil }

// Loss implements [Task]: Hugging Face's causal LM loss (GPT-2 with its dropout, Llama without).
func (t *TextTask) Loss(a arch.Arch, w nets.Weights, batch []*Node, rng *Node) (*Node, []*Node, *Node) {
	r := &nets.RNG{State: rng}
	opts := nets.GPT2Options{Training: t.Dropout > 0, EmbdDropout: t.Dropout, AttnDropout: t.Dropout, ResidDropout: t.Dropout, RNG: r}
	loss, err := lmLoss(a, w, batch[0], opts)
	if err != nil {
		panic(err)
	}
	return loss, nil, r.State
}

// lmLoss is the causal LM loss of a GPT-2 (with the dropout of gpt2) or a Llama (which has none).
func lmLoss(a arch.Arch, w nets.Weights, tokens *Node, gpt2 nets.GPT2Options) (*Node, error) {
	switch m := a.(type) {
	case arch.GPT2:
		return nets.GPT2Loss(m, w, tokens, gpt2)
	case arch.Llama:
		return nets.LlamaLoss(m, w, tokens, nets.LlamaOptions{})
	}
	return nil, fmt.Errorf("text task needs a language model (GPT-2 or Llama), got %s", a)
}

// Evaluate implements [Task]: validation loss (mean over tokens) and perplexity exp(loss).
func (t *TextTask) Evaluate(backend compute.Backend, a arch.Arch, weights map[string]*tensors.Tensor) (map[string]float64, error) {
	if _, ok := a.(arch.LM); !ok {
		return nil, fmt.Errorf("text task needs a language model (GPT-2 or Llama), got %s", a)
	}
	specs := a.Params()
	if t.evals == nil {
		t.evals = nets.NewExecCache(evalGraphsKept)
	}
	build := func() (*Exec, error) {
		return NewExec(backend, func(in []*Node) *Node {
			w := nets.Weights{}
			for i, p := range specs {
				w[p.Name] = in[i]
			}
			loss, err := lmLoss(a, w, in[len(specs)], nets.GPT2Options{})
			if err != nil {
				panic(err)
			}
			return loss
		})
	}
	in := make([]any, 0, len(specs)+1)
	for _, p := range specs {
		in = append(in, weights[p.Name])
	}
	var sum float64
	n := 0
	for b := range t.Valid.Sequential(true) {
		if t.MaxEvalBatches > 0 && n >= t.MaxEvalBatches {
			break
		}
		x := tensors.FromFlatDataAndDimensions(b.Inputs, b.Size, b.T)
		var out []*tensors.Tensor
		err := t.evals.Do(nets.NewExecKey(a, "eval"), build, func(e *Exec) (err error) {
			out, err = e.Call(append(in[:len(specs):len(specs)], x)...)
			return err
		})
		if err != nil {
			return nil, err
		}
		sum += scalar(out[0])
		out[0].FinalizeAll()
		x.FinalizeAll()
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("validation text holds no full batch: use a smaller batch or context")
	}
	loss := sum / float64(n)
	return map[string]float64{"loss": loss, "perplexity": math.Exp(loss)}, nil
}

// EvalWeights gives the parameters of a in set as the named tensors [Task.Evaluate] takes.
func EvalWeights(a arch.Arch, set *params.Set) (map[string]*tensors.Tensor, error) {
	w := map[string]*tensors.Tensor{}
	for _, p := range a.Params() {
		t, err := set.Get(p.Name)
		if err != nil {
			return nil, err
		}
		w[p.Name] = tensors.FromFlatDataAndDimensions(t.Float32s(), p.Shape...)
	}
	return w, nil
}
