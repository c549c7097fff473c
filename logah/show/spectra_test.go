package show

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

func spectraSets(t *testing.T) []NamedSet {
	t.Helper()
	mk := func(scale float32, rank1 bool) *params.Set {
		s := params.NewSet()
		w0 := make([]float32, 6*4)
		w1 := make([]float32, 6*4)
		for i := range w0 {
			w0[i] = scale * float32(math.Sin(float64(i)*1.7))
			w1[i] = scale * float32(math.Cos(float64(i)*0.9))
			if rank1 {
				w0[i] = scale * float32((i/4+1)*(i%4+1))
			}
		}
		for _, e := range []struct {
			name  string
			shape []int
			data  []float32
		}{
			{"encoder.layers.encoder_layer_0.mlp.0.weight", []int{6, 4}, w0},
			{"encoder.layers.encoder_layer_0.mlp.0.bias", []int{6}, w0[:6]},
			{"encoder.layers.encoder_layer_1.mlp.0.weight", []int{6, 4}, w1},
			{"conv_proj.weight", []int{2, 1, 2, 2}, w1[:8]},
		} {
			if err := s.AddFloat32(e.name, e.shape, e.data); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	return []NamedSet{{"random <init>", mk(1, false)}, {"LoGAH predicted", mk(0.5, true)}}
}

func TestSpectraOutput(t *testing.T) {
	sets := spectraSets(t)
	o := SpectraOutput("inside", sets, []string{"encoder.layers.encoder_layer_0.mlp.0.weight", "conv_proj.weight", "missing"})
	fixtures.WellFormedXML(t, o.SVG)
	for _, want := range []string{"random &lt;init&gt;", "LoGAH predicted", "layer 0 mlp.0.weight (6×4)", "conv_proj.weight (2×4)"} {
		if !strings.Contains(string(o.SVG), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Contains(o.HTML, "<script") || strings.Contains(o.HTML, "http://cdn") || strings.Contains(o.HTML, "https://") {
		t.Error("HTML loads external resources")
	}
	for _, want := range []string{"LoGAH predicted ‖W‖", "random &lt;init&gt; erank / rank", "1.0 / 1", "<svg"} {
		if !strings.Contains(o.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if !strings.Contains(o.Text, "missing: no matrix") || !strings.Contains(o.Text, "LoGAH predicted") {
		t.Errorf("text:\n%s", o.Text)
	}
	r := record(t)
	Spectra("inside", sets, "conv_proj.weight")
	if len(r.Outputs) != 1 || r.Outputs[0].Name != "inside" {
		t.Fatalf("recorded %+v", r.Outputs)
	}
}

func TestSpectraTableAndCosines(t *testing.T) {
	sets := spectraSets(t)
	tab := SpectraTable("t", sets)
	if len(tab.Rows) != 3 { // two 6×4 weights and the conv; the bias has no spectrum
		t.Fatalf("%d rows:\n%s", len(tab.Rows), tab.Text())
	}
	if got := tab.Rows[0][1]; got != "6×4" {
		t.Fatalf("matrix column %v", got)
	}
	ct := CosinesTable("c", sets)
	if len(ct.Rows) != 1 || ct.Rows[0][0] != "encoder.layers.encoder_layer_*.mlp.0.weight" || ct.Rows[0][1] != "0→1" {
		t.Fatalf("cosines:\n%s", ct.Text())
	}
	for _, v := range ct.Rows[0][2:] {
		if c := v.(float64); !(c >= -1 && c <= 1) {
			t.Fatalf("cosine %v", c)
		}
	}
	if p := SpectraPlot("nope", sets); p != nil {
		t.Fatal("plot of a missing tensor")
	}
}

func TestLoadNamedSetsReadsFilesInOrder(t *testing.T) {
	dir := t.TempDir()
	a := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	for seed, name := range []string{"random", "LoGAH"} {
		s, err := params.Init(a, uint64(seed+1))
		if err != nil {
			t.Fatal(err)
		}
		if err := params.Save(filepath.Join(dir, name+".safetensors"), s, nil); err != nil {
			t.Fatal(err)
		}
	}
	sets, err := LoadNamedSets(dir, "LoGAH", "random")
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 2 || sets[0].Name != "LoGAH" || sets[1].Name != "random" || sets[0].Set.Len() != len(a.Params()) {
		t.Fatalf("sets %+v", sets)
	}
	if _, err := LoadNamedSets(dir, "random", "LoGAH+ft1"); err == nil || !strings.Contains(err.Error(), `"LoGAH+ft1"`) {
		t.Errorf("a set not saved yet: %v", err)
	}
}
