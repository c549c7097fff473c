package ghn

import (
	"fmt"

	"github.com/logah-go/logah/logah/arch"
)

// Part says which half of the hypernetwork a parameter belongs to.
type Part int

// Parts of a hypernetwork.
const (
	// PartEncoder: final LayerNorm, op and shape embeddings, Graphormer layers.
	PartEncoder Part = iota
	// PartDecoder: decoder, decoder_1d and bias_class (placeholders included).
	PartDecoder
)

func (p Part) String() string {
	if p == PartEncoder {
		return "encoder"
	}
	return "decoder"
}

// InitKind says how [Init] draws a parameter (docs/method.md §2.3).
type InitKind int

// Initialisations.
const (
	InitLinearWeight InitKind = iota // U(±1/√fan_in), PyTorch's nn.Linear default
	InitLinearBias                   // U(±1/√fan_in) with the fan_in of its weight
	InitEmbedding                    // truncated normal, std dim^-½, cut at ±2 (absolute)
	InitOnes                         // LayerNorm weight
	InitZeros                        // LayerNorm bias
)

// ParamSpec is one row of a hypernetwork's parameter table.
type ParamSpec struct {
	// Name is the PyTorch state_dict name of the authors' code.
	Name string
	// Shape is the tensor shape (PyTorch layout: a Linear weight is (out, in)).
	Shape []int
	// Part is encoder or decoder.
	Part Part
	// Used is false for tensors the forward pass never reads (LoGAH's decoder.l1 and the
	// decoder_1d / bias_class placeholders): they have no gradient and need no variable.
	Used bool
	// Init says how [Init] draws it.
	Init InitKind
	// FanIn is the fan-in of a Linear weight or bias (for InitLinear*).
	FanIn int
	// Small marks the last Linear of a GHN-3 decoder predictor: after the default draw the
	// weight is divided by 5 and the bias zeroed (_init_small).
	Small bool
}

// Size is the number of scalars of the tensor.
func (p ParamSpec) Size() int64 { return arch.NumElements(p.Shape) }

// Aliases maps the extra state_dict names of LoGAH checkpoints to the tensor they share:
// ConvDecoder3LoRA registers its l2 Linear twice (as l2 and as seq.1).
var Aliases = map[string]string{
	"decoder.seq.1.weight": "decoder.l2.weight",
	"decoder.seq.1.bias":   "decoder.l2.bias",
}

// Params is the ordered parameter table of the hypernetwork, in the authors' state_dict order
// (aliases excluded, see [Aliases]). It panics on an invalid configuration (call
// [Config.Validate] first).
func (c Config) Params() []ParamSpec {
	if err := c.Validate(); err != nil {
		panic(err)
	}
	c = c.WithDefaults()
	h, H := c.Hid, c.Heads
	var ps []ParamSpec
	lin := func(prefix string, out, in int, part Part, used bool) {
		ps = append(ps,
			ParamSpec{Name: prefix + ".weight", Shape: []int{out, in}, Part: part, Used: used, Init: InitLinearWeight, FanIn: in},
			ParamSpec{Name: prefix + ".bias", Shape: []int{out}, Part: part, Used: used, Init: InitLinearBias, FanIn: in})
	}
	ln := func(prefix string, part Part) {
		ps = append(ps,
			ParamSpec{Name: prefix + ".weight", Shape: []int{h}, Part: part, Used: true, Init: InitOnes},
			ParamSpec{Name: prefix + ".bias", Shape: []int{h}, Part: part, Used: true, Init: InitZeros})
	}
	emb := func(name string, rows, dim int) {
		ps = append(ps, ParamSpec{Name: name, Shape: []int{rows, dim}, Part: PartEncoder, Used: true, Init: InitEmbedding})
	}
	if c.FinalLN {
		ln("ln", PartEncoder)
	}
	v := c.Vocab()
	emb("embed.weight", c.NumOps(), h)
	emb("shape_enc.embed_spatial.weight", v.SpatialRows(), h/4)
	emb("shape_enc.embed_channel.weight", v.ChannelRows(), h/4)
	for k := range c.Layers {
		p := fmt.Sprintf("gnn.%d.", k)
		ln(p+"ln1", PartEncoder)
		ps = append(ps, ParamSpec{Name: p + "attn.to_qkv.weight", Shape: []int{3 * h, h}, Part: PartEncoder, Used: true,
			Init: InitLinearWeight, FanIn: h})
		lin(p+"attn.to_out.0", h, h, PartEncoder, true)
		if k == 0 {
			emb(p+"attn.edge_embed.embed.weight", EdgeTableRows, h)
			lin(p+"attn.proj_e.0", h, 2*h, PartEncoder, true)
			lin(p+"attn.proj_e.2", H, h, PartEncoder, true)
		}
		ln(p+"ln2", PartEncoder)
		lin(p+"ff.net.0", 4*h, h, PartEncoder, true)
		lin(p+"ff.net.3", h, 4*h, PartEncoder, true)
		if k == 0 {
			emb(p+"centrality_embed_in.weight", MaxDegree+1, h)
			emb(p+"centrality_embed_out.weight", MaxDegree+1, h)
			emb(p+"input_dist_embed.weight", MaxInputDist+1, h)
		}
	}
	switch c.Decoder {
	case DecoderLoGAH:
		r := c.Rank
		lin("decoder.mlp.fc.0", 4*h, h, PartDecoder, true)
		lin("decoder.mlp.fc.2", 8*h, 4*h, PartDecoder, true)
		lin("decoder.mlp.fc.4", 2*r*r, 8*h, PartDecoder, true)
		if c.KeepL1 {
			lin("decoder.l1", r, r, PartDecoder, false)
		}
		lin("decoder.l2", c.MaxCK, r, PartDecoder, true)
		lin("decoder_1d.0", 1, 1, PartDecoder, false)
		lin("bias_class.1", 1, 1, PartDecoder, false)
	case DecoderGHN3:
		d, s, C := c.MaxShape, c.SpatialMax, c.NumClasses
		lin("decoder.fc.0", 4*h*s*s, h, PartDecoder, true)
		lin("decoder.conv.0", 8*h, 4*h, PartDecoder, true)
		lin("decoder.conv.2", d*d, 8*h, PartDecoder, true)
		ps[len(ps)-2].Small, ps[len(ps)-1].Small = true, true
		lin("decoder.class_layer_predictor.1", C, d, PartDecoder, true)
		ps[len(ps)-2].Small, ps[len(ps)-1].Small = true, true
		lin("decoder_1d.fc.0", 2*h, h, PartDecoder, true)
		lin("decoder_1d.fc.2", 2*d, 2*h, PartDecoder, true)
		ps[len(ps)-2].Small, ps[len(ps)-1].Small = true, true
		lin("bias_class.1", C, d, PartDecoder, true)
	}
	return ps
}

