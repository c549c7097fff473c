package ghn

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
)

// fixtureGHNJSON is the part of ghn_*_tiny.json the tests read.
type fixtureGHNJSON struct {
	Tensors       map[string][]int  `json:"tensors"`
	NParamsUnique int64             `json:"n_params_unique"`
	Aliases       map[string]string `json:"aliases"`
	Unused        []string          `json:"unused_in_forward"`
	Derived       struct {
		Channels []int `json:"shape_encoder_channels"`
		Spatial  []int `json:"shape_encoder_spatial"`
		NOps     int   `json:"n_ops (rows of embed.weight)"`
	} `json:"derived"`
}

func readGHNJSON(t *testing.T, v Variant) fixtureGHNJSON {
	t.Helper()
	name := "ghn_vit_tiny.json"
	if v == VariantGPT {
		name = "ghn_gpt_tiny.json"
	}
	data, err := os.ReadFile(fixtures.Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	var f fixtureGHNJSON
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestParamTableFixture checks names, shapes, order, aliases, unused tensors, vocabularies and
// unique parameter counts against the authors' state_dicts.
func TestParamTableFixture(t *testing.T) {
	for v, want := range map[Variant]int64{VariantViT: 185000, VariantGPT: 185120} {
		t.Run(string(v), func(t *testing.T) {
			f := readGHNJSON(t, v)
			cfg := fixtureConfig(v)
			table := cfg.Params()
			_, set := loadFixtureGHN(t, v)
			var fileOrder []string
			for _, n := range set.Names() {
				if _, alias := Aliases[n]; !alias {
					fileOrder = append(fileOrder, n)
				}
			}
			var names []string
			for _, p := range table {
				names = append(names, p.Name)
				if !slices.Equal(f.Tensors[p.Name], p.Shape) {
					t.Errorf("%s: shape %v, reference %v", p.Name, p.Shape, f.Tensors[p.Name])
				}
				if p.Used == slices.Contains(f.Unused, p.Name) {
					t.Errorf("%s: Used = %v, reference unused list %v", p.Name, p.Used, f.Unused)
				}
			}
			if !slices.Equal(names, fileOrder) {
				t.Errorf("table order\n%v\nstate_dict order\n%v", names, fileOrder)
			}
			for alias, target := range f.Aliases {
				if Aliases[alias] != target {
					t.Errorf("alias %s → %s missing", alias, target)
				}
			}
			if n := cfg.NumParams(); n.Total() != want || f.NParamsUnique != want {
				t.Errorf("NumParams = %d (%+v), want %d (json %d)", n.Total(), n, want, f.NParamsUnique)
			}
			if n := cfg.FormulaParams(); n != cfg.NumParams() {
				t.Errorf("formula %+v != table %+v", n, cfg.NumParams())
			}
			vocab := cfg.Vocab()
			if !slices.Equal(vocab.Channels, f.Derived.Channels) || !slices.Equal(vocab.Spatial, f.Derived.Spatial) {
				t.Errorf("vocabularies differ from the reference")
			}
			if cfg.NumOps() != f.Derived.NOps {
				t.Errorf("NumOps = %d, want %d", cfg.NumOps(), f.Derived.NOps)
			}
		})
	}
}

// TestNumParams checks the LoGAH-Tiny counts of docs/method.md and that the closed-form formulas of
// docs/method.md §3.6 agree with the table for other sizes and both decoders.
func TestNumParams(t *testing.T) {
	tiny := LoGAHTiny(VariantViT, 10)
	if n := tiny.NumParams().Total(); n != 2_539_324 {
		t.Errorf("LoGAH-Tiny (ViT, C=10) has %d params, want 2,539,324", n)
	}
	tiny.KeepL1 = true
	if n := tiny.NumParams().Total(); n != 2_540_380 {
		t.Errorf("LoGAH-Tiny with l1 has %d params, want 2,540,380", n)
	}
	gpt := LoGAHTiny(VariantGPT, 10)
	gpt.KeepL1 = true
	if n := gpt.NumParams().Total(); n != 2_540_620 {
		t.Errorf("LoGAH-Tiny GPT with l1 has %d params, want 2,540,620", n)
	}
	// Repo comment: "Hid=64: max_shape=2048: 2.54, 4096: 3.62, 8192: 5.78" [M] with K = 16·d_max.
	for d, want := range map[int]float64{4096: 3.62, 8192: 5.78} {
		c := LoGAHTiny(VariantViT, 10)
		c.MaxShape, c.MaxCK, c.KeepL1 = d, 16*d, true
		if got := float64(c.NumParams().Total()) / 1e6; got < want-0.005 || got > want+0.005 {
			t.Errorf("d_max %d: %.3f M params, want %.2f M", d, got, want)
		}
	}
	for _, c := range []Config{
		{Variant: VariantViT, Hid: 128, Layers: 5, Heads: 16, Rank: 90, MaxCK: 32768, MaxShape: 2048, NumClasses: 100, FinalLN: true},
		{Variant: VariantGPT, Hid: 48, Layers: 1, Heads: 6, Rank: 4, MaxCK: 64, MaxShape: 32, NumClasses: 1000, KeepL1: true},
		GHN3Baseline(LoGAHTiny(VariantViT, 1000), 64),
		GHN3Baseline(fixtureConfig(VariantGPT), 48),
	} {
		if got, want := c.NumParams(), c.FormulaParams(); got != want {
			t.Errorf("%s: table %+v, formula %+v", c, got, want)
		}
	}
	// README ViT example: hid 128, 5 layers, 16 heads, r 90 → 21.4 M.
	c := Config{Variant: VariantViT, Hid: 128, Layers: 5, Heads: 16, Rank: 90, MaxCK: 32768, MaxShape: 2048, NumClasses: 10, FinalLN: true, KeepL1: true}
	if got := float64(c.NumParams().Total()) / 1e6; got < 21.35 || got > 21.45 {
		t.Errorf("README ViT example: %.2f M params, want ≈21.4 M", got)
	}
	// GHN-3-T (h 64, 3 layers, d_max = h, ImageNet head): 6.91 M.
	g3 := GHN3Baseline(Config{Variant: VariantViT, Hid: 64, Layers: 3, Heads: 8, NumClasses: 1000, FinalLN: true}, 64)
	if got := float64(g3.NumParams().Total()) / 1e6; got < 6.905 || got > 6.915 {
		t.Errorf("GHN-3-T: %.3f M params, want 6.91 M", got)
	}
}

// TestConfigValidate checks that invalid configurations give errors naming the problem.
func TestConfigValidate(t *testing.T) {
	ok := fixtureConfig(VariantViT)
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		mut  func(*Config)
		want string
	}{
		"hid not ×4":   {func(c *Config) { c.Hid = 30 }, "multiple of 4"},
		"heads":        {func(c *Config) { c.Heads = 5 }, "not divisible by heads"},
		"K too small":  {func(c *Config) { c.MaxCK = 400 }, "max_ck_lora"},
		"no rank":      {func(c *Config) { c.Rank = 0 }, "lora_r"},
		"variant":      {func(c *Config) { c.Variant = "llama" }, "unknown variant"},
		"no variant":   {func(c *Config) { c.Variant = "" }, "missing variant"},
		"norm":         {func(c *Config) { c.Norm = "fan-out" }, "unknown norm"},
		"decoder":      {func(c *Config) { c.Decoder = "mlp" }, "unknown decoder"},
		"layers":       {func(c *Config) { c.Layers = 0 }, "layers"},
		"cutoff":       {func(c *Config) { c.Cutoff = 300 }, "ve_cutoff"},
		"ghn3 with l1": {func(c *Config) { c.Decoder = DecoderGHN3 }, "keep_l1"},
	} {
		c := ok
		tc.mut(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, tc.want)
		}
	}
	// JSON round trip.
	data, err := json.Marshal(LoGAHTiny(VariantGPT, 10))
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if back != LoGAHTiny(VariantGPT, 10).WithDefaults() || back.Norm != NormGPTHead {
		t.Errorf("round trip gave %+v", back)
	}
	if _, err := ParseConfig([]byte(`{"variant":"vit","hid":32,"layrs":2}`)); err == nil {
		t.Error("unknown field accepted")
	}
}

