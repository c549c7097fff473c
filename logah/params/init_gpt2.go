package params

import (
	"fmt"
	"math"
	"strings"

	"github.com/logah-go/logah/logah/arch"
)

// GPT2InitRange is Hugging Face's GPT2Config.initializer_range default, the standard deviation
// of GPT-2's weight initialisation.
const GPT2InitRange = 0.02

// gpt2Rule reproduces Hugging Face GPT2PreTrainedModel._init_weights:
//
//	Conv1D / Linear / Embedding weights   normal_(std=0.02)  (wte, wpe, c_attn, c_fc, untied lm_head)
//	*c_proj.weight                        normal_(std=0.02/√(2·n_layer))  (attention and MLP)
//	biases                                zeros
//	LayerNorm weight, bias                ones, zeros
func gpt2Rule(g arch.GPT2, p arch.ParamSpec) (InitRule, error) {
	switch p.Role {
	case arch.RoleEmbedding, arch.RoleClassifier:
		return InitRule{Dist: Normal, Std: GPT2InitRange}, nil
	case arch.RoleLinear:
		if strings.HasSuffix(p.Name, "c_proj.weight") {
			return InitRule{Dist: Normal, Std: GPT2InitRange / math.Sqrt(2*float64(g.Layers))}, nil
		}
		return InitRule{Dist: Normal, Std: GPT2InitRange}, nil
	case arch.RoleBias, arch.RoleNormBias:
		return InitRule{Dist: Zeros}, nil
	case arch.RoleNormWeight:
		return InitRule{Dist: Ones}, nil
	}
	return InitRule{}, fmt.Errorf("params: no GPT-2 initialiser for parameter %q (role %v, shape %v): "+
		"the arch and params packages disagree on the parameter table", p.Name, p.Role, p.Shape)
}
