package arch

import "fmt"

// GPT2 configures a GPT-2 language model with the semantics of Hugging Face's GPT2LMHeadModel:
// token (wte) and position (wpe) embeddings, Layers pre-LN blocks (LayerNorm eps 1e-5, causal
// self-attention with a packed c_attn, gelu_new MLP of width Inner) whose Conv1D weights are
// stored (in, out), a final LayerNorm ln_f and an lm_head that is either tied to wte
// (Hugging Face's default) or a separate (Vocab, Width) matrix (what LoGAH predicts).
type GPT2 struct {
	Layers  int  `json:"layers"`
	Width   int  `json:"width"`
	Heads   int  `json:"heads"`
	Inner   int  `json:"inner"`
	Vocab   int  `json:"vocab"`
	Context int  `json:"context"`
	Tied    bool `json:"tied"`
}

// Kind implements [Arch].
func (g GPT2) Kind() Kind { return KindGPT2 }

// String implements [Arch].
func (g GPT2) String() string {
	tie := "untied"
	if g.Tied {
		tie = "tied"
	}
	return fmt.Sprintf("gpt2(L%d D%d H%d I%d V%d T%d %s)", g.Layers, g.Width, g.Heads, g.Inner, g.Vocab, g.Context, tie)
}

// VocabSize implements [LM].
func (g GPT2) VocabSize() int { return g.Vocab }

// ContextLen implements [LM].
func (g GPT2) ContextLen() int { return g.Context }

// WithContext implements [LM].
func (g GPT2) WithContext(n int) LM { g.Context = n; return g }

// HeadDim is the width of one attention head.
func (g GPT2) HeadDim() int { return g.Width / g.Heads }

// Validate implements [Arch].
func (g GPT2) Validate() error {
	if err := allPositive(KindGPT2,
		sizeField{"layers", g.Layers}, sizeField{"width", g.Width}, sizeField{"heads", g.Heads},
		sizeField{"inner", g.Inner}, sizeField{"vocab", g.Vocab}, sizeField{"context", g.Context}); err != nil {
		return err
	}
	if err := headsDivideWidth(KindGPT2, g.Width, g.Heads); err != nil {
		return err
	}
	if g.Vocab < 2 {
		return fmt.Errorf("gpt2: vocab must be at least 2, got %d", g.Vocab)
	}
	return nil
}

// Params implements [Arch]: Hugging Face's named_parameters() order. With tied embeddings
// lm_head shares wte's tensor and is listed once, as transformer.wte.weight.
func (g GPT2) Params() []ParamSpec {
	D, I := g.Width, g.Inner
	ps := make([]ParamSpec, 0, 2+12*g.Layers+3)
	ps = append(ps,
		ParamSpec{"transformer.wte.weight", []int{g.Vocab, D}, RoleEmbedding},
		ParamSpec{"transformer.wpe.weight", []int{g.Context, D}, RoleEmbedding},
	)
	for l := range g.Layers {
		p := fmt.Sprintf("transformer.h.%d.", l)
		ps = append(ps,
			ParamSpec{p + "ln_1.weight", []int{D}, RoleNormWeight},
			ParamSpec{p + "ln_1.bias", []int{D}, RoleNormBias},
			ParamSpec{p + "attn.c_attn.weight", []int{D, 3 * D}, RoleLinear},
			ParamSpec{p + "attn.c_attn.bias", []int{3 * D}, RoleBias},
			ParamSpec{p + "attn.c_proj.weight", []int{D, D}, RoleLinear},
			ParamSpec{p + "attn.c_proj.bias", []int{D}, RoleBias},
			ParamSpec{p + "ln_2.weight", []int{D}, RoleNormWeight},
			ParamSpec{p + "ln_2.bias", []int{D}, RoleNormBias},
			ParamSpec{p + "mlp.c_fc.weight", []int{D, I}, RoleLinear},
			ParamSpec{p + "mlp.c_fc.bias", []int{I}, RoleBias},
			ParamSpec{p + "mlp.c_proj.weight", []int{I, D}, RoleLinear},
			ParamSpec{p + "mlp.c_proj.bias", []int{D}, RoleBias},
		)
	}
	ps = append(ps,
		ParamSpec{"transformer.ln_f.weight", []int{D}, RoleNormWeight},
		ParamSpec{"transformer.ln_f.bias", []int{D}, RoleNormBias},
	)
	if !g.Tied {
		ps = append(ps, ParamSpec{"lm_head.weight", []int{g.Vocab, D}, RoleClassifier})
	}
	return ps
}
