package show

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTerminalWritesFiles(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	term := NewTerminal(&out, dir)
	prev := SetDisplayer(term)
	defer SetDisplayer(prev)

	(&Plot{Title: "a/b plot", Series: []Series{{Name: "s", X: []float64{0, 1}, Y: []float64{1, 2}}}}).Show()
	NewTable("t", "x").Add(1).Show()
	p := NewProgress("work", 2)
	p.Set(2, "")
	p.Done()

	for _, f := range []string{"01-a-b-plot.html", "01-a-b-plot.svg", "02-t.html"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("missing %s: %v", f, err)
			continue
		}
		if strings.HasSuffix(f, ".html") && !strings.HasPrefix(string(data), "<!DOCTYPE html>") {
			t.Errorf("%s is not a standalone page", f)
		}
	}
	text := out.String()
	if !strings.Contains(text, "a/b plot") || !strings.Contains(text, "\rwork [") || !strings.HasSuffix(text, "\n") {
		t.Errorf("terminal text:\n%q", text)
	}
}

// Work that grows past its announced total (a sweep's extra rates) reads 3/3, never 3/2.
func TestProgressTotalGrowsWithTheWork(t *testing.T) {
	p := NewProgress("runs", 2)
	p.Set(3, "")
	p.mu.Lock()
	text := p.outputLocked().Text
	p.mu.Unlock()
	if !strings.Contains(text, "3/3 (100%)") {
		t.Errorf("progress %q, want 3/3", text)
	}
}

func TestDefaultOutsideNotebook(t *testing.T) {
	if InNotebook() {
		t.Skip("running inside GoNB")
	}
	if _, ok := displayer().(*Terminal); !ok {
		t.Errorf("default displayer outside a notebook is %T, want *Terminal", displayer())
	}
}
