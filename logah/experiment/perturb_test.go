package experiment

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

// TestScaleAndNoiseChangeOnlyWeightTensors starts a fine-tuning from a parameter file shrunk
// and perturbed: weight tensors become scale·w + noise·(the random initialisation of the run's
// seed); norms and biases keep their values.
func TestScaleAndNoiseChangeOnlyWeightTensors(t *testing.T) {
	loaded, file := savedInit(t, tinyViT, 7)
	const seed, scale, noise = 2, 0.5, 0.25
	random := mustInitOf(t, tinyViT, seed)
	f := DefaultFineTuning(tinyViT)
	f.Seed, f.Init = seed, Init{Name: "shrunk", Params: file, Scale: scale, Noise: noise}
	got, err := f.initial()
	if err != nil {
		t.Fatal(err)
	}
	var weights, others int
	for _, name := range got.Names() {
		g, _ := got.Get(name)
		w, _ := loaded.Get(name)
		r, _ := random.Get(name)
		for i := range g.Len() {
			want := w.At(i)
			if g.Rank() >= 2 {
				want = scale*w.At(i) + noise*r.At(i)
			}
			if math.Abs(g.At(i)-want) > 1e-6 {
				t.Fatalf("%s[%d] = %g, want %g", name, i, g.At(i), want)
			}
		}
		if g.Rank() >= 2 {
			weights++
		} else {
			others++
		}
	}
	if weights == 0 || others == 0 {
		t.Fatalf("the tiny ViT has %d weight tensors and %d others: the test checks neither kind", weights, others)
	}
}

func TestPerturbationIsRecordedAndChecked(t *testing.T) {
	c := DefaultComparison()
	plain := c.ProtocolOf(Init{Name: "logah", Params: "p"})
	noisy := c.ProtocolOf(Init{Name: "logah", Params: "p", Noise: 0.1})
	if plain.InitScale != 0 || plain.InitNoise != 0 || noisy.InitScale != 1 || noisy.InitNoise != 0.1 {
		t.Fatalf("protocols %+v and %+v: want the noise (and scale 1) recorded only for the perturbed initialisation", plain, noisy)
	}
	for in, want := range map[Init]string{
		{Name: "random", Noise: 0.1}:                "not to random initialisation",
		{Name: "x", Params: "p", Scale: -1}:         "scale -1 must be a finite number ≥ 0",
		{Name: "x", Params: "p", Noise: math.NaN()}: "noise NaN",
	} {
		if err := in.checkPerturbation(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want an error saying %q", in, err, want)
		}
	}
}

func TestParseInitReadsScaleAndNoise(t *testing.T) {
	file := filepath.Join(t.TempDir(), "p,1.safetensors")
	if err := params.Save(file, mustInitOf(t, tinyViT, 1), nil); err != nil {
		t.Fatal(err)
	}
	got, err := ParseInit("edited=params:" + file + ",noise=0.1,scale=0.8")
	if want := (Init{Name: "edited", Params: file, Scale: 0.8, Noise: 0.1}); err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	for spec, want := range map[string]string{
		"random,noise=0.1":                      "not to random initialisation",
		"edited=params:" + file + ",noise=lots": `noise="lots": want a number`,
		"edited=params:" + file + ",scale=-2":   "scale -2 must be a finite number ≥ 0",
	} {
		if _, err := ParseInit(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseInit(%q): %v, want an error saying %q", spec, err, want)
		}
	}
}

