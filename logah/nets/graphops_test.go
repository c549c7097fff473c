package nets

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
)

// graphOps counts the operations reachable from outputs (what the backend executes), by type,
// with the number of elements they produce.
type graphOps struct {
	count    map[string]int
	elements map[string]int
	detail   []string // the operations of type detail, described
}

func countGraphOps(detail string, outputs ...*Node) graphOps {
	ops := graphOps{count: map[string]int{}, elements: map[string]int{}}
	seen := map[*Node]bool{}
	var visit func(n *Node)
	visit = func(n *Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for _, in := range n.Inputs() {
			visit(in)
		}
		name := strings.TrimPrefix(n.Type().String(), "NodeType")
		switch name {
		case "Parameter", "Constant":
			return
		}
		if detail != "" && name == detail {
			ops.detail = append(ops.detail, n.String())
		}
		ops.count[name]++
		ops.elements[name] += n.Shape().Size()
	}
	for _, o := range outputs {
		visit(o)
	}
	return ops
}

func (o graphOps) total() (n, elements int) {
	for k, c := range o.count {
		n += c
		elements += o.elements[k]
	}
	return
}

func (o graphOps) String() string {
	names := make([]string, 0, len(o.count))
	for k := range o.count {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return o.elements[names[i]] > o.elements[names[j]] })
	var sb strings.Builder
	n, e := o.total()
	fmt.Fprintf(&sb, "%d ops, %.2fM elements produced\n", n, float64(e)/1e6)
	for _, k := range names {
		fmt.Fprintf(&sb, "  %-28s %4d ops %9.3fM elements\n", k, o.count[k], float64(o.elements[k])/1e6)
	}
	for _, d := range o.detail {
		fmt.Fprintf(&sb, "    %s\n", d)
	}
	return sb.String()
}

// trainGraphOps builds the training graph of LossAndGradients for a (float32) and counts the
// operations the backend would run.
func trainGraphOps(t testing.TB, a arch.Arch, batch int) graphOps {
	t.Helper()
	g := NewGraph(backend.MustDefault(), "ops")
	defer g.Finalize()
	w := Weights{}
	var nodes []*Node
	for _, p := range a.Params() {
		n := Parameter(g, p.Name, shapes.Make(dtypes.Float32, p.Shape...))
		w[p.Name] = n
		nodes = append(nodes, n)
	}
	var loss *Node
	var err error
	switch cfg := a.(type) {
	case arch.ViT:
		images := Parameter(g, "images", shapes.Make(dtypes.Float32, batch, cfg.Channels, cfg.ImageSize, cfg.ImageSize))
		labels := Parameter(g, "labels", shapes.Make(dtypes.Int32, batch))
		var logits *Node
		if logits, err = ViTForward(cfg, w, images, ViTOptions{}); err == nil {
			loss, err = CrossEntropy(logits, labels, 0)
		}
	case arch.GPT2:
		tokens := Parameter(g, "tokens", shapes.Make(dtypes.Int32, batch, cfg.Context))
		loss, err = GPT2Loss(cfg, w, tokens, GPT2Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	return countGraphOps(os.Getenv("LOGAH_GRAPH_OPS_DETAIL"), append([]*Node{loss}, Gradient(loss, nodes...)...)...)
}

// TestTrainGraphOps logs the operations of the benchmarked training graphs (go test -v -run
// TrainGraphOps), to compare graph changes without timing them.
func TestTrainGraphOps(t *testing.T) {
	t.Logf("ViT %s batch %d: %s", benchViT, benchViTBatch, trainGraphOps(t, benchViT, benchViTBatch))
	t.Logf("GPT-2 %s batch %d: %s", benchGPT2, benchGPT2Batch, trainGraphOps(t, benchGPT2, benchGPT2Batch))
}
