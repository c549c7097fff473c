package params

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
)

// vitD2 is the target of the reference fixtures predicted_vit_d2 and step_vit_d2.
var vitD2 = arch.ViT{ImageSize: 32, Channels: 3, Patch: 2, Depth: 2, Width: 64, Heads: 4, MLPDim: 256, Classes: 10}

func TestReadFixturePredictedViT(t *testing.T) {
	s, md, err := Load(fixtures.Path(t, "predicted_vit_d2.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if md["graph"] != "vit_d2" || md["noise_seed"] != "1234" {
		t.Fatalf("metadata %v", md)
	}
	// predicted_order is a JSON-encoded list of every tensor in the file.
	var order []string
	if err := json.Unmarshal([]byte(md["predicted_order"]), &order); err != nil {
		t.Fatalf("predicted_order: %v", err)
	}
	got, want := slices.Sorted(slices.Values(s.Names())), slices.Sorted(slices.Values(order))
	if !slices.Equal(got, want) {
		t.Fatalf("names %v, predicted_order %v", got, want)
	}
	// Every torchvision parameter but the class token (not predicted) with its shape.
	err = s.CheckArch(vitD2)
	wantErr(t, err, "1 missing (class_token)")
	if strings.Contains(err.Error(), "shape") || strings.Contains(err.Error(), "not in the architecture") {
		t.Fatal(err)
	}
	for x := range s.All() {
		if x.DType() != F32 {
			t.Fatalf("%v", x)
		}
		st := x.Stats()
		if math.IsNaN(st.Mean) || st.Norm == 0 {
			t.Errorf("%v", st)
		}
	}
}

func TestReadFixtureStep(t *testing.T) {
	f, err := Open(fixtures.Path(t, "step_vit_d2.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !strings.Contains(f.Metadata()["note"], "param/*") {
		t.Fatalf("metadata %v", f.Metadata())
	}
	img, err := f.ReadTensor("input_images")
	if err != nil || !slices.Equal(img.Shape(), []int{4, 3, 32, 32}) {
		t.Fatalf("input_images: %v %v", img, err)
	}

	// The Frobenius norms of the step's parameters match those torch computed.
	var ref struct {
		Norms       map[string]float64 `json:"per_param_fro_norm"`
		SumFroNorms float64            `json:"sum_fro_norms"`
	}
	js, err := os.ReadFile(fixtures.Path(t, "step_vit_d2.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &ref); err != nil {
		t.Fatal(err)
	}
	var sum float64
	n := 0
	for _, name := range f.Names() {
		pname, ok := strings.CutPrefix(name, "param/")
		if !ok {
			continue
		}
		want, ok := ref.Norms[pname]
		if !ok {
			t.Fatalf("%s has no reference norm", pname)
		}
		x, err := f.ReadTensor(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := x.Stats().Norm; math.Abs(got-want) > 1e-6*math.Max(1, want) {
			t.Errorf("%s: norm %.9g, torch %.9g", pname, got, want)
		}
		sum += x.Stats().Norm
		n++
	}
	if n != len(ref.Norms)-1 && n != len(ref.Norms) { // class_token may be absent (its norm is 0)
		t.Fatalf("checked %d of %d norms", n, len(ref.Norms))
	}
	sfn, _ := f.ReadTensor("sum_fro_norms")
	if math.Abs(sum-ref.SumFroNorms) > 1e-4 || math.Abs(sfn.At(0)-ref.SumFroNorms) > 1e-5 {
		t.Errorf("sum of norms %.7g, stored %v, json %.7g", sum, sfn.At(0), ref.SumFroNorms)
	}

	// The parameters used in the step are the prediction, bitwise (both GHN calls drew the
	// class-token noise after torch.manual_seed(1234), so even that slot agrees).
	pred, _, err := Load(fixtures.Path(t, "predicted_vit_d2.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	step := NewSet()
	for _, name := range pred.Names() {
		x, err := f.ReadTensor("param/" + name)
		if err != nil {
			t.Fatal(err)
		}
		step.Add(x.Clone(name))
	}
	c, err := Compare(step, pred)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tensors) != 31 || c.MaxAbs != 0 {
		t.Errorf("step parameters differ from the prediction: %d tensors, worst %s by %g", len(c.Tensors), c.WorstAbs, c.MaxAbs)
	}
	noise, _ := f.ReadTensor("cls_pos_noise")
	pe, _ := step.Get("encoder.pos_embedding")
	if !slices.Equal(noise.Float32s(), pe.Float32s()[:64]) {
		t.Error("cls_pos_noise is not slot 0 of encoder.pos_embedding")
	}
}

// TestRewriteFixture reads a reference file, writes it with this package and reads it back:
// every tensor and the metadata survive bitwise.
func TestRewriteFixture(t *testing.T) {
	s, md, err := Load(fixtures.Path(t, "predicted_gpt_b2.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/copy.safetensors"
	if err := Save(path, s, md); err != nil {
		t.Fatal(err)
	}
	s2, md2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := Compare(s2, s); err != nil || c.MaxAbs != 0 {
		t.Fatalf("%v %+v", err, c)
	}
	if !slices.Equal(s2.Names(), s.Names()) || len(md2) != len(md) || md2["truncated_rows"] != md["truncated_rows"] {
		t.Fatalf("names or metadata changed: %v", md2)
	}
}
