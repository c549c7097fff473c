package ghn

import (
	"encoding/json"
	"fmt"
)

// Variant selects which of the authors' hypernetwork classes a [Config] reproduces. The two
// differ only in the size of the op vocabulary and in the channel vocabulary of the shape
// encoder; the default normalisation rule also depends on it.
type Variant string

// The two hypernetwork variants.
const (
	// VariantViT is the authors' GHN3 class (used for ViTs): ppuda's 15-op vocabulary and a
	// channel vocabulary {1, 3, C, 8…56, 64…4080, 4096…8192}.
	VariantViT Variant = "vit"
	// VariantGPT is the authors' GHN3_GPT class (HEAD): the 18-op vocabulary (3 Llama ops
	// appended) and the channel vocabulary extended with the vocabulary sizes 32000, 50257 and
	// 128256.
	VariantGPT Variant = "gpt"
)

// DecoderKind selects the decoder that turns node embeddings into parameter tensors.
type DecoderKind string

// Decoder kinds.
const (
	// DecoderLoGAH is LoGAH's low-rank decoder (ConvDecoder3LoRA, docs/method.md §3.3): an MLP to 2r²
	// values, a Linear r→K, and W = A·Bᵀ of rank ≤ r for widths up to K.
	DecoderLoGAH DecoderKind = "logah"
	// DecoderGHN3 is the GHN-3 baseline (ppuda's ConvDecoder3 plus the 1-D decoder, docs/method.md §3.2):
	// it predicts (d_max, d_max, s, s) chunks and copies them (tiling) to wider tensors.
	DecoderGHN3 DecoderKind = "ghn3"
)

// NormRule selects how raw decoder outputs are squashed before they become parameters
// (docs/method.md §3.5, the reference's _normalize). Embedding tables (GPT-2 wte, wpe, Llama
// embed_tokens) are never normalised, whatever the rule.
type NormRule string

// Normalisation rules.
const (
	// NormViT is GHN3._normalize (GHN-2/GHN-3/LoGAH ViT): ≥2-D tensors are multiplied by
	// √(β/fan) with fan = numel of one output slice and β = 1 for ≥3-D tensors with
	// sz[1] = 1 or sz[2] < sz[3], 2 otherwise; the ViT positional embedding is kept raw. 1-D:
	// norm weights → 2·σ(p/2), biases → tanh(p/5).
	NormViT NormRule = "vit"
	// NormGPTHead is GHN3_GPT._normalize at HEAD (the default for [VariantGPT]): every ≥2-D
	// non-embedding tensor → p/(std(p)+1e-7)·InitRange (unbiased std over the whole target
	// tensor); 1-D as NormViT.
	NormGPTHead NormRule = "gpt-head"
	// NormGPTPaper is the paper-era GPT rule (commit 02fc68e): the NormViT scaling with the
	// fan of the stored (in, out) Conv1D layout (the output width), and names ending in
	// "c_proj.weight" further divided by √(2·n_layer). For Llama (which the paper-era code
	// predates) the fan is the true fan-in of nn.Linear's (out, in) layout and "o_proj.weight"
	// takes the division, as in the GPT-2 block HEAD keeps commented out.
	NormGPTPaper NormRule = "gpt-paper"
	// NormNone keeps the raw decoder outputs (the reference without --weight_norm).
	NormNone NormRule = "none"
)

// Defaults of the reference implementation.
const (
	// DefaultSpatialMax is max_shape[2] = max_shape[3], fixed to 16 by LoGAH's config.py.
	DefaultSpatialMax = 16
	// DefaultInitRange is GPT-2's initializer_range, the target std of [NormGPTHead].
	DefaultInitRange = 0.02
	// DefaultCutoff is the virtual-edge cut-off of the graphs the GHN builds itself.
	DefaultCutoff = 50
	// MaxDegree clips in- and out-degrees (rows of the degree tables minus one).
	MaxDegree = 100
	// MaxInputDist clips the distance from the input node (rows of its table minus one).
	MaxInputDist = 1000
	// EdgeTableRows is the number of rows of the edge-value embedding (values 2…256 are used).
	EdgeTableRows = 257
	// MaskFill is the value written into masked attention logits (−2¹⁵, AMP-safe).
	MaskFill = -32768.0
	// LNEps is the LayerNorm epsilon of the Graphormer layers and the final LayerNorm.
	LNEps = 1e-5
	// ClassNoiseStd is the std of the noise filling the class-token slot of a predicted ViT
	// positional embedding.
	ClassNoiseStd = 0.02
)

