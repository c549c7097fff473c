package show

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestPanelsPutsPlotsInOneRow(t *testing.T) {
	r := record(t)
	a := &Plot{Title: "left", Series: []Series{{Name: "x", X: []float64{0, 1}, Y: []float64{1, 2}}}}
	b := &Plot{Title: "right", Series: []Series{{Name: "y", X: []float64{0, 1}, Y: []float64{3, 1}}}}
	Panels(a, b)
	if len(r.Outputs) != 1 {
		t.Fatalf("%d outputs, want 1", len(r.Outputs))
	}
	o := r.Outputs[0]
	if strings.Count(o.HTML, "<svg") != 2 || !strings.Contains(o.HTML, "flex-wrap:wrap") ||
		!strings.Contains(o.Text, "left") || !strings.Contains(o.Text, "right") {
		t.Errorf("panels output: %+v", o)
	}
}

func TestCommandLineEscapes(t *testing.T) {
	r := record(t)
	CommandLine("logah predict --out a<b", "logah eval")
	o := r.Outputs[0]
	if !strings.Contains(o.HTML, "a&lt;b") || strings.Contains(o.HTML, "a<b") || o.Text != "command line: logah predict --out a<b ; logah eval" {
		t.Errorf("command line output: %+v", o)
	}
}

func TestRecordMemorySeesAnAllocation(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmRSS is Linux-only")
	}
	rec := RecordMemory(2 * time.Millisecond)
	buf := make([]byte, 128<<20)
	for i := range buf {
		buf[i] = 1
	}
	secs, mb := rec.Stop()
	runtime.KeepAlive(buf)
	if len(secs) < 2 || len(secs) != len(mb) {
		t.Fatalf("%d samples", len(secs))
	}
	lo, hi := mb[0], mb[0]
	for _, v := range mb {
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi-lo < 100 {
		t.Errorf("resident memory moved %.0f MB while 128 MiB were touched", hi-lo)
	}
	if PeakMemory() < int64(hi*1e6)-1e6 {
		t.Errorf("peak %d below the sampled maximum %.0f MB", PeakMemory(), hi)
	}
	rec.Stop() // a second Stop is harmless
}
