package experiment

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/params"
)

// TestScaleAndNoiseChangeOnlyWeightTensors starts a fine-tuning from a parameter file shrunk
// and perturbed: weight tensors become scale·w + noise·(the random initialisation of the run's
// seed); norms and biases keep their values.
func TestScaleAndNoiseChangeOnlyWeightTensors(t *testing.T) {
	loaded, err := params.Init(tinyViT, 7)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "init.safetensors")
	if err := params.Save(file, loaded, nil); err != nil {
		t.Fatal(err)
	}
	const seed, scale, noise = 2, 0.5, 0.25
	random, err := params.Init(tinyViT, seed)
	if err != nil {
		t.Fatal(err)
	}
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
	if err := params.Save(file, mustInit(t), nil); err != nil {
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

func mustInit(t *testing.T) *params.Set {
	t.Helper()
	set, err := params.Init(tinyViT, 1)
	if err != nil {
		t.Fatal(err)
	}
	return set
}
