package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/ghn"
)

// TestDecoderSizesMatchSpec checks the LoGAH-Tiny totals of docs/method.md §2.4 (2.54 M, 3.62 M and 5.78 M
// at d_max 2048, 4096, 8192 with K = 16·d_max), the GHN-3 totals of docs/method.md §3.6 (308 M, 543 M,
// 846 M, 2157 M at 768, 1024, 1280, 2048; ± 1 M: docs/method.md's 308 M is 307.45 M here, the
// table and the closed form agree), and that GHN-3's disadvantage grows with d_max.
func TestDecoderSizesMatchSpec(t *testing.T) {
	ws, err := parseWidths(defaultDecoderWidths)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []ghn.Variant{ghn.VariantViT, ghn.VariantGPT} {
		rows, err := decoderSizes("tiny", v, 10, ws)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 7 {
			t.Fatalf("%d rows, want 7", len(rows))
		}
		logah := map[int]float64{2048: 2.54, 4096: 3.62, 8192: 5.78}
		ghn3 := map[int]float64{768: 308, 1024: 543, 1280: 846, 2048: 2157}
		for i, r := range rows {
			if r.LoGAH.MaxCK != 16*r.DMax || r.GHN3.MaxShape != r.DMax || r.GHN3.Decoder != ghn.DecoderGHN3 {
				t.Errorf("%s d_max %d: configs %s / %s", v, r.DMax, r.LoGAH, r.GHN3)
			}
			if r.LoGAHParams.Encoder != r.GHN3Params.Encoder {
				t.Errorf("%s d_max %d: encoders differ: %d vs %d", v, r.DMax, r.LoGAHParams.Encoder, r.GHN3Params.Encoder)
			}
			if r.LoGAHParams != r.LoGAH.FormulaParams() || r.GHN3Params != r.GHN3.FormulaParams() {
				t.Errorf("%s d_max %d: table and closed-form counts differ", v, r.DMax)
			}
			if want, ok := logah[r.DMax]; ok {
				if got := float64(r.LoGAHParams.Total()) / 1e6; got < want-0.005 || got > want+0.005 {
					t.Errorf("%s d_max %d: LoGAH-Tiny %.3f M, want %.2f M", v, r.DMax, got, want)
				}
			}
			if want, ok := ghn3[r.DMax]; ok {
				if got := float64(r.GHN3Params.Total()) / 1e6; got < want-1 || got > want+1 {
					t.Errorf("%s d_max %d: GHN-3 %.1f M, want %.0f M", v, r.DMax, got, want)
				}
			}
			if i > 0 && (r.Ratio <= rows[i-1].Ratio || r.DecoderRatio <= rows[i-1].DecoderRatio) {
				t.Errorf("%s: ratio does not grow: %.1f at %d, %.1f at %d", v, rows[i-1].Ratio, rows[i-1].DMax, r.Ratio, r.DMax)
			}
		}
		// The "1/100" of the title: at GPT-2 Large's width GHN-3 needs > 100× the parameters.
		if rows[2].DMax != 1280 || rows[2].Ratio < 100 {
			t.Errorf("%s: ratio at 1280 = %.0f, want > 100", v, rows[2].Ratio)
		}
	}
}

func TestDecoderSizeCommand(t *testing.T) {
	code, out, errOut := runCLI("decoder-size")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	if strings.Count(out, "\n") != 10 || !strings.Contains(out, "2.54 M") || !strings.Contains(out, "5.78 M") || !strings.Contains(out, "8192") {
		t.Fatalf("unexpected table:\n%s", out)
	}
	code, out, _ = runCLI("decoder-size", "--widths", "2048", "--exact", "--variant", "gpt")
	if code != 0 || !strings.Contains(out, "2,539,564") {
		t.Fatalf("exact gpt count missing:\n%s", out)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "small.json")
	os.WriteFile(cfg, []byte(`{"variant":"vit","hid":32,"layers":2,"heads":4,"lora_r":8,"max_ck_lora":4096,"max_shape":256,"num_classes":10,"layernorm":true}`), 0o644)
	if code, out, e := runCLI("decoder-size", "--size", cfg, "--widths", "512,1024"); code != 0 || !strings.Contains(out, "h32") || strings.Count(out, "\n") != 5 {
		t.Fatalf("--size json: code %d\n%s%s", code, out, e)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"decoder-size", "--widths", "1024,x"}, `"x" is not a positive integer`},
		{[]string{"decoder-size", "--widths", ","}, "no width given"},
		{[]string{"decoder-size", "--variant", "llama"}, `unknown --variant "llama"`},
		{[]string{"decoder-size", "extra"}, "unexpected arguments"},
	} {
		code, _, errOut := runCLI(c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, stderr %q", c.args, code, errOut)
		}
	}
}
