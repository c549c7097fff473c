package trainer

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import
)

// AdamW holds the hyperparameters of PyTorch's torch.optim.AdamW (decoupled weight decay) and
// of the global-norm gradient clipping applied before it (torch.nn.utils.clip_grad_norm_).
// GoMLX has no global-norm clipping and its Adam differs in details, so the update is written
// here, in the step's graph, with PyTorch's exact formulas.
type AdamW struct {
	Beta1, Beta2 float64
	Eps          float64
	WeightDecay  float64
	// ClipNorm is the largest global L2 norm of the gradients; 0 disables clipping.
	ClipNorm float64
}

// DefaultAdamW is PyTorch's AdamW defaults with LoGAH's weight decay 1e-2 and clipping at 5.
var DefaultAdamW = AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, ClipNorm: 5}

// Validate reports a hyperparameter outside its range.
func (o AdamW) Validate() error {
	switch {
	case o.Beta1 < 0 || o.Beta1 >= 1:
		return fmt.Errorf("adamw: beta1 must be in [0,1), got %g", o.Beta1)
	case o.Beta2 < 0 || o.Beta2 >= 1:
		return fmt.Errorf("adamw: beta2 must be in [0,1), got %g", o.Beta2)
	case o.Eps <= 0:
		return fmt.Errorf("adamw: eps must be positive, got %g", o.Eps)
	case o.WeightDecay < 0:
		return fmt.Errorf("adamw: weight decay must be ≥ 0, got %g", o.WeightDecay)
	case o.ClipNorm < 0:
		return fmt.Errorf("adamw: clip norm must be ≥ 0 (0 disables), got %g", o.ClipNorm)
	}
	return nil
}

// GlobalNorm is √(Σ‖g‖²) over all gradients.
func GlobalNorm(grads []*Node) *Node {
	var sum *Node
	for _, g := range grads {
		s := ReduceAllSum(Square(g))
		if sum == nil {
			sum = s
		} else {
			sum = Add(sum, s)
		}
	}
	return Sqrt(sum)
}

// ClipByGlobalNorm scales all gradients by min(1, maxNorm/(norm+1e-6)) like PyTorch's
// clip_grad_norm_, and returns the clipped gradients and the norm before clipping.
func ClipByGlobalNorm(grads []*Node, maxNorm float64) ([]*Node, *Node) {
	norm := GlobalNorm(grads)
	if maxNorm <= 0 {
		return grads, norm
	}
	g := norm.Graph()
	dt := norm.DType()
	coef := Div(Scalar(g, dt, maxNorm), AddScalar(norm, 1e-6))
	coef = Min(coef, ScalarOne(g, dt))
	out := make([]*Node, len(grads))
	for i, gr := range grads {
		out[i] = Mul(gr, coef)
	}
	return out, norm
}

// AdamWState is the optimizer state of one parameter tensor.
type AdamWState struct {
	M, V *Node // first and second moment estimates
}

// Update applies one AdamW step. step is the 1-based step number (a scalar of the parameters'
// dtype) and lr the learning rate (scalar node, so a schedule can change it without
// recompiling). It returns the new parameters and moments:
//
//	m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//	p ← p − lr·wd·p − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)
func (o AdamW) Update(params, grads []*Node, state []AdamWState, step, lr *Node) ([]*Node, []AdamWState) {
	if len(params) != len(grads) || len(params) != len(state) {
		panic(fmt.Sprintf("adamw: %d params, %d grads, %d states", len(params), len(grads), len(state)))
	}
	g := step.Graph()
	dt := step.DType()
	b1, b2 := Scalar(g, dt, o.Beta1), Scalar(g, dt, o.Beta2)
	bc1 := OneMinus(Pow(b1, step))
	bc2 := OneMinus(Pow(b2, step))
	newP := make([]*Node, len(params))
	newS := make([]AdamWState, len(params))
	for i, p := range params {
		gr := grads[i]
		m := Add(MulScalar(state[i].M, o.Beta1), MulScalar(gr, 1-o.Beta1))
		v := Add(MulScalar(state[i].V, o.Beta2), MulScalar(Square(gr), 1-o.Beta2))
		denom := AddScalar(Sqrt(Div(v, bc2)), o.Eps)
		upd := Div(Div(m, bc1), denom)
		decayed := p
		if o.WeightDecay != 0 {
			decayed = Sub(p, Mul(MulScalar(p, o.WeightDecay), lr))
		}
		newP[i] = Sub(decayed, Mul(upd, lr))
		newS[i] = AdamWState{M: m, V: v}
	}
	return newP, newS
}
