package nets

import (
	"fmt"
	"runtime"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/internal/customvjp"
)

// CrossEntropy is PyTorch's F.cross_entropy(logits, labels, label_smoothing=ε) with the default
// mean reduction: logits (B, C) of a float dtype, labels (B) of an integer dtype in [0, C).
// With smoothing ε the target is (1-ε)·onehot + ε/C, i.e. the loss of a row is
// (1-ε)·(-log p_label) + ε·mean_c(-log p_c). It returns a scalar of the logits' dtype.
func CrossEntropy(logits, labels *Node, labelSmoothing float64) (loss *Node, err error) {
	if logits == nil || labels == nil {
		return nil, fmt.Errorf("cross entropy: nil logits or labels")
	}
	ld, yd := logits.Shape().Dimensions, labels.Shape().Dimensions
	switch {
	case len(ld) != 2:
		return nil, fmt.Errorf("cross entropy: logits have shape %v, want (batch, classes)", ld)
	case len(yd) != 1 || yd[0] != ld[0]:
		return nil, fmt.Errorf("cross entropy: labels have shape %v, want (%d)", yd, ld[0])
	case !logits.DType().IsFloat():
		return nil, fmt.Errorf("cross entropy: logits have dtype %s, want a float dtype", logits.DType())
	case !labels.DType().IsInt():
		return nil, fmt.Errorf("cross entropy: labels have dtype %s, want an integer dtype", labels.DType())
	case labelSmoothing < 0 || labelSmoothing > 1:
		return nil, fmt.Errorf("cross entropy: label smoothing %g outside [0, 1]", labelSmoothing)
	case logits.Graph() != labels.Graph():
		return nil, fmt.Errorf("cross entropy: logits and labels belong to different graphs")
	}
	err = catch("cross entropy", func() {
		logp := LogSoftmax(logits, -1)
		nll := Neg(pickLast(logp, labels))
		if labelSmoothing > 0 {
			smooth := Neg(ReduceMean(logp, -1))
			nll = Add(MulScalar(nll, 1-labelSmoothing), MulScalar(smooth, labelSmoothing))
		}
		loss = ReduceAllMean(nll)
	})
	return loss, err
}

// CausalLMLoss is Hugging Face's language-modelling loss: the logits (B, T, V) at position t
// predict tokens[:, t+1]; the result is the mean cross entropy over the B·(T-1) predictions.
// tokens is (B, T) of an integer dtype. See [GPT2Loss] for a version that skips the unused
// logits of the last position.
func CausalLMLoss(logits, tokens *Node) (loss *Node, err error) {
	if logits == nil || tokens == nil {
		return nil, fmt.Errorf("causal LM loss: nil logits or tokens")
	}
	ld, td := logits.Shape().Dimensions, tokens.Shape().Dimensions
	switch {
	case len(ld) != 3:
		return nil, fmt.Errorf("causal LM loss: logits have shape %v, want (batch, seq_len, vocab)", ld)
	case len(td) != 2 || td[0] != ld[0] || td[1] != ld[1]:
		return nil, fmt.Errorf("causal LM loss: tokens have shape %v, want (%d, %d)", td, ld[0], ld[1])
	case ld[1] < 2:
		return nil, fmt.Errorf("causal LM loss: needs at least 2 positions, got %d", ld[1])
	case !logits.DType().IsFloat():
		return nil, fmt.Errorf("causal LM loss: logits have dtype %s, want a float dtype", logits.DType())
	case !tokens.DType().IsInt():
		return nil, fmt.Errorf("causal LM loss: tokens have dtype %s, want an integer dtype", tokens.DType())
	case logits.Graph() != tokens.Graph():
		return nil, fmt.Errorf("causal LM loss: logits and tokens belong to different graphs")
	}
	err = catch("causal LM loss", func() {
		t := ld[1]
		loss = nextTokenLoss(Slice(logits, AxisRange(), AxisRange(0, t-1)), Slice(tokens, AxisRange(), AxisRange(1, t)))
	})
	return loss, err
}

