package nets

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/arch"
)

// ViTLayerNormEps is the LayerNorm epsilon of torchvision's VisionTransformer.
const ViTLayerNormEps = 1e-6

// ViTOptions configures [ViTForward]. The zero value is evaluation mode, which is also what
// torchvision's defaults give in training (dropout 0, attention_dropout 0).
type ViTOptions struct {
	// Training enables dropout.
	Training bool
	// Dropout is torchvision's dropout: after the positional embedding, after the attention
	// block and after each MLP linear layer. Only used when Training.
	Dropout float64
	// AttentionDropout drops attention probabilities (nn.MultiheadAttention's dropout). Only
	// used when Training.
	AttentionDropout float64
	// RNG supplies the randomness for dropout; required when Training with a dropout > 0.
	RNG *RNG
}

func (o ViTOptions) active() bool { return o.Training && (o.Dropout > 0 || o.AttentionDropout > 0) }

// ViTForward computes the logits (B, Classes) of the Vision Transformer cfg with weights w on
// images (B, Channels, ImageSize, ImageSize), with torchvision 0.14 semantics (see the package
// documentation). Images of another float dtype than the weights are converted.
//
// It must be called while building a graph (inside a graph function); the weights may come
// from anywhere in that graph, and gradients flow back to them.
func ViTForward(cfg arch.ViT, w Weights, images *Node, opts ViTOptions) (logits *Node, err error) {
	g, dtype, err := checkWeights(cfg, w)
	if err != nil {
		return nil, err
	}
	if images == nil {
		return nil, fmt.Errorf("%s: images is nil", cfg)
	}
	if images.Graph() != g {
		return nil, fmt.Errorf("%s: images belong to another graph than the weights", cfg)
	}
	if d := images.Shape().Dimensions; len(d) != 4 || d[1] != cfg.Channels || d[2] != cfg.ImageSize || d[3] != cfg.ImageSize {
		return nil, fmt.Errorf("%s: images have shape %v, want (batch, %d, %d, %d)", cfg, d, cfg.Channels, cfg.ImageSize, cfg.ImageSize)
	}
	if !images.DType().IsFloat() {
		return nil, fmt.Errorf("%s: images have dtype %s, want a float dtype", cfg, images.DType())
	}
	if opts.active() && opts.RNG == nil {
		return nil, fmt.Errorf("%s: ViTOptions.RNG is required for dropout in training mode", cfg)
	}
	if images.DType() != dtype {
		images = ConvertDType(images, dtype)
	}
	err = catch(cfg.String(), func() { logits = vitForward(cfg, w, images, opts) })
	return logits, err
}

// vitForward builds the network; inputs are validated.
func vitForward(cfg arch.ViT, w Weights, images *Node, opts ViTOptions) *Node {
	batch, d := images.Shape().Dimensions[0], cfg.Width
	drop, attnDrop := 0.0, 0.0
	if opts.Training {
		drop, attnDrop = opts.Dropout, opts.AttentionDropout
	}

	x := patchEmbed(cfg, images, w.get("conv_proj.weight"), w.get("conv_proj.bias")) // (B, S-1, D)
	cls := BroadcastToDims(w.get("class_token"), batch, 1, d)
	x = Concatenate([]*Node{cls, x}, 1)
	x = Add(x, BroadcastToDims(w.get("encoder.pos_embedding"), batch, cfg.SeqLen(), d))
	x = dropout(x, drop, opts.RNG)

	for l := range cfg.Depth {
		p := fmt.Sprintf("encoder.layers.encoder_layer_%d.", l)
		h := layerNorm(x, w.get(p+"ln_1.weight"), w.get(p+"ln_1.bias"), ViTLayerNormEps)
		qkv := linear(h, w.get(p+"self_attention.in_proj_weight"), w.get(p+"self_attention.in_proj_bias"))
		a := selfAttention(qkv, attentionConfig{heads: cfg.Heads, dropout: attnDrop, rng: opts.RNG})
		a = linear(a, w.get(p+"self_attention.out_proj.weight"), w.get(p+"self_attention.out_proj.bias"))
		x = Add(x, dropout(a, drop, opts.RNG))

		h = layerNorm(x, w.get(p+"ln_2.weight"), w.get(p+"ln_2.bias"), ViTLayerNormEps)
		h = geluExact(linear(h, w.get(p+"mlp.0.weight"), w.get(p+"mlp.0.bias")))
		h = dropout(h, drop, opts.RNG)
		h = linear(h, w.get(p+"mlp.3.weight"), w.get(p+"mlp.3.bias"))
		x = Add(x, dropout(h, drop, opts.RNG))
	}
	x = layerNorm(x, w.get("encoder.ln.weight"), w.get("encoder.ln.bias"), ViTLayerNormEps)
	cls = Reshape(Slice(x, AxisRange(), AxisElem(0)), batch, d)
	return linear(cls, w.get("heads.head.weight"), w.get("heads.head.bias"))
}

// patchEmbed is torchvision's conv_proj (a Conv2d with kernel = stride = patch) followed by
// flatten(2).transpose(1, 2): images (B, C, H, W) become tokens (B, nh·nw, D), patch index
// i·nw + j. Since the patches do not overlap, it is one matrix product of the patch matrix
// (B·nh·nw, C·p·p) with the kernel viewed as (D, C·p·p).
func patchEmbed(cfg arch.ViT, images, kernel, bias *Node) *Node {
	b, c, p := images.Shape().Dimensions[0], cfg.Channels, cfg.Patch
	n := cfg.ImageSize / p
	x := Reshape(images, b, c, n, p, n, p)
	x = TransposeAllDims(x, 0, 2, 4, 1, 3, 5) // (B, nh, nw, C, p, p)
	x = Reshape(x, b, n*n, c*p*p)
	return linear(x, Reshape(kernel, cfg.Width, c*p*p), bias)
}
