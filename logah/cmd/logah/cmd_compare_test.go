package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/experiment"
)

// The protocol line is what every run shares; each changed starting point is named beside it,
// so the runs of a perturbed initialisation are never read as plain predictions.
func TestPrintCompareNamesChangedStartingPoints(t *testing.T) {
	c := experiment.DefaultComparison()
	c.Inits = []experiment.Init{{Name: "random"}, {Name: "logah", Params: "p.safetensors"},
		{Name: "logah-noisy", Params: "p.safetensors", Noise: 0.5}, {Name: "logah-authors", Params: "p.safetensors", Redraw: experiment.AuthorsGPT2Redraw}}
	var out bytes.Buffer
	printCompare(&out, c, nil, "accuracy")
	got := out.String()
	protocol, _, _ := strings.Cut(got, "\n")
	if !strings.HasPrefix(protocol, "protocol: fashion-mnist, batch 64, lr 0.001") || strings.Contains(protocol, "random") {
		t.Errorf("protocol line %q", protocol)
	}
	want := "starting points changed before fine-tuning: logah-noisy: starting weights ×1 + 0.5 × random; logah-authors: c_proj.weight re-drawn at random\n"
	if !strings.Contains(got, want) {
		t.Errorf("output lacks %q:\n%s", want, got)
	}
}
