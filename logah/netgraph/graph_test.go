package netgraph

import (
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
)

func mustNamed(t testing.TB, name string) arch.Arch {
	a, err := arch.Named(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestNodeCountsOfNamedModels(t *testing.T) {
	for _, c := range []struct {
		name string
		want int
	}{
		{"vit-s", 164}, {"vit-b", 164}, {"vit-l", 320}, // 13·L + 8
		{"gpt2-untied", 162}, {"gpt2-medium-untied", 318}, {"gpt2-large-untied", 474}, // 13·L + 6
		{"gpt2-large", 473}, {"gpt2-xl", 629}, // tied: 13·L + 5
	} {
		g := MustBuild(mustNamed(t, c.name), Options{})
		if g.N() != c.want {
			t.Errorf("%s: %d nodes, want %d", c.name, g.N(), c.want)
		}
	}
}

// Every parameter of the network is predicted: each is a node, or the LN bias of an ln node,
// except the ViT class token.
func TestEveryParameterHasANode(t *testing.T) {
	for _, name := range []string{"vit-s", "gpt2-untied", "gpt2"} {
		a := mustNamed(t, name)
		g := MustBuild(a, Options{})
		covered := map[string]bool{}
		for _, n := range g.Nodes {
			for _, p := range []string{n.Param, n.AlsoPredicts, n.TiedTo} {
				if p != "" {
					covered[p] = true
				}
			}
		}
		for _, p := range a.Params() {
			if !covered[p.Name] && p.Role != arch.RoleClassToken {
				t.Errorf("%s: parameter %s has no node", name, p.Name)
			}
		}
	}
}

func TestCutoffLimitsVirtualEdges(t *testing.T) {
	a := mustNamed(t, "vit-l") // longest paths ≈ 2L + 9 = 57 > 50
	g50 := MustBuild(a, Options{})
	g250 := MustBuild(a, Options{VirtualEdgeCutoff: 250})
	g1 := MustBuild(a, Options{VirtualEdgeCutoff: 1})
	if g50.MaxDistance() != 50 || g250.MaxDistance() <= 50 {
		t.Errorf("max distance: cutoff 50 → %d, cutoff 250 → %d", g50.MaxDistance(), g250.MaxDistance())
	}
	if g1.NumVirtualEdges() != 0 || g1.MaxDistance() != 1 {
		t.Errorf("cutoff 1 keeps real edges only: %d virtual", g1.NumVirtualEdges())
	}
	if _, err := Build(a, Options{VirtualEdgeCutoff: -3}); err == nil || !strings.Contains(err.Error(), "VirtualEdgeCutoff") {
		t.Errorf("negative cutoff: %v", err)
	}
}

func TestConnectLMHeadDeviation(t *testing.T) {
	a := mustNamed(t, "gpt2-untied")
	ref := MustBuild(a, Options{})
	fixed := MustBuild(a, Options{ConnectLMHead: true})
	if ref.Nodes[3].Param != "lm_head.weight" || ref.OutDegree[3] != 0 || ref.InDegree[3] != 1 {
		t.Fatalf("reference orphan lm_head not reproduced: %+v", ref.Nodes[3])
	}
	last := fixed.N() - 1
	if fixed.Nodes[last].Param != "lm_head.weight" || fixed.At(last-1, last) != 1 || fixed.InputDist[last] == 1 {
		t.Fatalf("ln_f → lm_head not wired: %+v", fixed.Nodes[last])
	}
	if fixed.N() != ref.N() {
		t.Fatalf("node count changed: %d vs %d", fixed.N(), ref.N())
	}
}

func TestBatchPadsWithMasks(t *testing.T) {
	g1 := MustBuild(arch.ViT{ImageSize: 32, Channels: 3, Patch: 2, Depth: 1, Width: 64, Heads: 4, MLPDim: 256, Classes: 10}, Options{})
	g2 := MustBuild(arch.ViT{ImageSize: 32, Channels: 3, Patch: 2, Depth: 2, Width: 64, Heads: 4, MLPDim: 256, Classes: 10}, Options{})
	b, err := NewBatch(g1, g2)
	if err != nil {
		t.Fatal(err)
	}
	if b.NMax != 34 || len(b.Ops) != 68 || len(b.A) != 2*34*34 {
		t.Fatalf("NMax %d", b.NMax)
	}
	for i := range 34 {
		if b.Mask[b.Row(0, i)] != (i < 21) || !b.Mask[b.Row(1, i)] {
			t.Fatalf("mask wrong at %d", i)
		}
	}
	// Graph 0's A is copied into the top-left corner of its padded block.
	for i := range 21 {
		for j := range 34 {
			want := int32(0)
			if j < 21 {
				want = g1.At(i, j)
			}
			if b.A[(b.Row(0, i))*34+j] != want {
				t.Fatalf("A[0,%d,%d]", i, j)
			}
		}
	}
	if b.Ops[b.Row(1, 33)] != int32(OpBias) || b.Ops[b.Row(0, 30)] != 0 {
		t.Fatal("ops misplaced")
	}
	if _, err := NewBatch(); err == nil {
		t.Fatal("empty batch accepted")
	}
}
