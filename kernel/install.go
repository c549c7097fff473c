package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/logah-go/logah/internal/flags"
	"github.com/logah-go/logah/kernel/internal/jupyter"
)

// Kernelspec identity.
const (
	kernelName   = "logah"
	displayName  = "Go (LoGAH)"
	launcherName = "logah-kernel"
	gonbPackage  = "github.com/janpfeifer/gonb"
)

// location is the --user / --prefix / --system choice shared by install and uninstall.
type location struct {
	user   bool
	system bool
	prefix string
}

func (l *location) register(fs *flag.FlagSet) {
	fs.BoolVar(&l.user, "user", false, "install in the user's Jupyter data dir ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter); the default")
	fs.BoolVar(&l.system, "system", false, "install system-wide in "+firstOr(jupyter.SystemDataDirs(), "")+" (needs write access)")
	fs.StringVar(&l.prefix, "prefix", "", "install in PREFIX/share/jupyter (e.g. a virtualenv's or conda env's prefix)")
}

// kernelsDir is the "kernels" directory the flags select.
func (l *location) kernelsDir() (string, error) {
	n := 0
	for _, set := range []bool{l.user, l.system, l.prefix != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return "", errors.New("use only one of --user, --system and --prefix")
	}
	switch {
	case l.prefix != "":
		abs, err := filepath.Abs(l.prefix)
		if err != nil {
			return "", err
		}
		return filepath.Join(abs, "share", "jupyter", "kernels"), nil
	case l.system:
		dirs := jupyter.SystemDataDirs()
		if len(dirs) == 0 {
			return "", errors.New("no system-wide Jupyter directory on this platform: use --user or --prefix")
		}
		return filepath.Join(dirs[0], "kernels"), nil
	}
	return filepath.Join(jupyter.DataDir(), "kernels"), nil
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}

// cmdInstall writes the kernelspec (see the package documentation).
func cmdInstall(args []string) error {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	var loc location
	loc.register(fs)
	repo := fs.String("repo", "", "the LoGAH checkout (default: the one holding the current directory)")
	name := fs.String("name", kernelName, "kernelspec name (directory under kernels/)")
	display := fs.String("display-name", "", `display name (default "Go (LoGAH)", plus the backend when --backend is given)`)
	binDir := fs.String("bin", "", "where to put the launcher and GoNB binaries (default: <repo>/bin)")
	gonb := fs.String("gonb", "", "use this GoNB binary instead of <bin>/gonb")
	rebuild := fs.Bool("rebuild-gonb", false, "rebuild <bin>/gonb from the version pinned in go.mod even if it exists")
	backend := fs.String("backend", "", `default GOMLX_BACKEND of this kernel, e.g. "xla:cuda" (default "go"; the environment still overrides it)`)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./kernel install [--user | --system | --prefix DIR] [flags]")
		fs.PrintDefaults()
	}
	if rest, err := flags.Interspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("install: unexpected arguments %q", rest)
	}
	root, err := findRepo(*repo)
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	kernels, err := loc.kernelsDir()
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	if *binDir == "" {
		*binDir = filepath.Join(root, "bin")
	}
	if *binDir, err = filepath.Abs(*binDir); err != nil {
		return err
	}
	if err := os.MkdirAll(*binDir, 0o755); err != nil {
		return fmt.Errorf("install: %w", err)
	}

	// The launcher: a stable copy of this very program (`go run` builds into a temporary or
	// cache directory, and keeps the build tags the user gave, e.g. -tags xla).
	launcher := filepath.Join(*binDir, launcherName)
	if err := installSelf(launcher); err != nil {
		return fmt.Errorf("install: copying the launcher to %s: %w", launcher, err)
	}

	// GoNB, built from the version pinned in go.mod.
	if *gonb == "" {
		*gonb = filepath.Join(*binDir, "gonb")
		if _, statErr := os.Stat(*gonb); statErr != nil || *rebuild {
			fmt.Printf("building GoNB (pinned in go.mod) into %s\n", *gonb)
			if err := buildGonb(root, *gonb); err != nil {
				return fmt.Errorf("install: %w", err)
			}
		}
	} else if *gonb, err = filepath.Abs(*gonb); err != nil {
		return err
	}
	if _, err := os.Stat(*gonb); err != nil {
		return fmt.Errorf("install: GoNB binary: %w", err)
	}

	argv := []string{launcher, "launch", "--repo", root, "--gonb", *gonb}
	if goCmd, err := exec.LookPath("go"); err == nil {
		if abs, err := filepath.Abs(goCmd); err == nil {
			argv = append(argv, "--go-bin", filepath.Dir(abs))
		}
	}
	if *backend != "" {
		argv = append(argv, "--backend", *backend)
	}
	argv = append(argv, "{connection_file}")
	if *display == "" {
		*display = displayName
		if *backend != "" && *backend != "go" {
			*display = fmt.Sprintf("Go (LoGAH, %s)", *backend)
		}
	}
	spec := jupyter.KernelSpec{
		Argv: argv, DisplayName: *display, Language: "go", InterruptMode: "message",
		Env:      map[string]string{},
		Metadata: map[string]any{"logah_repo": root, "debugger": false},
	}
	dir := filepath.Join(kernels, *name)
	if err := writeKernelSpec(dir, spec); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	fmt.Printf("installed kernelspec %q (%s) in %s\n  launcher: %s\n  GoNB:     %s\n", *name, *display, dir, launcher, *gonb)
	fmt.Println("check it with `jupyter kernelspec list`; diagnose problems with `go run ./kernel doctor`")
	fmt.Println("notebooks start with a cell `%noautoget` (see kernel/README.md)")
	if _, ok := kernelEnv(os.Environ(), kernelEnvOptions{}).LookPath("goimports"); !ok {
		fmt.Println("warning: goimports is not installed, and GoNB needs it for every cell: go install golang.org/x/tools/cmd/goimports@v0.44.0")
	}
	return nil
}

