package arch_test

import (
	"slices"
	"testing"

	"github.com/logah-go/logah/internal/fixtures/refgraphs"
	"github.com/logah-go/logah/logah/arch"
)

// The Llama parameter tables (names, shapes, order, count) equal the reference models'
// named_parameters(), recorded with the reference graphs.
func TestLlamaParamsMatchReferenceModels(t *testing.T) {
	graphs, _ := refgraphs.Load(t, refgraphs.LlamaFile)
	if len(graphs) != 3 {
		t.Fatalf("want 3 Llama graphs, got %d", len(graphs))
	}
	for name, fg := range graphs {
		l, ok := fg.MustArch(t).(arch.Llama)
		if !ok {
			t.Fatalf("%s is not a Llama", name)
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if l.HeadDim() != fg.Config.HeadDim {
			t.Errorf("%s: head dim %d, reference %d", name, l.HeadDim(), fg.Config.HeadDim)
		}
		ps := l.Params()
		if len(ps) != len(fg.Parameters) {
			t.Fatalf("%s: %d tensors, reference %d", name, len(ps), len(fg.Parameters))
		}
		for i, want := range fg.Parameters {
			if ps[i].Name != want.Name || !slices.Equal(ps[i].Shape, want.Shape) || ps[i].Size() != want.Numel {
				t.Errorf("%s: param %d is %s %v, reference %s %v", name, i, ps[i].Name, ps[i].Shape, want.Name, want.Shape)
			}
		}
		if arch.NumParams(l) != fg.NParams {
			t.Errorf("%s: %d parameters, reference %d", name, arch.NumParams(l), fg.NParams)
		}
	}
}
