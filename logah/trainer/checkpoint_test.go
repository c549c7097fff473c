package trainer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/params"
)

func testCheckpoint(step int, v float32) *Checkpoint {
	s := params.NewSet()
	if err := s.AddFloat32("param/w", []int{2}, []float32{v, -v}); err != nil {
		panic(err)
	}
	return &Checkpoint{Kind: "finetune", Step: step, Config: json.RawMessage(`{"lr":0.001}`), Tensors: s}
}

func TestCheckpointRoundTripAndPrune(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCheckpoint(dir); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("empty dir: %v", err)
	}
	for step := 1; step <= 4; step++ {
		if err := SaveCheckpoint(dir, testCheckpoint(step, float32(step)), 2); err != nil {
			t.Fatal(err)
		}
	}
	ck, err := LoadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := ck.Tensors.Get("param/w")
	var cfg struct{ LR float64 }
	if err := json.Unmarshal(ck.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	if ck.Step != 4 || w.Float32s()[0] != 4 || cfg.LR != 0.001 {
		t.Fatalf("loaded step %d, w %v, config %s", ck.Step, w.Float32s(), ck.Config)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ckpt-*"))
	if len(files) != 2 {
		t.Fatalf("kept %v", files)
	}
}

func TestCorruptCheckpointIsAClearError(t *testing.T) {
	dir := t.TempDir()
	if err := SaveCheckpoint(dir, testCheckpoint(7, 1), 1); err != nil {
		t.Fatal(err)
	}
	// Truncate the tensor file.
	f := filepath.Join(dir, "ckpt-000000007.safetensors")
	data, _ := os.ReadFile(f)
	os.WriteFile(f, data[:len(data)-3], 0o644)
	if _, err := LoadCheckpoint(dir); err == nil || !strings.Contains(err.Error(), "checkpoint") {
		t.Fatalf("truncated tensors: %v", err)
	}
	os.WriteFile(filepath.Join(dir, latestFile), []byte("{not json"), 0o644)
	if _, err := LoadCheckpoint(dir); err == nil || !strings.Contains(err.Error(), "corrupt latest.json") {
		t.Fatalf("corrupt pointer: %v", err)
	}
}
