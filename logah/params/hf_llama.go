package params

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/logah-go/logah/logah/arch"
)

// HFLlamaConfig is the config.json of a Hugging Face LlamaForCausalLM (transformers 4.43
// LlamaConfig), keys in the sorted order save_pretrained writes them. head_dim (read by
// transformers from 4.44 on) is always width/heads here.
type HFLlamaConfig struct {
	Architectures         []string            `json:"architectures"`
	AttentionBias         bool                `json:"attention_bias"`
	AttentionDropout      float64             `json:"attention_dropout"`
	BosTokenID            int                 `json:"bos_token_id"`
	EosTokenID            int                 `json:"eos_token_id"`
	HeadDim               int                 `json:"head_dim"`
	HiddenAct             string              `json:"hidden_act"`
	HiddenSize            int                 `json:"hidden_size"`
	InitializerRange      float64             `json:"initializer_range"`
	IntermediateSize      int                 `json:"intermediate_size"`
	MaxPositionEmbeddings int                 `json:"max_position_embeddings"`
	MLPBias               bool                `json:"mlp_bias"`
	ModelType             string              `json:"model_type"`
	NumAttentionHeads     int                 `json:"num_attention_heads"`
	NumHiddenLayers       int                 `json:"num_hidden_layers"`
	NumKeyValueHeads      int                 `json:"num_key_value_heads"`
	PretrainingTP         int                 `json:"pretraining_tp"`
	RMSNormEps            float64             `json:"rms_norm_eps"`
	RopeScaling           *HFLlamaRopeScaling `json:"rope_scaling"` // nil: JSON null, no scaling
	RopeTheta             float64             `json:"rope_theta"`
	TieWordEmbeddings     bool                `json:"tie_word_embeddings"`
	TorchDtype            string              `json:"torch_dtype"`
	UseCache              bool                `json:"use_cache"`
	VocabSize             int                 `json:"vocab_size"`
}

// HFLlamaRopeScaling is LlamaConfig.rope_scaling for the "llama3" rule.
type HFLlamaRopeScaling struct {
	RopeType                      string  `json:"rope_type"`
	Factor                        float64 `json:"factor"`
	LowFreqFactor                 float64 `json:"low_freq_factor"`
	HighFreqFactor                float64 `json:"high_freq_factor"`
	OriginalMaxPositionEmbeddings int     `json:"original_max_position_embeddings"`
}

// hfSiLU is the only activation of arch.Llama's MLP.
const hfSiLU = "silu"

// HFLlamaSpecialTokens returns the bos and eos token ids written for l: Llama 3's
// <|begin_of_text|> and <|end_of_text|> (128000, 128001) for its 128,256-token vocabulary,
// else LlamaConfig's defaults 1 and 2 (Llama 2's SentencePiece <s> and </s>), kept below the
// vocabulary size.
func HFLlamaSpecialTokens(l arch.Llama) (bos, eos int) {
	if l.Vocab == arch.Llama3Vocab {
		return 128000, 128001
	}
	return min(1, l.Vocab-1), min(2, l.Vocab-1)
}

// NewHFLlamaConfig returns the LlamaConfig of l: its sizes, rms_norm_eps, rope_theta,
// rope_scaling (null, or the llama3 rule), tie_word_embeddings as l.Tied, and LlamaConfig's
// values for everything else (silu, no biases, no attention dropout, initializer_range 0.02,
// float32).
func NewHFLlamaConfig(l arch.Llama) HFLlamaConfig {
	bos, eos := HFLlamaSpecialTokens(l)
	c := HFLlamaConfig{
		Architectures: []string{"LlamaForCausalLM"}, ModelType: "llama",
		BosTokenID: bos, EosTokenID: eos, HeadDim: l.HeadDim(), HiddenAct: hfSiLU, HiddenSize: l.Width,
		InitializerRange: LlamaInitRange, IntermediateSize: l.Inner, MaxPositionEmbeddings: l.Context,
		NumAttentionHeads: l.Heads, NumHiddenLayers: l.Layers, NumKeyValueHeads: l.KVHeads, PretrainingTP: 1,
		RMSNormEps: l.NormEps, RopeTheta: l.RopeTheta, TieWordEmbeddings: l.Tied, TorchDtype: "float32",
		UseCache: true, VocabSize: l.Vocab,
	}
	if r := l.RopeScaling; r.Type != "" {
		c.RopeScaling = &HFLlamaRopeScaling{RopeType: r.Type, Factor: r.Factor, LowFreqFactor: r.LowFreqFactor,
			HighFreqFactor: r.HighFreqFactor, OriginalMaxPositionEmbeddings: r.OriginalContext}
	}
	return c
}