// mustInitOf is a's random initialisation drawn with seed.
func mustInitOf(t *testing.T, a arch.Arch, seed uint64) *params.Set {
	t.Helper()
	set, err := params.Init(a, seed)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// savedInit is a's random initialisation drawn with seed and the safetensors file it was saved to,
// the parameters a fine-tuning loads with Init.Params.
func savedInit(t *testing.T, a arch.Arch, seed uint64) (*params.Set, string) {
	t.Helper()
	set := mustInitOf(t, a, seed)
	file := filepath.Join(t.TempDir(), "init.safetensors")
	if err := params.Save(file, set, nil); err != nil {
		t.Fatal(err)
	}
	return set, file
}

// The authors' GPT-2 fine-tuning re-draws every c_proj.weight after loading predicted
// parameters: Redraw gives those tensors the random initialisation of the run's seed, exactly,
// while Scale still shrinks every other weight tensor and leaves norms and biases alone.
func TestRedrawGivesTheNamedTensorsTheirRandomInitialisation(t *testing.T) {
	gpt := arch.GPT2{Layers: 2, Width: 16, Heads: 2, Inner: 32, Vocab: 64, Context: 8}
	loaded, file := savedInit(t, gpt, 7)
	const seed, scale = 3, 0.5
	random := mustInitOf(t, gpt, seed)
	f := DefaultFineTuning(gpt)
	f.Seed, f.Init = seed, Init{Name: "logah", Params: file, Scale: scale, Redraw: AuthorsGPT2Redraw}
	got, err := f.initial()
	if err != nil {
		t.Fatal(err)
	}
	redrawn := 0
	for _, name := range got.Names() {
		g, _ := got.Get(name)
		w, _ := loaded.Get(name)
		r, _ := random.Get(name)
		for i := range g.Len() {
			want := w.At(i)
			switch {
			case strings.HasSuffix(name, ".c_proj.weight"):
				want = r.At(i)
			case g.Rank() >= 2:
				want = scale * w.At(i)
			}
			if math.Abs(g.At(i)-want) > 1e-7 {
				t.Fatalf("%s[%d] = %g, want %g", name, i, g.At(i), want)
			}
		}
		if strings.HasSuffix(name, ".c_proj.weight") {
			redrawn++
		}
	}
	if redrawn != 2*gpt.Layers {
		t.Fatalf("%d c_proj weights re-drawn, want the attention and MLP projections of %d layers", redrawn, gpt.Layers)
	}
	if p := DefaultComparison().ProtocolOf(f.Init); p.InitRedraw != AuthorsGPT2Redraw || !strings.HasSuffix(p.String(), "starting weights ×0.5, c_proj.weight re-drawn at random") {
		t.Fatalf("protocol %q (%+v) does not record the scale and the re-draw", p, p)
	}

	f.Init.Redraw = "c_proj.weight+lm_head.weight"
	if got, err = f.initial(); err != nil {
		t.Fatal(err)
	}
	head, _ := got.Get("lm_head.weight")
	want, _ := random.Get("lm_head.weight")
	if head.At(5) != want.At(5) {
		t.Fatalf("lm_head.weight was not re-drawn with a second suffix")
	}

	vit := DefaultFineTuning(tinyViT)
	_, vitFile := savedInit(t, tinyViT, 1)
	vit.Init = Init{Name: "logah", Params: vitFile, Redraw: AuthorsGPT2Redraw}
	if _, err := vit.initial(); err == nil || !strings.Contains(err.Error(), `redraw "c_proj.weight" names no tensor`) {
		t.Fatalf("re-drawing a tensor the ViT lacks: %v", err)
	}
}

func TestParseInitReadsRedraw(t *testing.T) {
	_, file := savedInit(t, tinyViT, 1)
	got, err := ParseInit("logah=params:" + file + ",redraw=c_proj.weight,scale=0.5")
	if want := (Init{Name: "logah", Params: file, Scale: 0.5, Redraw: "c_proj.weight"}); err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	for spec, want := range map[string]string{
		"random,redraw=c_proj.weight":       "not to random initialisation",
		"x=params:" + file + ",redraw=":     "redraw= needs tensor-name suffixes",
		"x=params:" + file + ",redraw=a++b": "empty suffix",
	} {
		if _, err := ParseInit(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseInit(%q): %v, want an error saying %q", spec, err, want)
		}
	}
}

// ",lr=R" gives one initialisation its own peak learning rate in a comparison (any
// initialisation, random included), and its runs record it in their protocol.
func TestParseInitReadsOwnLearningRate(t *testing.T) {
	_, file := savedInit(t, tinyViT, 1)
	for spec, want := range map[string]Init{
		"random,lr=3e-3": {Name: "random", LR: 3e-3},
		"ghn3=params:" + file + ",lr=0.01,scale=0.5": {Name: "ghn3", Params: file, LR: 0.01, Scale: 0.5},
		"ghn3=params:" + file + ",scale=0.5,lr=1e-2": {Name: "ghn3", Params: file, LR: 0.01, Scale: 0.5},
	} {
		got, err := ParseInit(spec)
		if err != nil || got != want {
			t.Errorf("ParseInit(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
	}
	c := DefaultComparison()
	if got := c.ProtocolOf(Init{Name: "ghn3", LR: 0.01}).LR; got != 0.01 {
		t.Errorf("protocol of an initialisation with lr=0.01 has lr %g", got)
	}
	if got := c.ProtocolOf(Init{Name: "random"}).LR; got != c.LR {
		t.Errorf("protocol of an initialisation without its own rate has lr %g, want the comparison's %g", got, c.LR)
	}
	for _, spec := range []string{"random,lr=0", "random,lr=-1e-3", "random,lr=+Inf", "random,lr=NaN"} {
		if _, err := ParseInit(spec); err == nil || !strings.Contains(err.Error(), "give a positive peak learning rate") {
			t.Errorf("ParseInit(%q): %v, want an error asking for a positive rate", spec, err)
		}
	}
	if _, err := ParseInit("random,lr=fast"); err == nil || !strings.Contains(err.Error(), `lr="fast": want a number`) {
		t.Errorf(`ParseInit("random,lr=fast"): %v`, err)
	}
}
