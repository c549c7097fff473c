package params

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/logah-go/logah/logah/arch"
)

var gptB2 = arch.GPT2{Layers: 2, Width: 64, Heads: 8, Inner: 256, Vocab: 50257, Context: 1024}

// TestInitRules pins the rule of each kind of parameter to the PyTorch definitions, written
// out by hand here rather than derived from the code under test.
func TestInitRules(t *testing.T) {
	l0 := "encoder.layers.encoder_layer_0."
	vit := map[string]InitRule{
		"class_token":                         {Dist: Zeros},
		"conv_proj.weight":                    {Dist: TruncNormal, Std: math.Sqrt(1.0 / 12), Bound: 2}, // 3·2·2
		"conv_proj.bias":                      {Dist: Zeros},
		"encoder.pos_embedding":               {Dist: Normal, Std: 0.02},
		l0 + "ln_1.weight":                    {Dist: Ones},
		l0 + "ln_1.bias":                      {Dist: Zeros},
		l0 + "self_attention.in_proj_weight":  {Dist: Uniform, Bound: math.Sqrt(6.0 / (64 + 192))},
		l0 + "self_attention.in_proj_bias":    {Dist: Zeros},
		l0 + "self_attention.out_proj.weight": {Dist: Uniform, Bound: 1.0 / 8},
		l0 + "self_attention.out_proj.bias":   {Dist: Zeros},
		l0 + "mlp.0.weight":                   {Dist: Uniform, Bound: math.Sqrt(6.0 / (64 + 256))},
		l0 + "mlp.0.bias":                     {Dist: Normal, Std: 1e-6},
		l0 + "mlp.3.weight":                   {Dist: Uniform, Bound: math.Sqrt(6.0 / (256 + 64))},
		l0 + "mlp.3.bias":                     {Dist: Normal, Std: 1e-6},
		"encoder.ln.weight":                   {Dist: Ones},
		"heads.head.weight":                   {Dist: Zeros},
		"heads.head.bias":                     {Dist: Zeros},
	}
	gpt := map[string]InitRule{
		"transformer.wte.weight":             {Dist: Normal, Std: 0.02},
		"transformer.wpe.weight":             {Dist: Normal, Std: 0.02},
		"transformer.h.1.ln_1.weight":        {Dist: Ones},
		"transformer.h.1.ln_1.bias":          {Dist: Zeros},
		"transformer.h.1.attn.c_attn.weight": {Dist: Normal, Std: 0.02},
		"transformer.h.1.attn.c_attn.bias":   {Dist: Zeros},
		"transformer.h.1.attn.c_proj.weight": {Dist: Normal, Std: 0.01}, // 0.02/√(2·2)
		"transformer.h.1.mlp.c_fc.weight":    {Dist: Normal, Std: 0.02},
		"transformer.h.1.mlp.c_proj.weight":  {Dist: Normal, Std: 0.01},
		"transformer.h.1.mlp.c_proj.bias":    {Dist: Zeros},
		"transformer.ln_f.bias":              {Dist: Zeros},
		"lm_head.weight":                     {Dist: Normal, Std: 0.02},
	}
	for _, c := range []struct {
		a    arch.Arch
		want map[string]InitRule
	}{{vitD2, vit}, {gptB2, gpt}} {
		for name, want := range c.want {
			p, ok := arch.Find(c.a, name)
			if !ok {
				t.Fatalf("%v has no %s", c.a, name)
			}
			got, err := InitRuleFor(c.a, p)
			if err != nil {
				t.Fatal(err)
			}
			if got.Dist != want.Dist || math.Abs(got.Std-want.Std) > 1e-15 || math.Abs(got.Bound-want.Bound) > 1e-15 {
				t.Errorf("%s: %v, want %v", name, got, want)
			}
		}
	}
	if s := (InitRule{Dist: TruncNormal, Std: 0.5, Bound: 2}).String(); s != "trunc_normal(std=0.5, a=-2, b=2)" {
		t.Error(s)
	}
	_, err := InitRuleFor(vitD2, arch.ParamSpec{Name: "mystery.weight", Shape: []int{2, 2}, Role: arch.RoleLinear})
	wantErr(t, err, `"mystery.weight"`)
	_, err = InitRuleFor(gptB2, arch.ParamSpec{Name: "x", Role: arch.RoleConv})
	wantErr(t, err, `"x"`)
}

