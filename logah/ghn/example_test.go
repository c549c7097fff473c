package ghn_test

import (
	"fmt"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/ghn"
)

// A freshly initialised hypernetwork predicts every parameter of a small ViT.
func Example() {
	// A small LoGAH: h 32, 2 Graphormer layers, 4 heads, rank 8, d_max 256 (K = 16·d_max).
	cfg := ghn.Config{Variant: ghn.VariantViT, Hid: 32, Layers: 2, Heads: 4, Rank: 8, MaxCK: 4096, MaxShape: 256,
		SpatialMax: ghn.DefaultSpatialMax, NumClasses: 10, FinalLN: true, Decoder: ghn.DecoderLoGAH, KeepL1: true}
	weights, err := ghn.Init(cfg, 1)
	if err != nil {
		panic(err)
	}
	m, err := ghn.New(cfg, weights, nil)
	if err != nil {
		panic(err)
	}
	defer m.Close()
	vit := arch.ViT{ImageSize: 32, Channels: 3, Patch: 4, Depth: 2, Width: 96, Heads: 3, MLPDim: 384, Classes: 10}
	pred, err := m.Predict(vit, ghn.PredictOptions{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg)
	fmt.Printf("%d hypernetwork parameters\n", cfg.NumParams().Total())
	fmt.Printf("%d tensors, %d parameters predicted for %s\n", pred.Len(), pred.NumParams(), vit)
	// Output:
	// ghn(vit h32 L2 H4 logah r8 K4096 d256 norm=vit)
	// 185000 hypernetwork parameters
	// 32 tensors, 235882 parameters predicted for vit(L2 D96 H3 M384 p4 32x32x3 C10)
}

// The low-rank decoder's parameter count grows linearly with the supported width d_max.
func ExampleConfig_NumParams() {
	for _, d := range []int{2048, 4096, 8192} {
		cfg := ghn.LoGAHTiny(ghn.VariantViT, 10)
		cfg.MaxShape, cfg.MaxCK = d, 16*d
		n := cfg.NumParams()
		fmt.Printf("d_max %d: encoder %d + decoder %d\n", d, n.Encoder, n.Decoder)
	}
	// Output:
	// d_max 2048: encoder 259128 + decoder 2280196
	// d_max 4096: encoder 259128 + decoder 3361540
	// d_max 8192: encoder 259128 + decoder 5524228
}
