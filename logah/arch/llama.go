package arch

import (
	"fmt"
	"math"
)

// Llama configures a decoder-only language model with the semantics of Hugging Face's
// LlamaForCausalLM (transformers 4.43, eager attention): a token embedding (embed_tokens), Layers
// pre-norm blocks — RMSNorm (x·rsqrt(mean(x²)+NormEps)·w), causal self-attention with rotary
// position embeddings on the two halves of each head and KVHeads key/value heads shared by
// consecutive groups of query heads (grouped-query attention), RMSNorm, a SiLU-gated MLP
// down(silu(gate(x))·up(x)) of width Inner — a final RMSNorm and an lm_head that is either tied
// to the embedding or a separate (Vocab, Width) matrix. No layer has a bias.
//
// The fields map one to one onto LlamaConfig: layers = num_hidden_layers, width = hidden_size,
// heads = num_attention_heads, kv_heads = num_key_value_heads, inner = intermediate_size, vocab =
// vocab_size, context = max_position_embeddings, norm_eps = rms_norm_eps, rope_theta, rope_scaling
// and tied = tie_word_embeddings. The head width is width/heads, as in LlamaConfig without an
// explicit head_dim.
type Llama struct {
	Layers      int         `json:"layers"`
	Width       int         `json:"width"`
	Heads       int         `json:"heads"`
	KVHeads     int         `json:"kv_heads"`
	Inner       int         `json:"inner"`
	Vocab       int         `json:"vocab"`
	Context     int         `json:"context"`
	NormEps     float64     `json:"norm_eps"`
	RopeTheta   float64     `json:"rope_theta"`
	RopeScaling RopeScaling `json:"rope_scaling"`
	Tied        bool        `json:"tied"`
}

// RopeScaling is LlamaConfig.rope_scaling. The zero value means no scaling (Llama 2, TinyLlama);
// Type "llama3" is the Llama-3.1 frequency rule (see [Llama.RopeInvFreq]).
type RopeScaling struct {
	// Type is "" (none) or "llama3" (HF's rope_type).
	Type string `json:"type,omitempty"`
	// Factor divides the frequencies of the long wavelengths (8 for Llama-3.1, 32 for Llama-3.2).
	Factor float64 `json:"factor,omitempty"`
	// LowFreqFactor and HighFreqFactor bound the smooth band between scaled and kept frequencies.
	LowFreqFactor  float64 `json:"low_freq_factor,omitempty"`
	HighFreqFactor float64 `json:"high_freq_factor,omitempty"`
	// OriginalContext is original_max_position_embeddings (8192 for Llama-3.1).
	OriginalContext int `json:"original_context,omitempty"`
}

// RopeLlama3 is the rope_type name of the Llama-3.1 rule.
const RopeLlama3 = "llama3"

// Llama3RopeScaling returns Llama-3.1's rope_scaling with the given factor (8 for 3.1, 32 for 3.2).
func Llama3RopeScaling(factor float64) RopeScaling {
	return RopeScaling{Type: RopeLlama3, Factor: factor, LowFreqFactor: 1, HighFreqFactor: 4, OriginalContext: 8192}
}

// Kind implements [Arch].
func (l Llama) Kind() Kind { return KindLlama }

// String implements [Arch].
func (l Llama) String() string {
	tie := "untied"
	if l.Tied {
		tie = "tied"
	}
	rope := ""
	if l.RopeScaling.Type != "" {
		rope = " " + l.RopeScaling.Type
	}
	return fmt.Sprintf("llama(L%d D%d H%d/%d I%d V%d T%d %s%s)", l.Layers, l.Width, l.Heads, l.KVHeads, l.Inner,
		l.Vocab, l.Context, tie, rope)
}

// VocabSize implements [LM].
func (l Llama) VocabSize() int { return l.Vocab }

// ContextLen implements [LM].
func (l Llama) ContextLen() int { return l.Context }

// WithContext implements [LM].
func (l Llama) WithContext(n int) LM { l.Context = n; return l }

// HeadDim is the width of one attention head (query, key and value alike).
func (l Llama) HeadDim() int { return l.Width / l.Heads }

// KVWidth is the output width of k_proj and v_proj: KVHeads·HeadDim.
func (l Llama) KVWidth() int { return l.KVHeads * l.HeadDim() }

// Validate implements [Arch].
func (l Llama) Validate() error {
	if err := allPositive(KindLlama,
		sizeField{"layers", l.Layers}, sizeField{"width", l.Width}, sizeField{"heads", l.Heads},
		sizeField{"kv_heads", l.KVHeads}, sizeField{"inner", l.Inner}, sizeField{"vocab", l.Vocab},
		sizeField{"context", l.Context}); err != nil {
		return err
	}
	if err := headsDivideWidth(KindLlama, l.Width, l.Heads); err != nil {
		return err
	}
	if l.Heads%l.KVHeads != 0 {
		return fmt.Errorf("llama: heads %d is not divisible by kv_heads %d: each key/value head serves a whole group of query heads (e.g. kv_heads %d)",
			l.Heads, l.KVHeads, largestDivisorAtMost(l.Heads, l.KVHeads))
	}
	if l.HeadDim()%2 != 0 {
		return fmt.Errorf("llama: head width %d (width %d / heads %d) is odd: rotary embeddings rotate two halves, choose heads so that width/heads is even",
			l.HeadDim(), l.Width, l.Heads)
	}
	if l.Vocab < 2 {
		return fmt.Errorf("llama: vocab must be at least 2, got %d", l.Vocab)
	}
	if !(l.NormEps > 0) || math.IsInf(l.NormEps, 0) {
		return fmt.Errorf("llama: norm_eps (rms_norm_eps) must be a positive number, got %g: Llama 2 and 3 use 1e-5", l.NormEps)
	}
	if !(l.RopeTheta > 0) || math.IsInf(l.RopeTheta, 0) {
		return fmt.Errorf("llama: rope_theta must be a positive number, got %g: Llama 2 uses 10000, Llama 3 500000", l.RopeTheta)
	}
	return l.RopeScaling.validate()
}

