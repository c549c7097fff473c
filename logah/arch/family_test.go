package arch

import (
	"testing"
)

func TestViTs1KDistribution(t *testing.T) {
	f, err := FamilyByName("vits1k")
	if err != nil {
		t.Fatal(err)
	}
	ms := f.Members()
	if len(ms) != 1000 {
		t.Fatalf("%d members", len(ms))
	}
	for _, a := range ms {
		v := a.(ViT)
		if err := v.Validate(); err != nil {
			t.Fatal(err)
		}
		var lo, hi int
		switch {
		case v.Depth >= 6 && v.Depth <= 9:
			lo, hi = 128, 256
		case v.Depth >= 4 && v.Depth <= 5:
			lo, hi = 256, 384
		case v.Depth == 3:
			lo, hi = 384, 512
		default:
			t.Fatalf("depth %d outside 3..9", v.Depth)
		}
		if v.Width < lo || v.Width > hi || v.Width%32 != 0 {
			t.Fatalf("%v: width outside {%d..%d step 32}", v, lo, hi)
		}
		if v.MLPDim != 4*v.Width || (v.Patch != 2 && v.Patch != 4) || v.ImageSize != 32 {
			t.Fatalf("%v", v)
		}
		switch {
		case v.Width%12 == 0:
			if v.Heads != 3 && v.Heads != 6 && v.Heads != 12 {
				t.Fatalf("%v: heads", v)
			}
		case v.Width%6 == 0:
			if v.Heads != 3 && v.Heads != 6 {
				t.Fatalf("%v: heads", v)
			}
		case v.Width%3 == 0:
			if v.Heads != 3 {
				t.Fatalf("%v: heads", v)
			}
		default:
			if v.Heads != 4 && v.Heads != 8 {
				t.Fatalf("%v: heads", v)
			}
		}
	}
	s := Summarize(ms)
	if s.MinDepth != 3 || s.MaxDepth != 9 || len(s.DepthHist) != 7 {
		t.Errorf("depths %v", s.DepthHist)
	}
	// docs/method.md §4.1: 1.2 M (L6, D128, p4) – 9.6 M (L3, D512, p2), with 10 classes at 32 px.
	if s.MinParams < 1_100_000 || s.MaxParams > 9_700_000 {
		t.Errorf("param range %d..%d", s.MinParams, s.MaxParams)
	}
}

func TestGPTs1KDistribution(t *testing.T) {
	f, _ := FamilyByName("gpts1k")
	ms := f.Sample(7, 500)
	for _, a := range ms {
		g := a.(GPT2)
		if g.Heads != 8 || g.Width%8 != 0 || g.Tied || g.Vocab != GPT2Vocab || g.Context != GPT2Context || g.Inner != 4*g.Width {
			t.Fatalf("%v", g)
		}
		lo, hi := 72, 176
		switch {
		case g.Layers == 3:
			lo, hi = 176, 256
		case g.Layers <= 5:
			lo, hi = 128, 176
		}
		if g.Layers < 3 || g.Layers > 9 || g.Width < lo || g.Width > hi {
			t.Fatalf("%v", g)
		}
	}
	// docs/method.md §4.2: 7.7 M – 28.4 M parameters (untied).
	s := Summarize(ms)
	if s.MinParams < 7_600_000 || s.MaxParams > 28_500_000 {
		t.Errorf("param range %d..%d", s.MinParams, s.MaxParams)
	}
}

func TestMiniFamilies(t *testing.T) {
	f, _ := FamilyByName("vits-mini")
	for _, a := range f.Sample(3, 300) {
		v := a.(ViT)
		if err := v.Validate(); err != nil {
			t.Fatal(err)
		}
		if v.ImageSize != 28 || v.Channels != 1 || v.Depth < 2 || v.Depth > 6 || v.Width < 32 || v.Width > 128 ||
			(v.Patch != 4 && v.Patch != 7) || v.Width%v.Heads != 0 {
			t.Fatalf("%v", v)
		}
	}
	g, _ := FamilyByName("gpts-mini")
	for _, a := range g.Sample(3, 300) {
		m := a.(GPT2)
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		if m.Layers < 2 || m.Layers > 4 || m.Width < 32 || m.Width > 128 || m.Width%8 != 0 || m.Heads != 4 || m.Context != 128 {
			t.Fatalf("%v", m)
		}
	}
}

func TestSamplingIsDeterministic(t *testing.T) {
	f, _ := FamilyByName("vits1k")
	a, b := f.Sample(42, 50), f.Sample(42, 50)
	c := f.Sample(43, 50)
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same seed gave different members")
		}
		same = same && a[i] == c[i]
	}
	if same {
		t.Fatal("different seeds gave identical lists")
	}
	if _, err := FamilyByName("vits2k"); err == nil {
		t.Fatal("unknown family accepted")
	}
}
