package trainer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMetricsLogResumeTruncates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	l, err := OpenMetricsLog(path)
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s <= 5; s++ {
		if err := l.Write(Record{Step: s, Split: "train", Values: map[string]float64{"loss": float64(10 - s)}}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	// A crash mid-write leaves a torn line.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"step":6,"val`)
	f.Close()
	if err := TruncateMetricsAfter(path, 3); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[2].Step != 3 || recs[2].Values["loss"] != 7 {
		t.Fatalf("after truncation: %+v", recs)
	}
}

func TestElapsedAddsTheSegmentsOfAResumedRun(t *testing.T) {
	recs := []Record{{Step: 10, Time: 5}, {Step: 20, Time: 9}, {Step: 30, Time: 2}, {Step: 40, Time: 6}}
	if got := Elapsed(recs); got != 15 {
		t.Errorf("Elapsed = %g, want 9 + 6 over the two segments", got)
	}
	if got := Elapsed(recs[:2]); got != 9 {
		t.Errorf("one segment: %g, want its last time", got)
	}
	if Elapsed(nil) != 0 {
		t.Error("an empty log took time")
	}
}