// TestVocabLookup checks the shape-encoder lookup rules of docs/method.md §2.1.
func TestVocabLookup(t *testing.T) {
	v := fixtureConfig(VariantViT).Vocab()
	ch := func(c int) int { return v.Channels[v.ChannelIndex(c)] }
	sp := func(k int) int { return v.Spatial[v.SpatialIndex(k)] }
	for c, want := range map[int]int{1: 1, 2: 1, 3: 3, 4: 8, 7: 8, 10: 10, 12: 10, 20: 16, 60: 56, 72: 64, 73: 80, 96: 96,
		100: 96, 4088: 4080, 4090: 4096, 8192: 8192, 50257: 8192, 1 << 20: 8192} {
		if got := ch(c); got != want {
			t.Errorf("channel %d → %d, want %d", c, got, want)
		}
	}
	for k, want := range map[int]int{1: 1, 2: 3, 3: 3, 4: 3, 6: 5, 7: 7, 12: 11, 14: 14, 16: 16, 17: 16, 32: 16} {
		if got := sp(k); got != want {
			t.Errorf("kernel %d → %d, want %d", k, got, want)
		}
	}
	g := fixtureConfig(VariantGPT).Vocab()
	for c, want := range map[int]int{50257: 50257, 32000: 32000, 20000: 8192, 21000: 32000, 1 << 20: 128256} {
		if got := g.Channels[g.ChannelIndex(c)]; got != want {
			t.Errorf("GPT channel %d → %d, want %d", c, got, want)
		}
	}
	if idx := v.ShapeIndices(nil); idx != [4]int32{391, 391, 10, 10} {
		t.Errorf("no-parameter indices %v", idx)
	}
	// ViT pos-emb (1, 257, 64) → (1, 64, 16, 16).
	if idx := v.ShapeIndices([]int{1, 257, 64}); v.Channels[idx[1]] != 64 || v.Spatial[idx[2]] != 16 || v.Channels[idx[0]] != 1 {
		t.Errorf("pos-emb indices %v", idx)
	}
}

