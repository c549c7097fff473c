package ghn

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/nets"
)

// predWD is the λ of the reference's Σ‖p‖_F regulariser on predicted parameters.
const predWD = 3e-5

// stepLoss builds, for one ViT predicted inside the graph, total = CE + λ·Σ‖p‖_F (not squared,
// class_token included with norm 0) and returns (logits, ce, reg, total).
func stepLoss(t testing.TB, cfg Config, w Weights, b *Batch, images, labels, noise *Node) (logits, ce, reg, total *Node, preds map[string]*Node) {
	t.Helper()
	a := b.Archs[0].(arch.ViT)
	out, err := PredictNodes(cfg, w, b, NodeOptions{ClassNoise: []*Node{noise}})
	if err != nil {
		t.Fatal(err)
	}
	preds = out[0]
	logits, err = nets.ViTForward(a, preds, images, nets.ViTOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ce, err = nets.CrossEntropy(logits, labels, 0)
	if err != nil {
		t.Fatal(err)
	}
	var norms *Node
	for _, s := range a.Params() {
		if s.Role == arch.RoleClassToken {
			continue // a zero constant: its norm is 0 and √ has no gradient at 0
		}
		n := Sqrt(ReduceAllSum(Square(preds[s.Name])))
		if norms == nil {
			norms = n
		} else {
			norms = Add(norms, n)
		}
	}
	reg = MulScalar(norms, predWD)
	return logits, ce, reg, Add(ce, reg), preds
}

// TestTrainStepParity reproduces one training step of the reference (step_vit_d2): the GHN
// predicts vit_d2 inside the graph (with the stored class-token noise), the ViT runs on the
// stored images, and the gradient of CE + 3e-5·Σ‖p‖_F with respect to every GHN weight is
// compared with grads_vit_step.
func TestTrainStepParity(t *testing.T) {
	cfg, set := loadFixtureGHN(t, VariantViT)
	a := fixtureArchs["vit_d2"]
	b := newBatch(t, cfg, a)
	step, _ := fixtureFile(t, "step_vit_d2.safetensors")
	grads, gmeta := fixtureFile(t, "grads_vit_step.safetensors")
	_ = gmeta
	img, imgShape := get(t, step, "input_images")
	noise, _ := get(t, step, "cls_pos_noise")
	used := usedParams(cfg)
	specs := a.Params()
	exec, err := NewExec(backend.MustDefault(), func(ins []*Node) []*Node {
		g := ins[0].Graph()
		w := weightsOf(cfg, ins[2:])
		labels := Const(g, []int32{0, 1, 2, 3})
		logits, ce, reg, total, preds := stepLoss(t, cfg, w, b, ins[0], labels, ins[1])
		out := []*Node{logits, ce, reg, total}
		out = append(out, Gradient(total, ins[2:]...)...)
		for _, s := range specs {
			out = append(out, preds[s.Name])
		}
		return out
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	args := []any{tensors.FromFlatDataAndDimensions(img, imgShape...), tensors.FromFlatDataAndDimensions(noise, len(noise))}
	args = append(args, weightArgs(t, cfg, set)...)
	outs, err := exec.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got []float32, gotShape []int, want []float32, wantShape []int) float64 {
		t.Helper()
		d, err := diff(got, gotShape, want, wantShape)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if d > atol {
			t.Errorf("%s: max |diff| = %g", what, d)
		}
		return d
	}
	for i, name := range []string{"logits", "ce_loss", "reg_term", "total_loss"} {
		got, gs := tensorData(t, outs[i])
		want, ws := get(t, step, name)
		if len(gs) == 0 {
			gs = []int{1}
		}
		t.Logf("%-10s max |diff| = %.3g", name, check(name, got, gs, want, ws))
	}
	worstParam := 0.0
	for i, s := range specs {
		got, gs := tensorData(t, outs[4+len(used)+i])
		want, ws := get(t, step, "param/"+s.Name)
		worstParam = max(worstParam, check("param/"+s.Name, got, gs, want, ws))
	}
	t.Logf("step parameters (noise slot included): max |diff| = %.3g", worstParam)
	worst, worstRel := 0.0, 0.0
	for i, p := range used {
		got, gs := tensorData(t, outs[4+i])
		want, ws := get(t, grads, p.Name)
		d := check("grad "+p.Name, got, gs, want, ws)
		worst = max(worst, d)
		if p.Name == "gnn.0.attn.proj_e.2.bias" {
			continue // exactly zero in truth: absolute tolerance only
		}
		m := 0.0
		for _, v := range want {
			m = max(m, math.Abs(float64(v)))
		}
		if m > 0 {
			worstRel = max(worstRel, d/m)
		}
	}
	for _, p := range cfg.Params() {
		if p.Used {
			continue
		}
		want, _ := get(t, grads, p.Name)
		for _, v := range want {
			if v != 0 {
				t.Errorf("%s is unused in the forward pass, but the reference has a gradient", p.Name)
				break
			}
		}
	}
	t.Logf("gradients of %d GHN tensors: max |diff| = %.3g, max |diff|/max|grad| = %.3g", len(used), worst, worstRel)
}
