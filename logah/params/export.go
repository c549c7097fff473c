package params

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/logah-go/logah/internal/atomicfile"
	"github.com/logah-go/logah/logah/arch"
)

// Format is the layout of a written model: a bare safetensors file, a Hugging Face GPT-2 or
// Llama directory or a torchvision ViT directory (see [WriteModel]).
type Format string

const (
	// FormatSafetensors is one .safetensors file with PyTorch names.
	FormatSafetensors Format = "safetensors"
	// FormatHF is a Hugging Face directory: model.safetensors, config.json (the GPT2Config
	// or LlamaConfig of the architecture) and generation_config.json; GPT-2 and Llama only.
	FormatHF Format = "hf"
	// FormatTorchvision is a directory with model.safetensors and vit_args.json (the
	// arguments of torchvision.models.VisionTransformer); ViT only.
	FormatTorchvision Format = "torchvision"
)

// File names of the directory formats.
const (
	ModelFile            = "model.safetensors"
	HFConfigFile         = "config.json"
	HFGenerationFile     = "generation_config.json"
	TorchvisionArgsFile  = "vit_args.json"
	hfEndOfText          = 50256 // GPT-2's <|endoftext|>
	hfLayerNormEpsilon   = 1e-5
	hfActivationFunction = "gelu_new"
)

// ParseFormat checks a format name ("safetensors", "hf", "torchvision").
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatSafetensors, FormatHF, FormatTorchvision:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: use safetensors, hf (GPT-2, Llama) or torchvision (ViT)", s)
}

// HFGPT2Config is the config.json of a Hugging Face GPT2LMHeadModel: every argument of
// transformers.GPT2Config, in its order, plus the PretrainedConfig keys save_pretrained writes.
type HFGPT2Config struct {
	Architectures             []string `json:"architectures"`
	ModelType                 string   `json:"model_type"`
	VocabSize                 int      `json:"vocab_size"`
	NPositions                int      `json:"n_positions"`
	NCtx                      int      `json:"n_ctx"` // the pre-4.x name of n_positions, read by old versions
	NEmbd                     int      `json:"n_embd"`
	NLayer                    int      `json:"n_layer"`
	NHead                     int      `json:"n_head"`
	NInner                    *int     `json:"n_inner"` // null: 4·n_embd
	ActivationFunction        string   `json:"activation_function"`
	ResidPdrop                float64  `json:"resid_pdrop"`
	EmbdPdrop                 float64  `json:"embd_pdrop"`
	AttnPdrop                 float64  `json:"attn_pdrop"`
	LayerNormEpsilon          float64  `json:"layer_norm_epsilon"`
	InitializerRange          float64  `json:"initializer_range"`
	SummaryType               string   `json:"summary_type"`
	SummaryUseProj            bool     `json:"summary_use_proj"`
	SummaryActivation         *string  `json:"summary_activation"`
	SummaryProjToLabels       bool     `json:"summary_proj_to_labels"`
	SummaryFirstDropout       float64  `json:"summary_first_dropout"`
	ScaleAttnWeights          bool     `json:"scale_attn_weights"`
	UseCache                  bool     `json:"use_cache"`
	BosTokenID                int      `json:"bos_token_id"`
	EosTokenID                int      `json:"eos_token_id"`
	ScaleAttnByInverseLayerID bool     `json:"scale_attn_by_inverse_layer_idx"`
	ReorderAndUpcastAttn      bool     `json:"reorder_and_upcast_attn"`
	TieWordEmbeddings         bool     `json:"tie_word_embeddings"`
	TorchDtype                string   `json:"torch_dtype"`
}

// HFEndOfText is the bos/eos token id written for g: GPT-2's <|endoftext|> (50256), or the last
// token of a smaller vocabulary (a byte-level gpt2-mini has no token 50256).
func HFEndOfText(g arch.GPT2) int { return min(hfEndOfText, g.Vocab-1) }

// NewHFGPT2Config returns the GPT2Config of g: its sizes, tie_word_embeddings as g.Tied, and
// GPT2Config's defaults for everything else (gelu_new, dropouts 0.1, LayerNorm eps 1e-5,
// initializer_range 0.02, float32).
func NewHFGPT2Config(g arch.GPT2) HFGPT2Config {
	var inner *int
	if g.Inner != 4*g.Width {
		inner = &g.Inner
	}
	eot := HFEndOfText(g)
	return HFGPT2Config{
		Architectures: []string{"GPT2LMHeadModel"}, ModelType: "gpt2",
		VocabSize: g.Vocab, NPositions: g.Context, NCtx: g.Context, NEmbd: g.Width, NLayer: g.Layers, NHead: g.Heads,
		NInner: inner, ActivationFunction: hfActivationFunction,
		ResidPdrop: 0.1, EmbdPdrop: 0.1, AttnPdrop: 0.1, LayerNormEpsilon: hfLayerNormEpsilon, InitializerRange: 0.02,
		SummaryType: "cls_index", SummaryUseProj: true, SummaryProjToLabels: true, SummaryFirstDropout: 0.1,
		ScaleAttnWeights: true, UseCache: true, BosTokenID: eot, EosTokenID: eot,
		TieWordEmbeddings: g.Tied, TorchDtype: "float32",
	}
}

