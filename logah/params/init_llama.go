package params

import (
	"fmt"

	"github.com/logah-go/logah/logah/arch"
)

// LlamaInitRange is Hugging Face's LlamaConfig.initializer_range default, the standard deviation
// of Llama's weight initialisation.
const LlamaInitRange = 0.02

// llamaRule reproduces Hugging Face LlamaPreTrainedModel._init_weights (transformers 4.43) and
// LlamaRMSNorm's constructor:
//
//	Linear / Embedding weights   normal_(std=initializer_range=0.02)  (embed_tokens, q/k/v/o_proj,
//	                             gate/up/down_proj, untied lm_head; no padding row: pad_token_id is None)
//	RMSNorm weights              ones  (input_layernorm, post_attention_layernorm, model.norm)
//
// Unlike GPT-2 there is no depth-scaled rule for the output projections, and no bias.
func llamaRule(_ arch.Llama, p arch.ParamSpec) (InitRule, error) {
	switch p.Role {
	case arch.RoleEmbedding, arch.RoleLinear, arch.RoleClassifier:
		return InitRule{Dist: Normal, Std: LlamaInitRange}, nil
	case arch.RoleNormWeight:
		return InitRule{Dist: Ones}, nil
	}
	return InitRule{}, fmt.Errorf("params: no Llama initialiser for parameter %q (role %v, shape %v): "+
		"the arch and params packages disagree on the parameter table", p.Name, p.Role, p.Shape)
}
