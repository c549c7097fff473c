package params_test

import (
	"fmt"
	"log"

	"github.com/logah-go/logah/logah/params"
)

// Read the config.json of a Hugging Face Llama (here TinyLlama-1.1B's, shortened: absent keys
// take LlamaConfig's defaults) as an architecture, and write it back as LlamaConfig.
func ExampleLlamaFromHFConfig() {
	l, err := params.LlamaFromHFConfig([]byte(`{"model_type": "llama", "hidden_size": 2048,
		"intermediate_size": 5632, "num_hidden_layers": 22, "num_attention_heads": 32, "num_key_value_heads": 4,
		"rms_norm_eps": 1e-05, "rope_theta": 10000.0, "vocab_size": 32000}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l, "head width", l.HeadDim())
	c := params.NewHFLlamaConfig(l)
	fmt.Println(c.Architectures, c.NumKeyValueHeads, c.MaxPositionEmbeddings, c.RopeScaling == nil)
	// Output:
	// llama(L22 D2048 H32/4 I5632 V32000 T2048 untied) head width 64
	// [LlamaForCausalLM] 4 2048 true
}