// ParamCount is a parameter count split by part.
type ParamCount struct {
	Encoder, Decoder int64
}

// Total is Encoder + Decoder.
func (p ParamCount) Total() int64 { return p.Encoder + p.Decoder }

// NumParams counts the unique parameters of the hypernetwork (aliases once, unused tensors
// included), as PyTorch's sum(p.numel() for p in ghn.parameters()).
func (c Config) NumParams() ParamCount {
	var n ParamCount
	for _, p := range c.Params() {
		if p.Part == PartEncoder {
			n.Encoder += p.Size()
		} else {
			n.Decoder += p.Size()
		}
	}
	return n
}

// FormulaParams evaluates the closed-form parameter counts of docs/method.md §3.6 (a cross-check of
// [Config.NumParams]):
//
//	P_enc  = 2h[ln] + n_ops·h + (n_ch+1 + n_sp+1)·h/4 + L(12h² + 10h) + 2h² + 1461h + H(h+1)
//	P_dec  = 36h² + 12h + 2r²(8h+1) + K(r+1) [+ r² + r with l1] + 4            (LoGAH)
//	P_dec3 = 4h·s²(h+1) + 32h² + 8h + d²(8h+1) + 2C(d+1) + 2h² + 2h + 2d(2h+1)  (GHN-3)
func (c Config) FormulaParams() ParamCount {
	c = c.WithDefaults()
	h, L, H := int64(c.Hid), int64(c.Layers), int64(c.Heads)
	v := c.Vocab()
	var n ParamCount
	if c.FinalLN {
		n.Encoder += 2 * h
	}
	n.Encoder += int64(c.NumOps())*h + int64(v.ChannelRows()+v.SpatialRows())*h/4 + L*(12*h*h+10*h) + 2*h*h + 1461*h + H*(h+1)
	switch c.Decoder {
	case DecoderLoGAH:
		r, K := int64(c.Rank), int64(c.MaxCK)
		n.Decoder = 36*h*h + 12*h + 2*r*r*(8*h+1) + K*(r+1) + 4
		if c.KeepL1 {
			n.Decoder += r*r + r
		}
	case DecoderGHN3:
		d, s, C := int64(c.MaxShape), int64(c.SpatialMax), int64(c.NumClasses)
		n.Decoder = 4*h*s*s*(h+1) + 32*h*h + 8*h + d*d*(8*h+1) + 2*C*(d+1) + 2*h*h + 2*h + 2*d*(2*h+1)
	}
	return n
}

// paramIndex maps names to table rows.
func paramIndex(ps []ParamSpec) map[string]ParamSpec {
	m := make(map[string]ParamSpec, len(ps))
	for _, p := range ps {
		m[p.Name] = p
	}
	return m
}
