package arch

import (
	"slices"
	"strings"
	"testing"
)

func mustNamed(t *testing.T, name string) Arch {
	t.Helper()
	a, err := Named(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The counts users compare against PyTorch: torchvision vit_b_16 / vit_l_16 and Hugging Face
// GPT-2 (tied) sum(p.numel() for p in model.parameters()).
func TestNumParamsMatchesPyTorch(t *testing.T) {
	for _, c := range []struct {
		name string
		want int64
	}{
		{"gpt2", 124_439_808},
		{"gpt2-medium", 354_823_168},
		{"gpt2-large", 774_030_080},
		{"gpt2-xl", 1_557_611_200},
		{"vit_b_16", 86_567_656},
		{"vit_l_16", 304_326_632},
		// docs/method.md §4.3: untied GPT-2 adds a (50257, D) lm_head.
		{"gpt2-untied", 124_439_808 + 50257*768},
		{"gpt2-large-untied", 774_030_080 + 50257*1280},
		// ViT-B CIFAR-100 (patch 2, 32 px) is 85.3 M.
		{"vit-b", 85_341_028},
	} {
		a := mustNamed(t, c.name)
		if err := a.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := NumParams(a); got != c.want {
			t.Errorf("%s: NumParams = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestViTParamTableNamesAndShapes(t *testing.T) {
	v := ViT{ImageSize: 32, Channels: 3, Patch: 2, Depth: 2, Width: 64, Heads: 4, MLPDim: 256, Classes: 10}
	ps := v.Params()
	if len(ps) != 4+12*2+4 {
		t.Fatalf("got %d params", len(ps))
	}
	want := map[string][]int{
		"class_token":           {1, 1, 64},
		"conv_proj.weight":      {64, 3, 2, 2},
		"encoder.pos_embedding": {1, 257, 64},
		"encoder.layers.encoder_layer_1.self_attention.in_proj_weight": {192, 64},
		"encoder.layers.encoder_layer_0.mlp.3.weight":                  {64, 256},
		"heads.head.bias": {10},
	}
	for name, shape := range want {
		p, ok := Find(v, name)
		if !ok {
			t.Fatalf("missing %s", name)
		}
		if !slices.Equal(p.Shape, shape) {
			t.Errorf("%s: shape %v, want %v", name, p.Shape, shape)
		}
	}
	if ps[0].Name != "class_token" || ps[len(ps)-1].Name != "heads.head.bias" {
		t.Errorf("order: first %s last %s", ps[0].Name, ps[len(ps)-1].Name)
	}
}

func TestGPT2ConvOneDLayoutAndTying(t *testing.T) {
	g := GPT2{Layers: 1, Width: 64, Heads: 8, Inner: 256, Vocab: 50257, Context: 1024}
	p, _ := Find(g, "transformer.h.0.attn.c_attn.weight")
	if !slices.Equal(p.Shape, []int{64, 192}) {
		t.Errorf("c_attn is Conv1D (in,out): got %v", p.Shape)
	}
	if _, ok := Find(g, "lm_head.weight"); !ok {
		t.Error("untied model must list lm_head.weight")
	}
	g.Tied = true
	if _, ok := Find(g, "lm_head.weight"); ok {
		t.Error("tied model lists the shared tensor once, as transformer.wte.weight")
	}
}

func TestValidationNamesFieldAndFix(t *testing.T) {
	cases := []struct {
		a    Arch
		want string
	}{
		{ViT{ImageSize: 32, Channels: 3, Patch: 5, Depth: 1, Width: 64, Heads: 4, MLPDim: 256, Classes: 10}, "patch 5 does not divide image_size 32"},
		{ViT{ImageSize: 32, Channels: 3, Patch: 4, Depth: 1, Width: 66, Heads: 4, MLPDim: 256, Classes: 10}, "width 66 is not divisible by heads 4"},
		{ViT{ImageSize: 32, Channels: 3, Patch: 4, Depth: 0, Width: 64, Heads: 4, MLPDim: 256, Classes: 10}, "depth must be positive"},
		{ViT{ImageSize: 32, Channels: 3, Patch: 4, Depth: 1, Width: 64, Heads: 4, MLPDim: 256, Classes: 1}, "classes must be at least 2"},
		{GPT2{Layers: 2, Width: 64, Heads: 5, Inner: 256, Vocab: 256, Context: 128}, "width 64 is not divisible by heads 5"},
		{GPT2{Layers: 2, Width: 64, Heads: 4, Inner: 256, Vocab: 1, Context: 128}, "vocab must be at least 2"},
		{GPT2{Layers: 2, Width: 64, Heads: 4, Inner: -1, Vocab: 256, Context: 128}, "inner must be positive"},
	}
	for _, c := range cases {
		err := c.a.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want error containing %q", c.a, err, c.want)
		}
	}
}

func TestParseJSON(t *testing.T) {
	a, err := ParseJSON([]byte(`{"kind":"vit","image_size":28,"channels":1,"patch":4,"depth":4,"width":64,"heads":4,"mlp_dim":256,"classes":10}`))
	if err != nil {
		t.Fatal(err)
	}
	want := ViT{ImageSize: 28, Channels: 1, Patch: 4, Depth: 4, Width: 64, Heads: 4, MLPDim: 256, Classes: 10}
	if a != Arch(want) {
		t.Fatalf("got %v want %v", a, want)
	}
	// Round trip.
	data, err := MarshalJSON(a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseJSON(data)
	if err != nil || b != a {
		t.Fatalf("round trip: %v %v", b, err)
	}
	for _, c := range []struct{ json, want string }{
		{`{"image_size":28}`, `missing field "kind"`},
		{`{"kind":"resnet"}`, `unknown kind "resnet"`},
		{`{"kind":"gpt2","layers":2,"widht":64}`, `unknown field "widht"`},
		{`{"kind":"gpt2",`, "invalid JSON"},
		{`{"kind":"gpt2","layers":2,"width":64,"heads":3,"inner":256,"vocab":256,"context":128}`, "not divisible by heads 3"},
	} {
		_, err := ParseJSON([]byte(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.json, err, c.want)
		}
	}
}

func TestNamedUnknownListsKnownNames(t *testing.T) {
	_, err := Named("gpt3")
	if err == nil || !strings.Contains(err.Error(), "gpt2-large") {
		t.Fatalf("got %v", err)
	}
	if a := mustNamed(t, "GPT2-Large-untied"); a.(GPT2).Tied || a.(GPT2).Layers != 36 {
		t.Fatalf("got %v", a)
	}
}
