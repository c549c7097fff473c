package params

import (
	"fmt"
	"math"
	"strings"

	"github.com/logah-go/logah/logah/arch"
)

// vitRule reproduces torchvision 0.14's VisionTransformer construction:
//
//	class_token                     zeros
//	conv_proj.weight                trunc_normal_(std=√(1/fan_in)), fan_in = channels·patch², cut at ±2
//	conv_proj.bias                  zeros
//	encoder.pos_embedding           normal_(std=0.02)
//	*.ln_*.weight, encoder.ln.weight ones;  *.bias of LayerNorms zeros
//	self_attention.in_proj_weight   xavier_uniform_ over the whole (3D, D) matrix
//	self_attention.in_proj_bias     zeros
//	self_attention.out_proj.weight  nn.Linear default: kaiming_uniform_(a=√5) = U(±1/√D)
//	self_attention.out_proj.bias    zeros
//	mlp.{0,3}.weight                xavier_uniform_
//	mlp.{0,3}.bias                  normal_(std=1e-6)
//	heads.head.weight, .bias        zeros
func vitRule(v arch.ViT, p arch.ParamSpec) (InitRule, error) {
	name := p.Name
	switch p.Role {
	case arch.RoleClassToken, arch.RoleClassifier, arch.RoleClassifierBias, arch.RoleNormBias:
		return InitRule{Dist: Zeros}, nil
	case arch.RoleNormWeight:
		return InitRule{Dist: Ones}, nil
	case arch.RolePosEmbedding:
		return InitRule{Dist: Normal, Std: 0.02}, nil
	case arch.RoleConv:
		fanIn := v.Channels * v.Patch * v.Patch
		return InitRule{Dist: TruncNormal, Std: math.Sqrt(1 / float64(fanIn)), Bound: 2}, nil
	case arch.RoleLinear:
		if len(p.Shape) != 2 {
			break
		}
		fanOut, fanIn := float64(p.Shape[0]), float64(p.Shape[1])
		switch {
		case strings.HasSuffix(name, "self_attention.out_proj.weight"):
			return InitRule{Dist: Uniform, Bound: 1 / math.Sqrt(fanIn)}, nil
		case strings.HasSuffix(name, "self_attention.in_proj_weight"),
			strings.HasSuffix(name, "mlp.0.weight"), strings.HasSuffix(name, "mlp.3.weight"):
			return InitRule{Dist: Uniform, Bound: math.Sqrt(6 / (fanIn + fanOut))}, nil
		}
	case arch.RoleBias:
		switch {
		case strings.HasSuffix(name, "mlp.0.bias"), strings.HasSuffix(name, "mlp.3.bias"):
			return InitRule{Dist: Normal, Std: 1e-6}, nil
		case name == "conv_proj.bias", strings.HasSuffix(name, "self_attention.in_proj_bias"),
			strings.HasSuffix(name, "self_attention.out_proj.bias"):
			return InitRule{Dist: Zeros}, nil
		}
	}
	return InitRule{}, fmt.Errorf("params: no ViT initialiser for parameter %q (role %v, shape %v): "+
		"the arch and params packages disagree on the parameter table", name, p.Role, p.Shape)
}
