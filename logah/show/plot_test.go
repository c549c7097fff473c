package show

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
)

func TestNiceTicks(t *testing.T) {
	ticks, step := niceTicks(0, 1, 5)
	if step != 0.2 || !slices.Equal(ticks, []float64{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}) && len(ticks) != 6 {
		t.Errorf("niceTicks(0,1,5) = %v step %v", ticks, step)
	}
	if _, step := niceTicks(0, 1000, 4); step != 250 {
		t.Errorf("step for [0,1000] = %v, want 250", step)
	}
	if lo, hi := niceRange(0.13, 0.87, 8); lo != 0.1 || math.Abs(hi-0.9) > 1e-12 {
		t.Errorf("niceRange = %v %v", lo, hi)
	}
	if got := logTicks(0.01, 100); !slices.Equal(got, []float64{0.01, 0.1, 1, 10, 100}) && len(got) != 5 {
		t.Errorf("logTicks(0.01,100) = %v", got)
	}
	for _, c := range []struct {
		v, step float64
		want    string
	}{{0.4, 0.2, "0.4"}, {2.5, 2.5, "2.5"}, {1000, 250, "1000"}, {20000, 5000, "20k"}, {3e6, 1e6, "3M"}, {0.0001, 0, "1e-04"}} {
		if got := tickLabel(c.v, c.step); got != c.want {
			t.Errorf("tickLabel(%v, %v) = %q, want %q", c.v, c.step, got, c.want)
		}
	}
}

func TestPlotSVG(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4}
	p := &Plot{Title: "loss & acc", XLabel: "step", YLabel: "loss", Series: []Series{
		{Name: "train", X: x, Y: []float64{4, 3, math.NaN(), 2, 1}},
		{Name: "valid <1>", X: x, Y: []float64{5, 4, 3, 2.5, 2}, Dashed: true},
	}}
	svg := p.SVG()
	fixtures.WellFormedXML(t, svg)
	s := string(svg)
	if n := strings.Count(s, "<polyline"); n != 3 { // train is split at the NaN
		t.Errorf("%d polylines, want 3 (train split at NaN, valid whole)", n)
	}
	for _, want := range []string{"loss &amp; acc", "valid &lt;1&gt;", "stroke-dasharray", ">step<"} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestPlotLogScaleSkipsNonPositive(t *testing.T) {
	p := &Plot{LogY: true, Series: []Series{{Name: "ppl", X: []float64{0, 1, 2, 3}, Y: []float64{1000, 0, 100, 10}}}}
	svg := p.SVG()
	fixtures.WellFormedXML(t, svg)
	s := string(svg)
	if !strings.Contains(s, ">1000<") || !strings.Contains(s, ">10<") {
		t.Errorf("log axis lacks decade ticks: %s", s)
	}
	// The point at y=0 cannot be drawn on a log axis: one isolated point and one line.
	if strings.Count(s, "<circle") != 1 || strings.Count(s, "<polyline") != 1 {
		t.Errorf("want the zero to split the line into a point and a segment: %s", s)
	}
}

func TestPlotThinsLongSeries(t *testing.T) {
	n := 100000
	x, y := make([]float64, n), make([]float64, n)
	for i := range n {
		x[i], y[i] = float64(i), math.Sin(float64(i)/100)
	}
	y[50000] = 10 // a spike must survive thinning
	p := &Plot{Width: 400, Height: 200, Series: []Series{{X: x, Y: y}}}
	svg := string(p.SVG())
	if pts := strings.Count(svg, ","); pts > 4*2*400 {
		t.Errorf("%d points drawn for a 400 px wide plot", pts)
	}
	if !strings.Contains(svg, ">10<") {
		t.Error("the spike at y=10 was thinned away (no tick reaches 10)")
	}
}

func TestPlotEmpty(t *testing.T) {
	svg := (&Plot{Title: "nothing"}).SVG()
	fixtures.WellFormedXML(t, svg)
	if !strings.Contains(string(svg), "no data yet") {
		t.Error("empty plot does not say so")
	}
}