// Config describes a hypernetwork: its encoder (a Graphormer over the target's computational
// graph), its decoder and how predictions are normalised. The JSON form (field tags) is what
// checkpoints store.
type Config struct {
	// Variant is VariantViT (the authors' GHN3) or VariantGPT (GHN3_GPT).
	Variant Variant `json:"variant"`
	// Hid is the hidden width h of the encoder; divisible by 4 and by Heads.
	Hid int `json:"hid"`
	// Layers is the number of Graphormer layers L_g.
	Layers int `json:"layers"`
	// Heads is the number of attention heads of the Graphormer.
	Heads int `json:"heads"`
	// Rank is the low rank r of the LoGAH decoder (--lora_r).
	Rank int `json:"lora_r"`
	// MaxCK is K (--max_ck_lora), the number of rows of the low-rank factors: the largest
	// c·k a decoded tensor may have along either axis. Must be ≥ 2·MaxShape.
	MaxCK int `json:"max_ck_lora"`
	// MaxShape is d_max (max_shape[0] = max_shape[1]): channel counts are rounded against it
	// and tensors wider than it are tiled.
	MaxShape int `json:"max_shape"`
	// SpatialMax is s_max (max_shape[2] = max_shape[3]), 16 in every reported run.
	SpatialMax int `json:"spatial_max"`
	// NumClasses is the GHN's num_classes: an entry of the channel vocabulary and, for the
	// GHN-3 decoder, the width of its classification predictors.
	NumClasses int `json:"num_classes"`
	// FinalLN applies a LayerNorm after the Graphormer stack (--ln; on in all reported runs).
	FinalLN bool `json:"layernorm"`
	// Decoder is DecoderLoGAH or DecoderGHN3.
	Decoder DecoderKind `json:"decoder"`
	// Norm is the normalisation rule; "" selects NormViT for VariantViT and NormGPTHead for
	// VariantGPT.
	Norm NormRule `json:"norm"`
	// InitRange is the target std of NormGPTHead (0 selects 0.02).
	InitRange float64 `json:"init_range,omitempty"`
	// Cutoff is the virtual-edge cut-off of the graphs built for prediction (0 selects 50).
	Cutoff int `json:"ve_cutoff,omitempty"`
	// KeepL1 registers the LoGAH decoder's unused Linear decoder.l1 (r→r), present in the
	// authors' HEAD checkpoints but never used in the forward pass.
	KeepL1 bool `json:"keep_l1,omitempty"`
}

// LoGAHTiny is the "Tiny" LoGAH of the README and the released checkpoints: h = 64, 3 layers,
// 8 heads, r = 32, d_max = 2048, K = 32768, final LayerNorm. A ViT GHN with 10 classes has
// 2,539,324 parameters (2,540,380 with KeepL1).
func LoGAHTiny(v Variant, numClasses int) Config {
	return Config{Variant: v, Hid: 64, Layers: 3, Heads: 8, Rank: 32, MaxCK: 32768, MaxShape: 2048,
		SpatialMax: DefaultSpatialMax, NumClasses: numClasses, FinalLN: true, Decoder: DecoderLoGAH}
}

// GHN3Baseline is a GHN-3 style hypernetwork with the same encoder as cfg and the tiled GHN-3
// decoder predicting d_max × d_max chunks (GHN-3's own setting is d_max = h).
func GHN3Baseline(cfg Config, dMax int) Config {
	cfg.Decoder = DecoderGHN3
	cfg.MaxShape = dMax
	cfg.Rank, cfg.MaxCK, cfg.KeepL1 = 0, 0, false
	return cfg
}

// WithDefaults returns cfg with the zero-valued optional fields set to the reference
// defaults (SpatialMax, Decoder, Norm, InitRange, Cutoff).
func (c Config) WithDefaults() Config {
	if c.SpatialMax == 0 {
		c.SpatialMax = DefaultSpatialMax
	}
	if c.Decoder == "" {
		c.Decoder = DecoderLoGAH
	}
	if c.Norm == "" {
		if c.Variant == VariantGPT {
			c.Norm = NormGPTHead
		} else {
			c.Norm = NormViT
		}
	}
	if c.InitRange == 0 {
		c.InitRange = DefaultInitRange
	}
	if c.Cutoff == 0 {
		c.Cutoff = DefaultCutoff
	}
	return c
}

