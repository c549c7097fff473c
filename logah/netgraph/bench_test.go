package netgraph

import (
	"testing"

	"github.com/logah-go/logah/logah/arch"
)

// BenchmarkBuildViTs1K builds the graphs (with distances, cut-off 50) of all 1000 ViTs-1K
// members; one iteration is the whole family.
func BenchmarkBuildViTs1K(b *testing.B) {
	f, err := arch.FamilyByName("vits1k")
	if err != nil {
		b.Fatal(err)
	}
	members := f.Members()
	b.ResetTimer()
	for b.Loop() {
		for _, a := range members {
			if _, err := Build(a, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkBuildGPT2XL builds the 629-node graph of GPT-2 XL.
func BenchmarkBuildGPT2XL(b *testing.B) {
	a, _ := arch.Named("gpt2-xl")
	for b.Loop() {
		if _, err := Build(a, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSVGGPT2XL draws GPT-2 XL.
func BenchmarkSVGGPT2XL(b *testing.B) {
	a, _ := arch.Named("gpt2-xl")
	g := MustBuild(a, Options{})
	for b.Loop() {
		_ = g.SVG()
	}
}
