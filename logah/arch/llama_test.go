package arch

import (
	"math"
	"strings"
	"testing"
)

// The four counts users compare against Hugging Face: sum(p.numel() for p in model.parameters())
// of the released checkpoints (a tied lm_head counted once).
func TestLlamaNamedCountsMatchHuggingFace(t *testing.T) {
	for _, c := range []struct {
		name string
		want int64
	}{
		{"llama-2-7b", 6_738_415_616},
		{"llama-3.1-8b", 8_030_261_248},
		{"llama-3.2-1b", 1_235_814_400},
		{"tinyllama-1.1b", 1_100_048_384},
		{"meta-llama/Llama-2-7b-hf", 6_738_415_616},
		{"llama-3.2-1b-untied", 1_235_814_400 + 128256*2048},
	} {
		a := mustNamed(t, c.name)
		if err := a.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := NumParams(a); got != c.want {
			t.Errorf("%s: NumParams = %d, want %d", c.name, got, c.want)
		}
	}
	if l := mustNamed(t, "llama-3.2-1b").(Llama); !l.Tied || l.KVWidth() != 512 || l.HeadDim() != 64 {
		t.Errorf("llama-3.2-1b: tied %v, kv width %d, head dim %d", l.Tied, l.KVWidth(), l.HeadDim())
	}
	if _, err := Named("vit-s-untied"); err == nil || !strings.Contains(err.Error(), "only GPT-2 and Llama") {
		t.Errorf("vit-s-untied: %v", err)
	}
}

// Hand-checked values of HF's rotary frequencies: 1/θ^(2i/d), and the llama3 rule's three bands
// for Llama-3.1-8B (d = 128, θ = 5·10⁵, factor 8, low 1, high 4, original 8192).
func TestLlamaRopeInvFreq(t *testing.T) {
	l := Llama{Layers: 1, Width: 32, Heads: 4, KVHeads: 4, Inner: 64, Vocab: 10, Context: 16, NormEps: 1e-5, RopeTheta: 10000}
	got := l.RopeInvFreq() // head dim 8: 1, 10^-1, 10^-2, 10^-3
	for i, want := range []float64{1, 0.1, 0.01, 0.001} {
		if math.Abs(float64(got[i])-want) > 1e-7*want+1e-9 {
			t.Errorf("inv_freq[%d] = %g, want %g", i, got[i], want)
		}
	}
	l8 := mustNamed(t, "llama-3.1-8b").(Llama)
	f := l8.RopeInvFreq()
	if len(f) != 64 {
		t.Fatalf("len %d", len(f))
	}
	plain := l8
	plain.RopeScaling = RopeScaling{}
	raw := plain.RopeInvFreq()
	bands := [3]int{}
	for i := range f {
		wavelen := 2 * math.Pi / float64(raw[i])
		switch {
		case wavelen < 8192/4: // high frequencies: kept
			bands[0]++
			if f[i] != raw[i] {
				t.Errorf("i=%d: high frequency changed %g → %g", i, raw[i], f[i])
			}
		case wavelen > 8192: // low frequencies: divided by the factor
			bands[2]++
			if math.Abs(float64(f[i])-float64(raw[i])/8) > 1e-6*float64(f[i]) {
				t.Errorf("i=%d: low frequency %g, want %g/8", i, f[i], raw[i])
			}
		default: // the smooth band, strictly between the two
			bands[1]++
			smooth := (8192/wavelen - 1) / 3
			want := (1-smooth)*float64(raw[i])/8 + smooth*float64(raw[i])
			if math.Abs(float64(f[i])-want) > 1e-6*want {
				t.Errorf("i=%d: smooth band %g, want %g", i, f[i], want)
			}
		}
	}
	// Six frequencies fall in the smooth band for Llama-3.1-8B (testdata/reference/README.md).
	if bands[1] != 6 || bands[0]+bands[1]+bands[2] != 64 {
		t.Errorf("bands (kept, smooth, scaled) = %v, want 6 in the smooth band", bands)
	}
}

func TestLlamaValidationNamesFieldAndFix(t *testing.T) {
	ok := Llama{Layers: 2, Width: 64, Heads: 8, KVHeads: 2, Inner: 172, Vocab: 256, Context: 128, NormEps: 1e-5, RopeTheta: 1e4}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	mod := func(f func(*Llama)) Llama { l := ok; f(&l); return l }
	for _, c := range []struct {
		a    Llama
		want string
	}{
		{mod(func(l *Llama) { l.KVHeads = 3 }), "heads 8 is not divisible by kv_heads 3"},
		{mod(func(l *Llama) { l.Heads, l.KVHeads, l.Width = 4, 4, 36 }), "head width 9"},
		{mod(func(l *Llama) { l.Heads = 5 }), "width 64 is not divisible by heads 5"},
		{mod(func(l *Llama) { l.KVHeads = 0 }), "kv_heads must be positive"},
		{mod(func(l *Llama) { l.NormEps = 0 }), "norm_eps"},
		{mod(func(l *Llama) { l.RopeTheta = -1 }), "rope_theta"},
		{mod(func(l *Llama) { l.RopeScaling = RopeScaling{Type: "yarn", Factor: 4} }), `type "yarn" is not supported`},
		{mod(func(l *Llama) { l.RopeScaling = RopeScaling{Factor: 8} }), "no type"},
		{mod(func(l *Llama) { l.RopeScaling = Llama3RopeScaling(8); l.RopeScaling.HighFreqFactor = 0.5 }), "must exceed low_freq_factor"},
	} {
		err := c.a.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want error containing %q", c.a, err, c.want)
		}
	}
}

func TestLlamaJSONRoundTrip(t *testing.T) {
	a := mustNamed(t, "llama-3.1-8b")
	data, err := MarshalJSON(a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseJSON(data)
	if err != nil || b != a {
		t.Fatalf("round trip: %v %v\n%s", b, err, data)
	}
	_, err = ParseJSON([]byte(`{"kind":"llama","layers":2,"width":64,"heads":4,"kv_heads":2,"inner":128,"vocab":256,"context":64,"norm_eps":1e-5,"rope_theta":10000,"rope_scalling":{}}`))
	if err == nil || !strings.Contains(err.Error(), `unknown field "rope_scalling"`) {
		t.Errorf("typo: %v", err)
	}
}

func TestLlamaFamilies(t *testing.T) {
	for _, name := range []string{"llamas1k", "llamas-mini"} {
		f, err := FamilyByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range f.Sample(3, 200) {
			l, ok := a.(Llama)
			if !ok {
				t.Fatalf("%s drew %T", name, a)
			}
			if err := l.Validate(); err != nil {
				t.Fatalf("%s drew an invalid %v: %v", name, l, err)
			}
			switch name {
			case "llamas1k":
				if NumParams(l) > Llamas1KMaxParams || l.Layers < 3 || l.Layers > 9 || l.Vocab != Llama3Vocab || l.Tied ||
					l.KVHeads != l.Heads || l.Inner != 4*l.Width || l.RopeScaling.Type != RopeLlama3 {
					t.Errorf("llamas1k member %v (%d params) breaks the generator's rules", l, NumParams(l))
				}
			case "llamas-mini":
				if l.Vocab != MiniVocab || l.Layers < 2 || l.Layers > 4 || l.Width < 32 || l.Width > 128 || l.Tied {
					t.Errorf("llamas-mini member %v out of range", l)
				}
			}
		}
	}
}