// NumOps is the number of rows of the op embedding: 15 for VariantViT, 18 for VariantGPT.
func (c Config) NumOps() int {
	if c.Variant == VariantGPT {
		return 18
	}
	return 15
}

// Validate reports the first problem of the configuration (after [Config.WithDefaults]).
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch c.Variant {
	case VariantViT, VariantGPT:
	case "":
		return fmt.Errorf("ghn config: missing variant: use %q or %q", VariantViT, VariantGPT)
	default:
		return fmt.Errorf("ghn config: unknown variant %q: use %q or %q", c.Variant, VariantViT, VariantGPT)
	}
	if c.Hid <= 0 || c.Hid%4 != 0 {
		return fmt.Errorf("ghn config: hid %d must be a positive multiple of 4 (the shape encoding has four h/4-wide parts)", c.Hid)
	}
	if c.Heads <= 0 || c.Hid%c.Heads != 0 {
		return fmt.Errorf("ghn config: hid %d is not divisible by heads %d: choose heads dividing hid", c.Hid, c.Heads)
	}
	if c.Layers < 1 {
		return fmt.Errorf("ghn config: layers must be ≥ 1, got %d", c.Layers)
	}
	if c.MaxShape < 1 {
		return fmt.Errorf("ghn config: max_shape (d_max) must be ≥ 1, got %d", c.MaxShape)
	}
	if c.SpatialMax < 1 {
		return fmt.Errorf("ghn config: spatial_max must be ≥ 1, got %d", c.SpatialMax)
	}
	if c.NumClasses < 1 {
		return fmt.Errorf("ghn config: num_classes must be ≥ 1, got %d", c.NumClasses)
	}
	if c.Cutoff < 1 || c.Cutoff > EdgeTableRows-3 {
		return fmt.Errorf("ghn config: ve_cutoff %d outside [1, %d] (edge values d+2 index a %d-row table)",
			c.Cutoff, EdgeTableRows-3, EdgeTableRows)
	}
	if c.InitRange <= 0 {
		return fmt.Errorf("ghn config: init_range must be positive, got %g", c.InitRange)
	}
	switch c.Norm {
	case NormViT, NormGPTHead, NormGPTPaper, NormNone:
	default:
		return fmt.Errorf("ghn config: unknown norm rule %q: use %q, %q, %q or %q", c.Norm, NormViT, NormGPTHead, NormGPTPaper, NormNone)
	}
	switch c.Decoder {
	case DecoderLoGAH:
		if c.Rank < 1 {
			return fmt.Errorf("ghn config: lora_r must be ≥ 1 for the LoGAH decoder, got %d", c.Rank)
		}
		if c.MaxCK < 2*c.MaxShape {
			return fmt.Errorf("ghn config: max_ck_lora %d must be ≥ 2·max_shape = %d (1-D tensors decode 2·d_max values); "+
				"16·max_shape = %d also covers 16×16 kernels", c.MaxCK, 2*c.MaxShape, 16*c.MaxShape)
		}
	case DecoderGHN3:
		if c.KeepL1 {
			return fmt.Errorf("ghn config: keep_l1 applies to the LoGAH decoder only")
		}
	default:
		return fmt.Errorf("ghn config: unknown decoder %q: use %q or %q", c.Decoder, DecoderLoGAH, DecoderGHN3)
	}
	return nil
}

// String is a compact description, e.g. "ghn(vit h64 L3 H8 logah r32 K32768 d2048 norm=vit)".
func (c Config) String() string {
	c = c.WithDefaults()
	dec := string(c.Decoder)
	if c.Decoder == DecoderLoGAH {
		dec = fmt.Sprintf("logah r%d K%d", c.Rank, c.MaxCK)
	}
	return fmt.Sprintf("ghn(%s h%d L%d H%d %s d%d norm=%s)", c.Variant, c.Hid, c.Layers, c.Heads, dec, c.MaxShape, c.Norm)
}

// MarshalJSON is the ordinary struct encoding of the defaulted configuration.
func (c Config) MarshalJSON() ([]byte, error) {
	type plain Config
	return json.Marshal(plain(c.WithDefaults()))
}

// ParseConfig reads a configuration written by [Config.MarshalJSON] (unknown fields are an
// error) and validates it.
func ParseConfig(data []byte) (Config, error) {
	type plain Config
	var p plain
	if err := decodeStrict(data, &p); err != nil {
		return Config{}, fmt.Errorf("ghn config: %w", err)
	}
	c := Config(p).WithDefaults()
	return c, c.Validate()
}
