package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Defaults the launcher puts in the kernel's environment when they are not set already
// (so a value exported before starting Jupyter, or in kernel.json's env, wins).
var envDefaults = []struct{ Key, Value, Why string }{
	{"GOMLX_BACKEND", "go", "GoMLX's pure-Go backend: no cgo, no downloads"},
	{"GOEXPERIMENT", "simd", "AVX2/AVX-512 matmul kernels in the Go backend (~20x faster)"},
	{"GOMLX_NO_AUTO_INSTALL", "1", "never download XLA plugins at run time"},
}

// env is an editable copy of an environment ("KEY=value" list), last value wins.
type env struct{ vars []string }

func newEnv(environ []string) *env { return &env{vars: slices.Clone(environ)} }

func (e *env) Get(key string) (string, bool) {
	for i := len(e.vars) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e.vars[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

func (e *env) Set(key, value string) {
	e.vars = slices.DeleteFunc(e.vars, func(kv string) bool { return strings.HasPrefix(kv, key+"=") })
	e.vars = append(e.vars, key+"="+value)
}

// SetDefault sets key unless it is already set (even to "").
func (e *env) SetDefault(key, value string) {
	if _, ok := e.Get(key); !ok {
		e.Set(key, value)
	}
}

// AppendPath adds dirs to the end of PATH, skipping those already there or empty.
func (e *env) AppendPath(dirs ...string) {
	path, _ := e.Get("PATH")
	parts := filepath.SplitList(path)
	for _, d := range dirs {
		if d != "" && !slices.Contains(parts, d) {
			parts = append(parts, d)
		}
	}
	e.Set("PATH", strings.Join(parts, string(os.PathListSeparator)))
}

// LookPath finds an executable on this environment's PATH.
func (e *env) LookPath(name string) (string, bool) {
	path, _ := e.Get("PATH")
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// kernelEnvOptions is what the launcher knows beyond the inherited environment.
type kernelEnvOptions struct {
	Repo    string // the checkout, exported as LOGAH_REPO
	GoBin   string // directory of the go command recorded at install time, used if go is not on PATH
	Backend string // default for GOMLX_BACKEND (empty: "go")
}

// kernelEnv computes the kernel's environment from the inherited one:
//   - GOMLX_BACKEND, GOEXPERIMENT, GOMLX_NO_AUTO_INSTALL and LOGAH_REPO get defaults;
//   - PATH gains the go command's directory (if go is not on it) and GOBIN / GOPATH/bin, where
//     goimports and gopls are installed;
//   - with an XLA backend (GOMLX_BACKEND=xla...), cell builds get the xla build tag via GOFLAGS.
func kernelEnv(environ []string, o kernelEnvOptions) *env {
	e := newEnv(environ)
	for _, d := range envDefaults {
		v := d.Value
		if d.Key == "GOMLX_BACKEND" && o.Backend != "" {
			v = o.Backend
		}
		e.SetDefault(d.Key, v)
	}
	if o.Repo != "" {
		e.SetDefault("LOGAH_REPO", o.Repo)
	}
	if _, ok := e.LookPath("go"); !ok && o.GoBin != "" {
		e.AppendPath(o.GoBin)
	}
	gv := goEnv(e, "GOBIN", "GOPATH", "GOFLAGS")
	e.AppendPath(goToolDirs(e, gv)...)
	if backend, _ := e.Get("GOMLX_BACKEND"); isXLA(backend) {
		// An exported GOFLAGS replaces the one set with `go env -w`, so start from the
		// effective value.
		flags, ok := e.Get("GOFLAGS")
		if !ok {
			flags = gv["GOFLAGS"]
		}
		e.Set("GOFLAGS", addBuildTag(flags, "xla"))
	}
	return e
}

// goEnv asks the go command of e for variables (it also reads `go env -w` settings); it
// returns an empty map when go is missing or fails.
func goEnv(e *env, keys ...string) map[string]string {
	vals := map[string]string{}
	goCmd, ok := e.LookPath("go")
	if !ok {
		return vals
	}
	cmd := exec.Command(goCmd, append([]string{"env"}, keys...)...)
	cmd.Env = e.vars
	out, err := cmd.Output()
	if err != nil {
		return vals
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != len(keys) {
		return vals
	}
	for i, k := range keys {
		vals[k] = lines[i]
	}
	return vals
}

// isXLA reports whether a GOMLX_BACKEND value selects the XLA backend.
func isXLA(backend string) bool { return backend == "xla" || strings.HasPrefix(backend, "xla:") }

// addBuildTag adds tag to the -tags flag of a GOFLAGS value (creating the flag if needed).
func addBuildTag(goflags, tag string) string {
	fields := strings.Fields(goflags)
	for i, f := range fields {
		for _, prefix := range []string{"-tags=", "--tags="} {
			if list, ok := strings.CutPrefix(f, prefix); ok {
				tags := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' })
				if !slices.Contains(tags, tag) {
					tags = append(tags, tag)
				}
				fields[i] = prefix + strings.Join(tags, ",")
				return strings.Join(fields, " ")
			}
		}
	}
	return strings.TrimSpace(goflags + " -tags=" + tag)
}

// goToolDirs returns where `go install` puts binaries: $GOBIN, else each $GOPATH entry + /bin
// (from the go command's view gv, falling back to the environment and ~/go).
func goToolDirs(e *env, gv map[string]string) []string {
	gobin, gopath := gv["GOBIN"], gv["GOPATH"]
	if gopath == "" {
		gopath, _ = e.Get("GOPATH")
	}
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	var dirs []string
	if gobin != "" {
		dirs = append(dirs, gobin)
	}
	for _, p := range filepath.SplitList(gopath) {
		if p != "" {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	return dirs
}