// TestInitStatistics draws full models and checks each tensor against its rule: constants
// exactly, random tensors by sample mean and standard deviation (tolerances of about five
// standard errors) and by range.
func TestInitStatistics(t *testing.T) {
	for _, a := range []arch.Arch{vitD2, gptB2, arch.GPT2{Layers: 1, Width: 32, Heads: 2, Inner: 64, Vocab: 100, Context: 16, Tied: true},
		llamaGQA, llamaTied} {
		s, err := Init(a, 7)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CheckArch(a); err != nil {
			t.Fatal(err)
		}
		for _, p := range a.Params() {
			rule, _ := InitRuleFor(a, p)
			x, _ := s.Get(p.Name)
			st := x.Stats()
			n := float64(st.Count)
			switch rule.Dist {
			case Zeros, Ones:
				want := float64(rule.Dist) // Zeros = 0, Ones = 1
				if st.Min != want || st.Max != want {
					t.Errorf("%s %v: %v", p.Name, rule, st)
				}
				continue
			}
			sd := rule.ExpectedStd()
			if math.Abs(st.Std/sd-1) > 5/math.Sqrt(2*n)+0.01 || math.Abs(st.Mean) > 5*sd/math.Sqrt(n) {
				t.Errorf("%s %v: mean %.3g std %.4g, want std %.4g (n=%d)", p.Name, rule, st.Mean, st.Std, sd, st.Count)
			}
			if rule.Dist == Uniform {
				if st.Max > rule.Bound || st.Min < -rule.Bound || (n >= 4096 && (st.Max < 0.99*rule.Bound || st.Min > -0.99*rule.Bound)) {
					t.Errorf("%s %v: range [%g, %g]", p.Name, rule, st.Min, st.Max)
				}
			}
			if rule.Dist == TruncNormal && (st.Max > rule.Bound || st.Min < -rule.Bound) {
				t.Errorf("%s %v: range [%g, %g]", p.Name, rule, st.Min, st.Max)
			}
		}
	}
}

func TestInitDeterminism(t *testing.T) {
	a, _ := Init(vitD2, 1)
	b, _ := Init(vitD2, 1)
	c, _ := Init(vitD2, 2)
	if d, err := Compare(a, b); err != nil || d.MaxAbs != 0 {
		t.Fatalf("same seed differs: %v %+v", err, d)
	}
	d, _ := Compare(c, a)
	for _, td := range d.Tensors {
		rule, _ := InitRuleFor(vitD2, mustFind(t, vitD2, td.Name))
		random := rule.Dist != Zeros && rule.Dist != Ones
		if random != (td.MaxAbs != 0) {
			t.Errorf("%s (%v): seeds 1 and 2 differ by %g", td.Name, rule, td.MaxAbs)
		}
	}
	// Each tensor's stream depends only on the seed and its name.
	small, _ := Init(arch.GPT2{Layers: 1, Width: 64, Heads: 8, Inner: 256, Vocab: 50257, Context: 1024}, 3)
	big, _ := Init(gptB2, 3)
	for _, name := range []string{"transformer.wte.weight", "transformer.h.0.attn.c_attn.weight"} {
		x, _ := small.Get(name)
		y, _ := big.Get(name)
		if d, _ := CompareTensors(x, y); d.MaxAbs != 0 {
			t.Errorf("%s depends on the other tensors", name)
		}
	}
}

func mustFind(t *testing.T, a arch.Arch, name string) arch.ParamSpec {
	t.Helper()
	p, ok := arch.Find(a, name)
	if !ok {
		t.Fatalf("no %s", name)
	}
	return p
}

// TestTruncNormalTight checks the inverse-CDF sampler where truncation matters: N(0,1) cut at
// ±0.5 has standard deviation 0.28378.
func TestTruncNormalTight(t *testing.T) {
	x := make([]float32, 200000)
	fill(x, InitRule{Dist: TruncNormal, Std: 1, Bound: 0.5}, rand.New(rand.NewPCG(1, 1)))
	tt, _ := FromFloat32("t", []int{len(x)}, x)
	st := tt.Stats()
	if st.Min < -0.5 || st.Max > 0.5 || math.Abs(st.Std-0.28378) > 0.003 || math.Abs(st.Mean) > 0.003 {
		t.Fatalf("%v", st)
	}
}

func TestInitErrors(t *testing.T) {
	_, err := Init(arch.ViT{ImageSize: 30, Channels: 3, Patch: 4, Depth: 1, Width: 8, Heads: 2, MLPDim: 8, Classes: 2}, 1)
	wantErr(t, err, "patch 4 does not divide image_size 30")
	_, err = Init(nil, 1)
	wantErr(t, err, "nil architecture")
	_, err = InitRuleFor(fakeArch{}, arch.ParamSpec{})
	wantErr(t, err, "no initialiser", "arch.ViT, arch.GPT2 or arch.Llama")
	stop := 0
	err = InitEach(vitD2, 1, func(*Tensor) error {
		if stop++; stop == 3 {
			return errStop
		}
		return nil
	})
	if err != errStop || stop != 3 {
		t.Fatalf("InitEach did not stop: %v after %d", err, stop)
	}
}

var errStop = &stopError{}

type stopError struct{}

func (*stopError) Error() string { return "stop" }

// fakeArch is an architecture kind the package does not know.
type fakeArch struct{}

func (fakeArch) Kind() arch.Kind          { return "fake" }
func (fakeArch) String() string           { return "fake" }
func (fakeArch) Validate() error          { return nil }
func (fakeArch) Params() []arch.ParamSpec { return nil }
