package nets

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/arch"
)

// GPT2LayerNormEps is the LayerNorm epsilon of Hugging Face's GPT-2 (layer_norm_epsilon).
const GPT2LayerNormEps = 1e-5

// GPT2DefaultDropout is Hugging Face's default embd_pdrop, attn_pdrop and resid_pdrop.
const GPT2DefaultDropout = 0.1

// GPT2Options configures [GPT2Forward]. The zero value is evaluation mode (no dropout); see
// [GPT2TrainOptions] for Hugging Face's training defaults.
type GPT2Options struct {
	// Training enables dropout.
	Training bool
	// EmbdDropout drops entries of wte + wpe (embd_pdrop).
	EmbdDropout float64
	// AttnDropout drops attention probabilities (attn_pdrop).
	AttnDropout float64
	// ResidDropout drops entries of the attention and MLP branches before each residual
	// addition (resid_pdrop).
	ResidDropout float64
	// RNG supplies the randomness for dropout; required when Training with a dropout > 0.
	RNG *RNG
}

// GPT2TrainOptions returns training mode with Hugging Face's default dropout of 0.1 everywhere.
func GPT2TrainOptions(rng *RNG) GPT2Options {
	return GPT2Options{Training: true, EmbdDropout: GPT2DefaultDropout, AttnDropout: GPT2DefaultDropout,
		ResidDropout: GPT2DefaultDropout, RNG: rng}
}

func (o GPT2Options) active() bool {
	return o.Training && (o.EmbdDropout > 0 || o.AttnDropout > 0 || o.ResidDropout > 0)
}

// GPT2Forward computes the logits (B, T, Vocab) of the GPT-2 cfg with weights w on tokens
// (B, T) of an integer dtype, with Hugging Face GPT2LMHeadModel semantics (see the package
// documentation). T must not exceed cfg.Context. Token ids must lie in [0, Vocab): they cannot
// be checked while building the graph.
//
// It must be called while building a graph; gradients flow back to the weight nodes.
func GPT2Forward(cfg arch.GPT2, w Weights, tokens *Node, opts GPT2Options) (logits *Node, err error) {
	if err := checkGPT2(cfg, w, tokens, opts); err != nil {
		return nil, err
	}
	err = catch(cfg.String(), func() { logits = gpt2LMHead(cfg, w, gpt2Hidden(cfg, w, tokens, opts)) })
	return logits, err
}

// GPT2Loss is [CausalLMLoss] of [GPT2Forward]'s logits, computed without the logits of the last
// position (which have no target), and with a hand-written gradient for the lm_head product and
// the softmax, the most expensive part of a small GPT-2's step (see the package documentation).
func GPT2Loss(cfg arch.GPT2, w Weights, tokens *Node, opts GPT2Options) (loss *Node, err error) {
	if err := checkGPT2(cfg, w, tokens, opts); err != nil {
		return nil, err
	}
	if tokens.Shape().Dimensions[1] < 2 {
		return nil, fmt.Errorf("%s: causal LM loss needs at least 2 tokens per sequence, got %d", cfg, tokens.Shape().Dimensions[1])
	}
	err = catch(cfg.String(), func() {
		h := gpt2Hidden(cfg, w, tokens, opts)
		dims := h.Shape().Dimensions
		b, t, d := dims[0], dims[1], dims[2]
		h = Reshape(Slice(h, AxisRange(), AxisRange(0, t-1)), b*(t-1), d)
		targets := Reshape(Slice(tokens, AxisRange(), AxisRange(1, t)), b*(t-1))
		loss = lmHeadLoss(h, w.get(gpt2HeadName(cfg)), targets)
	})
	return loss, err
}

func checkGPT2(cfg arch.GPT2, w Weights, tokens *Node, opts GPT2Options) error {
	g, _, err := checkWeights(cfg, w)
	if err != nil {
		return err
	}
	if tokens == nil {
		return fmt.Errorf("%s: tokens is nil", cfg)
	}
	if tokens.Graph() != g {
		return fmt.Errorf("%s: tokens belong to another graph than the weights", cfg)
	}
	d := tokens.Shape().Dimensions
	if len(d) != 2 || d[1] < 1 {
		return fmt.Errorf("%s: tokens have shape %v, want (batch, seq_len)", cfg, d)
	}
	if d[1] > cfg.Context {
		return fmt.Errorf("%s: sequence length %d exceeds the context %d", cfg, d[1], cfg.Context)
	}
	if !tokens.DType().IsInt() {
		return fmt.Errorf("%s: tokens have dtype %s, want an integer dtype", cfg, tokens.DType())
	}
	if opts.active() && opts.RNG == nil {
		return fmt.Errorf("%s: GPT2Options.RNG is required for dropout in training mode", cfg)
	}
	return nil
}

// gpt2Hidden returns the final hidden states (after ln_f), shape (B, T, D).
func gpt2Hidden(cfg arch.GPT2, w Weights, tokens *Node, opts GPT2Options) *Node {
	dims := tokens.Shape().Dimensions
	batch, t := dims[0], dims[1]
	embd, attn, resid := 0.0, 0.0, 0.0
	if opts.Training {
		embd, attn, resid = opts.EmbdDropout, opts.AttnDropout, opts.ResidDropout
	}

	x := Gather(w.get("transformer.wte.weight"), InsertAxes(tokens, -1)) // (B, T, D)
	pos := Slice(w.get("transformer.wpe.weight"), AxisRange(0, t))       // (T, D)
	x = Add(x, BroadcastPrefix(pos, batch))
	x = dropout(x, embd, opts.RNG)

	for l := range cfg.Layers {
		p := fmt.Sprintf("transformer.h.%d.", l)
		h := layerNorm(x, w.get(p+"ln_1.weight"), w.get(p+"ln_1.bias"), GPT2LayerNormEps)
		qkv := conv1D(h, w.get(p+"attn.c_attn.weight"), w.get(p+"attn.c_attn.bias"))
		a := selfAttention(qkv, attentionConfig{heads: cfg.Heads, causal: true, scaleScores: true, dropout: attn, rng: opts.RNG})
		a = conv1D(a, w.get(p+"attn.c_proj.weight"), w.get(p+"attn.c_proj.bias"))
		x = Add(x, dropout(a, resid, opts.RNG))

		h = layerNorm(x, w.get(p+"ln_2.weight"), w.get(p+"ln_2.bias"), GPT2LayerNormEps)
		h = geluTanh(conv1D(h, w.get(p+"mlp.c_fc.weight"), w.get(p+"mlp.c_fc.bias")))
		h = conv1D(h, w.get(p+"mlp.c_proj.weight"), w.get(p+"mlp.c_proj.bias"))
		x = Add(x, dropout(h, resid, opts.RNG))
	}
	return layerNorm(x, w.get("transformer.ln_f.weight"), w.get("transformer.ln_f.bias"), GPT2LayerNormEps)
}

// gpt2LMHead projects hidden states (B, T, D) onto the vocabulary with lm_head (no bias), which
// is wte itself when the embeddings are tied.
func gpt2LMHead(cfg arch.GPT2, w Weights, h *Node) *Node {
	return linear(h, w.get(gpt2HeadName(cfg)), nil)
}

// gpt2HeadName is the weight lm_head multiplies by.
func gpt2HeadName(cfg arch.GPT2) string {
	if cfg.Tied {
		return "transformer.wte.weight"
	}
	return "lm_head.weight"
}
