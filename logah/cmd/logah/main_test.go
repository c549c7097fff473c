package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/params"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestArchPrintsExactCount(t *testing.T) {
	code, out, _ := runCLI("arch", "gpt2-large")
	if code != 0 || !strings.Contains(out, "774,030,080 parameters") || !strings.Contains(out, "transformer.h.35.mlp.c_proj.weight") {
		t.Fatalf("code %d, out tail %q", code, out[max(0, len(out)-200):])
	}
}

func TestArchFromConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "vit.json")
	os.WriteFile(p, []byte(`{"kind":"vit","image_size":28,"channels":1,"patch":4,"depth":4,"width":64,"heads":4,"mlp_dim":256,"classes":10}`), 0o644)
	code, out, errOut := runCLI("arch", "--config", p, "--brief")
	if code != 0 || !strings.Contains(out, "parameters") {
		t.Fatalf("code %d: %s %s", code, out, errOut)
	}
}

func TestBadInputIsOneLineAndNonZero(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"kind":"vit","image_size":28,"channels":1,"patch":5,"depth":4,"width":64,"heads":4,"mlp_dim":256,"classes":10}`), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"arch", "gpt3"}, `unknown model "gpt3"`},
		{[]string{"arch"}, "missing model"},
		{[]string{"arch", "--config", bad}, "patch 5 does not divide image_size 28"},
		{[]string{"arch", "--config", filepath.Join(dir, "nope.json")}, "nope.json: no such file"},
		{[]string{"arch", "gpt3"}, "or give the path of a JSON configuration file"},
		{[]string{"graph", "vit-s", "--format", "png"}, `unknown --format "png"`},
		{[]string{"family", "vits2k"}, `unknown family "vits2k"`},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"graph", "vit-s", "--cutof", "3"}, "flag provided but not defined"},
		{[]string{"eval", "--arch", "vit-mini"}, "--arch and --params are required"},
		{[]string{"eval", "--arch", "vit-mini", "--params", filepath.Join(dir, "none.safetensors")}, "none.safetensors"},
		// --warmup counts steps in every command; compare's old fraction names the new flag.
		{[]string{"compare", "--arch", "vit-mini", "--init", "random", "--warmup", "0.05"}, "--warmup counts steps; for 0.05 of the run's steps write --warmup-fraction 0.05"},
		{[]string{"compare", "--arch", "vit-mini", "--init", "random", "--warmup", "10", "--warmup-fraction", "0.1"}, "exclude each other"},
		{[]string{"train-ghn", "--out", dir, "--warmup", "0.5"}, "--warmup is a whole number of warm-up steps"},
		{[]string{"compare", "--arch", "vit-mini", "--init", "random", "--warmup-shape", "cosine"}, `--warmup-shape: warm-up shape "cosine": want "linear" or "log"`},
		{[]string{"compare", "--arch", "vit-mini", "--init", "random", "--clip", "-1"}, "--clip -1: give a positive gradient-norm bound"},
		{[]string{"compare", "--arch", "vit-mini", "--init", "random", "--checkpoint-dir", dir, "--checkpoint-every", "-1"}, "--checkpoint-every -1: give a number of steps"},
		{[]string{"sweep-lr", "--arch", "vit-mini", "--init", "random", "--clip", "0", "--out", dir}, "--clip 0: give a positive gradient-norm bound (the default is 5)"},
		{[]string{"finetune", "--arch", "vit-mini", "--warmup-fraction", "2"}, "warm-up fraction 2: want a fraction of the steps in [0, 1]"},
		{[]string{"finetune", "--arch", "vit-mini", "--init", filepath.Join(dir, "none.safetensors")}, "use random, PARAMETERS"},
		// A directory that is neither a finished nor an interrupted hypernetwork run.
		{[]string{"convert", dir, "--out", filepath.Join(dir, "out")}, "has no ghn.safetensors and no checkpoint in " + filepath.Join(dir, "ckpt")},
	} {
		code, out, errOut := runCLI(c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || strings.Contains(errOut, "goroutine") {
			t.Errorf("%v: code %d, stderr %q, stdout %q", c.args, code, errOut, out)
		}
	}
}

func TestGraphWritesSVGAndJSON(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "g.svg")
	if code, _, e := runCLI("graph", "gpt2-large", "--format", "svg", "--out", svg); code != 0 {
		t.Fatal(e)
	}
	data, _ := os.ReadFile(svg)
	if !bytes.HasPrefix(data, []byte("<svg")) || !bytes.Contains(data, []byte("identical blocks")) {
		t.Fatal("not an SVG of a collapsed GPT-2 Large")
	}
	code, out, _ := runCLI("graph", "vit-s", "--format", "json")
	if code != 0 || !strings.HasPrefix(out, `{"config":{"kind":"vit"`) {
		t.Fatalf("json: %q", out[:min(80, len(out))])
	}
}

func TestFamilySummary(t *testing.T) {
	code, out, _ := runCLI("family", "vits1k", "--summary")
	if code != 0 || !strings.Contains(out, "members: 1000") || !strings.Contains(out, "depth:   3:") {
		t.Fatalf("%d %s", code, out)
	}
	code, out, _ = runCLI("family", "gpts-mini", "--n", "5")
	if code != 0 || strings.Count(out, "gpt2(") != 5 {
		t.Fatalf("%d %s", code, out)
	}
}

// TestUnavailableBackendIsAPlainError checks that a backend that cannot be created (say
// GOMLX_BACKEND=xla:cpu without a plugin) is reported as the configuration error it is, not as
// an internal error.
func TestUnavailableBackendIsAPlainError(t *testing.T) {
	register("test-no-backend", "test only", func(args []string, stdout io.Writer) error {
		panic(&backend.UnavailableError{Err: errors.New("GOMLX_BACKEND=xla:cpu: no PJRT plugin was found")})
	})
	defer delete(commands, "test-no-backend")
	code, _, errOut := runCLI("test-no-backend")
	if code != 1 || !strings.Contains(errOut, "no PJRT plugin was found") || strings.Contains(errOut, "internal error") {
		t.Errorf("code %d, stderr %q", code, errOut)
	}
}

// TestFinetuneFromAParameterFile runs "logah finetune" end to end: a named parameter file as
// --init, a warm-up fraction, and the files it writes.
func TestFinetuneFromAParameterFile(t *testing.T) {
	_, err := datasets.LoadFashionMNIST("", datasets.Test)
	fixtures.NeedData(t, "Fashion-MNIST", err)
	dir := t.TempDir()
	a, _ := arch.Named("vit-mini")
	set, err := params.Init(a, 5)
	if err != nil {
		t.Fatal(err)
	}
	initPath := filepath.Join(dir, "init.safetensors")
	if err := params.Save(initPath, set, nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	code, stdout, stderr := runCLI("finetune", "vit-mini", "--init", "edited=params:"+initPath, "--steps", "2", "--warmup-fraction", "0.5",
		"--batch", "16", "--max-train", "64", "--max-eval", "50", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("code %d: %s", code, stderr)
	}
	for _, want := range []string{"from edited on fashion-mnist", "done: 2 steps; final accuracy", filepath.Join(out, "final.safetensors")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "final.safetensors")); err != nil {
		t.Error(err)
	}
}
