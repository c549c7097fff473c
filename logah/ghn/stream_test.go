package ghn

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

// TestPredictToFileParity streams the predictions of the fixture models to files and compares
// them with the in-graph prediction and with the reference.
func TestPredictToFileParity(t *testing.T) {
	for _, pc := range parityCases {
		for rule, file := range pc.predicted {
			t.Run(pc.graph+"/"+string(rule), func(t *testing.T) {
				cfg, set := loadFixtureGHN(t, pc.variant)
				cfg.Norm = rule
				m := newGHN(t, cfg, set)
				a := fixtureArchs[pc.graph]
				opts := PredictOptions{Seed: 7}
				path := filepath.Join(t.TempDir(), "pred.safetensors")
				rep, err := m.PredictToFile(a, path, opts)
				if err != nil {
					t.Fatal(err)
				}
				streamed, meta, err := params.Load(path)
				if err != nil {
					t.Fatal(err)
				}
				if meta["format"] != "pt" {
					t.Errorf("metadata format = %q, want pt", meta["format"])
				}
				if rep.Tensors != len(a.Params()) || streamed.Len() != len(a.Params()) {
					t.Errorf("wrote %d tensors (file has %d), want %d", rep.Tensors, streamed.Len(), len(a.Params()))
				}
				if err := streamed.CheckArch(a); err != nil {
					t.Error(err)
				}
				inGraph, err := m.Predict(a, opts)
				if err != nil {
					t.Fatal(err)
				}
				worst := 0.0
				for _, name := range inGraph.Names() {
					g, gs := get(t, streamed, name)
					w, ws := get(t, inGraph, name)
					d, err := diff(g, gs, w, ws)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					worst = max(worst, d)
					if d > 1e-6 {
						t.Errorf("%s: streamed vs in-graph max |diff| = %g", name, d)
					}
				}
				ref, rmeta := fixtureFile(t, file)
				t.Logf("streamed vs in-graph: max |diff| = %.3g; vs reference: %.3g (%d decoder calls)",
					worst, compareToFixture(t, streamed, ref, rmeta, ""), rep.DecoderCalls)
			})
		}
	}
}

