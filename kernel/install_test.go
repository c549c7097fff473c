package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/logah-go/logah/kernel/internal/jupyter"
)

// testRepo is the checkout holding this package.
func testRepo(t *testing.T) string {
	t.Helper()
	root, err := findRepo("")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestInstallWritesKernelspec(t *testing.T) {
	repo := testRepo(t)
	tmp := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", filepath.Join(tmp, "data"))
	fakeGonb := filepath.Join(tmp, "gonb")
	if err := os.WriteFile(fakeGonb, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(tmp, "bin")
	if err := cmdInstall([]string{"--user", "--repo", repo, "--bin", bin, "--gonb", fakeGonb}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "data", "kernels", "logah")
	spec, err := jupyter.ReadKernelSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(bin, "logah-kernel"), "launch", "--repo", repo, "--gonb", fakeGonb}
	if !slices.Equal(spec.Argv[:len(want)], want) || spec.Argv[len(spec.Argv)-1] != "{connection_file}" {
		t.Errorf("argv = %q, want prefix %q and {connection_file} last", spec.Argv, want)
	}
	if spec.DisplayName != "Go (LoGAH)" || spec.Language != "go" || spec.InterruptMode != "message" {
		t.Errorf("spec = %+v", spec)
	}
	if st, err := os.Stat(spec.Argv[0]); err != nil || st.Mode()&0o111 == 0 {
		t.Errorf("launcher not installed as an executable: %v", err)
	}
	for _, size := range []int{32, 64} {
		data, err := os.ReadFile(filepath.Join(dir, "logo-"+itoa(size)+"x"+itoa(size)+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil || img.Bounds().Dx() != size || img.Bounds().Dy() != size {
			t.Errorf("logo %d: %v, bounds %v", size, err, img.Bounds())
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "logo-svg.svg")); err != nil || !strings.HasPrefix(string(data), "<svg") {
		t.Errorf("logo-svg.svg: %v", err)
	}

	// Found where Jupyter looks, and removed by uninstall.
	if s, err := jupyter.FindKernelSpec("logah"); err != nil || s.Dir != dir {
		t.Errorf("FindKernelSpec: %v (dir %v)", err, s)
	}
	if err := cmdUninstall([]string{"--user"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("kernelspec still there after uninstall: %v", err)
	}
	if err := cmdUninstall([]string{"--user"}); err == nil {
		t.Error("second uninstall did not fail")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestInstallLocations(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", "/data/jupyter")
	prefix := t.TempDir()
	for _, c := range []struct {
		loc  location
		want string
	}{
		{location{}, "/data/jupyter/kernels"},
		{location{user: true}, "/data/jupyter/kernels"},
		{location{prefix: prefix}, filepath.Join(prefix, "share/jupyter/kernels")},
		{location{system: true}, "/usr/local/share/jupyter/kernels"},
	} {
		got, err := c.loc.kernelsDir()
		if err != nil || got != c.want {
			t.Errorf("%+v: %q, %v; want %q", c.loc, got, err, c.want)
		}
	}
	if _, err := (&location{user: true, prefix: "/x"}).kernelsDir(); err == nil {
		t.Error("--user with --prefix did not fail")
	}
}

func TestUninstallRefusesForeignKernelspec(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", tmp)
	dir := filepath.Join(tmp, "kernels", "logah")
	if err := writeKernelSpec(dir, jupyter.KernelSpec{Argv: []string{"/usr/bin/python3", "-m", "ipykernel"}, DisplayName: "x", Language: "python"}); err != nil {
		t.Fatal(err)
	}
	err := cmdUninstall(nil)
	if err == nil || !strings.Contains(err.Error(), "not installed by LoGAH") {
		t.Errorf("uninstall of a foreign kernelspec: %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("foreign kernelspec removed: %v", err)
	}
}

func TestLogoHasTransparentCorners(t *testing.T) {
	data, err := logoPNG(64)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("corner alpha %d, want 0 (rounded square)", a)
	}
	if _, _, _, a := img.At(32, 5).RGBA(); a != 0xffff {
		t.Errorf("inside alpha %d, want opaque", a)
	}
}

func TestFindRepo(t *testing.T) {
	repo := testRepo(t)
	if got, err := findRepo(repo); err != nil || got != repo {
		t.Fatalf("findRepo(%s) = %q, %v", repo, got, err)
	}
	if _, err := findRepo(t.TempDir()); err == nil {
		t.Error("findRepo accepted a directory without go.mod")
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644)
	if _, err := findRepo(other); err == nil || !strings.Contains(err.Error(), "not a LoGAH checkout") {
		t.Errorf("another module was taken for the checkout: %v", err)
	}
}

func TestLaunchWithoutGonbExplains(t *testing.T) {
	repo := testRepo(t)
	err := cmdLaunch([]string{"--repo", repo, "--gonb", filepath.Join(t.TempDir(), "missing"), "conn.json"})
	if err == nil || !strings.Contains(err.Error(), "install") {
		t.Errorf("launch with a missing GoNB: %v (want an error saying how to install it)", err)
	}
	if err := cmdLaunch([]string{"--repo", repo}); err == nil || !strings.Contains(err.Error(), "connection file") {
		t.Errorf("launch without a connection file: %v", err)
	}
}