// writeKernelSpec writes kernel.json and the logos into dir (replacing an older install).
func writeKernelSpec(dir string, spec jupyter.KernelSpec) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][]byte{"kernel.json": append(data, '\n'), "logo-svg.svg": []byte(logoSVG)}
	for _, size := range []int{32, 64} {
		png, err := logoPNG(size)
		if err != nil {
			return err
		}
		files[fmt.Sprintf("logo-%dx%d.png", size, size)] = png
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// installSelf copies the running executable to dst atomically, unless it is dst already.
func installSelf(dst string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if self, err = filepath.EvalSymlinks(self); err != nil {
		return err
	}
	if st1, err := os.Stat(self); err == nil {
		if st2, err := os.Stat(dst); err == nil && os.SameFile(st1, st2) {
			return nil
		}
	}
	return copyExecutable(self, dst)
}

func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// buildGonb builds GoNB at the version go.mod pins (it is a `tool` of the module).
func buildGonb(root, dst string) error {
	tmp := dst + ".tmp"
	cmd := exec.Command("go", "build", "-o", tmp, gonbPackage)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("building GoNB (go build -o %s %s in %s): %w; check that `go mod download` works (the module pins %s in go.mod)", dst, gonbPackage, root, err, gonbPackage)
	}
	return os.Rename(tmp, dst)
}

// cmdUninstall removes the kernelspec directory (the binaries in bin/ stay).
func cmdUninstall(args []string) error {
	fs := flag.NewFlagSet("uninstall", flag.ContinueOnError)
	var loc location
	loc.register(fs)
	name := fs.String("name", kernelName, "kernelspec name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	kernels, err := loc.kernelsDir()
	if err != nil {
		return fmt.Errorf("uninstall: %w", err)
	}
	dir := filepath.Join(kernels, *name)
	spec, err := jupyter.ReadKernelSpec(dir)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("uninstall: no kernelspec %q in %s (see `jupyter kernelspec list`)", *name, kernels)
	}
	if err != nil {
		return fmt.Errorf("uninstall: %w", err)
	}
	if len(spec.Argv) < 2 || filepath.Base(spec.Argv[0]) != launcherName {
		return fmt.Errorf("uninstall: %s was not installed by LoGAH (argv[0] is %q); remove it with `jupyter kernelspec remove %s`", dir, spec.Argv[0], *name)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("uninstall: %w", err)
	}
	fmt.Printf("removed kernelspec %q from %s (binaries in %s stay)\n", *name, kernels, strings.TrimSuffix(filepath.Dir(spec.Argv[0]), "/"))
	return nil
}
