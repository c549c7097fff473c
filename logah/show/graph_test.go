package show

import (
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/netgraph"
)

func TestGraphOutput(t *testing.T) {
	a, err := arch.Named("vit-s")
	if err != nil {
		t.Fatal(err)
	}
	g, err := netgraph.Build(a, netgraph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := GraphOutput(g)
	fixtures.WellFormedXML(t, o.SVG)
	if !strings.Contains(o.HTML, "<svg") || !strings.Contains(o.HTML, "nodes") {
		t.Errorf("graph HTML lacks the SVG or the summary")
	}
	if !strings.Contains(o.Text, "nodes by op:") || !strings.Contains(o.Text, "conv") {
		t.Errorf("graph text = %q", o.Text)
	}
	rec := record(t)
	if err := ArchGraph(a); err != nil || len(rec.Outputs) != 1 {
		t.Errorf("ArchGraph: %v, %d outputs", err, len(rec.Outputs))
	}
}
