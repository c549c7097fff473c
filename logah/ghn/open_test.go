package ghn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/checkpoint"
	"github.com/logah-go/logah/logah/params"
)

// writeRunCheckpoint writes the training checkpoint of step of a hypernetwork run into
// runDir/ckpt as the trainer does (its weights under param/, its configuration under "ghn";
// the optimizer state does not matter here), leaving out the tensor named skip.
func writeRunCheckpoint(t *testing.T, runDir string, step int, cfg Config, set *params.Set, skip string) {
	t.Helper()
	cfgJSON, err := cfg.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	config, err := json.Marshal(map[string]any{"ghn": json.RawMessage(cfgJSON), "steps": 100})
	if err != nil {
		t.Fatal(err)
	}
	tensors := params.NewSet()
	for _, p := range cfg.Params() {
		if p.Name == skip {
			continue
		}
		w, err := set.Get(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := tensors.Add(w.Clone(checkpoint.ParamPrefix + p.Name)); err != nil {
			t.Fatal(err)
		}
	}
	ck := &checkpoint.Checkpoint{Kind: CheckpointKind, Step: step, Config: config, Tensors: tensors}
	if err := checkpoint.Save(filepath.Join(runDir, checkpoint.DirName), ck, 2); err != nil {
		t.Fatal(err)
	}
}

// A training run without ghn.safetensors (stopped, or still running) opens as its newest
// checkpoint, and predicts as the weights saved there; unused placeholders may be absent.
func TestOpenRunWithoutGHNFileUsesItsCheckpoint(t *testing.T) {
	cfg, set := loadFixtureGHN(t, VariantViT)
	want := newGHN(t, cfg, set)
	run := t.TempDir()
	zero := params.NewSet()
	for _, p := range cfg.Params() {
		if err := zero.AddFloat32(p.Name, p.Shape, make([]float32, p.Size())); err != nil {
			t.Fatal(err)
		}
	}
	writeRunCheckpoint(t, run, 10, cfg, zero, "")
	unused := ""
	for _, p := range cfg.Params() {
		if !p.Used {
			unused = p.Name
		}
	}
	if unused == "" {
		t.Fatal("the fixture configuration has no unused placeholder")
	}
	writeRunCheckpoint(t, run, 20, cfg, set, unused)

	g, err := Open(run, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	o := g.Origin()
	if !o.IsCheckpoint() || o.Step != 20 || o.RunDir != run || o.File != filepath.Join(run, "ckpt", "ckpt-000000020.safetensors") {
		t.Errorf("origin %+v", o)
	}
	if s := o.String(); s != "the checkpoint of step 20 in "+run {
		t.Errorf("origin says %q", s)
	}
	a := fixtureArchs["vit_d1"]
	p1, err := want.Predict(a, PredictOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := g.Predict(a, PredictOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := params.MaxAbsError(p1, p2); err != nil || d != 0 {
		t.Errorf("the checkpoint predicts differently from its weights: %g %v", d, err)
	}
}

func TestOpenErrorsNameTheFix(t *testing.T) {
	empty := t.TempDir()
	_, err := Open(empty, nil)
	if err == nil {
		t.Fatal("an empty directory opened")
	}
	for _, want := range []string{empty, FileName, filepath.Join(empty, "ckpt"), "logah train-ghn", ".safetensors or .pt file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	// A fine-tuning run's checkpoints are not a hypernetwork.
	finetune := t.TempDir()
	tensors := params.NewSet()
	if err := tensors.AddFloat32(checkpoint.ParamPrefix+"w", []int{1}, []float32{1}); err != nil {
		t.Fatal(err)
	}
	if err := checkpoint.Save(filepath.Join(finetune, checkpoint.DirName), &checkpoint.Checkpoint{Kind: "finetune", Step: 3, Config: json.RawMessage(`{}`), Tensors: tensors}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(finetune, nil); err == nil || !strings.Contains(err.Error(), `"finetune" run's, not a hypernetwork's`) {
		t.Errorf("a fine-tuning run: %v", err)
	}

	other := filepath.Join(t.TempDir(), "ghn.bin")
	if err := os.WriteFile(other, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(other, nil); err == nil || !strings.Contains(err.Error(), `unknown file type ".bin"`) {
		t.Errorf("a .bin file: %v", err)
	}
	if _, err := Open(filepath.Join(empty, "missing.pt"), nil); err == nil || !strings.Contains(err.Error(), "missing.pt") {
		t.Errorf("a missing file: %v", err)
	}
}
