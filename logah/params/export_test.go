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

// writeInit writes a's random initialisation in format f at out (what predict does with the
// prediction).
func writeInit(t *testing.T, a arch.Arch, f Format, out string) {
	t.Helper()
	set, err := Init(a, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteModel(a, f, out, func(path string) error { return Save(path, set, map[string]string{"format": "pt"}) }); err != nil {
		t.Fatal(err)
	}
}

// checkTensors compares the names, order and shapes of a file with a.Params().
func checkTensors(t *testing.T, a arch.Arch, path string) {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	infos := f.Infos()
	specs := a.Params()
	if len(infos) != len(specs) {
		t.Fatalf("%s: %d tensors, the architecture has %d", path, len(infos), len(specs))
	}
	for i, s := range specs {
		if infos[i].Name != s.Name || !slices.Equal(intsOf(infos[i].Shape), s.Shape) || infos[i].DType != F32 {
			t.Errorf("tensor %d: %s %v %v, want %s %v F32", i, infos[i].Name, infos[i].Shape, infos[i].DType, s.Name, s.Shape)
		}
	}
}

func intsOf[T ~int | ~int64](xs []T) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x)
	}
	return out
}

// readJSON reads a JSON object, failing on invalid JSON.
func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s is not valid JSON: %v", path, err)
	}
	return m
}

func TestWriteModelHFGPT2(t *testing.T) {
	for _, c := range []struct {
		g         arch.GPT2
		wantInner any // nil: JSON null
		wantEOT   float64
	}{
		{arch.GPT2{Layers: 2, Width: 32, Heads: 4, Inner: 128, Vocab: 50257, Context: 64, Tied: true}, nil, 50256},
		{arch.GPT2{Layers: 3, Width: 32, Heads: 2, Inner: 96, Vocab: 256, Context: 16, Tied: false}, 96.0, 255},
	} {
		g := c.g
		dir := filepath.Join(t.TempDir(), "hf")
		writeInit(t, g, FormatHF, dir)
		checkTensors(t, g, filepath.Join(dir, ModelFile))
		if _, meta, err := Load(filepath.Join(dir, ModelFile)); err != nil || meta["format"] != "pt" {
			t.Fatalf("metadata %v %v", meta, err)
		}
		cfg := readJSON(t, filepath.Join(dir, HFConfigFile))
		want := map[string]any{
			"architectures": []any{"GPT2LMHeadModel"}, "model_type": "gpt2",
			"vocab_size": float64(g.Vocab), "n_positions": float64(g.Context), "n_ctx": float64(g.Context),
			"n_embd": float64(g.Width), "n_layer": float64(g.Layers), "n_head": float64(g.Heads), "n_inner": c.wantInner,
			"activation_function": "gelu_new", "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1,
			"layer_norm_epsilon": 1e-5, "initializer_range": 0.02,
			"summary_type": "cls_index", "summary_use_proj": true, "summary_activation": nil,
			"summary_proj_to_labels": true, "summary_first_dropout": 0.1,
			"scale_attn_weights": true, "use_cache": true, "bos_token_id": c.wantEOT, "eos_token_id": c.wantEOT,
			"scale_attn_by_inverse_layer_idx": false, "reorder_and_upcast_attn": false,
			"tie_word_embeddings": g.Tied, "torch_dtype": "float32",
		}
		for k, v := range want {
			got, ok := cfg[k]
			if !ok {
				t.Errorf("%s: config.json lacks %s", g, k)
				continue
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(v)
			if string(gj) != string(wj) {
				t.Errorf("%s: config.json %s = %s, want %s", g, k, gj, wj)
			}
		}
		for k := range cfg {
			if _, ok := want[k]; !ok {
				t.Errorf("%s: unexpected config.json key %s", g, k)
			}
		}
		gen := readJSON(t, filepath.Join(dir, HFGenerationFile))
		if len(gen) != 2 || gen["bos_token_id"] != c.wantEOT || gen["eos_token_id"] != c.wantEOT {
			t.Errorf("generation_config.json %v", gen)
		}
		// The directory reads back as the architecture's parameters.
		if p, err := ResolveModelFile(g, dir); err != nil || p != filepath.Join(dir, ModelFile) {
			t.Errorf("ResolveModelFile: %q %v", p, err)
		}
	}
}

func TestWriteModelTorchvisionViT(t *testing.T) {
	mini, _ := arch.Named("vit-mini") // 1 channel
	rgb := arch.ViT{ImageSize: 32, Channels: 3, Patch: 4, Depth: 2, Width: 32, Heads: 4, MLPDim: 64, Classes: 100}
	for _, v := range []arch.ViT{mini.(arch.ViT), rgb} {
		dir := filepath.Join(t.TempDir(), "tv")
		writeInit(t, v, FormatTorchvision, dir)
		checkTensors(t, v, filepath.Join(dir, ModelFile))
		args := readJSON(t, filepath.Join(dir, TorchvisionArgsFile))
		want := map[string]any{"image_size": v.ImageSize, "patch_size": v.Patch, "num_layers": v.Depth, "num_heads": v.Heads,
			"hidden_dim": v.Width, "mlp_dim": v.MLPDim, "num_classes": v.Classes}
		if v.Channels != 3 {
			want["channels"] = v.Channels
		}
		if len(args) != len(want) {
			t.Errorf("%s: vit_args.json %v, want the keys of %v", v, args, want)
		}
		for k, w := range want {
			if args[k] != float64(w.(int)) {
				t.Errorf("%s: vit_args.json %s = %v, want %v", v, k, args[k], w)
			}
		}
		if p, err := ResolveModelFile(v, dir); err != nil || p != filepath.Join(dir, ModelFile) {
			t.Errorf("ResolveModelFile: %q %v", p, err)
		}
	}
}

func TestWriteModelSafetensorsAndWrongFamily(t *testing.T) {
	g, _ := arch.Named("gpt2-mini")
	v, _ := arch.Named("vit-mini")
	dir := t.TempDir()
	file := filepath.Join(dir, "m.safetensors")
	writeInit(t, g, FormatSafetensors, file)
	checkTensors(t, g, file)
	if p, err := ResolveModelFile(g, file); err != nil || p != file {
		t.Errorf("a file resolves to itself: %q %v", p, err)
	}
	noop := func(string) error { return nil }
	if err := WriteModel(v, FormatHF, filepath.Join(dir, "x"), noop); err == nil || !strings.Contains(err.Error(), "GPT-2") {
		t.Errorf("hf for a ViT: %v", err)
	}
	if err := WriteModel(g, FormatTorchvision, filepath.Join(dir, "y"), noop); err == nil || !strings.Contains(err.Error(), "ViT") {
		t.Errorf("torchvision for a GPT-2: %v", err)
	}
	if err := WriteModel(g, FormatHF, file, noop); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("hf over a file: %v", err)
	}
	if _, err := ParseFormat("onnx"); err == nil {
		t.Error("onnx accepted")
	}
}

