package nets_test

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/nets"
)

// A Llama is evaluated like a GPT-2: token ids in, causal LM loss out (labels nil: the targets
// are the tokens shifted by one). With every weight equal, all tokens get the same logit, so the
// loss is ln(vocab).
func ExampleLoss_llama() {
	tiny := arch.Llama{Layers: 1, Width: 8, Heads: 2, KVHeads: 1, Inner: 16, Vocab: 16, Context: 8,
		NormEps: 1e-5, RopeTheta: 10000, Tied: true}
	tokens := tensors.FromValue([][]int32{{1, 5, 2, 7}, {3, 3, 0, 15}})
	loss, err := nets.Loss(backend.MustDefault(), nil, tiny, constParams(tiny, 0.1), tokens, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v: loss %.4f\n", tiny, loss)
	// Output:
	// llama(L1 D8 H2/1 I16 V16 T8 tied): loss 2.7726
}