// nextTokenLoss is the mean cross entropy of logits (B, T, V) against targets (B, T).
//
// For a large vocabulary this is the most expensive part of a language-model step after the
// lm_head product, so it is written for the Go backend: the forward pass is one fused softmax p
// (whose exponential is much faster than the generic Exp op) and the loss of a row is
// -log p_target; the gradient (p - onehot(target))/N is supplied by hand, which avoids the
// decomposed softmax, its broadcasts and reductions. A token whose probability underflows (a loss
// above about 87 nats in float32, 708 in float64) contributes that bound instead of its true
// loss; its gradient is still exact.
func nextTokenLoss(logits, targets *Node) *Node {
	d := logits.Shape().Dimensions
	n, v := d[0]*d[1], d[2]
	x := Reshape(logits, n, v)
	idx := targetIndices(Reshape(targets, n))
	p := Softmax(x, -1)
	pt := Max(Gather(p, idx), tinyPositive(p.Graph(), p.DType()))
	loss := Neg(ReduceAllMean(Log(pt))) // mean of -log p_target = logsumexp - x_target

	// d loss / d x = (p - onehot(target)) / N.
	return customvjp.Attach([]*Node{x}, loss, func(adj *Node) []*Node {
		g := DivScalar(adj, float64(n)) // adjoint of the loss / N
		return []*Node{ScatterSum(Mul(p, g), idx, BroadcastToDims(Neg(g), n), true, true)}
	})
}

// lmHeadChunkElems is the size of the (rows, V) blocks lmHeadLoss splits its logits into.
var lmHeadChunkElems = 1 << 23 // a variable so that tests can force several blocks

// lmHeadLoss is nextTokenLoss(h·wᵀ, targets) for hidden states h (N, D), an lm_head weight
// w (V, D) and targets (N), with the whole gradient written by hand:
//
//	G = (softmax(h·wᵀ) - onehot(targets)) / N,  dh = G·w,  dw = (hᵀ·G)ᵀ.
//
// Left to automatic differentiation, dw would contract G over its first axis, which makes the
// Go backend transpose the (N, V) matrix G (51M entries for 1016 positions of GPT-2's
// vocabulary); here only hᵀ and the (D, V) product are transposed.
//
// On the Go backend, whose fused softmax runs on one core, the rows are split into a few blocks
// whose softmaxes run concurrently (see lmHeadChunks).
func lmHeadLoss(h, w, targets *Node) *Node {
	n, v := h.Shape().Dimensions[0], w.Shape().Dimensions[0]
	numChunks := lmHeadChunks(h.Graph(), n, v)
	rowsPerChunk := (n + numChunks - 1) / numChunks
	type chunk struct {
		r0, r1 int
		idx, p *Node
	}
	var chunks []chunk
	var sumLog *Node
	for r0 := 0; r0 < n; r0 += rowsPerChunk {
		c := chunk{r0: r0, r1: min(n, r0+rowsPerChunk)}
		hc := Slice(h, AxisRange(c.r0, c.r1))
		c.idx = targetIndices(Slice(targets, AxisRange(c.r0, c.r1)))
		c.p = Softmax(DotGeneral(hc, []int{1}, nil, w, []int{1}, nil), -1) // (rows, V)
		pt := Max(Gather(c.p, c.idx), tinyPositive(c.p.Graph(), c.p.DType()))
		if s := ReduceAllSum(Log(pt)); sumLog == nil {
			sumLog = s
		} else {
			sumLog = Add(sumLog, s)
		}
		chunks = append(chunks, c)
	}
	loss := DivScalar(Neg(sumLog), float64(n)) // mean of -log p_target

	var dh, dw *Node
	backward := func(adj *Node) {
		g := DivScalar(adj, float64(n)) // adjoint of the loss / N
		grads := make([]*Node, len(chunks))
		dhs := make([]*Node, len(chunks))
		for i, c := range chunks {
			grads[i] = ScatterSum(Mul(c.p, g), c.idx, BroadcastToDims(Neg(g), c.r1-c.r0), true, true) // (rows, V)
			dhs[i] = DotGeneral(grads[i], []int{1}, nil, w, []int{0}, nil)                            // (rows, D)
		}
		dh = dhs[0]
		if len(dhs) > 1 {
			dh = Concatenate(dhs, 0)
		}
		// The dw products start after all dh products (data dependency), so that no more than
		// numChunks products run at once (see lmHeadChunks).
		hT := Transpose(after(h, dh), 0, 1) // (D, N)
		var dwT *Node
		for i, c := range chunks {
			part := DotGeneral(Slice(hT, AxisRange(), AxisRange(c.r0, c.r1)), []int{1}, nil, grads[i], []int{0}, nil) // (D, V)
			if dwT == nil {
				dwT = part
			} else {
				dwT = Add(dwT, part)
			}
		}
		dw = Transpose(dwT, 0, 1)
	}
	return customvjp.Attach([]*Node{h, w}, loss, func(adj *Node) []*Node {
		backward(adj)
		return []*Node{dh, dw}
	})
}

