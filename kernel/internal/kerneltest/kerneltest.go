// Package kerneltest installs the LoGAH kernel into a temporary Jupyter data directory for
// tests, so that they never touch the user's Jupyter setup.
//
// The launcher is built from this checkout's ./kernel; GoNB is <repo>/bin/gonb when present
// (./install.sh builds it) and is otherwise built from the version pinned in go.mod.
package kerneltest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Kernel is an installed temporary kernel.
type Kernel struct {
	// Repo is the checkout's root.
	Repo string
	// DataDir is the temporary JUPYTER_DATA_DIR holding kernels/logah.
	DataDir string
	// SpecDir is DataDir/kernels/logah.
	SpecDir string
	// Launcher is the launcher binary the kernelspec runs.
	Launcher string
	// Env is the environment for programs that must find this kernel (JUPYTER_DATA_DIR set,
	// GOEXPERIMENT=simd so that cells share the test build's Go cache).
	Env []string
}

var (
	once      sync.Once
	installed *Kernel
	errInst   error
	tmpRoot   string
)

// Install builds and installs the kernel once per test binary and returns it. It skips the
// test in -short mode (installing compiles GoNB on a cold cache, and kernels compile cells).
func Install(t testing.TB) *Kernel {
	t.Helper()
	if testing.Short() {
		t.Skip("kernel integration test: skipped in -short mode")
	}
	once.Do(func() { installed, errInst = install() })
	if errInst != nil {
		t.Fatalf("installing the kernel for tests: %v", errInst)
	}
	return installed
}

// Cleanup removes what Install created. Call it from TestMain after m.Run.
func Cleanup() {
	if tmpRoot != "" {
		_ = os.RemoveAll(tmpRoot)
	}
}

// Main runs the tests and then Cleanup: use it as `func TestMain(m *testing.M) { kerneltest.Main(m) }`.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

func install() (*Kernel, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOMOD: %w", err)
	}
	repo := filepath.Dir(strings.TrimSpace(string(out)))
	if tmpRoot, err = os.MkdirTemp("", "logah-kerneltest-"); err != nil {
		return nil, err
	}
	k := &Kernel{Repo: repo, DataDir: filepath.Join(tmpRoot, "jupyter")}
	k.SpecDir = filepath.Join(k.DataDir, "kernels", "logah")
	binDir := filepath.Join(tmpRoot, "bin")
	k.Launcher = filepath.Join(binDir, "logah-kernel")
	env := withEnv(os.Environ(), "GOEXPERIMENT=simd", "JUPYTER_DATA_DIR="+k.DataDir)
	build := exec.Command("go", "build", "-o", k.Launcher, "./kernel")
	build.Dir, build.Env = repo, env
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the launcher: %v\n%s", err, out)
	}
	args := []string{"install", "--user", "--repo", repo, "--bin", binDir}
	if gonb := filepath.Join(repo, "bin", "gonb"); fileExists(gonb) {
		args = append(args, "--gonb", gonb)
	}
	inst := exec.Command(k.Launcher, args...)
	inst.Dir, inst.Env = repo, env
	if out, err := inst.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", k.Launcher, strings.Join(args, " "), err, out)
	}
	k.Env = env
	return k, nil
}

// withEnv returns environ with the KEY=value pairs of set replacing existing ones.
func withEnv(environ []string, set ...string) []string {
	out := make([]string, 0, len(environ)+len(set))
	for _, kv := range environ {
		key, _, _ := strings.Cut(kv, "=")
		replaced := false
		for _, s := range set {
			if strings.HasPrefix(s, key+"=") {
				replaced = true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