// HFGenerationConfig is the generation_config.json of a GPT-2 directory.
type HFGenerationConfig struct {
	BosTokenID int `json:"bos_token_id"`
	EosTokenID int `json:"eos_token_id"`
}

// TorchvisionViTArgs are the arguments of torchvision.models.VisionTransformer for a ViT.
// Channels is written only when it is not 3: torchvision hard-codes 3 input channels, so it must
// be popped from the arguments and conv_proj replaced by nn.Conv2d(channels, hidden_dim,
// patch_size, patch_size) before load_state_dict.
type TorchvisionViTArgs struct {
	ImageSize  int `json:"image_size"`
	PatchSize  int `json:"patch_size"`
	NumLayers  int `json:"num_layers"`
	NumHeads   int `json:"num_heads"`
	HiddenDim  int `json:"hidden_dim"`
	MLPDim     int `json:"mlp_dim"`
	NumClasses int `json:"num_classes"`
	Channels   int `json:"channels,omitempty"`
}

// NewTorchvisionViTArgs returns the VisionTransformer arguments of v.
func NewTorchvisionViTArgs(v arch.ViT) TorchvisionViTArgs {
	a := TorchvisionViTArgs{ImageSize: v.ImageSize, PatchSize: v.Patch, NumLayers: v.Depth, NumHeads: v.Heads,
		HiddenDim: v.Width, MLPDim: v.MLPDim, NumClasses: v.Classes}
	if v.Channels != 3 {
		a.Channels = v.Channels
	}
	return a
}

// ModelPath is where [WriteModel] puts the tensors of format f under out: out itself for
// FormatSafetensors, out/model.safetensors for the directory formats.
func ModelPath(f Format, out string) string {
	if f == FormatSafetensors {
		return out
	}
	return filepath.Join(out, ModelFile)
}

