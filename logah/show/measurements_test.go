package show

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMeasurementsCollectRowsAcrossCells(t *testing.T) {
	path := filepath.Join(t.TempDir(), "work", "measurements.json")
	// Two cells are two processes: each has its own Measurements value on the same file.
	if err := (Measurements{Path: path}).Add([2]string{"predict: wall time", "12.0 s"}, [2]string{"predicted file", "3.10 GB"}); err != nil {
		t.Fatal(err)
	}
	if err := (Measurements{Path: path}).Add([2]string{"read back: wall time", "4.2 s"}); err != nil {
		t.Fatal(err)
	}
	tab, err := Measurements{Path: path}.Table("summary")
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 3 || tab.Rows[0][0] != "predict: wall time" || tab.Rows[2][1] != "4.2 s" {
		t.Errorf("rows %v, want the three measurements in the order added", tab.Rows)
	}
}

func TestMeasurementsNameTheFixForABadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.json")
	if rows, err := (Measurements{Path: path}).Rows(); err != nil || len(rows) != 0 {
		t.Fatalf("a missing file is an empty table, got %v, %v", rows, err)
	}
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := (Measurements{Path: path}).Add([2]string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("corrupt file: %v", err)
	}
}