func TestResolveModelFileRefusesAMismatchedConfig(t *testing.T) {
	g, _ := arch.Named("gpt2-mini")
	dir := filepath.Join(t.TempDir(), "hf")
	writeInit(t, g, FormatHF, dir)
	edit := func(file, key string, v any) {
		m := readJSON(t, filepath.Join(dir, file))
		m[key] = v
		data, _ := json.Marshal(m)
		os.WriteFile(filepath.Join(dir, file), data, 0o644)
	}
	for _, c := range []struct {
		key  string
		v    any
		want string
	}{
		{"n_layer", 12, "config.json: n_layer 12, the architecture gpt2(L4"},
		{"n_inner", nil, ""}, // null means 4·64 = 256: accepted
		{"tie_word_embeddings", true, "tie_word_embeddings true"},
		{"model_type", "llama", `model_type "llama"`},
	} {
		writeInit(t, g, FormatHF, dir)
		edit(HFConfigFile, c.key, c.v)
		_, err := ResolveModelFile(g, dir)
		if c.key == "n_inner" {
			if err != nil {
				t.Errorf("n_inner null (= 4·n_embd) refused: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s = %v: %v, want %q", c.key, c.v, err, c.want)
		} else if c.key == "n_layer" && !strings.Contains(err.Error(), "has 4") {
			t.Errorf("n_layer: %v", err)
		}
	}
	os.Remove(filepath.Join(dir, HFConfigFile))
	if _, err := ResolveModelFile(g, dir); err == nil || !strings.Contains(err.Error(), "without config.json") {
		t.Errorf("no config.json: %v", err)
	}

	v, _ := arch.Named("vit-mini")
	tv := filepath.Join(t.TempDir(), "tv")
	writeInit(t, v, FormatTorchvision, tv)
	dir = tv
	edit(TorchvisionArgsFile, "num_classes", 100)
	if _, err := ResolveModelFile(v, tv); err == nil || !strings.Contains(err.Error(), "num_classes 100") {
		t.Errorf("vit_args num_classes: %v", err)
	}
}