// LlamaFromHFConfig reads a Hugging Face LlamaConfig (the config.json of a LlamaForCausalLM
// directory, e.g. meta-llama/Llama-3.1-8B's) as an arch.Llama. Absent keys take the defaults of
// transformers 4.43's LlamaConfig (num_key_value_heads defaults to num_attention_heads,
// rms_norm_eps to 1e-6, max_position_embeddings to 2048, tie_word_embeddings to false, …);
// rope_scaling may name its rule "rope_type" or, as older configs do, "type".
//
// What arch.Llama cannot represent is an error naming the key: a model_type other than
// "llama", an activation other than silu, attention or MLP biases, a head_dim other than
// hidden_size/num_attention_heads, or a rope_scaling rule other than "llama3" ("default" means
// none). The result is validated.
func LlamaFromHFConfig(data []byte) (arch.Llama, error) {
	l, err := parseHFLlamaConfig(data)
	if err != nil {
		return arch.Llama{}, fmt.Errorf("llama config.json: %w", err)
	}
	return l, nil
}

func parseHFLlamaConfig(data []byte) (arch.Llama, error) {
	// LlamaConfig's defaults (transformers 4.43); pointers tell absent keys from zeros.
	c := struct {
		ModelType             string          `json:"model_type"`
		VocabSize             int             `json:"vocab_size"`
		HiddenSize            int             `json:"hidden_size"`
		IntermediateSize      int             `json:"intermediate_size"`
		NumHiddenLayers       int             `json:"num_hidden_layers"`
		NumAttentionHeads     int             `json:"num_attention_heads"`
		NumKeyValueHeads      *int            `json:"num_key_value_heads"`
		HeadDim               *int            `json:"head_dim"`
		HiddenAct             string          `json:"hidden_act"`
		MaxPositionEmbeddings int             `json:"max_position_embeddings"`
		RMSNormEps            float64         `json:"rms_norm_eps"`
		RopeTheta             float64         `json:"rope_theta"`
		RopeScaling           json.RawMessage `json:"rope_scaling"`
		TieWordEmbeddings     bool            `json:"tie_word_embeddings"`
		AttentionBias         bool            `json:"attention_bias"`
		MLPBias               bool            `json:"mlp_bias"`
	}{ModelType: "llama", VocabSize: 32000, HiddenSize: 4096, IntermediateSize: 11008, NumHiddenLayers: 32,
		NumAttentionHeads: 32, HiddenAct: hfSiLU, MaxPositionEmbeddings: 2048, RMSNormEps: 1e-6, RopeTheta: 10000}
	if err := json.Unmarshal(data, &c); err != nil {
		return arch.Llama{}, err
	}
	switch {
	case c.ModelType != "llama":
		return arch.Llama{}, fmt.Errorf(`model_type %q, not a Llama ("llama")`, c.ModelType)
	case c.HiddenAct != hfSiLU:
		return arch.Llama{}, fmt.Errorf("hidden_act %q is not supported: the architecture's MLP uses silu", c.HiddenAct)
	case c.AttentionBias:
		return arch.Llama{}, fmt.Errorf("attention_bias true is not supported: the architecture's projections have no bias")
	case c.MLPBias:
		return arch.Llama{}, fmt.Errorf("mlp_bias true is not supported: the architecture's MLP has no bias")
	}
	l := arch.Llama{Layers: c.NumHiddenLayers, Width: c.HiddenSize, Heads: c.NumAttentionHeads, KVHeads: c.NumAttentionHeads,
		Inner: c.IntermediateSize, Vocab: c.VocabSize, Context: c.MaxPositionEmbeddings, NormEps: c.RMSNormEps,
		RopeTheta: c.RopeTheta, Tied: c.TieWordEmbeddings}
	if c.NumKeyValueHeads != nil {
		l.KVHeads = *c.NumKeyValueHeads
	}
	if c.HeadDim != nil && l.Heads > 0 && *c.HeadDim*l.Heads != l.Width {
		return arch.Llama{}, fmt.Errorf("head_dim %d differs from hidden_size/num_attention_heads = %d/%d: "+
			"the architecture derives the head width from the hidden size", *c.HeadDim, l.Width, l.Heads)
	}
	rope, err := parseHFRopeScaling(c.RopeScaling)
	if err != nil {
		return arch.Llama{}, err
	}
	l.RopeScaling = rope
	if err := l.Validate(); err != nil {
		return arch.Llama{}, err
	}
	return l, nil
}

