package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestKernelEnvDefaults(t *testing.T) {
	e := kernelEnv([]string{"PATH=/usr/bin", "HOME=/home/u", "GOPATH=/gp"}, kernelEnvOptions{Repo: "/repo"})
	for key, want := range map[string]string{"GOMLX_BACKEND": "go", "GOEXPERIMENT": "simd", "GOMLX_NO_AUTO_INSTALL": "1", "LOGAH_REPO": "/repo"} {
		if got, _ := e.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	path, _ := e.Get("PATH")
	if parts := filepath.SplitList(path); parts[0] != "/usr/bin" || !slices.Contains(parts, "/gp/bin") {
		t.Errorf("PATH = %q: want the inherited PATH first and GOPATH/bin added", path)
	}
	if flags, ok := e.Get("GOFLAGS"); ok && strings.Contains(flags, "xla") {
		t.Errorf("GOFLAGS = %q with the Go backend", flags)
	}
}

func TestKernelEnvUserOverrides(t *testing.T) {
	e := kernelEnv([]string{"PATH=/usr/bin", "GOMLX_BACKEND=xla:cuda", "GOEXPERIMENT=", "GOFLAGS=-buildvcs=false"}, kernelEnvOptions{Backend: "xla:cpu"})
	if got, _ := e.Get("GOMLX_BACKEND"); got != "xla:cuda" {
		t.Errorf("GOMLX_BACKEND = %q: the user's value must win over the kernelspec default", got)
	}
	if got, ok := e.Get("GOEXPERIMENT"); !ok || got != "" {
		t.Errorf("GOEXPERIMENT = %q, %v: an explicitly empty value must be kept", got, ok)
	}
	if got, _ := e.Get("GOFLAGS"); got != "-buildvcs=false -tags=xla" {
		t.Errorf("GOFLAGS = %q: cells must build with the xla tag for an XLA backend", got)
	}
	e = kernelEnv([]string{"PATH=/usr/bin"}, kernelEnvOptions{Backend: "xla:cpu"})
	if got, _ := e.Get("GOMLX_BACKEND"); got != "xla:cpu" {
		t.Errorf("GOMLX_BACKEND = %q, want the kernelspec's default xla:cpu", got)
	}
}

func TestAddBuildTag(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "-tags=xla"},
		{"-mod=mod", "-mod=mod -tags=xla"},
		{"-tags=noasm", "-tags=noasm,xla"},
		{"-tags=xla,foo", "-tags=xla,foo"},
		{"--tags=a -v", "--tags=a,xla -v"},
	} {
		if got := addBuildTag(c.in, "xla"); got != c.want {
			t.Errorf("addBuildTag(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestGoWithoutPathUsesRecordedDir(t *testing.T) {
	dir := t.TempDir()
	e := kernelEnv([]string{"PATH=" + dir}, kernelEnvOptions{GoBin: "/opt/go/bin"})
	path, _ := e.Get("PATH")
	if !slices.Contains(filepath.SplitList(path), "/opt/go/bin") {
		t.Errorf("PATH = %q: the go directory recorded at install must be added when go is missing", path)
	}
}
