package arch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Kind names the family of a target network.
type Kind string

// The kinds of target network.
const (
	KindViT   Kind = "vit"
	KindGPT2  Kind = "gpt2"
	KindLlama Kind = "llama"
)

// Arch is a validated-on-demand description of a target network. Its implementations ([ViT],
// [GPT2], [Llama]) are comparable structs, so an Arch value can key a map (for example a cache of compiled
// graphs: two equal Arch values always describe the same network).
type Arch interface {
	// Kind tells which family the network belongs to.
	Kind() Kind
	// String is a compact human-readable description, e.g. "vit(L4 D64 H4 p4 28x28x1 C10)".
	String() string
	// Validate reports the first problem of the configuration, naming the field and the fix.
	Validate() error
	// Params is the ordered table of parameters, named and shaped as the PyTorch library names
	// them (torchvision for ViT, Hugging Face for GPT-2 and Llama), in named_parameters() order.
	Params() []ParamSpec
}

// LM is a causal language model (GPT-2 or Llama): token ids in, next-token logits out.
type LM interface {
	Arch
	// VocabSize is the number of token ids (the rows of the embedding).
	VocabSize() int
	// ContextLen is the longest sequence the model takes (GPT-2's positions, Llama's
	// max_position_embeddings).
	ContextLen() int
	// WithContext returns the model with another context length (GPT-2: the wpe table changes
	// size; Llama: only the limit changes).
	WithContext(n int) LM
}

// Role says what a parameter tensor is, which decides how it is initialised, drawn in a
// graph and decoded by a hypernetwork.
type Role int

// Parameter roles.
const (
	RoleLinear         Role = iota // weight of nn.Linear / HF Conv1D / MultiheadAttention in_proj
	RoleConv                       // weight of the ViT patch convolution (Conv2d)
	RoleBias                       // bias of a linear or convolution layer
	RoleNormWeight                 // LayerNorm or RMSNorm weight (gain)
	RoleNormBias                   // LayerNorm bias
	RoleEmbedding                  // nn.Embedding table (GPT-2 wte, wpe; Llama embed_tokens)
	RolePosEmbedding               // ViT positional embedding (1, S, D)
	RoleClassToken                 // ViT class token (1, 1, D): not predicted by the hypernetwork
	RoleClassifier                 // classification weight (ViT heads.head.weight, GPT-2 / Llama lm_head)
	RoleClassifierBias             // classification bias (ViT heads.head.bias)
)

var roleNames = [...]string{"linear", "conv", "bias", "norm-weight", "norm-bias", "embedding",
	"pos-embedding", "class-token", "classifier", "classifier-bias"}

func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// ParamSpec is one row of a parameter table.
type ParamSpec struct {
	Name  string
	Shape []int
	Role  Role
}

// Size is the number of scalars in the tensor.
func (p ParamSpec) Size() int64 { return NumElements(p.Shape) }

// NumElements is the number of scalars of a tensor of the given shape: the product of its
// dimensions (1 for a scalar).
func NumElements(shape []int) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= int64(d)
	}
	return n
}

// NumParams is the exact number of scalar parameters of a (valid) architecture, counting a
// tensor shared by two modules once, as PyTorch's sum(p.numel() for p in parameters()) does.
func NumParams(a Arch) int64 {
	var n int64
	for _, p := range a.Params() {
		n += p.Size()
	}
	return n
}

// Find returns the spec of the named parameter.
func Find(a Arch, name string) (ParamSpec, bool) {
	for _, p := range a.Params() {
		if p.Name == name {
			return p, true
		}
	}
	return ParamSpec{}, false
}

// kindProbe reads only the "kind" field of a JSON config.
type kindProbe struct {
	Kind Kind `json:"kind"`
}

// ParseJSON reads a configuration written as JSON. The object must have a "kind" field
// ("vit", "gpt2" or "llama"); the other fields are those of [ViT], [GPT2] or [Llama] (see their
// json tags).
// Unknown fields are an error (a typo must not silently fall back to a default), and the
// result is validated.
func ParseJSON(data []byte) (Arch, error) {
	var probe kindProbe
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("arch config: invalid JSON: %w", err)
	}
	var a Arch
	var err error
	switch probe.Kind {
	case KindViT:
		a, err = decodeAs[ViT](data)
	case KindGPT2:
		a, err = decodeAs[GPT2](data)
	case KindLlama:
		a, err = decodeAs[Llama](data)
	case "":
		return nil, fmt.Errorf(`arch config: missing field "kind": add "kind": "vit", "gpt2" or "llama"`)
	default:
		return nil, fmt.Errorf(`arch config: unknown kind %q: use "vit", "gpt2" or "llama"`, probe.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("arch config (%s): %w", probe.Kind, err)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field") {
			return fmt.Errorf("%s: check the spelling against the documented fields", strings.TrimPrefix(msg, "json: "))
		}
		return err
	}
	return nil
}

// MarshalJSON writes an Arch with its "kind" field, in the form [ParseJSON] reads.
func MarshalJSON(a Arch) ([]byte, error) {
	switch a.(type) {
	case ViT, GPT2, Llama:
	default:
		return nil, fmt.Errorf("arch: cannot marshal %T", a)
	}
	fields, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	kind, _ := json.Marshal(a.Kind())
	out := append([]byte(`{"kind":`), kind...)
	if len(fields) > 2 { // not "{}"
		out = append(out, ',')
	}
	return append(out, fields[1:]...), nil
}

// decodeAs reads a configuration of type T from a JSON object that also has a "kind" field,
// refusing unknown fields.
func decodeAs[T Arch](data []byte) (Arch, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	delete(obj, "kind")
	rest, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var v T
	if err := decodeStrict(rest, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// sizeField is a named integer field of a configuration, for [allPositive].
type sizeField struct {
	name string
	v    int
}

// allPositive reports the first size field that is not positive.
func allPositive(kind Kind, fields ...sizeField) error {
	for _, f := range fields {
		if f.v <= 0 {
			return fmt.Errorf("%s: %s must be positive, got %d", kind, f.name, f.v)
		}
	}
	return nil
}

// headsDivideWidth checks that the attention heads split the width evenly.
func headsDivideWidth(kind Kind, width, heads int) error {
	if width%heads != 0 {
		return fmt.Errorf("%s: width %d is not divisible by heads %d: choose heads dividing the width (e.g. %d)",
			kind, width, heads, largestDivisorAtMost(width, heads))
	}
	return nil
}