// parseHFRopeScaling reads LlamaConfig.rope_scaling: null, a "default" rule (no scaling) or the
// "llama3" rule with all four of its parameters.
func parseHFRopeScaling(raw json.RawMessage) (arch.RopeScaling, error) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return arch.RopeScaling{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return arch.RopeScaling{}, fmt.Errorf("rope_scaling must be null or an object: %w", err)
	}
	kind, _ := m["rope_type"].(string)
	if kind == "" {
		kind, _ = m["type"].(string) // the key before transformers 4.42
	}
	switch kind {
	case "default":
		return arch.RopeScaling{}, nil
	case arch.RopeLlama3:
	case "":
		return arch.RopeScaling{}, fmt.Errorf(`rope_scaling has no "rope_type": use "llama3" or null`)
	default:
		return arch.RopeScaling{}, fmt.Errorf(`rope_scaling rope_type %q is not supported: only "llama3" (Llama 3.1/3.2) or null`, kind)
	}
	num := func(key string) (float64, error) {
		v, ok := m[key].(float64)
		if !ok {
			return 0, fmt.Errorf("rope_scaling of type llama3 needs a number %q (Llama-3.1 has factor 8, "+
				"low_freq_factor 1, high_freq_factor 4, original_max_position_embeddings 8192)", key)
		}
		return v, nil
	}
	r := arch.RopeScaling{Type: arch.RopeLlama3}
	var err error
	if r.Factor, err = num("factor"); err != nil {
		return r, err
	}
	if r.LowFreqFactor, err = num("low_freq_factor"); err != nil {
		return r, err
	}
	if r.HighFreqFactor, err = num("high_freq_factor"); err != nil {
		return r, err
	}
	orig, err := num("original_max_position_embeddings")
	if err != nil {
		return r, err
	}
	if orig != math.Trunc(orig) || orig < 1 || orig > math.MaxInt32 {
		return r, fmt.Errorf("rope_scaling original_max_position_embeddings %g is not a positive integer", orig)
	}
	r.OriginalContext = int(orig)
	return r, nil
}

// checkHFLlamaConfig checks the config.json of a Llama directory against l, naming the first
// key that differs.
func checkHFLlamaConfig(l arch.Llama, path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: a directory without %s (a Hugging Face Llama directory has config.json and model.safetensors)",
			filepath.Dir(path), HFConfigFile)
	}
	if err != nil {
		return err
	}
	c, err := parseHFLlamaConfig(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return firstMismatch(path, l, []mismatch{
		{"num_hidden_layers", c.Layers, l.Layers}, {"hidden_size", c.Width, l.Width},
		{"num_attention_heads", c.Heads, l.Heads}, {"num_key_value_heads", c.KVHeads, l.KVHeads},
		{"intermediate_size", c.Inner, l.Inner}, {"vocab_size", c.Vocab, l.Vocab},
		{"max_position_embeddings", c.Context, l.Context}, {"rms_norm_eps", c.NormEps, l.NormEps},
		{"rope_theta", c.RopeTheta, l.RopeTheta}, {"rope_scaling", ropeString(c.RopeScaling), ropeString(l.RopeScaling)},
		{"tie_word_embeddings", c.Tied, l.Tied},
	})
}

// ropeString writes a rope_scaling for error messages.
func ropeString(r arch.RopeScaling) string {
	if r.Type == "" {
		return "null"
	}
	return fmt.Sprintf("{%s factor %g low_freq_factor %g high_freq_factor %g original_max_position_embeddings %d}",
		r.Type, r.Factor, r.LowFreqFactor, r.HighFreqFactor, r.OriginalContext)
}
