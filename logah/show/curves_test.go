package show

import (
	"strings"
	"testing"
	"time"
)

func TestCurvesUpdateOneDisplayThenFinal(t *testing.T) {
	rec := record(t)
	c := NewCurves(CurvesOptions{Title: "training", Metrics: []string{"loss"}, LogY: []string{"loss"}, Every: time.Hour})
	for step := range 100 {
		c.Add("run-a", "loss", float64(step), 3/float64(step+1))
		c.Add("run-b", "loss", float64(step), 4/float64(step+1))
		c.AddAll("run-a", float64(step), map[string]float64{"accuracy": float64(step) / 100})
	}
	c.Refresh() // nothing new since the first redraw? there is: forces the latest state
	if len(rec.Updates) != 1 {
		t.Fatalf("live updates went to %d displays, want 1", len(rec.Updates))
	}
	var updates []Output
	for _, u := range rec.Updates {
		updates = u
	}
	if len(updates) != 2 { // the first Add redraws (never drawn before), then Refresh; Every=1h throttles the rest
		t.Errorf("%d live redraws, want 2", len(updates))
	}
	if len(rec.Outputs) != 0 {
		t.Errorf("%d static outputs before Done", len(rec.Outputs))
	}
	c.Done()
	c.Done()
	if len(rec.Outputs) != 1 {
		t.Fatalf("%d static outputs after Done, want 1", len(rec.Outputs))
	}
	final := rec.Outputs[0].HTML
	if n := strings.Count(final, "<clipPath"); n != 2 {
		t.Errorf("final copy has %d plots, want 2 (loss, accuracy)", n)
	}
	if strings.Contains(final, "live:") || !strings.Contains(final, "run-b") || !strings.Contains(final, "<table") {
		t.Errorf("final copy is not the static version with a summary table")
	}
	for _, u := range rec.Updates {
		if last := u[len(u)-1]; last.HTML != "" {
			t.Errorf("the live display was not cleared at Done")
		}
	}
	if v, ok := c.Last("run-b", "loss"); !ok || v != 4.0/100 {
		t.Errorf("Last = %v %v", v, ok)
	}
	if txt := rec.Outputs[0].Text; !strings.Contains(txt, "run-a") || !strings.Contains(txt, "accuracy") {
		t.Errorf("text rendition:\n%s", txt)
	}
}

func TestProgress(t *testing.T) {
	rec := record(t)
	p := NewProgress("epochs", 4)
	for i := range 4 {
		p.Set(i+1, "loss %.2f", 1/float64(i+1))
	}
	p.Done()
	if len(rec.Updates) != 1 || len(rec.Finished) != 1 {
		t.Fatalf("progress used %d displays and finished %d, want 1 and 1", len(rec.Updates), len(rec.Finished))
	}
	for _, u := range rec.Updates {
		last := u[len(u)-1]
		if !strings.Contains(last.Text, "4/4 (100%)") || !strings.Contains(last.Text, "loss 0.25") || !strings.Contains(last.Text, " in ") {
			t.Errorf("final progress text = %q", last.Text)
		}
		if !strings.Contains(last.HTML, "width:100.0%") {
			t.Errorf("final bar is not full: %s", last.HTML)
		}
	}
}
