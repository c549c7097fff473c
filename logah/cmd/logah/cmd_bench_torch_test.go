package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCompareWithTorchFillsRatios runs --vs-torch's comparison against a stand-in interpreter
// that answers like docs/bench/torch_train_steps.py: the faster thread setting is taken and the
// ratio is ours ÷ PyTorch; a row whose script cannot run says why.
func TestCompareWithTorchFillsRatios(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "python3")
	script := `#!/bin/sh
if [ "$1" = "-c" ]; then exit 0; fi
cat > "$BENCH_JSON" <<'JSON'
{"threads": {"2": {"ViT step": {"ms": 200}}, "1": {"ViT step": {"ms": 250}}}}
JSON
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	old := torchPython
	torchPython = fake
	defer func() { torchPython = old }()
	rows := []benchRow{
		{what: "target training step", dur: 300 * time.Millisecond, torch: &torchCase{"train", "ViT step"}},
		{what: "GHN training step", dur: time.Second, torch: &torchCase{"ghn", "m=1"}},
		{what: "graph build"},
	}
	compareWithTorch(&benchOpts{quick: true, log: io.Discard}, rows)
	if rows[0].ratio != "1.50×" || !strings.Contains(rows[0].torchTime, "200 ms (2 thread(s))") {
		t.Errorf("ViT row: PyTorch %q, ratio %q; want 200 ms (2 threads) and 1.50×", rows[0].torchTime, rows[0].ratio)
	}
	if !strings.Contains(rows[1].torchTime, "skipped") || !strings.Contains(rows[1].torchTime, "--authors") || rows[1].ratio != "" {
		t.Errorf("GHN row without the authors' code: %q / %q", rows[1].torchTime, rows[1].ratio)
	}
	if rows[2].torchTime != "" {
		t.Errorf("a row without a PyTorch equivalent got %q", rows[2].torchTime)
	}
}
