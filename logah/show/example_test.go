package show_test

import (
	"slices"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/show"
)

// Training curves: in a notebook the plot updates in place while the loop runs; outside one,
// Done prints a summary (and writes HTML/SVG files when $LOGAH_SHOW_DIR is set).
func ExampleCurves() {
	c := show.NewCurves(show.CurvesOptions{Title: "training", LogY: []string{"loss"}})
	for step := range 8 {
		c.Add("random init", "loss", float64(step), 4/float64(step+1))
		c.Add("LoGAH init", "loss", float64(step), 2/float64(step+1))
	}
	c.Done()
	// Output:
	// training
	// run          metric  points  first  last step  last   min  max  curve
	// ------------------------------------------------------------------------
	// random init  loss         8      4          7   0.5   0.5    4  █▄▂▂▁▁▁▁
	// LoGAH init   loss         8      2          7  0.25  0.25    2  █▄▂▂▁▁▁▁
}

func ExampleParams() {
	w := show.NewTensor("fc.weight", []int{2, 2}, []float32{-1, 1, -1, 1})
	b := show.NewTensor("fc.bias", []int{2}, []float32{0, 0})
	show.Params("tiny", slices.Values([]show.Tensor{w, b}))
	// Output:
	// tiny
	// tensor     shape  count  mean  std  min  max  histogram
	// ----------------------------------------------------------------------
	// fc.weight  2×2        4     0    1   -1    1  █▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁█
	// fc.bias    2          2     0    0    0    0  █▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁
	// ----------------------------------------------------------------------
	// 2 tensors             6
	// 6 parameters (24 B as float32)
}

func ExampleArchParams() {
	a, _ := arch.Named("gpt2-large")
	t := show.RolesTable(a)
	t.Show()
	// Output:
	// by role
	// role         tensors   parameters  share
	// ----------------------------------------
	// linear           144  707,788,800  91.4%
	// bias             144      414,720  0.05%
	// norm-weight       73       93,440  0.01%
	// norm-bias         73       93,440  0.01%
	// embedding          2   65,639,680  8.48%
}