func (r RopeScaling) validate() error {
	switch r.Type {
	case "":
		if r != (RopeScaling{}) {
			return fmt.Errorf(`llama: rope_scaling has factors but no type: set "type": "llama3" or remove the factors`)
		}
		return nil
	case RopeLlama3:
	default:
		return fmt.Errorf(`llama: rope_scaling type %q is not supported: use "llama3" or leave it empty`, r.Type)
	}
	switch {
	case !(r.Factor >= 1):
		return fmt.Errorf("llama: rope_scaling factor must be ≥ 1, got %g (Llama-3.1 uses 8)", r.Factor)
	case !(r.LowFreqFactor > 0):
		return fmt.Errorf("llama: rope_scaling low_freq_factor must be positive, got %g (Llama-3.1 uses 1)", r.LowFreqFactor)
	case !(r.HighFreqFactor > r.LowFreqFactor):
		return fmt.Errorf("llama: rope_scaling high_freq_factor %g must exceed low_freq_factor %g (Llama-3.1 uses 4 and 1)",
			r.HighFreqFactor, r.LowFreqFactor)
	case r.OriginalContext <= 0:
		return fmt.Errorf("llama: rope_scaling original_context must be positive, got %d (Llama-3.1 uses 8192)", r.OriginalContext)
	}
	return nil
}

// RopeInvFreq returns the HeadDim/2 inverse frequencies of the rotary embedding exactly as
// Hugging Face computes them, in float32: 1/θ^(2i/d) (torch.arange(0, d, 2).float()/d), then,
// for rope_scaling "llama3", _compute_llama3_parameters: frequencies whose wavelength 2π/f is
// longer than OriginalContext/LowFreqFactor are divided by Factor, those shorter than
// OriginalContext/HighFreqFactor are kept, and the band between is interpolated with
// smooth = (OriginalContext/wavelength − LowFreqFactor)/(HighFreqFactor − LowFreqFactor).
func (l Llama) RopeInvFreq() []float32 {
	d := l.HeadDim()
	out := make([]float32, d/2)
	theta := float64(float32(l.RopeTheta))
	for i := range out {
		exp := float32(2*i) / float32(d)
		out[i] = 1 / float32(math.Pow(theta, float64(exp)))
	}
	r := l.RopeScaling
	if r.Type != RopeLlama3 {
		return out
	}
	factor, low, high := float32(r.Factor), float32(r.LowFreqFactor), float32(r.HighFreqFactor)
	orig := float32(r.OriginalContext)
	lowWavelen, highWavelen := orig/low, orig/high
	for i, f := range out {
		wavelen := float32(2*math.Pi) / f
		switch {
		case wavelen < highWavelen:
		case wavelen > lowWavelen:
			out[i] = f / factor
		default:
			smooth := (orig/wavelen - low) / (high - low)
			scaled, kept := float32((1-smooth)*f/factor), float32(smooth*f) // rounded as torch does, no FMA
			out[i] = scaled + kept
		}
	}
	return out
}

// Params implements [Arch]: Hugging Face's named_parameters() order. With tied embeddings
// lm_head shares embed_tokens' tensor and is listed once, as model.embed_tokens.weight.
func (l Llama) Params() []ParamSpec {
	D, I, KV := l.Width, l.Inner, l.KVWidth()
	ps := make([]ParamSpec, 0, 1+9*l.Layers+2)
	ps = append(ps, ParamSpec{"model.embed_tokens.weight", []int{l.Vocab, D}, RoleEmbedding})
	for n := range l.Layers {
		p := fmt.Sprintf("model.layers.%d.", n)
		ps = append(ps,
			ParamSpec{p + "self_attn.q_proj.weight", []int{D, D}, RoleLinear},
			ParamSpec{p + "self_attn.k_proj.weight", []int{KV, D}, RoleLinear},
			ParamSpec{p + "self_attn.v_proj.weight", []int{KV, D}, RoleLinear},
			ParamSpec{p + "self_attn.o_proj.weight", []int{D, D}, RoleLinear},
			ParamSpec{p + "mlp.gate_proj.weight", []int{I, D}, RoleLinear},
			ParamSpec{p + "mlp.up_proj.weight", []int{I, D}, RoleLinear},
			ParamSpec{p + "mlp.down_proj.weight", []int{D, I}, RoleLinear},
			ParamSpec{p + "input_layernorm.weight", []int{D}, RoleNormWeight},
			ParamSpec{p + "post_attention_layernorm.weight", []int{D}, RoleNormWeight},
		)
	}
	ps = append(ps, ParamSpec{"model.norm.weight", []int{D}, RoleNormWeight})
	if !l.Tied {
		ps = append(ps, ParamSpec{"lm_head.weight", []int{l.Vocab, D}, RoleClassifier})
	}
	return ps
}
