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
