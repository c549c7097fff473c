package jupyter

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KernelSpec is a kernel.json file: how Jupyter starts a kernel.
type KernelSpec struct {
	// Name is the kernelspec's directory name (what `jupyter kernelspec list` shows).
	Name string `json:"-"`
	// Dir is the directory holding kernel.json (the "resource dir").
	Dir string `json:"-"`

	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode,omitempty"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata,omitempty"`
}

// DataDir is the user's Jupyter data directory, as jupyter_core computes it: $JUPYTER_DATA_DIR
// when set; otherwise $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter on Linux,
// ~/Library/Jupyter on macOS and %APPDATA%\jupyter on Windows.
func DataDir() string {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter")
	case "windows":
		if a := os.Getenv("APPDATA"); a != "" {
			return filepath.Join(a, "jupyter")
		}
		return filepath.Join(home, "AppData", "Roaming", "jupyter")
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "jupyter")
	}
	return filepath.Join(home, ".local", "share", "jupyter")
}

// SystemDataDirs are the system-wide Jupyter data directories searched after the user's.
func SystemDataDirs() []string {
	if runtime.GOOS == "windows" {
		if p := os.Getenv("PROGRAMDATA"); p != "" {
			return []string{filepath.Join(p, "jupyter")}
		}
		return nil
	}
	return []string{"/usr/local/share/jupyter", "/usr/share/jupyter"}
}

// KernelDirs lists the directories searched for kernelspecs, in Jupyter's order:
// $JUPYTER_PATH entries, the user data dir, then the system dirs (each + "/kernels").
func KernelDirs() []string {
	var dirs []string
	if p := os.Getenv("JUPYTER_PATH"); p != "" {
		for _, d := range filepath.SplitList(p) {
			if d != "" {
				dirs = append(dirs, filepath.Join(d, "kernels"))
			}
		}
	}
	dirs = append(dirs, filepath.Join(DataDir(), "kernels"))
	for _, d := range SystemDataDirs() {
		dirs = append(dirs, filepath.Join(d, "kernels"))
	}
	return dirs
}

// FindKernelSpec returns the first kernelspec called name in [KernelDirs].
func FindKernelSpec(name string) (*KernelSpec, error) {
	dirs := KernelDirs()
	for _, d := range dirs {
		spec, err := ReadKernelSpec(filepath.Join(d, name))
		if err == nil {
			return spec, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("jupyter: no kernelspec %q in %s: install it (for LoGAH: go run ./kernel install)", name, strings.Join(dirs, ", "))
}

// ReadKernelSpec reads dir/kernel.json. The spec's Name is the directory's base name.
func ReadKernelSpec(dir string) (*KernelSpec, error) {
	data, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		return nil, err
	}
	spec := &KernelSpec{Name: filepath.Base(dir), Dir: dir}
	if err := json.Unmarshal(data, spec); err != nil {
		return nil, fmt.Errorf("jupyter: %s: %w", filepath.Join(dir, "kernel.json"), err)
	}
	if len(spec.Argv) == 0 {
		return nil, fmt.Errorf("jupyter: %s: empty argv", filepath.Join(dir, "kernel.json"))
	}
	return spec, nil
}

// Command returns the spec's argv with {connection_file} and {resource_dir} substituted.
func (s *KernelSpec) Command(connectionFile string) []string {
	argv := make([]string, len(s.Argv))
	for i, a := range s.Argv {
		a = strings.ReplaceAll(a, "{connection_file}", connectionFile)
		argv[i] = strings.ReplaceAll(a, "{resource_dir}", s.Dir)
	}
	return argv
}
