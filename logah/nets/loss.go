package nets

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
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

// nextTokenLoss is the mean cross entropy of logits (B, T, V) against targets (B, T), computed
// as logsumexp - picked logit so that no (B, T, V) log-probability tensor is materialised.
func nextTokenLoss(logits, targets *Node) *Node {
	d := logits.Shape().Dimensions
	n, v := d[0]*d[1], d[2]
	x := Reshape(logits, n, v)
	m := StopGradient(ReduceAndKeep(x, ReduceMax, -1))
	lse := Add(Log(ReduceSum(Exp(Sub(x, m)), -1)), Reshape(m, n))
	return ReduceAllMean(Sub(lse, pickLast(x, Reshape(targets, n))))
}

// pickLast returns x[i, idx[i]] for x (N, V) and idx (N).
func pickLast(x, idx *Node) *Node {
	g := x.Graph()
	idx = ConvertDType(idx, dtypes.Int32)
	rows := Iota(g, idx.Shape(), 0)
	return Gather(x, Stack([]*Node{rows, idx}, -1)) // (N)
}
