package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

// predict --format hf writes a Hugging Face GPT-2 directory that eval and finetune --init read
// back, and that a different --arch refuses naming the field.
func TestPredictHFDirectoryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	ghnDir, hf := filepath.Join(dir, "ghn"), filepath.Join(dir, "hf")
	if code, _, errOut := runCLI("init-ghn", "--variant", "gpt", "--out", ghnDir); code != 0 {
		t.Fatalf("init-ghn: %s", errOut)
	}
	code, out, errOut := runCLI("predict", "--ghn", ghnDir, "--arch", "gpt2-mini", "--format", "hf", "--out", hf)
	if code != 0 {
		t.Fatalf("predict --format hf: %s", errOut)
	}
	for _, f := range []string{params.ModelFile, params.HFConfigFile, params.HFGenerationFile} {
		if _, err := os.Stat(filepath.Join(hf, f)); err != nil {
			t.Errorf("predict --format hf (%s): %v", strings.TrimSpace(out), err)
		}
	}
	var cfg map[string]any
	data, _ := os.ReadFile(filepath.Join(hf, params.HFConfigFile))
	if err := json.Unmarshal(data, &cfg); err != nil || cfg["n_layer"] != 4.0 || cfg["n_embd"] != 64.0 {
		t.Errorf("config.json: %v %v", cfg, err)
	}
	a, _ := arch.Named("gpt2-mini")
	set, _, err := params.Load(filepath.Join(hf, params.ModelFile))
	if err != nil || set.CheckArch(a) != nil {
		t.Fatalf("model.safetensors: %v", err)
	}

	code, out, errOut = runCLI("eval", "--arch", "gpt2-mini", "--params", hf, "--max-eval", "1", "--json")
	var res struct{ Metrics map[string]float64 }
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Metrics["perplexity"] <= 1 {
		t.Fatalf("eval of the hf directory: code %d, %s %s", code, out, errOut)
	}

	// A configuration that differs from --arch is refused, naming the field.
	big, _ := json.Marshal(map[string]any{"kind": "gpt2", "layers": 12, "width": 64, "heads": 4, "inner": 256, "vocab": 256, "context": 128})
	cfgFile := filepath.Join(dir, "gpt2-l12.json")
	os.WriteFile(cfgFile, big, 0o644)
	code, _, errOut = runCLI("eval", "--arch", cfgFile, "--params", hf)
	if code == 0 || !strings.Contains(errOut, "config.json: n_layer 4, the architecture gpt2(L12") || !strings.Contains(errOut, "has 12") {
		t.Errorf("eval with a mismatched --arch: code %d, %q", code, errOut)
	}
	code, _, errOut = runCLI("finetune", "--arch", cfgFile, "--init", hf, "--steps", "1")
	if code == 0 || !strings.Contains(errOut, "n_layer 4") {
		t.Errorf("finetune --init with a mismatched --arch: code %d, %q", code, errOut)
	}
	code, _, errOut = runCLI("predict", "--ghn", ghnDir, "--arch", "gpt2-mini", "--format", "torchvision", "--out", filepath.Join(dir, "tv"))
	if code == 0 || !strings.Contains(errOut, "ViT") {
		t.Errorf("--format torchvision for a GPT-2: code %d, %q", code, errOut)
	}
}

// predict writes a Llama's Hugging Face tensors in float32 or bfloat16 (--dtype), refuses other
// dtypes and --format hf with bf16, and a ViT-variant hypernetwork refuses a Llama naming the fix.
func TestPredictLlamaDType(t *testing.T) {
	dir := t.TempDir()
	gpt, vit := filepath.Join(dir, "ghn-gpt"), filepath.Join(dir, "ghn-vit")
	for v, out := range map[string]string{"gpt": gpt, "vit": vit} {
		if code, _, errOut := runCLI("init-ghn", "--variant", v, "--d-max", "256", "--out", out); code != 0 {
			t.Fatalf("init-ghn --variant %s: %s", v, errOut)
		}
	}
	tied, _ := json.Marshal(map[string]any{"kind": "llama", "layers": 2, "width": 64, "heads": 4, "kv_heads": 2, "inner": 176,
		"vocab": 256, "context": 128, "norm_eps": 1e-5, "rope_theta": 10000, "tied": true})
	tiedFile := filepath.Join(dir, "llama-tied.json")
	if err := os.WriteFile(tiedFile, tied, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ archFlag, dtype string }{{"llama-mini", "f32"}, {"llama-mini", "bf16"}, {tiedFile, "bf16"}} {
		out := filepath.Join(dir, c.dtype+"-"+filepath.Base(c.archFlag)+".safetensors")
		code, stdout, errOut := runCLI("predict", "--ghn", gpt, "--arch", c.archFlag, "--dtype", c.dtype, "--out", out)
		if code != 0 {
			t.Fatalf("predict --arch %s --dtype %s: %s", c.archFlag, c.dtype, errOut)
		}
		a, err := archFromFlag(c.archFlag)
		if err != nil {
			t.Fatal(err)
		}
		set, _, err := params.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := set.CheckArch(a); err != nil {
			t.Errorf("%s: %v", c.archFlag, err)
		}
		var names []string
		for _, s := range a.Params() {
			names = append(names, s.Name)
		}
		if got := set.Names(); strings.Join(got, ",") != strings.Join(names, ",") {
			t.Errorf("%s: file tensors %v, Params() %v", c.archFlag, got, names)
		}
		want := params.F32
		if c.dtype == "bf16" {
			want = params.BF16
		}
		for x := range set.All() {
			if x.DType() != want {
				t.Fatalf("%s --dtype %s: %s", c.archFlag, c.dtype, x)
			}
		}
		if !strings.Contains(stdout, string(want)) {
			t.Errorf("summary %q does not name the dtype %s", stdout, want)
		}
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--ghn", gpt, "--arch", "llama-mini", "--dtype", "f16"}, []string{"--dtype", "f32", "bf16"}},
		{[]string{"--ghn", gpt, "--arch", "llama-mini", "--dtype", "bf16", "--format", "hf"}, []string{"--format hf", "torch_dtype", "--format safetensors --dtype bf16"}},
		{[]string{"--ghn", vit, "--arch", "llama-mini"}, []string{"rmsnorm", "--variant gpt"}},
	} {
		out := filepath.Join(dir, "refused")
		code, _, errOut := runCLI(append(append([]string{"predict"}, c.args...), "--out", out)...)
		if code == 0 {
			t.Errorf("predict %v succeeded", c.args)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("predict %v: error %q does not mention %q", c.args, errOut, w)
			}
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("predict %v left %s", c.args, out)
		}
	}
}
