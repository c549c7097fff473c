package params

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
)

// The torch.save fixtures of testdata/torch were written by make.py there: a tiny ViT and
// GPT-2 whose element j of tensor n is torchFixtureValue(n, j).
var (
	torchTinyViT  = arch.ViT{ImageSize: 8, Channels: 1, Patch: 4, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 3}
	torchTinyGPT2 = arch.GPT2{Layers: 1, Width: 16, Heads: 2, Inner: 32, Vocab: 20, Context: 8, Tied: true}
)

func torchFixtureValue(name string, j int) float32 {
	h := 0
	for _, b := range []byte(name) {
		h += int(b)
	}
	return float32(float64((31*j+h)%997)/997 - 0.5)
}

// torchFixtureSet is the parameters of a with the fixtures' values.
func torchFixtureSet(t *testing.T, a arch.Arch) *Set {
	t.Helper()
	s := NewSet()
	for _, p := range a.Params() {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		data := make([]float32, n)
		for j := range data {
			data[j] = torchFixtureValue(p.Name, j)
		}
		if err := s.AddFloat32(p.Name, p.Shape, data); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func requireSameSet(t *testing.T, got, want *Set) {
	t.Helper()
	if !slices.Equal(got.Names(), want.Names()) {
		t.Fatalf("names %v, want %v", got.Names(), want.Names())
	}
	for _, n := range want.Names() {
		g, _ := got.Get(n)
		w, _ := want.Get(n)
		if !slices.Equal(g.Shape(), w.Shape()) || !slices.Equal(g.Float32s(), w.Float32s()) {
			t.Fatalf("%s differs", n)
		}
	}
}

func TestLoadModelTorchStateDict(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    arch.Arch
		file string
	}{
		{"torchvision vit.pth", torchTinyViT, "vit_tiny_state_dict.pth"},
		{"nested GPT2Model state dict", torchTinyGPT2, "gpt2_tiny_nested.pt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := torchFixtureSet(t, tc.a)
			got, err := LoadModel(tc.a, filepath.Join("testdata", "torch", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			requireSameSet(t, got, want)
			// The same values from safetensors read the same.
			st := filepath.Join(t.TempDir(), "m.safetensors")
			if err := Save(st, want, nil); err != nil {
				t.Fatal(err)
			}
			fromST, err := LoadModel(tc.a, st)
			if err != nil {
				t.Fatal(err)
			}
			requireSameSet(t, fromST, got)
		})
	}
}

func TestLoadModelHFDirectoryWithPytorchModelBin(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("testdata", "torch", "gpt2_tiny_nested.pt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, TorchModelFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(NewHFGPT2Config(torchTinyGPT2))
	if err := os.WriteFile(filepath.Join(dir, HFConfigFile), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := ResolveModelFile(torchTinyGPT2, dir); err != nil || p != filepath.Join(dir, TorchModelFile) {
		t.Fatalf("ResolveModelFile = %q, %v", p, err)
	}
	got, err := LoadModel(torchTinyGPT2, dir)
	if err != nil {
		t.Fatal(err)
	}
	requireSameSet(t, got, torchFixtureSet(t, torchTinyGPT2))
	// The config is still checked.
	other := torchTinyGPT2
	other.Layers = 2
	if _, err := LoadModel(other, dir); err == nil || !strings.Contains(err.Error(), "n_layer 1") {
		t.Fatalf("LoadModel with another architecture: %v", err)
	}
}

func TestLoadModelTorchErrors(t *testing.T) {
	torchDir := filepath.Join("testdata", "torch")
	vit := filepath.Join(torchDir, "vit_tiny_state_dict.pth")
	wider := torchTinyViT
	wider.Width, wider.Heads = 32, 4
	deeper := torchTinyViT
	deeper.Depth = 2
	for _, tc := range []struct {
		name string
		a    arch.Arch
		path string
		want []string
	}{
		{"not a state dict", torchTinyViT, filepath.Join(torchDir, "not_state_dict.pt"),
			[]string{"not_state_dict.pt", "not a state dict", `"epoch"`}},
		{"nested checkpoint that is not a state dict", torchTinyViT, filepath.Join("..", "..", "testdata", "reference", "ghn_vit_tiny_checkpoint.pt"),
			[]string{"ghn_vit_tiny_checkpoint.pt", "no tensor \"class_token\""}},
		{"missing tensor", deeper, vit, []string{"vit_tiny_state_dict.pth", `no tensor "encoder.layers.encoder_layer_1.ln_1.weight"`}},
		{"wrong shape", wider, vit, []string{"vit_tiny_state_dict.pth", `"class_token" has shape [1 1 16], the model needs [1 1 32]`}},
		{"ViT state dict for a GPT-2", torchTinyGPT2, vit, []string{"vit_tiny_state_dict.pth", `no tensor "transformer.wte.weight"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadModel(tc.a, tc.path)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
