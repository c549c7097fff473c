package nets

import (
	"math"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/logah-go/logah/logah/backend"
)

// crossEntropyReference is PyTorch's F.cross_entropy with label smoothing, in float64.
func crossEntropyReference(logits [][]float64, labels []int32, eps float64) float64 {
	total := 0.0
	for i, row := range logits {
		lse := logSumExp(row)
		c := float64(len(row))
		for k, v := range row {
			target := eps / c
			if k == int(labels[i]) {
				target += 1 - eps
			}
			total += -target * (v - lse)
		}
	}
	return total / float64(len(logits))
}

func TestCrossEntropy(t *testing.T) {
	backend := backend.MustDefault()
	logits := [][]float64{{1, 2, 0.5, -1}, {0.3, -0.2, 4, 1}, {10, -10, 0, 0}}
	labels := []int32{1, 2, 3}
	for _, eps := range []float64{0, 0.1, 0.5} {
		out, err := ExecOnce(backend, func(l, y *Node) *Node {
			loss, err := CrossEntropy(l, y, eps)
			if err != nil {
				panic(err)
			}
			return loss
		}, tensors.FromValue(logits), tensors.FromValue(labels))
		if err != nil {
			t.Fatal(err)
		}
		got, want := out.Value().(float64), crossEntropyReference(logits, labels, eps)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("smoothing %g: CE %.15f, want %.15f", eps, got, want)
		}
	}
}

func TestLossErrors(t *testing.T) {
	backend := backend.MustDefault()
	var errs []error
	_, err := ExecOnce(backend, func(l, y *Node) *Node {
		_, e1 := CrossEntropy(l, y, 1.5)
		_, e2 := CrossEntropy(l, ConvertDType(y, l.DType()), 0)
		_, e3 := CrossEntropy(l, Slice(y, AxisRange(0, 1)), 0)
		_, e4 := CausalLMLoss(l, y)
		errs = append(errs, e1, e2, e3, e4)
		// Not l itself: returning an input parameter unchanged as the output of a graph with
		// two parameters panics in the Go backend (GoMLX v0.28.2 / compute v0.1.2).
		return MulScalar(l, 2)
	}, tensors.FromValue([][]float32{{1, 2}, {3, 4}}), tensors.FromValue([]int32{0, 1}))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"label smoothing", "integer dtype", "labels have shape", "want (batch, seq_len, vocab)"} {
		if errs[i] == nil || !strings.Contains(errs[i].Error(), want) {
			t.Errorf("case %d: got %v, want an error containing %q", i, errs[i], want)
		}
	}
}
