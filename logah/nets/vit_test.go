package nets

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/internal/fixtures/refgraphs"
	"github.com/logah-go/logah/logah/arch"
)

// vitFromGraphs reads a ViT configuration from the reference graphs.json.
func vitFromGraphs(t *testing.T, name string) arch.ViT {
	t.Helper()
	graphs, _ := refgraphs.Load(t, refgraphs.ViTGPT2File)
	v, ok := graphs[name].MustArch(t).(arch.ViT)
	if !ok {
		t.Fatalf("graphs.json has no ViT %q", name)
	}
	return v
}

// stepFixture is the ViT training step of the reference (step_vit_d2.*).
type stepFixture struct {
	cfg     arch.ViT
	params  map[string]*tensors.Tensor
	images  *tensors.Tensor
	labels  *tensors.Tensor
	logits  []float32
	ceLoss  float64
	storedC float32
}

func loadStep(t *testing.T) stepFixture {
	t.Helper()
	cfg := vitFromGraphs(t, "vit_d2")
	st := readSafetensors(t, fixtures.Path(t, "step_vit_d2.safetensors"))
	raw, err := os.ReadFile(fixtures.Path(t, "step_vit_d2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Labels []int32  `json:"labels"`
		CELoss *float64 `json:"ce_loss"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.CELoss == nil || len(meta.Labels) == 0 {
		t.Fatal("step_vit_d2.json lacks labels or ce_loss")
	}
	f := stepFixture{cfg: cfg, params: map[string]*tensors.Tensor{}, ceLoss: *meta.CELoss}
	for name, v := range st {
		if p, ok := strings.CutPrefix(name, "param/"); ok {
			f.params[p] = v.Tensor()
		}
	}
	if len(f.params) != len(cfg.Params()) {
		t.Fatalf("fixture has %d parameters, %s has %d", len(f.params), cfg, len(cfg.Params()))
	}
	for _, k := range []string{"input_images", "logits", "ce_loss"} {
		if _, ok := st[k]; !ok {
			t.Fatalf("fixture lacks %q", k)
		}
	}
	f.images = st["input_images"].Tensor()
	f.logits = st["logits"].Data
	f.storedC = st["ce_loss"].Data[0]
	f.labels = tensors.FromValue(meta.Labels)
	return f
}

func maxAbsDiff32(a, b []float32) float64 {
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

// TestViTParity checks the ViT forward pass against torchvision's logits and cross entropy for
// the reference training step (vit_d2, batch 4, 32×32×3).
func TestViTParity(t *testing.T) {
	f := loadStep(t)
	backend := backend.MustDefault()
	cache := NewExecCache(4)
	defer cache.Clear()

	logits, err := Logits(backend, cache, f.cfg, f.params, f.images)
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](logits)
	if len(got) != len(f.logits) {
		t.Fatalf("logits have %d values, want %d", len(got), len(f.logits))
	}
	d := maxAbsDiff32(got, f.logits)
	t.Logf("logits max |Δ| = %.3g", d)
	if d > 1e-5 {
		t.Errorf("logits differ from the reference by %.3g > 1e-5", d)
	}

	loss, err := Loss(backend, cache, f.cfg, f.params, f.images, f.labels)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CE = %.8f, reference %.8f (|Δ| = %.3g)", loss, f.ceLoss, math.Abs(loss-f.ceLoss))
	if math.Abs(loss-f.ceLoss) > 1e-5 || math.Abs(loss-float64(f.storedC)) > 1e-5 {
		t.Errorf("CE = %.8f, want %.8f", loss, f.ceLoss)
	}
}

// TestViTParityInGraph runs the same step with the weights produced inside the graph (here:
// parameters multiplied by a fed scalar 1), as a hypernetwork's outputs would be, and checks the
// CE and that every weight receives a gradient.
func TestViTParityInGraph(t *testing.T) {
	f := loadStep(t)
	specs := f.cfg.Params()
	backend := backend.MustDefault()
	exec, err := NewExec(backend, func(ins []*Node) []*Node {
		one := ins[2]
		w := Weights{}
		for i, p := range specs {
			w[p.Name] = Mul(ins[3+i], one)
		}
		logits, err := ViTForward(f.cfg, w, ins[0], ViTOptions{})
		if err != nil {
			panic(err)
		}
		loss, err := CrossEntropy(logits, ins[1], 0)
		if err != nil {
			panic(err)
		}
		return []*Node{loss, Gradient(loss, one)[0]}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	args := []any{f.images, f.labels, float32(1)}
	for _, p := range specs {
		args = append(args, f.params[p.Name])
	}
	outs, err := exec.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	loss := float64(outs[0].Value().(float32))
	if math.Abs(loss-f.ceLoss) > 1e-5 {
		t.Errorf("CE = %.8f, want %.8f", loss, f.ceLoss)
	}
	// d loss / d scale at scale 1 is Σ_p ⟨∂L/∂p, p⟩: nonzero for a real network.
	if g := outs[1].Value().(float32); g == 0 || math.IsNaN(float64(g)) {
		t.Errorf("gradient through the weights is %v", g)
	}
}

// TestViTErrors checks that missing or misshaped weights and bad inputs are reported by name.
func TestViTErrors(t *testing.T) {
	cfg := arch.ViT{ImageSize: 8, Channels: 1, Patch: 4, Depth: 1, Width: 8, Heads: 2, MLPDim: 16, Classes: 3}
	backend := backend.MustDefault()
	params := randomParams(cfg, 1)
	images := tensors.FromShape(shapesOf(t, []int{2, 1, 8, 8}))

	missing := cloneParams(params)
	delete(missing, "encoder.layers.encoder_layer_0.mlp.0.bias")
	if _, err := Logits(backend, nil, cfg, missing, images); err == nil || !strings.Contains(err.Error(), `"encoder.layers.encoder_layer_0.mlp.0.bias"`) {
		t.Errorf("missing weight: got %v", err)
	}
	bad := cloneParams(params)
	bad["heads.head.weight"] = tensors.FromShape(shapesOf(t, []int{3, 9}))
	if _, err := Logits(backend, nil, cfg, bad, images); err == nil || !strings.Contains(err.Error(), `"heads.head.weight" has shape [3 9], want [3 8]`) {
		t.Errorf("misshaped weight: got %v", err)
	}
	wrongImages := tensors.FromShape(shapesOf(t, []int{2, 3, 8, 8}))
	if _, err := Logits(backend, nil, cfg, params, wrongImages); err == nil || !strings.Contains(err.Error(), "images have shape") {
		t.Errorf("wrong images: got %v", err)
	}
	// Graph-level: dropout without an RNG.
	var buildErr error
	out, err := ExecOnce(backend, func(x *Node) *Node {
		w := Weights{}
		for _, p := range cfg.Params() {
			w[p.Name] = Zeros(x.Graph(), shapesOf(t, p.Shape))
		}
		_, buildErr = ViTForward(cfg, w, x, ViTOptions{Training: true, Dropout: 0.1})
		return x
	}, images)
	if err != nil {
		t.Fatal(err)
	}
	out.FinalizeAll()
	if buildErr == nil || !strings.Contains(buildErr.Error(), "RNG") {
		t.Errorf("dropout without RNG: got %v", buildErr)
	}
}
