package ghn

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

// TestInit checks the initialiser's distributions and determinism.
func TestInit(t *testing.T) {
	cfg := fixtureConfig(VariantGPT)
	a, err := Init(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Init(cfg, 1)
	c, _ := Init(cfg, 2)
	if err := CheckSet(cfg, a); err != nil {
		t.Fatal(err)
	}
	for _, p := range cfg.Params() {
		x, _ := get(t, a, p.Name)
		y, _ := get(t, b, p.Name)
		z, _ := get(t, c, p.Name)
		if !slices.Equal(x, y) {
			t.Errorf("%s: not deterministic", p.Name)
		}
		if p.Init != InitOnes && p.Init != InitZeros && slices.Equal(x, z) {
			t.Errorf("%s: seeds 1 and 2 give the same values", p.Name)
		}
		st := statsOf(x)
		switch p.Init {
		case InitOnes:
			if st.min != 1 || st.max != 1 {
				t.Errorf("%s: not ones", p.Name)
			}
		case InitZeros:
			if st.min != 0 || st.max != 0 {
				t.Errorf("%s: not zeros", p.Name)
			}
		case InitLinearWeight, InitLinearBias:
			bound := 1 / math.Sqrt(float64(p.FanIn))
			if st.max > bound || st.min < -bound {
				t.Errorf("%s: values outside ±%g", p.Name, bound)
			}
			if p.Size() > 1000 && math.Abs(st.std-bound/math.Sqrt(3)) > 0.05*bound {
				t.Errorf("%s: std %g, want %g", p.Name, st.std, bound/math.Sqrt(3))
			}
		case InitEmbedding:
			want := 1 / math.Sqrt(float64(p.Shape[1]))
			if st.max > 2 || st.min < -2 {
				t.Errorf("%s: values outside ±2", p.Name)
			}
			if p.Size() > 1000 && math.Abs(st.std-want) > 0.05*want {
				t.Errorf("%s: std %g, want %g", p.Name, st.std, want)
			}
		}
	}
	// GHN-3 decoder: _init_small on the last Linear of each predictor.
	g3 := GHN3Baseline(fixtureConfig(VariantViT), 16)
	s, err := Init(g3, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range g3.Params() {
		x, _ := get(t, s, p.Name)
		st := statsOf(x)
		switch {
		case p.Small && p.Init == InitLinearBias:
			if st.min != 0 || st.max != 0 {
				t.Errorf("%s: _init_small bias not zero", p.Name)
			}
		case p.Small:
			if st.max > 0.2/math.Sqrt(float64(p.FanIn)) {
				t.Errorf("%s: _init_small weight too large", p.Name)
			}
		}
	}
}

type simpleStats struct{ min, max, std float64 }

func statsOf(x []float32) simpleStats {
	s := simpleStats{min: math.Inf(1), max: math.Inf(-1)}
	var sum, sq float64
	for _, v := range x {
		f := float64(v)
		s.min, s.max = min(s.min, f), max(s.max, f)
		sum += f
		sq += f * f
	}
	n := float64(len(x))
	s.std = math.Sqrt(max(0, sq/n-(sum/n)*(sum/n)))
	return s
}

// TestGHN3Decoder runs the GHN-3 baseline decoder: shapes, tiling periodicity, streaming
// equality, and one node's 2-D weight recomputed on the host from the definition.
func TestGHN3Decoder(t *testing.T) {
	cfg := GHN3Baseline(fixtureConfig(VariantViT), 32)
	set, err := Init(cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	m := newGHN(t, cfg, set)
	a := fixtureArchs["vit_d3_D96"].(arch.ViT)
	raw, err := m.Predict(a, PredictOptions{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.CheckArch(a); err != nil {
		t.Fatal(err)
	}
	// mlp.0.weight (384, 96) from a 32×32 chunk: rows and columns repeat with period 32.
	w, ws := get(t, raw, "encoder.layers.encoder_layer_0.mlp.0.weight")
	for r := range ws[0] {
		for c := range ws[1] {
			if w[r*ws[1]+c] != w[(r%32)*ws[1]+c%32] {
				t.Fatalf("mlp.0.weight[%d,%d] is not a tiled copy", r, c)
			}
		}
	}
	// Host recomputation of out_proj.weight (96, 96) of layer 0 from its node embedding.
	embs, err := m.Embeddings([]arch.Arch{a}, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g := mustGraph(t, cfg, a)
	node := slices.IndexFunc(g.Nodes, func(n nodeT) bool { return n.Param == "encoder.layers.encoder_layer_0.self_attention.out_proj.weight" })
	z := embs[0][node*cfg.Hid : (node+1)*cfg.Hid]
	h, s, d := cfg.Hid, cfg.SpatialMax, cfg.MaxShape
	fc := hostLinear(t, set, "decoder.fc.0", z)
	x := make([]float64, 4*h)
	for c := range x { // centre tap of the (4h, s, s) view
		x[c] = math.Max(0, fc[(c*s+s/2)*s+s/2])
	}
	y := hostLinear64(t, set, "decoder.conv.2", relu64(hostLinear64(t, set, "decoder.conv.0", x))) // d²
	got, gs := get(t, raw, "encoder.layers.encoder_layer_0.self_attention.out_proj.weight")
	worst := 0.0
	for o := range gs[0] {
		for i := range gs[1] {
			want := y[(o%d)*d+i%d]
			worst = max(worst, math.Abs(float64(got[o*gs[1]+i])-want))
		}
	}
	if worst > 1e-5 {
		t.Errorf("GHN-3 out_proj.weight vs host recomputation: max |diff| = %g", worst)
	}
	// Class weight: (NumClasses, D') through the class-layer predictor, tiled to D = 96.
	hw, hs := get(t, raw, "heads.head.weight")
	if hs[0] != 10 || hs[1] != 96 || hw[0] != hw[32] {
		t.Errorf("heads.head.weight %v not tiled along D", hs)
	}
	// Streaming gives the same normalised tensors.
	pred, err := m.Predict(a, PredictOptions{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "g3.safetensors")
	if _, err := m.PredictToFile(a, path, PredictOptions{Seed: 9}); err != nil {
		t.Fatal(err)
	}
	streamed, _, err := params.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := params.MaxAbsError(streamed, pred)
	if err != nil || d2 > 1e-6 {
		t.Errorf("GHN-3 streamed vs in-graph: %g (%v)", d2, err)
	}
	// A 32×32 patch exceeds s_max = 16: the 16×16 chunk is upsampled bilinearly.
	big := arch.ViT{ImageSize: 64, Channels: 3, Patch: 32, Depth: 1, Width: 32, Heads: 2, MLPDim: 64, Classes: 10}
	pb, err := m.Predict(big, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := pb.CheckArch(big); err != nil {
		t.Fatal(err)
	}
	k, _ := get(t, pb, "conv_proj.weight")
	if st := statsOf(k); math.IsNaN(st.std) || st.std == 0 {
		t.Errorf("upsampled conv_proj.weight: std %g", st.std)
	}
}

// TestInterpMatrix checks bilinear resizing weights against torch's F.interpolate
// (align_corners=False): [1, 2] → [1, 1.25, 1.75, 2].
func TestInterpMatrix(t *testing.T) {
	m := interpMatrix(2, 4, 0).([][]float32)
	in := []float32{1, 2}
	want := []float32{1, 1.25, 1.75, 2}
	for o, row := range m {
		v := row[0]*in[0] + row[1]*in[1]
		if math.Abs(float64(v-want[o])) > 1e-6 {
			t.Errorf("out[%d] = %g, want %g", o, v, want[o])
		}
	}
}

// TestSaveOpenRoundTrip saves a GHN, opens it back and compares predictions; it also opens the
// fixture state_dict file, which has no configuration metadata, through a .json beside it.
func TestSaveOpenRoundTrip(t *testing.T) {
	cfg, set := loadFixtureGHN(t, VariantViT)
	m := newGHN(t, cfg, set)
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	f, err := params.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	names := f.Names()
	f.Close()
	ref, _ := fixtureFile(t, "ghn_vit_tiny.safetensors")
	if !slices.Equal(sortedCopy(names), sortedCopy(ref.Names())) {
		t.Errorf("saved names differ from the authors' state_dict:\n%v\n%v", names, ref.Names())
	}
	back, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if back.Config() != m.Config() || back.Origin() != (Origin{File: path}) {
		t.Errorf("config %+v from %v, want %+v from %s", back.Config(), back.Origin(), m.Config(), path)
	}
	fromDir, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fromDir.Close()
	if fromDir.Origin().File != path || fromDir.Origin().IsCheckpoint() {
		t.Errorf("a directory with %s opened from %v", FileName, fromDir.Origin())
	}

	// The authors' state_dict without metadata: an error naming the fix, then opened through
	// the configuration beside it.
	bare := filepath.Join(t.TempDir(), "ghn.safetensors")
	data, err := os.ReadFile(fixtures.Path(t, "ghn_vit_tiny.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bare, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sidecar := strings.TrimSuffix(bare, ".safetensors") + ".json"
	if _, err := Open(bare, nil); err == nil || !strings.Contains(err.Error(), "write the hypernetwork's configuration") || !strings.Contains(err.Error(), sidecar) {
		t.Errorf("a state_dict without configuration: %v", err)
	}
	cfgJSON, err := cfg.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sidecar, cfgJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	direct, err := Open(bare, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	a := fixtureArchs["vit_d1"]
	p1, err := m.Predict(a, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []*GHN{back, fromDir, direct} {
		p2, err := other.Predict(a, PredictOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d, err := params.MaxAbsError(p1, p2); err != nil || d != 0 {
			t.Errorf("prediction after reload differs by %g (%v)", d, err)
		}
	}
	wrong := fixtureConfig(VariantGPT)
	if _, err := readWeights(wrong, fixtures.Path(t, "ghn_vit_tiny.safetensors")); err == nil {
		t.Error("readWeights accepted a ViT checkpoint for a GPT configuration")
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// TestTiedAndCache checks tied GPT-2 naming and normalisation, and the bounded executor cache.
func TestTiedAndCache(t *testing.T) {
	cfg, set := loadFixtureGHN(t, VariantGPT)
	m := newGHN(t, cfg, set)
	m.SetCacheSize(2)
	tied := fixtureArchs["gpt2_b1_tied"]
	p, err := m.Predict(tied, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CheckArch(tied); err != nil {
		t.Fatal(err)
	}
	wte, _ := get(t, p, "transformer.wte.weight")
	// HEAD rule: the shared tensor sits in lm_head (a Linear), so it is scaled to std 0.02.
	if st := statsOf(wte); math.Abs(st.std-0.02) > 1e-4 {
		t.Errorf("tied wte std %g, want 0.02 (normalised as a Linear)", st.std)
	}
	for _, name := range []string{"gpt2_b1_untied", "gpt2_b2_untied"} {
		if _, err := m.Predict(fixtureArchs[name], PredictOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.cache.Len(); n > 2 {
		t.Errorf("cache holds %d executors, bound 2", n)
	}
	// Explicit noise of the wrong size is an error.
	vcfg, vset := loadFixtureGHN(t, VariantViT)
	vm := newGHN(t, vcfg, vset)
	if _, err := vm.Predict(fixtureArchs["vit_d1"], PredictOptions{ClassNoise: [][]float32{{1, 2}}}); err == nil {
		t.Error("short class-token noise accepted")
	}
}
