package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/kernel/internal/jupyter"
)

func findCheck(t *testing.T, checks []check, name string) check {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %q check in %+v", name, checks)
	return check{}
}

func TestDoctorReportsMissingToolsWithFixes(t *testing.T) {
	repo := testRepo(t)
	empty := t.TempDir()
	goDir := filepath.Dir(mustLookPath(t, "go"))
	checks := runChecks(doctorEnv{
		Repo: repo, Name: "logah",
		// go is found, but nothing else; GOPATH points at an empty directory.
		Environ:  []string{"PATH=" + goDir, "HOME=" + empty, "GOPATH=" + empty, "GOEXPERIMENT=noregabi", "JUPYTER_DATA_DIR=" + empty},
		Jupyter:  filepath.Join(empty, "no-jupyter"),
		DataDirs: []string{empty},
	})
	if c := findCheck(t, checks, "go"); c.Status != statusOK {
		t.Errorf("go: %+v", c)
	}
	for name, status := range map[string]string{"goimports": statusFail, "gopls": statusWarn, "simd": statusWarn,
		"jupyter": statusFail, "fashion-mnist": statusWarn} {
		c := findCheck(t, checks, name)
		if c.Status != status || c.Fix == "" {
			t.Errorf("%s: status %q (want %q), fix %q", name, c.Status, status, c.Fix)
		}
	}
	var out bytes.Buffer
	printChecks(&out, checks)
	if !strings.Contains(out.String(), "How to fix:") || !strings.Contains(out.String(), "goimports@") {
		t.Errorf("doctor output lacks the fixes:\n%s", out.String())
	}
}

func TestDoctorKernelspecPointingElsewhere(t *testing.T) {
	repo := testRepo(t)
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	t.Setenv("JUPYTER_PATH", "")
	launcher := filepath.Join(data, "logah-kernel")
	os.WriteFile(launcher, []byte("#!/bin/sh\n"), 0o755)
	spec := jupyter.KernelSpec{Argv: []string{launcher, "launch", "--repo", "/some/other/checkout", "{connection_file}"}, DisplayName: "Go (LoGAH)", Language: "go"}
	if err := writeKernelSpec(filepath.Join(data, "kernels", "logah"), spec); err != nil {
		t.Fatal(err)
	}
	// Without a working jupyter command the doctor reads the kernelspec directly.
	c := checkKernelspec(doctorEnv{Repo: repo, Name: "logah"}, nil, os.ErrNotExist)
	if c.Status != statusWarn || !strings.Contains(c.Detail, "/some/other/checkout") {
		t.Errorf("kernelspec check = %+v, want a warning naming the other checkout", c)
	}
	c = checkKernelspec(doctorEnv{Repo: repo, Name: "missing"}, nil, os.ErrNotExist)
	if c.Status != statusFail || !strings.Contains(c.Fix, "install") {
		t.Errorf("missing kernelspec: %+v", c)
	}
}

func TestDoctorBackends(t *testing.T) {
	e := newEnv([]string{"GOMLX_BACKEND=go"})
	if cs := checkBackend(e); len(cs) != 1 || cs[0].Status != statusOK {
		t.Errorf("go backend: %+v", cs)
	}
	e = newEnv([]string{"GOMLX_BACKEND=tpu"})
	if cs := checkBackend(e); cs[0].Status != statusFail {
		t.Errorf("unknown backend: %+v", cs)
	}
	dir := t.TempDir()
	e = newEnv([]string{"GOMLX_BACKEND=xla:cuda", "PJRT_PLUGIN_LIBRARY_PATH=" + dir, "LOGAH_REPO=" + dir})
	c := checkPlugin(e, "xla:cuda")
	if c.Status != statusFail || !strings.Contains(c.Fix, "PJRT_PLUGIN_LIBRARY_PATH") {
		t.Errorf("missing plugin: %+v", c)
	}
	plugin := filepath.Join(dir, "pjrt_c_api_cuda_plugin.so")
	os.WriteFile(plugin, nil, 0o644)
	if p, err := findPlugin(e, "xla:cuda,tf32=false"); err != nil || p != plugin {
		t.Errorf("findPlugin = %q, %v; want %q", p, err, plugin)
	}
	if p, err := findPlugin(e, "xla:"+plugin); err != nil || p != plugin {
		t.Errorf("findPlugin(absolute) = %q, %v", p, err)
	}
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("//go:build xla\n\npackage main\n\nimport _ \""+xlaImport+"\"\n"), 0o644)
	if c := checkXLACells(e); c.Status != statusFail {
		t.Errorf("xla-cells in a tree whose only xla file is a command: %+v", c)
	}
	os.WriteFile(filepath.Join(dir, "xla.go"), []byte("//go:build xla\n\npackage x\n\nimport _ \""+xlaImport+"\"\n"), 0o644)
	if c := checkXLACells(e); c.Status != statusOK {
		t.Errorf("xla-cells with an xla file: %+v", c)
	}
}

func TestVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{{"1.26.4", "1.26.5", true}, {"1.26.8", "1.26.5", false}, {"1.27", "1.26.5", false}, {"1.26.5", "1.26.5", false}} {
		if got := versionLess(c.a, c.b); got != c.want {
			t.Errorf("versionLess(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	p, ok := newEnv(os.Environ()).LookPath(name)
	if !ok {
		t.Skipf("%s not on PATH", name)
	}
	return p
}
