package arch

import "fmt"

// ViT configures a Vision Transformer with the semantics of torchvision's VisionTransformer:
// a Conv2d patch embedding (kernel = stride = Patch), a class token, a learned positional
// embedding of (ImageSize/Patch)²+1 positions, Depth pre-LN encoder blocks (LayerNorm eps 1e-6,
// nn.MultiheadAttention with a packed in_proj, exact-erf GELU MLP), a final LayerNorm and a linear
// head on the class token. Channels may differ from 3 (e.g. 1 for Fashion-MNIST): only the
// patch convolution's input width changes.
type ViT struct {
	ImageSize int `json:"image_size"`
	Channels  int `json:"channels"`
	Patch     int `json:"patch"`
	Depth     int `json:"depth"`
	Width     int `json:"width"`
	Heads     int `json:"heads"`
	MLPDim    int `json:"mlp_dim"`
	Classes   int `json:"classes"`
}

// Kind implements [Arch].
func (v ViT) Kind() Kind { return KindViT }

// String implements [Arch].
func (v ViT) String() string {
	return fmt.Sprintf("vit(L%d D%d H%d M%d p%d %dx%dx%d C%d)", v.Depth, v.Width, v.Heads, v.MLPDim,
		v.Patch, v.ImageSize, v.ImageSize, v.Channels, v.Classes)
}

// SeqLen is the number of tokens: the patches plus the class token.
func (v ViT) SeqLen() int {
	n := v.ImageSize / v.Patch
	return n*n + 1
}

// HeadDim is the width of one attention head.
func (v ViT) HeadDim() int { return v.Width / v.Heads }

// Validate implements [Arch].
func (v ViT) Validate() error {
	if err := allPositive(KindViT,
		sizeField{"image_size", v.ImageSize}, sizeField{"channels", v.Channels},
		sizeField{"patch", v.Patch}, sizeField{"depth", v.Depth}, sizeField{"width", v.Width},
		sizeField{"heads", v.Heads}, sizeField{"mlp_dim", v.MLPDim}, sizeField{"classes", v.Classes}); err != nil {
		return err
	}
	if v.ImageSize%v.Patch != 0 {
		return fmt.Errorf("vit: patch %d does not divide image_size %d: choose a patch size that divides the image (e.g. %d)",
			v.Patch, v.ImageSize, largestDivisorAtMost(v.ImageSize, v.Patch))
	}
	if err := headsDivideWidth(KindViT, v.Width, v.Heads); err != nil {
		return err
	}
	if v.Classes < 2 {
		return fmt.Errorf("vit: classes must be at least 2, got %d", v.Classes)
	}
	return nil
}

// Params implements [Arch]: torchvision's named_parameters() order.
func (v ViT) Params() []ParamSpec {
	D, M := v.Width, v.MLPDim
	ps := make([]ParamSpec, 0, 4+12*v.Depth+4)
	ps = append(ps,
		ParamSpec{"class_token", []int{1, 1, D}, RoleClassToken},
		ParamSpec{"conv_proj.weight", []int{D, v.Channels, v.Patch, v.Patch}, RoleConv},
		ParamSpec{"conv_proj.bias", []int{D}, RoleBias},
		ParamSpec{"encoder.pos_embedding", []int{1, v.SeqLen(), D}, RolePosEmbedding},
	)
	for l := range v.Depth {
		p := fmt.Sprintf("encoder.layers.encoder_layer_%d.", l)
		ps = append(ps,
			ParamSpec{p + "ln_1.weight", []int{D}, RoleNormWeight},
			ParamSpec{p + "ln_1.bias", []int{D}, RoleNormBias},
			ParamSpec{p + "self_attention.in_proj_weight", []int{3 * D, D}, RoleLinear},
			ParamSpec{p + "self_attention.in_proj_bias", []int{3 * D}, RoleBias},
			ParamSpec{p + "self_attention.out_proj.weight", []int{D, D}, RoleLinear},
			ParamSpec{p + "self_attention.out_proj.bias", []int{D}, RoleBias},
			ParamSpec{p + "ln_2.weight", []int{D}, RoleNormWeight},
			ParamSpec{p + "ln_2.bias", []int{D}, RoleNormBias},
			ParamSpec{p + "mlp.0.weight", []int{M, D}, RoleLinear},
			ParamSpec{p + "mlp.0.bias", []int{M}, RoleBias},
			ParamSpec{p + "mlp.3.weight", []int{D, M}, RoleLinear},
			ParamSpec{p + "mlp.3.bias", []int{D}, RoleBias},
		)
	}
	ps = append(ps,
		ParamSpec{"encoder.ln.weight", []int{D}, RoleNormWeight},
		ParamSpec{"encoder.ln.bias", []int{D}, RoleNormBias},
		ParamSpec{"heads.head.weight", []int{v.Classes, D}, RoleClassifier},
		ParamSpec{"heads.head.bias", []int{v.Classes}, RoleClassifierBias},
	)
	return ps
}

// largestDivisorAtMost returns the largest divisor of n that is ≤ limit (at least 1); used to
// suggest a fix in error messages.
func largestDivisorAtMost(n, limit int) int {
	if limit > n {
		limit = n
	}
	for d := limit; d > 1; d-- {
		if n%d == 0 {
			return d
		}
	}
	return 1
}