// WriteModel writes the model a in format f at out. writeTensors writes the safetensors file
// (a.Params() names and shapes, metadata "format": "pt") at the path it is given, e.g. a
// closure around ghn's PredictToFile or [Save]. For FormatHF (GPT-2 and Llama) out is a
// directory that receives model.safetensors, config.json ([NewHFGPT2Config],
// [NewHFLlamaConfig]) and generation_config.json, loadable with
//
//	from transformers import AutoModelForCausalLM  # GPT2LMHeadModel or LlamaForCausalLM
//	model = AutoModelForCausalLM.from_pretrained(out)
//
// For FormatTorchvision (ViT only) out is a directory with model.safetensors and
// vit_args.json:
//
//	import json, safetensors.torch, torchvision
//	m = torchvision.models.VisionTransformer(**json.load(open(f"{out}/vit_args.json")))
//	m.load_state_dict(safetensors.torch.load_file(f"{out}/model.safetensors"), strict=True)
//
// (with "channels" in vit_args.json, pop it and set m.conv_proj = nn.Conv2d(channels,
// hidden_dim, patch_size, patch_size) first). The JSON files are written after the tensors, each
// atomically.
func WriteModel(a arch.Arch, f Format, out string, writeTensors func(path string) error) error {
	var files map[string]any
	switch f {
	case FormatSafetensors:
		return writeTensors(out)
	case FormatHF:
		switch m := a.(type) {
		case arch.GPT2:
			eot := HFEndOfText(m)
			files = map[string]any{HFConfigFile: NewHFGPT2Config(m), HFGenerationFile: HFGenerationConfig{eot, eot}}
		case arch.Llama:
			if err := m.Validate(); err != nil {
				return err
			}
			bos, eos := HFLlamaSpecialTokens(m)
			files = map[string]any{HFConfigFile: NewHFLlamaConfig(m), HFGenerationFile: HFGenerationConfig{bos, eos}}
		default:
			return fmt.Errorf("format hf is for GPT-2 and Llama models, not %s (use torchvision or safetensors)", a)
		}
	case FormatTorchvision:
		v, ok := a.(arch.ViT)
		if !ok {
			return fmt.Errorf("format torchvision is for ViT models, not %s (use hf or safetensors)", a)
		}
		files = map[string]any{TorchvisionArgsFile: NewTorchvisionViTArgs(v)}
	default:
		_, err := ParseFormat(string(f))
		return err
	}
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return fmt.Errorf("%s: format %s writes a directory, and this is a file", out, f)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := writeTensors(ModelPath(f, out)); err != nil {
		return err
	}
	for name, v := range files {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(filepath.Join(out, name), append(data, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// ResolveModelFile returns the file holding the parameters of a at path: path itself when it
// is a file, or, for a directory written by [WriteModel] (or a Hugging Face GPT-2 or Llama
// directory), its model.safetensors (else its pytorch_model.bin, a PyTorch state dict: read it
// with [OpenModel]) after checking that its config.json (GPT-2, Llama) or vit_args.json (ViT)
// describes a; a mismatch names the field, e.g. "config.json: n_layer 12, the architecture
// gpt2(L4 …) has 4".
func ResolveModelFile(a arch.Arch, path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return path, nil // the file's reader reports a missing file
	}
	switch a := a.(type) {
	case arch.GPT2:
		if err := checkHFConfig(a, filepath.Join(path, HFConfigFile)); err != nil {
			return "", err
		}
	case arch.Llama:
		if err := checkHFLlamaConfig(a, filepath.Join(path, HFConfigFile)); err != nil {
			return "", err
		}
	case arch.ViT:
		if err := checkTorchvisionArgs(a, filepath.Join(path, TorchvisionArgsFile)); err != nil {
			return "", err
		}
	}
	model := filepath.Join(path, ModelFile)
	if _, err := os.Stat(model); err != nil {
		bin := filepath.Join(path, TorchModelFile)
		if _, err := os.Stat(bin); err == nil {
			return bin, nil
		}
		return "", fmt.Errorf("%s: a directory without %s (or %s)", path, ModelFile, TorchModelFile)
	}
	return model, nil
}

// mismatch is one field of a config file that differs from the architecture.
type mismatch struct {
	field     string
	got, want any
}

func firstMismatch(file string, a arch.Arch, ms []mismatch) error {
	for _, m := range ms {
		if fmt.Sprint(m.got) != fmt.Sprint(m.want) {
			return fmt.Errorf("%s: %s %v, the architecture %s has %v", file, m.field, m.got, a, m.want)
		}
	}
	return nil
}

func checkHFConfig(g arch.GPT2, path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: a directory without %s (a Hugging Face GPT-2 directory has config.json and model.safetensors)", filepath.Dir(path), HFConfigFile)
	}
	if err != nil {
		return err
	}
	// Absent keys take GPT2Config's defaults.
	c := struct {
		ModelType          string   `json:"model_type"`
		VocabSize          int      `json:"vocab_size"`
		NPositions         int      `json:"n_positions"`
		NEmbd              int      `json:"n_embd"`
		NLayer             int      `json:"n_layer"`
		NHead              int      `json:"n_head"`
		NInner             *int     `json:"n_inner"`
		ActivationFunction string   `json:"activation_function"`
		LayerNormEpsilon   float64  `json:"layer_norm_epsilon"`
		TieWordEmbeddings  bool     `json:"tie_word_embeddings"`
		Architectures      []string `json:"architectures"`
	}{ModelType: "gpt2", VocabSize: 50257, NPositions: 1024, NEmbd: 768, NLayer: 12, NHead: 12,
		ActivationFunction: hfActivationFunction, LayerNormEpsilon: hfLayerNormEpsilon, TieWordEmbeddings: true}
	if err := json.Unmarshal(data, &c); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	inner := 4 * c.NEmbd
	if c.NInner != nil {
		inner = *c.NInner
	}
	if c.ModelType != "gpt2" {
		return fmt.Errorf("%s: model_type %q, not a GPT-2 (\"gpt2\")", path, c.ModelType)
	}
	if c.ActivationFunction != hfActivationFunction && c.ActivationFunction != "gelu_pytorch_tanh" {
		return fmt.Errorf("%s: activation_function %q, the architecture uses gelu_new", path, c.ActivationFunction)
	}
	if c.LayerNormEpsilon != hfLayerNormEpsilon {
		return fmt.Errorf("%s: layer_norm_epsilon %g, the architecture uses %g", path, c.LayerNormEpsilon, hfLayerNormEpsilon)
	}
	return firstMismatch(path, g, []mismatch{
		{"n_layer", c.NLayer, g.Layers}, {"n_embd", c.NEmbd, g.Width}, {"n_head", c.NHead, g.Heads},
		{"n_inner", inner, g.Inner}, {"vocab_size", c.VocabSize, g.Vocab}, {"n_positions", c.NPositions, g.Context},
		{"tie_word_embeddings", c.TieWordEmbeddings, g.Tied},
	})
}

func checkTorchvisionArgs(v arch.ViT, path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // a bare directory with model.safetensors: the tensor shapes are checked
	}
	if err != nil {
		return err
	}
	var c TorchvisionViTArgs
	if err := json.Unmarshal(data, &c); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if c.Channels == 0 {
		c.Channels = 3
	}
	return firstMismatch(path, v, []mismatch{
		{"image_size", c.ImageSize, v.ImageSize}, {"patch_size", c.PatchSize, v.Patch}, {"num_layers", c.NumLayers, v.Depth},
		{"num_heads", c.NumHeads, v.Heads}, {"hidden_dim", c.HiddenDim, v.Width}, {"mlp_dim", c.MLPDim, v.MLPDim},
		{"num_classes", c.NumClasses, v.Classes}, {"channels", c.Channels, v.Channels},
	})
}