// TestPredictToFileLlama streams tied and untied Llamas: the file equals the in-graph
// prediction (names, order, shapes, values).
func TestPredictToFileLlama(t *testing.T) {
	m := fixtureGPTGHN(t, "")
	for _, name := range []string{"llama_b2_tied", "llama_b2_gqa_untied"} {
		a := fixtureArchs[name]
		path := filepath.Join(t.TempDir(), name+".safetensors")
		rep, err := m.PredictToFile(a, path, PredictOptions{})
		if err != nil {
			t.Fatal(err)
		}
		streamed, _, err := params.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := streamed.CheckArch(a); err != nil {
			t.Error(err)
		}
		if rep.Params != arch.NumParams(a) || rep.DType != params.F32 || rep.Bytes < 4*rep.Params {
			t.Errorf("%s: report %+v, want %d F32 parameters", a, rep, arch.NumParams(a))
		}
		inGraph, err := m.Predict(a, PredictOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(streamed.Names(), inGraph.Names()) {
			t.Errorf("%s: file order %v, in-graph %v", a, streamed.Names(), inGraph.Names())
		}
		for _, n := range inGraph.Names() {
			g, gs := get(t, streamed, n)
			w, ws := get(t, inGraph, n)
			if d, err := diff(g, gs, w, ws); err != nil || d > 1e-6 {
				t.Errorf("%s %s: streamed vs in-graph max |diff| = %g (%v)", a, n, d, err)
			}
		}
	}
}

// TestPredictToFileBF16 writes the same predictions in float32 and bfloat16: every bfloat16
// value is its float32 value rounded to nearest even (params.Float32ToBF16), the file is about
// half the size, and Predict with DType BF16 returns the same bits. Other dtypes are refused.
func TestPredictToFileBF16(t *testing.T) {
	for _, tc := range []struct {
		variant Variant
		graph   string
	}{{VariantViT, "vit_d2"}, {VariantGPT, "gpt2_b1_tied"}, {VariantGPT, "llama_b2_gqa_untied"}} {
		t.Run(tc.graph, func(t *testing.T) {
			cfg, set := loadFixtureGHN(t, tc.variant)
			m := newGHN(t, cfg, set)
			a := fixtureArchs[tc.graph]
			dir := t.TempDir()
			f32Path, bf16Path := filepath.Join(dir, "f32.safetensors"), filepath.Join(dir, "bf16.safetensors")
			r32, err := m.PredictToFile(a, f32Path, PredictOptions{Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			r16, err := m.PredictToFile(a, bf16Path, PredictOptions{Seed: 5, DType: params.BF16})
			if err != nil {
				t.Fatal(err)
			}
			if r16.DType != params.BF16 || r16.Params != r32.Params || r16.Tensors != r32.Tensors {
				t.Errorf("bf16 report %+v, f32 report %+v", r16, r32)
			}
			// Data of 2 and 4 bytes a value; the bf16 header spells "BF16" (one byte more than
			// "F32" a tensor, plus up to 7 of padding) and its offsets have no more digits.
			if h16, h32 := r16.Bytes-2*r16.Params, r32.Bytes-4*r32.Params; h16 <= 0 || h16 > h32+int64(r16.Tensors)+7 {
				t.Errorf("file sizes: bf16 %d, f32 %d bytes for %d parameters", r16.Bytes, r32.Bytes, r16.Params)
			}
			f32, _, err := params.Load(f32Path)
			if err != nil {
				t.Fatal(err)
			}
			bf16, _, err := params.Load(bf16Path)
			if err != nil {
				t.Fatal(err)
			}
			inMem, err := m.Predict(a, PredictOptions{Seed: 5, DType: params.BF16})
			if err != nil {
				t.Fatal(err)
			}
			inMem32, err := m.Predict(a, PredictOptions{Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(bf16.Names(), f32.Names()) || !slices.Equal(inMem.Names(), f32.Names()) {
				t.Fatalf("names: bf16 %v, f32 %v, in memory %v", bf16.Names(), f32.Names(), inMem.Names())
			}
			rounded := 0
			for _, n := range f32.Names() {
				x32, _ := f32.Get(n)
				x16, _ := bf16.Get(n)
				xm, _ := inMem.Get(n)
				if x16.DType() != params.BF16 || xm.DType() != params.BF16 || !slices.Equal(x16.Shape(), x32.Shape()) {
					t.Fatalf("%s: file %s, in memory %s, f32 %s", n, x16, xm, x32)
				}
				bits, mem := x16.Bits16(), xm.Bits16()
				xm32, _ := inMem32.Get(n)
				m32 := xm32.Float32s()
				for i, v := range x32.Float32s() {
					want := params.Float32ToBF16(v)
					if bits[i] != want {
						t.Fatalf("%s[%d]: bf16 file holds %#04x, f32 %g rounds to %#04x", n, i, bits[i], v, want)
					}
					if w := params.Float32ToBF16(m32[i]); mem[i] != w {
						t.Fatalf("%s[%d]: Predict(BF16) %#04x, Predict(F32) %g rounds to %#04x", n, i, mem[i], m32[i], w)
					}
					if params.BF16ToFloat32(want) != v {
						rounded++
					}
				}
			}
			if rounded == 0 {
				t.Error("no value changed when rounded to bfloat16: the comparison tested nothing")
			}
			if _, err := m.PredictToFile(a, filepath.Join(dir, "f16.safetensors"), PredictOptions{DType: params.F16}); err == nil ||
				!strings.Contains(err.Error(), "PredictOptions.DType") || !strings.Contains(err.Error(), "BF16") {
				t.Errorf("DType F16: error %v", err)
			}
		})
	}
}
