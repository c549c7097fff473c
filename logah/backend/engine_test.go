package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEngineIsThePatchedOne checks that this test binary was built against the engine
// ./install.sh patched (go.mod's replace) from the series in patches/, with the AVX kernels.
func TestEngineIsThePatchedOne(t *testing.T) {
	e := Engine()
	if !e.Patched {
		t.Fatalf("engine %q: not built from %s (is go.mod's replace directive missing?)", e, PatchedEngineDir)
	}
	if e.ComputeVersion != "v0.1.2" {
		t.Errorf("compute version %q, want v0.1.2 (the version the patches apply to)", e.ComputeVersion)
	}
	files, err := filepath.Glob(filepath.Join("patches", "compute-v0.1.2", "*.patch"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no patch files: %v", err)
	}
	if len(e.Series) != len(files) {
		t.Errorf("embedded series has %d patches, patches/ has %d", len(e.Series), len(files))
	}
	if e.Stale != "" {
		t.Errorf("stale engine: %s", e.Stale)
	}
	if !e.SIMD {
		t.Error("test binary built without GOEXPERIMENT=simd")
	}
	if s := e.String(); !strings.Contains(s, "patched (") || !strings.Contains(s, "parallel scheduler") {
		t.Errorf("String() = %q", s)
	}
}

// TestStampIsRead checks the stamp reader ./install.sh's stamp depends on.
func TestStampIsRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "LOGAH_PATCHES")
	if err := os.WriteFile(p, []byte("series 0123\npatch 0001-x.patch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := readStamp(p); err != nil || got != "0123" {
		t.Errorf("readStamp = %q, %v; want 0123", got, err)
	}
	if err := os.WriteFile(p, []byte("patch 0001-x.patch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readStamp(p); err == nil {
		t.Error("a stamp without a series line was accepted")
	}
}