// lmHeadChunks decides in how many row blocks lmHeadLoss splits (N, V) logits. Only the Go
// backend benefits (its fused softmax is single-threaded, its graph executor runs independent
// ops concurrently); elsewhere it is 1.
//
// The count is kept at most half the Go backend's worker limit ("parallelism", 2·GOMAXPROCS by
// default). Unpatched compute v0.1.2 deadlocked when every worker slot held a concurrently running
// matrix product waiting for workers of its own (observed with 7 blocks on 2 cores); the patched
// engine (logah/backend/patches) cannot, and the cap still keeps the blocks from oversubscribing
// the workers.
func lmHeadChunks(g *Graph, n, v int) int {
	want := (n*v + lmHeadChunkElems - 1) / lmHeadChunkElems
	var parallelism int
	if _, err := fmt.Sscanf(g.Backend().Description(), "Go Portable Compute Backend (parallelism=%d)", &parallelism); err != nil {
		return 1 // not the Go backend
	}
	if parallelism < 0 { // unlimited
		parallelism = 2 * runtime.GOMAXPROCS(0)
	}
	return max(1, min(want, n, parallelism/2, runtime.GOMAXPROCS(0)))
}

// after returns x with a data dependency on dep (x + 0·dep[0,0]), to order independent work.
func after(x, dep *Node) *Node {
	return Add(x, MulScalar(corner(dep), 0))
}

// corner returns x[0, 0] of a matrix as a scalar (a scalar is returned as is).
func corner(x *Node) *Node {
	if x.Rank() == 0 {
		return x
	}
	return Reshape(Slice(x, AxisRange(0, 1), AxisRange(0, 1)))
}

// tinyPositive is the smallest positive normal number of dtype, as a scalar.
func tinyPositive(g *Graph, dtype dtypes.DType) *Node {
	switch dtype {
	case dtypes.Float64:
		return Scalar(g, dtype, 2.2250738585072014e-308)
	case dtypes.Float16:
		return Scalar(g, dtype, 6.103515625e-05)
	default:
		return Scalar(g, dtype, 1.1754943508222875e-38)
	}
}

// targetIndices turns targets (N) into Gather/Scatter indices (N, 2) of (row, target).
func targetIndices(targets *Node) *Node {
	targets = ConvertDType(targets, dtypes.Int32)
	rows := Iota(targets.Graph(), targets.Shape(), 0)
	return Stack([]*Node{rows, targets}, -1)
}

// pickLast returns x[i, idx[i]] for x (N, V) and idx (N).
func pickLast(x, idx *Node) *Node {
	return Gather(x, targetIndices(idx)) // (N)
}
