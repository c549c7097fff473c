package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/backend"
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
		{[]string{"arch", "--config", filepath.Join(dir, "nope.json")}, "reading --config"},
		{[]string{"graph", "vit-s", "--format", "png"}, `unknown --format "png"`},
		{[]string{"family", "vits2k"}, `unknown family "vits2k"`},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"graph", "vit-s", "--cutof", "3"}, "flag provided but not defined"},
		{[]string{"eval", "--arch", "vit-mini"}, "--arch and --params are required"},
		{[]string{"eval", "--arch", "vit-mini", "--params", filepath.Join(dir, "none.safetensors")}, "none.safetensors"},
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
