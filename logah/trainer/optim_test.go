package trainer

import (
	"math"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/logah-go/logah/logah/backend"
)

// adamwReference is torch.optim.AdamW's update for one scalar parameter, in float64.
func adamwReference(o AdamW, p, g, m, v float64, step int, lr float64) (float64, float64, float64) {
	p -= lr * o.WeightDecay * p
	m = o.Beta1*m + (1-o.Beta1)*g
	v = o.Beta2*v + (1-o.Beta2)*g*g
	mh := m / (1 - math.Pow(o.Beta1, float64(step)))
	vh := v / (1 - math.Pow(o.Beta2, float64(step)))
	return p - lr*mh/(math.Sqrt(vh)+o.Eps), m, v
}

func TestAdamWMatchesPyTorchFormula(t *testing.T) {
	backend := backend.MustDefault()
	o := DefaultAdamW
	o.ClipNorm = 0
	exec := MustNewExec(backend, func(p, g, m, v, step, lr *Node) []*Node {
		np, ns := o.Update([]*Node{p}, []*Node{g}, []AdamWState{{M: m, V: v}}, step, lr)
		return []*Node{np[0], ns[0].M, ns[0].V}
	})
	p, g := []float64{0.5, -1.5, 2}, []float64{0.1, -0.3, 0.02}
	m, v := []float64{0.01, 0, -0.2}, []float64{0.001, 0.0002, 0.05}
	for step := 1; step <= 3; step++ {
		out := exec.MustCall(p, g, m, v, float64(step), 3e-4)
		gotP, gotM, gotV := out[0].Value().([]float64), out[1].Value().([]float64), out[2].Value().([]float64)
		for i := range p {
			wp, wm, wv := adamwReference(o, p[i], g[i], m[i], v[i], step, 3e-4)
			if math.Abs(gotP[i]-wp) > 1e-12 || math.Abs(gotM[i]-wm) > 1e-15 || math.Abs(gotV[i]-wv) > 1e-15 {
				t.Fatalf("step %d elem %d: got (%g,%g,%g) want (%g,%g,%g)", step, i, gotP[i], gotM[i], gotV[i], wp, wm, wv)
			}
		}
		p, m, v = gotP, gotM, gotV
	}
}

func TestClipByGlobalNorm(t *testing.T) {
	backend := backend.MustDefault()
	exec := MustNewExec(backend, func(a, b *Node) []*Node {
		c, n := ClipByGlobalNorm([]*Node{a, b}, 5)
		return []*Node{c[0], c[1], n}
	})
	out := exec.MustCall([]float64{3, 4}, []float64{12}) // norm 13 → scale 5/13
	a, b, n := out[0].Value().([]float64), out[1].Value().([]float64), out[2].Value().(float64)
	if math.Abs(n-13) > 1e-12 || math.Abs(a[0]-3*5/(13+1e-6)) > 1e-9 || math.Abs(b[0]-12*5/(13+1e-6)) > 1e-9 {
		t.Fatalf("clip: %v %v %v", a, b, n)
	}
	out = exec.MustCall([]float64{0.3, 0.4}, []float64{0}) // norm 0.5 < 5: unchanged
	if a := out[0].Value().([]float64); a[0] != 0.3 || a[1] != 0.4 {
		t.Fatalf("small gradients must not be scaled: %v", a)
	}
}

func TestScheduleWarmupAndCosine(t *testing.T) {
	s := Schedule{Base: 1e-3, WarmupSteps: 10, TotalSteps: 110, MinFactor: 0.1}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := s.LR(0); math.Abs(got-1e-4) > 1e-12 {
		t.Errorf("LR(0) = %g", got)
	}
	if got := s.LR(9); math.Abs(got-1e-3) > 1e-12 {
		t.Errorf("end of warm-up LR = %g", got)
	}
	if got := s.LR(60); math.Abs(got-(0.1+0.9*0.5)*1e-3) > 1e-12 {
		t.Errorf("mid-cosine LR = %g", got)
	}
	if got := s.LR(500); math.Abs(got-1e-4) > 1e-12 {
		t.Errorf("after the end LR = %g", got)
	}
	if (Schedule{Base: -1}).Validate() == nil {
		t.Error("negative LR accepted")
	}
}

// DeepSpeed's log warm-up, as the authors' GPT-2 fine-tuning runs it (lr 3e-6, 500 steps):
// WarmupLR stepped after each optimiser step, starting at rate 0.
func TestScheduleLogWarmup(t *testing.T) {
	s := Schedule{Base: 3e-6, WarmupSteps: 500, TotalSteps: 2000, MinFactor: 1, Shape: WarmupLog}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		step int
		want float64
	}{{0, 0}, {1, 0}, {2, 3e-6 * math.Log(2) / math.Log(500)}, {100, 3e-6 * math.Log(100) / math.Log(500)}, {499, 3e-6 * math.Log(499) / math.Log(500)}, {500, 3e-6}, {1999, 3e-6}} {
		if got := s.LR(c.step); math.Abs(got-c.want) > 1e-18 {
			t.Errorf("LR(%d) = %g, want %g", c.step, got, c.want)
		}
	}
	mean := 0.0
	for step := range 500 {
		mean += s.LR(step) / 3e-6 / 500
	}
	if math.Abs(mean-0.838) > 1e-3 { // the 84 % of WarmupLog's doc
		t.Errorf("mean warm-up factor %.4f, want 0.838", mean)
	}
	if err := (Schedule{Base: 1, Shape: "exp"}).Validate(); err == nil || !strings.Contains(err.Error(), `"log"`) {
		t.Errorf("an unknown shape must be refused naming the known ones, got %v", err)
	}
}

// The reference scheduler's factors quoted in docs/method.md §5.2 for E=300, lr=3e-4.
func TestReferenceCosineWarmup(t *testing.T) {
	for _, c := range []struct {
		epoch int
		want  float64
		tol   float64
	}{{0, 0.033, 1e-3}, {1, 0.275, 1e-3}, {2, 0.517, 1e-3}, {3, 0.758, 1e-3}, {4, 1, 1e-9}, {5, 1, 1e-9}, {150, 0.513, 1e-3}, {299, 2.8e-5, 1e-6}} {
		if got := ReferenceCosineWarmup(c.epoch, 300, 3e-4); math.Abs(got-c.want) > c.tol {
			t.Errorf("epoch %d: %g, want %g", c.epoch, got, c.want)
		}
	}
}
