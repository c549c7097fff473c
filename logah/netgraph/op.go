package netgraph

import "fmt"

// Op is a node type, with the ids of the reference's op vocabulary (ppuda's 15 primitives
// followed by the three Llama ops added later; ViT and GPT-2 graphs use only ids ≤ 14).
type Op int

// The op vocabulary, in id order.
const (
	OpMaxPool Op = iota
	OpAvgPool
	OpSepConv
	OpDilConv
	OpConv
	OpMSA
	OpCSE
	OpSum
	OpConcat
	OpInput
	OpBias
	OpBN
	OpLN
	OpPosEnc
	OpGlobAvg
	OpRMSNorm
	OpRotEmb
	OpGate
)

// NumOps is the size of the full vocabulary (GHN3_GPT's embedding has this many rows);
// NumPPUDAOps is the size of the original vocabulary (GHN3 for ViT).
const (
	NumOps      = 18
	NumPPUDAOps = 15
)

var opNames = [NumOps]string{"max_pool", "avg_pool", "sep_conv", "dil_conv", "conv", "msa", "cse", "sum",
	"concat", "input", "bias", "bn", "ln", "pos_enc", "glob_avg", "rmsnorm", "rot_emb", "gate"}

// String is the reference's name of the op.
func (o Op) String() string {
	if o >= 0 && int(o) < NumOps {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// OpByName returns the op with the reference's name.
func OpByName(name string) (Op, error) {
	for i, n := range opNames {
		if n == name {
			return Op(i), nil
		}
	}
	return 0, fmt.Errorf("unknown op %q", name)
}
