package params

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
)

// TestWriteModelHFLlama writes Llama directories and checks config.json key by key against
// LlamaConfig, generation_config.json, the tensors, and that the directory reads back: the
// config as the same architecture, the tensors as the same values.
func TestWriteModelHFLlama(t *testing.T) {
	llama3Scaling := map[string]any{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
		"original_max_position_embeddings": 8192.0}
	for _, c := range []struct {
		l           arch.Llama
		wantRope    any // nil: JSON null
		wantBosEos  [2]float64
		wantHeadDim float64
	}{
		{llamaGQA, llama3Scaling, [2]float64{1, 2}, 8},
		{llamaTied, nil, [2]float64{1, 2}, 16},
		{arch.Llama{Layers: 1, Width: 16, Heads: 2, KVHeads: 1, Inner: 32, Vocab: arch.Llama3Vocab, Context: 32,
			NormEps: 1e-5, RopeTheta: 500000, RopeScaling: arch.Llama3RopeScaling(8)}, llama3Scaling, [2]float64{128000, 128001}, 8},
		{arch.Llama{Layers: 1, Width: 8, Heads: 2, KVHeads: 2, Inner: 8, Vocab: 2, Context: 4, NormEps: 1e-5, RopeTheta: 10000},
			nil, [2]float64{1, 1}, 4},
	} {
		l := c.l
		dir := filepath.Join(t.TempDir(), "hf")
		writeInit(t, l, FormatHF, dir)
		checkTensors(t, l, filepath.Join(dir, ModelFile))
		cfg := readJSON(t, filepath.Join(dir, HFConfigFile))
		want := map[string]any{
			"architectures": []any{"LlamaForCausalLM"}, "model_type": "llama",
			"hidden_size": l.Width, "intermediate_size": l.Inner, "num_attention_heads": l.Heads,
			"num_hidden_layers": l.Layers, "num_key_value_heads": l.KVHeads, "vocab_size": l.Vocab,
			"max_position_embeddings": l.Context, "rms_norm_eps": l.NormEps, "rope_theta": l.RopeTheta,
			"rope_scaling": c.wantRope, "tie_word_embeddings": l.Tied, "hidden_act": "silu",
			"initializer_range": 0.02, "attention_bias": false, "mlp_bias": false, "attention_dropout": 0.0,
			"torch_dtype": "float32", "head_dim": c.wantHeadDim, "pretraining_tp": 1, "use_cache": true,
			"bos_token_id": c.wantBosEos[0], "eos_token_id": c.wantBosEos[1],
		}
		for k, v := range want {
			got, ok := cfg[k]
			if !ok {
				t.Errorf("%s: config.json lacks %s", l, k)
				continue
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(v)
			if string(gj) != string(wj) {
				t.Errorf("%s: config.json %s = %s, want %s", l, k, gj, wj)
			}
		}
		for k := range cfg {
			if _, ok := want[k]; !ok {
				t.Errorf("%s: unexpected config.json key %s", l, k)
			}
		}
		gen := readJSON(t, filepath.Join(dir, HFGenerationFile))
		if len(gen) != 2 || gen["bos_token_id"] != c.wantBosEos[0] || gen["eos_token_id"] != c.wantBosEos[1] {
			t.Errorf("%s: generation_config.json %v", l, gen)
		}
		data, err := os.ReadFile(filepath.Join(dir, HFConfigFile))
		if err != nil {
			t.Fatal(err)
		}
		if back, err := LlamaFromHFConfig(data); err != nil || back != l {
			t.Errorf("config.json reads back as %v (%v), want %v", back, err, l)
		}
		if p, err := ResolveModelFile(l, dir); err != nil || p != filepath.Join(dir, ModelFile) {
			t.Errorf("ResolveModelFile: %q %v", p, err)
		}
		got, err := LoadModel(l, dir)
		if err != nil {
			t.Fatal(err)
		}
		init, _ := Init(l, 3) // writeInit's seed
		requireSameSet(t, got, init)
	}
}

// TestLlamaFromHFConfigPublished reads the config.json files published with the named models
// (copied from their Hugging Face repositories, keys as published: Llama 2's has no rope_theta,
// an older transformers wrote it) and the reference fixtures' configs.
func TestLlamaFromHFConfigPublished(t *testing.T) {
	for _, c := range []struct{ name, config string }{
		{"llama-2-7b", `{"_name_or_path": "meta-llama/Llama-2-7b-hf", "architectures": ["LlamaForCausalLM"],
			"bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
			"intermediate_size": 11008, "max_position_embeddings": 4096, "model_type": "llama", "num_attention_heads": 32,
			"num_hidden_layers": 32, "num_key_value_heads": 32, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
			"rope_scaling": null, "tie_word_embeddings": false, "torch_dtype": "float16",
			"transformers_version": "4.31.0.dev0", "use_cache": true, "vocab_size": 32000}`},
		{"llama-3.1-8b", `{"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
			"bos_token_id": 128000, "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096,
			"initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": false,
			"model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
			"pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0,
			"high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
			"rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
			"transformers_version": "4.43.0.dev0", "use_cache": true, "vocab_size": 128256}`},
		{"llama-3.2-1b", `{"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
			"bos_token_id": 128000, "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048,
			"initializer_range": 0.02, "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": false,
			"model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
			"pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0,
			"low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
			"rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
			"transformers_version": "4.45.0.dev0", "use_cache": true, "vocab_size": 128256}`},
		{"tinyllama-1.1b", `{"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 1,
			"eos_token_id": 2, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02,
			"intermediate_size": 5632, "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 32,
			"num_hidden_layers": 22, "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
			"rope_scaling": null, "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
			"transformers_version": "4.35.0", "use_cache": true, "vocab_size": 32000}`},
	} {
		want, err := arch.Named(c.name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := LlamaFromHFConfig([]byte(c.config))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != want {
			t.Errorf("%s: %v, want %v", c.name, got, want)
		}
	}

	// The configs the reference fixtures were generated from (llama_forward.json).
	raw, err := os.ReadFile(fixtures.Path(t, "llama_forward.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Configs map[string]struct {
			HFConfig json.RawMessage `json:"hf_config"`
		} `json:"configs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	fixtureWant := map[string]arch.Llama{
		"llama_fwd_tied": {Layers: 2, Width: 64, Heads: 4, KVHeads: 2, Inner: 172, Vocab: 512, Context: 2048,
			NormEps: 1e-5, RopeTheta: 10000, Tied: true},
		"llama_fwd_gqa_llama3": {Layers: 2, Width: 64, Heads: 8, KVHeads: 2, Inner: 256, Vocab: 384, Context: 256,
			NormEps: 1e-5, RopeTheta: 500000, RopeScaling: arch.RopeScaling{Type: "llama3", Factor: 8, LowFreqFactor: 1,
				HighFreqFactor: 4, OriginalContext: 64}},
		"llama_fwd_mha": {Layers: 1, Width: 48, Heads: 3, KVHeads: 3, Inner: 128, Vocab: 300, Context: 2048,
			NormEps: 1e-6, RopeTheta: 10000},
	}
	if len(doc.Configs) != len(fixtureWant) {
		t.Fatalf("llama_forward.json has %d configs, want %d", len(doc.Configs), len(fixtureWant))
	}
	for name, want := range fixtureWant {
		got, err := LlamaFromHFConfig(doc.Configs[name].HFConfig)
		if err != nil || got != want {
			t.Errorf("%s: %v (%v), want %v", name, got, err, want)
		}
	}
}

// TestLlamaFromHFConfigDefaultsAndErrors checks LlamaConfig's defaults for absent keys, the
// spellings of rope_scaling, and that what arch.Llama cannot represent is refused by name.
func TestLlamaFromHFConfigDefaultsAndErrors(t *testing.T) {
	base := map[string]any{"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
		"num_attention_heads": 4, "vocab_size": 100}
	parse := func(edits map[string]any) (arch.Llama, error) {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range edits {
			if v == "<absent>" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		data, _ := json.Marshal(m)
		return LlamaFromHFConfig(data)
	}
	// Absent keys: LlamaConfig(hidden_size=64, …)'s defaults.
	got, err := parse(nil)
	want := arch.Llama{Layers: 2, Width: 64, Heads: 4, KVHeads: 4, Inner: 128, Vocab: 100, Context: 2048,
		NormEps: 1e-6, RopeTheta: 10000}
	if err != nil || got != want {
		t.Errorf("defaults: %v (%v), want %v", got, err, want)
	}
	if got, err := parse(map[string]any{"model_type": "<absent>", "num_key_value_heads": nil}); err != nil || got != want {
		t.Errorf("no model_type, null num_key_value_heads: %v (%v), want %v", got, err, want)
	}
	scaled := want
	scaled.RopeScaling = arch.RopeScaling{Type: "llama3", Factor: 32, LowFreqFactor: 1, HighFreqFactor: 4, OriginalContext: 8192}
	legacy := map[string]any{"type": "llama3", "factor": 32, "low_freq_factor": 1, "high_freq_factor": 4,
		"original_max_position_embeddings": 8192}
	if got, err := parse(map[string]any{"rope_scaling": legacy}); err != nil || got != scaled {
		t.Errorf(`rope_scaling {"type": "llama3", …}: %v (%v), want %v`, got, err, scaled)
	}
	if got, err := parse(map[string]any{"rope_scaling": map[string]any{"rope_type": "default"}}); err != nil || got != want {
		t.Errorf(`rope_scaling {"rope_type": "default"}: %v (%v), want %v`, got, err, want)
	}
	if got, err := parse(map[string]any{"head_dim": 16}); err != nil || got != want {
		t.Errorf("head_dim 16 = 64/4: %v (%v)", got, err)
	}

	for _, c := range []struct {
		edits map[string]any
		want  []string
	}{
		{map[string]any{"model_type": "gpt2"}, []string{"llama config.json", `model_type "gpt2"`}},
		{map[string]any{"hidden_act": "gelu"}, []string{`hidden_act "gelu"`, "silu"}},
		{map[string]any{"attention_bias": true}, []string{"attention_bias"}},
		{map[string]any{"mlp_bias": true}, []string{"mlp_bias"}},
		{map[string]any{"head_dim": 32}, []string{"head_dim 32", "64/4"}},
		{map[string]any{"rope_scaling": map[string]any{"rope_type": "linear", "factor": 2}}, []string{`rope_type "linear"`, "llama3"}},
		{map[string]any{"rope_scaling": map[string]any{"factor": 2}}, []string{`no "rope_type"`}},
		{map[string]any{"rope_scaling": map[string]any{"rope_type": "llama3", "factor": 8, "low_freq_factor": 1,
			"high_freq_factor": 4}}, []string{`"original_max_position_embeddings"`}},
		{map[string]any{"rope_scaling": map[string]any{"rope_type": "llama3", "factor": 8, "low_freq_factor": 1,
			"high_freq_factor": 4, "original_max_position_embeddings": 0.5}}, []string{"original_max_position_embeddings 0.5"}},
		{map[string]any{"rope_scaling": "llama3"}, []string{"rope_scaling must be null or an object"}},
		{map[string]any{"num_key_value_heads": 3}, []string{"kv_heads 3"}},
		{map[string]any{"hidden_size": "64"}, []string{"hidden_size"}},
	} {
		_, err := parse(c.edits)
		if err == nil {
			t.Errorf("%v: accepted", c.edits)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not contain %q", c.edits, err, w)
			}
		}
	}
}

// TestResolveModelFileRefusesAMismatchedLlamaConfig edits a written Llama directory's
// config.json and checks that each difference from the architecture is named.
func TestResolveModelFileRefusesAMismatchedLlamaConfig(t *testing.T) {
	l := llamaGQA
	dir := filepath.Join(t.TempDir(), "hf")
	edit := func(key string, v any) {
		path := filepath.Join(dir, HFConfigFile)
		m := readJSON(t, path)
		if v == "<absent>" {
			delete(m, key)
		} else {
			m[key] = v
		}
		data, _ := json.Marshal(m)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		key  string
		v    any
		want string // "" : accepted
	}{
		{"num_key_value_heads", 4, "config.json: num_key_value_heads 4, the architecture llama(L2"},
		{"num_hidden_layers", 3, "num_hidden_layers 3"},
		{"intermediate_size", 128, "intermediate_size 128"},
		{"rope_theta", 10000, "rope_theta 10000"},
		{"rope_scaling", nil, "rope_scaling null"},
		{"rms_norm_eps", 1e-6, "rms_norm_eps 1e-06"},
		{"max_position_embeddings", 128, "max_position_embeddings 128"},
		{"tie_word_embeddings", true, "tie_word_embeddings true"},
		{"model_type", "gpt2", `model_type "gpt2"`},
		{"head_dim", "<absent>", ""}, // transformers 4.43 writes none
		{"torch_dtype", "bfloat16", ""},
	} {
		writeInit(t, l, FormatHF, dir)
		edit(c.key, c.v)
		_, err := ResolveModelFile(l, dir)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s = %v refused: %v", c.key, c.v, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s = %v: %v, want %q", c.key, c.v, err, c.want)
		}
	}
	// A GPT-2 architecture refuses a Llama directory, and the other way round.
	writeInit(t, l, FormatHF, dir)
	g, _ := arch.Named("gpt2-mini")
	if _, err := ResolveModelFile(g, dir); err == nil || !strings.Contains(err.Error(), `model_type "llama"`) {
		t.Errorf("GPT-2 from a Llama directory: %v", err)
	}
	gdir := filepath.Join(t.TempDir(), "gpt2")
	writeInit(t, g, FormatHF, gdir)
	if _, err := ResolveModelFile(l, gdir); err == nil || !strings.Contains(err.Error(), `model_type "gpt2", not a Llama`) {
		t.Errorf("Llama from a GPT-2 directory: %v", err)
	}
	os.Remove(filepath.Join(dir, HFConfigFile))
	if _, err := ResolveModelFile(l, dir); err == nil || !strings.Contains(err.Error(), "without config.json") {
		t.Errorf("no config.json: %v", err)
	}
	// An invalid architecture is refused before anything is written.
	bad := l
	bad.KVHeads = 3
	if err := WriteModel(bad, FormatHF, filepath.Join(t.TempDir(), "bad"), func(string) error { return nil }); err == nil ||
		!strings.Contains(err.Error(), "kv_heads 3") {
		t.Errorf("invalid Llama: %v", err)
	}
}
