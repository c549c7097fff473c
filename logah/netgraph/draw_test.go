package netgraph

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
)

func TestSVGCollapsesLongModels(t *testing.T) {
	g := MustBuild(mustNamed(t, "gpt2-xl"), Options{})
	svg := g.SVG()
	fixtures.WellFormedXML(t, svg)
	s := string(svg)
	if !strings.Contains(s, "44 identical blocks") || !strings.Contains(s, "block 47") {
		t.Error("GPT-2 XL should show blocks 0, 1, 46, 47 and collapse the 44 between")
	}
	// Drawn boxes: stem 4 + 4 blocks × 13 + head 1 = 57, whatever the depth.
	if got := strings.Count(s, "<rect x=") - 1 - 7; got != 57 { // minus the placeholder and 7 legend swatches
		t.Errorf("%d node boxes drawn, want 57", got)
	}
	if strings.Contains(s, "http://") && strings.Count(s, "http://") != 1 { // only the xmlns
		t.Error("SVG must not reference external resources")
	}
	full := g.SVGWith(SVGOptions{ShowBlocks: -1})
	fixtures.WellFormedXML(t, full)
	if strings.Contains(string(full), "identical blocks") || strings.Count(string(full), "<title>") != g.N() {
		t.Error("ShowBlocks -1 must draw every node")
	}
}

func TestDOTListsEveryNodeAndEdge(t *testing.T) {
	g := MustBuild(mustNamed(t, "vit-s"), Options{})
	dot := g.DOT()
	if got := strings.Count(dot, " -> "); got != len(g.Edges) {
		t.Errorf("%d edges in DOT, want %d", got, len(g.Edges))
	}
	if got := strings.Count(dot, "subgraph cluster_"); got != 12 {
		t.Errorf("%d block clusters, want 12", got)
	}
	if !strings.Contains(dot, `"conv heads.head.weight 100×384"`) {
		t.Error("head label missing")
	}
}

func TestJSONMatchesFixtureLayout(t *testing.T) {
	g := MustBuild(mustNamed(t, "gpt2-untied"), Options{})
	data, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Config struct {
			Kind string `json:"kind"`
		} `json:"config"`
		NNodes int       `json:"n_nodes"`
		A      [][]int32 `json:"A"`
		Nodes  []struct {
			OpID      int    `json:"op_id"`
			ParamName string `json:"param_name"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Config.Kind != "gpt2" || back.NNodes != 162 || len(back.A) != 162 || back.A[0][3] != 1 ||
		back.Nodes[3].ParamName != "lm_head.weight" || back.Nodes[3].OpID != int(OpConv) {
		t.Errorf("unexpected JSON: kind %s, n %d", back.Config.Kind, back.NNodes)
	}
}

// svgWidth reads the width attribute of the root element.
func svgWidth(t *testing.T, svg []byte) int {
	t.Helper()
	var root struct {
		Width int `xml:"width,attr"`
	}
	if err := xml.Unmarshal(svg, &root); err != nil {
		t.Fatal(err)
	}
	return root.Width
}

// Drawings must fit a notebook page: the widest models wrap their columns instead of running
// past 1280 px, and a narrower page scales the drawing down (max-width) instead of cutting it.
func TestSVGFitsNotebookPage(t *testing.T) {
	for _, name := range []string{"vit-s", "gpt2-large", "gpt2-large-untied", "llama-3.1-8b", "llama-3.2-1b"} {
		g := MustBuild(mustNamed(t, name), Options{})
		svg := g.SVG()
		fixtures.WellFormedXML(t, svg)
		if w := svgWidth(t, svg); w > DefaultMaxWidth {
			t.Errorf("%s: drawing is %d px wide, more than %d", name, w, DefaultMaxWidth)
		}
		if !strings.Contains(string(svg), "max-width:100%") {
			t.Errorf("%s: drawing does not scale down to narrow pages", name)
		}
		if w := svgWidth(t, g.SVGWith(SVGOptions{MaxWidth: 700})); w > 700 {
			t.Errorf("%s: MaxWidth 700 gave %d px", name, w)
		}
	}
}

func TestSVGDrawsLlamaOps(t *testing.T) {
	g := MustBuild(mustNamed(t, "llama-3.1-8b"), Options{})
	s := string(g.SVG())
	for _, want := range []string{">rmsnorm<", ">rot_emb<", ">gate<", "28 identical blocks", "block 31",
		"conv attn.k_proj 1024×4096", "rmsnorm norm.weight 4096"} {
		if !strings.Contains(s, want) {
			t.Errorf("Llama-3.1-8B drawing lacks %q", want)
		}
	}
	if strings.Contains(s, ">ln<") || strings.Contains(s, ">bias<") {
		t.Error("the legend lists ops the graph does not use")
	}
}