// TestKeys checks the rounding rule and the grouping of docs/method.md §3.1 / Appendix A.3.
func TestKeys(t *testing.T) {
	for n, want := range map[int]int{3: 4, 10: 10, 100: 100, 128: 128, 384: 512, 768: 2048, 1024: 2048, 1536: 2048, 3072: 2048, 1000: 1000, 50257: 2048} {
		if got := roundChannels(n, 2048); got != want {
			t.Errorf("round(%d) = %d, want %d", n, got, want)
		}
	}
	cfg := LoGAHTiny(VariantViT, 10)
	// Appendix A.3: ViT L=2, D=128, MLP 512, patch 4, d_max 2048.
	b := newBatch(t, cfg, arch.ViT{ImageSize: 32, Channels: 3, Patch: 4, Depth: 2, Width: 128, Heads: 4, MLPDim: 512, Classes: 10})
	got := map[string][]string{}
	for _, grp := range b.plan.groups {
		for _, r := range grp.rows {
			got[grp.key.String()] = append(got[grp.key.String()], b.Graphs.Graphs[0].Nodes[r].Param)
		}
	}
	want := map[string]int{"(128, 4, 4, 4)": 1, "(128, 0)": 10, "(1, 128, 8, 8)": 1, "(512, 128, 1, 1)": 4,
		"(512, 0)": 4, "(128, 128, 1, 1)": 2, "(128, 512, 1, 1)": 2, "(10, 128)": 1, "(10, -1)": 1}
	if len(got) != len(want) {
		t.Errorf("groups %v", got)
	}
	for k, n := range want {
		if len(got[k]) != n {
			t.Errorf("key %s: %d nodes %v, want %d", k, len(got[k]), got[k], n)
		}
	}
	// K too small for a key is a clear error.
	small := cfg
	small.MaxShape, small.MaxCK = 64, 128 // the (1, 96, 7, 7) pos-emb key needs 96·7 rows
	if _, err := NewBatch(small, fixtureArchs["vit_d3_D96"]); err == nil || !strings.Contains(err.Error(), "max_ck_lora") {
		t.Errorf("K = 128 with 16×… keys: error %v", err)
	}
}
