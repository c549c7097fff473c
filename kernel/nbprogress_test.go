package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCellProgressNamesEachCell feeds cellProgress a log like nbconvert's and checks the lines a
// person sees: one per started cell, numbered among all cells and among code cells, named by
// its first line of code.
func TestCellProgressNamesEachCell(t *testing.T) {
	nb := filepath.Join(t.TempDir(), "n.ipynb")
	writeNotebook(t, nb, "%noautoget", "%%\nfmt.Println(1)", "import \"fmt\"\n%%\nfmt.Println(2)")
	var out strings.Builder
	p := newCellProgress(&out, nb, time.Hour)
	log := "[NbConvertApp] Executing notebook\n[NbConvertApp] Executing cell:\n%noautoget\n" +
		"[NbConvertApp] msg_type: status\n[NbConvertApp] Executing cell:\n%%\n[NbConvertApp] Executing cell:\nimport\n"
	p.consume(strings.NewReader(log))
	want := []string{
		"nbrun: cell 1/3 (code 1/3): %noautoget",
		"nbrun: cell 2/3 (code 2/3): fmt.Println(1)",
		`nbrun: cell 3/3 (code 3/3): import "fmt"`,
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("progress lines:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}
	if tail := p.logTail(10); strings.Contains(tail, "msg_type") || !strings.Contains(tail, "Executing notebook") {
		t.Errorf("log tail for errors = %q", tail)
	}
}
