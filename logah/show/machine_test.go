package show

import (
	"math"
	"runtime"
	"strings"
	"testing"
)

func TestMachineTableNamesTheMachineAndTakesMoreRows(t *testing.T) {
	tab := MachineTable("machine and target")
	tab.Add("target", "gpt2-large")
	labels := map[string]any{}
	for _, row := range tab.Rows {
		labels[row[0].(string)] = row[1]
	}
	for _, want := range []string{"CPU", "cores (runtime.NumCPU)", "memory", "load average (1, 5, 15 min)", "compute backend", "accelerator", "Go", "target"} {
		if _, ok := labels[want]; !ok {
			t.Errorf("no row %q in %v", want, tab.Rows)
		}
	}
	if labels["cores (runtime.NumCPU)"] != runtime.NumCPU() {
		t.Errorf("cores %v", labels["cores (runtime.NumCPU)"])
	}
	if runtime.GOOS == "linux" && !strings.HasSuffix(labels["memory"].(string), " GB") {
		t.Errorf("memory %v", labels["memory"])
	}
}

func TestAcceleratorFollowsGOMLXBackend(t *testing.T) {
	for env, want := range map[string]string{
		"":                  "none (GOMLX_BACKEND=go)",
		"go:ops_sequential": "none (GOMLX_BACKEND=go:ops_sequential)",
		"xla:cpu":           "none (GOMLX_BACKEND=xla:cpu)",
		"xla:cuda":          "GOMLX_BACKEND=xla:cuda",
	} {
		if got := accelerator(env); got != want {
			t.Errorf("accelerator(%q) = %q, want %q", env, got, want)
		}
	}
}

func TestMemoryPlotFitsCurveAndReference(t *testing.T) {
	p := MemoryPlot("predicting", []float64{0, 1, 2}, []float64{100, 900, 400}, "file", 600)
	if p.YMin != 0 || math.Abs(p.YMax-990) > 1e-9 {
		t.Errorf("y range [%g, %g], want [0, 990]: a tenth above the peak", p.YMin, p.YMax)
	}
	ref := p.Series[1]
	if ref.Name != "file" || !ref.Dashed || ref.X[1] != 2 || ref.Y[0] != 600 {
		t.Errorf("reference line %+v", ref)
	}
	if q := MemoryPlot("small", []float64{0, 1}, []float64{10, 20}, "budget", 1500); math.Abs(q.YMax-1650) > 1e-9 {
		t.Errorf("y max %g, want 1650: the reference stays in view", q.YMax)
	}
	if Megabytes(891_000_000) != "891 MB" || Gigabytes(3_096_000_000) != "3.10 GB" {
		t.Errorf("Megabytes %q, Gigabytes %q", Megabytes(891_000_000), Gigabytes(3_096_000_000))
	}
}
