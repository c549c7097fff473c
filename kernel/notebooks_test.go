package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/kernel/internal/kerneltest"
)

// notebookKernel installs the kernel in a temporary Jupyter data dir and returns the options
// that run notebooks through it, skipping when Jupyter's nbconvert is missing.
func notebookKernel(t *testing.T) nbrunOptions {
	t.Helper()
	k := kerneltest.Install(t)
	jup := jupyterCommand(newEnv(k.Env))
	if jup == "" {
		t.Skip("jupyter is not installed (apt-get install jupyter-nbconvert python3-nbclient)")
	}
	// Smoke runs keep their checkpoints in a temporary LOGAH_RUNS shared by the notebooks of
	// the test (04 reads the runs of 03), never in the checkout.
	env := append(slices.Clone(k.Env), "LOGAH_RUNS="+t.TempDir())
	// Generous: the first cell compiles the dependencies on a cold Go cache.
	return nbrunOptions{Kernel: "logah", CellTimeout: 900, Smoke: true, Jupyter: jup, Env: env}
}

// TestNotebooks executes every notebook in notebooks/ through real Jupyter (nbconvert) and the
// LoGAH kernel, with LOGAH_SMOKE=1; a failing cell fails the test with its source and error.
func TestNotebooks(t *testing.T) {
	o := notebookKernel(t)
	notebooks, err := filepath.Glob(filepath.Join(testRepo(t), "notebooks", "*.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(notebooks) == 0 {
		t.Fatal("no notebooks in notebooks/")
	}
	for _, nb := range notebooks {
		t.Run(filepath.Base(nb), func(t *testing.T) {
			opt := o
			opt.Out = filepath.Join(t.TempDir(), filepath.Base(nb))
			if err := runNotebook(nb, opt); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestNotebookFailureNamesTheCell checks that a failing cell is reported with its source and
// the error, and that the cells after it still ran.
func TestNotebookFailureNamesTheCell(t *testing.T) {
	o := notebookKernel(t)
	dir := t.TempDir()
	nb := filepath.Join(dir, "fails.ipynb")
	writeNotebook(t, nb, "%noautoget", "%%\nfmt.Println(\"first\")", "%%\nvar broken int = \"text\"", "%%\npanic(\"second failure\")")
	o.Out = filepath.Join(dir, "out.ipynb")
	err := runNotebook(nb, o)
	var nbErr *NotebookError
	if !errors.As(err, &nbErr) {
		t.Fatalf("runNotebook error = %v, want a *NotebookError", err)
	}
	if len(nbErr.Cells) != 2 || nbErr.Cells[0].Index != 2 || nbErr.Cells[1].Index != 3 {
		t.Fatalf("failing cells = %+v, want cells 2 and 3", nbErr.Cells)
	}
	msg := err.Error()
	for _, want := range []string{`var broken int = "text"`, "cannot use", "second failure"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the report lacks %q:\n%s", want, msg)
		}
	}
}

// writeNotebook writes an nbformat 4 notebook with the given code cells for the logah kernel.
func writeNotebook(t *testing.T, path string, cells ...string) {
	t.Helper()
	type cell struct {
		CellType       string         `json:"cell_type"`
		ExecutionCount *int           `json:"execution_count"`
		Metadata       map[string]any `json:"metadata"`
		Outputs        []any          `json:"outputs"`
		Source         string         `json:"source"`
	}
	nb := map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "logah", "display_name": "Go (LoGAH)", "language": "go"}},
	}
	var cs []map[string]any
	for i, src := range cells {
		c := cell{CellType: "code", Metadata: map[string]any{}, Outputs: []any{}, Source: src}
		data, _ := json.Marshal(c)
		var m map[string]any
		json.Unmarshal(data, &m)
		m["id"] = "c" + string(rune('a'+i))
		cs = append(cs, m)
	}
	nb["cells"] = cs
	data, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
