package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
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
	if _, err := Load(dir); !errors.Is(err, ErrNone) {
		t.Fatalf("empty dir: %v", err)
	}
	for step := 1; step <= 4; step++ {
		if err := Save(dir, testCheckpoint(step, float32(step)), 2); err != nil {
			t.Fatal(err)
		}
	}
	ck, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := ck.Tensors.Get("param/w")
	var cfg struct{ LR float64 }
	if err := json.Unmarshal(ck.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	if ck.Step != 4 || w.Float32s()[0] != 4 || cfg.LR != 0.001 || ck.Matches("ghn", ck.Config) || ck.Matches("finetune", json.RawMessage(`{"lr":0.002}`)) {
		t.Fatalf("loaded step %d, w %v, config %s", ck.Step, w.Float32s(), ck.Config)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ckpt-*"))
	if len(files) != 2 {
		t.Fatalf("kept %v", files)
	}
}

func TestCorruptCheckpointIsAClearError(t *testing.T) {
	dir := t.TempDir()
	if err := Save(dir, testCheckpoint(7, 1), 1); err != nil {
		t.Fatal(err)
	}
	// Truncate the tensor file: no intact checkpoint is left.
	f := filepath.Join(dir, "ckpt-000000007.safetensors")
	data, _ := os.ReadFile(f)
	os.WriteFile(f, data[:len(data)-3], 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "every checkpoint is damaged") || !strings.Contains(err.Error(), "ckpt-000000007.safetensors") {
		t.Fatalf("truncated tensors: %v", err)
	}
	os.WriteFile(filepath.Join(dir, latestFile), []byte("{not json"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "latest.json (corrupt") || !strings.Contains(err.Error(), "ckpt-000000007.safetensors") {
		t.Fatalf("corrupt pointer: %v", err)
	}
}

// A truncated newest checkpoint falls back to the newest intact one, with a warning naming
// both files.
func TestDamagedLatestCheckpointFallsBack(t *testing.T) {
	dir := t.TempDir()
	for step := 1; step <= 3; step++ {
		ck := testCheckpoint(step, float32(step))
		ck.Extra = map[string]float64{"best": float64(step)}
		if err := Save(dir, ck, 3); err != nil {
			t.Fatal(err)
		}
	}
	truncate := func(step int) {
		f := filepath.Join(dir, fmt.Sprintf("ckpt-%09d.safetensors", step))
		data, _ := os.ReadFile(f)
		os.WriteFile(f, data[:len(data)/2], 0o644)
	}
	truncate(3)
	var warnings strings.Builder
	Warnings = &warnings
	defer func() { Warnings = os.Stderr }()
	ck, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := ck.Tensors.Get("param/w")
	if ck.Step != 2 || w.Float32s()[0] != 2 || !ck.Matches("finetune", json.RawMessage(`{ "lr": 0.001 }`)) || ck.Extra["best"] != 2 {
		t.Fatalf("fallback loaded step %d, w %v, kind %q, config %s, extra %v", ck.Step, w.Float32s(), ck.Kind, ck.Config, ck.Extra)
	}
	if !strings.Contains(ck.Warning, "ckpt-000000003.safetensors") || !strings.Contains(ck.Warning, "ckpt-000000002.safetensors (step 2)") {
		t.Fatalf("warning %q", ck.Warning)
	}
	if warnings.String() != "warning: "+ck.Warning+"\n" {
		t.Errorf("Warnings got %q, want the checkpoint's warning", warnings.String())
	}

	// latest.json gone bad too: the files carry their own records.
	os.WriteFile(filepath.Join(dir, latestFile), []byte("{not json"), 0o644)
	if ck, err = Load(dir); err != nil || ck.Step != 2 || !strings.Contains(ck.Warning, latestFile) {
		t.Fatalf("corrupt pointer: %+v %v", ck, err)
	}

	truncate(2)
	truncate(1)
	_, err = Load(dir)
	if err == nil || !strings.Contains(err.Error(), "every checkpoint is damaged") {
		t.Fatalf("all damaged: %v", err)
	}
	for step := 1; step <= 3; step++ {
		if name := fmt.Sprintf("ckpt-%09d.safetensors", step); !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

// Checkpoint files written before they carried their own record take it from latest.json.
func TestFallbackToCheckpointWithoutRecord(t *testing.T) {
	dir := t.TempDir()
	old := testCheckpoint(4, 4)
	if err := params.Save(filepath.Join(dir, "ckpt-000000004.safetensors"), old.Tensors, map[string]string{"kind": "finetune", "step": "4"}); err != nil {
		t.Fatal(err)
	}
	if err := Save(dir, testCheckpoint(6, 6), 2); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "ckpt-000000006.safetensors")
	os.WriteFile(f, []byte("x"), 0o644)
	ck, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := ck.Tensors.Get("param/w"); ck.Step != 4 || w.Float32s()[0] != 4 || !ck.Matches("finetune", json.RawMessage(`{"lr":0.001}`)) {
		t.Fatalf("loaded step %d config %s", ck.Step, ck.Config)
	}
}

// The layout is what existing run directories hold: a change here must bump [Version].
func TestLayoutIsStable(t *testing.T) {
	dir := t.TempDir()
	ck := testCheckpoint(12, 3)
	ck.Extra = map[string]float64{"best": 0.5}
	if err := Save(dir, ck, 2); err != nil {
		t.Fatal(err)
	}
	latest, err := os.ReadFile(filepath.Join(dir, "latest.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "version": 1,
  "kind": "finetune",
  "step": 12,
  "config": {
    "lr": 0.001
  },
  "extra": {
    "best": 0.5
  },
  "file": "ckpt-000000012.safetensors"
}`
	if string(latest) != want {
		t.Errorf("latest.json:\n%s\nwant\n%s", latest, want)
	}
	f, err := params.Open(filepath.Join(dir, "ckpt-000000012.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	meta := f.Metadata()
	if meta["kind"] != "finetune" || meta["step"] != "12" || meta["checkpoint"] != `{"kind":"finetune","step":12,"config":{"lr":0.001},"extra":{"best":0.5}}` {
		t.Errorf("metadata %v", meta)
	}
	if names := f.Names(); len(names) != 1 || names[0] != ParamPrefix+"w" {
		t.Errorf("tensors %v", names)
	}
}
