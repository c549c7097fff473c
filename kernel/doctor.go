package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/logah-go/logah/internal/machine"
	"github.com/logah-go/logah/kernel/internal/jupyter"
	"github.com/logah-go/logah/logah/backend"
)

// minGo is the oldest Go that builds the module (GoMLX v0.28.2 needs 1.26.5).
const minGo = "1.26.5"

// Check statuses.
const (
	statusOK   = "ok"
	statusWarn = "warn"
	statusFail = "FAIL"
)

// check is one row of the doctor's table.
type check struct {
	Name   string
	Status string
	Detail string
	Fix    string // how to fix a warn or FAIL
}

// doctorEnv is what the checks look at, so that tests can point them elsewhere.
type doctorEnv struct {
	Repo     string
	Name     string   // kernelspec name
	Environ  []string // the environment the kernel would inherit
	Jupyter  string   // jupyter command ("" to look it up)
	DataDirs []string // dataset directories to search for Fashion-MNIST
}

func cmdDoctor(args []string) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	repo := fs.String("repo", "", "the LoGAH checkout (default: the one holding the current directory)")
	name := fs.String("name", kernelName, "kernelspec name to check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := findRepo(*repo)
	if err != nil {
		return fmt.Errorf("doctor: %w", err)
	}
	checks := runChecks(doctorEnv{Repo: root, Name: *name, Environ: os.Environ()})
	printChecks(os.Stdout, checks)
	failed := 0
	for _, c := range checks {
		if c.Status == statusFail {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("doctor: %d check(s) failed", failed)
	}
	return nil
}

// printChecks writes the table and then the fixes of what is not ok.
func printChecks(w io.Writer, checks []check) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tDETAIL")
	for _, c := range checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Status, c.Detail)
	}
	tw.Flush()
	first := true
	for _, c := range checks {
		if c.Status == statusOK || c.Fix == "" {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nHow to fix:")
			first = false
		}
		fmt.Fprintf(w, "  %-14s %s\n", c.Name+":", c.Fix)
	}
}

func runChecks(d doctorEnv) []check {
	e := kernelEnv(d.Environ, kernelEnvOptions{Repo: d.Repo})
	var checks []check
	checks = append(checks, checkGo(e))
	checks = append(checks, checkSIMD(e))
	checks = append(checks, checkTool(e, "goimports", statusFail, "GoNB runs it on every cell", "go install golang.org/x/tools/cmd/goimports@v0.44.0"))
	checks = append(checks, checkTool(e, "gopls", statusWarn, "autocomplete and inspect only", "go install golang.org/x/tools/gopls@v0.23.0 (newer versions need Go 1.27)"))
	checks = append(checks, checkGonb(d.Repo))
	jup, list, jerr := findJupyter(d, e)
	checks = append(checks, checkJupyter(jup, jerr))
	checks = append(checks, checkKernelspec(d, list, jerr))
	checks = append(checks, checkFashionMNIST(d, e))
	checks = append(checks, checkBackend(e)...)
	checks = append(checks, checkEngine())
	return checks
}

// checkEngine reports the compute engine: cells build against the same go.mod as this
// program, so they get the engine it was built with.
func checkEngine() check {
	c := check{Name: "engine"}
	info := backend.Engine()
	c.Detail = info.String()
	if !info.Patched {
		c.Status = statusFail
		c.Fix = "./install.sh (applies logah/backend/patches to GoMLX's compute engine; without them the parallel scheduler can deadlock and scalar math after AVX kernels is up to 90× slower)"
		return c
	}
	c.Status = statusOK
	return c
}

func checkGo(e *env) check {
	c := check{Name: "go"}
	goCmd, ok := e.LookPath("go")
	if !ok {
		c.Status, c.Detail = statusFail, "the go command is not on PATH"
		c.Fix = "install Go >= " + minGo + " from https://go.dev/dl/ and put its bin directory on PATH"
		return c
	}
	out, err := runEnv(e, goCmd, "env", "GOVERSION")
	if err != nil {
		c.Status, c.Detail, c.Fix = statusFail, fmt.Sprintf("%s env GOVERSION: %v", goCmd, err), "reinstall Go >= "+minGo
		return c
	}
	v := strings.TrimSpace(out)
	c.Detail = fmt.Sprintf("%s (%s)", v, goCmd)
	if versionLess(strings.TrimPrefix(v, "go"), minGo) {
		c.Status, c.Fix = statusFail, "LoGAH needs Go >= "+minGo+" (GoMLX v0.28.2 requires it): https://go.dev/dl/"
		return c
	}
	c.Status = statusOK
	return c
}

// versionLess compares dotted versions numerically ("1.26.8" < "1.27"), ignoring suffixes.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(pa), len(pb)) {
		var x, y int
		if i < len(pa) {
			fmt.Sscanf(pa[i], "%d", &x)
		}
		if i < len(pb) {
			fmt.Sscanf(pb[i], "%d", &y)
		}
		if x != y {
			return x < y
		}
	}
	return false
}

func checkSIMD(e *env) check {
	c := check{Name: "simd"}
	exp, _ := e.Get("GOEXPERIMENT")
	isa := machine.VectorISA()
	cpuDesc := "CPU without AVX2/AVX-512 (the SIMD kernels will not be used)"
	if len(isa) > 0 {
		cpuDesc = "CPU has " + strings.Join(isa, ", ")
	}
	self := "no"
	if machine.SIMD {
		self = "yes"
	}
	if !slices.Contains(strings.Split(exp, ","), "simd") {
		c.Status = statusWarn
		c.Detail = fmt.Sprintf("cells build with GOEXPERIMENT=%q, without simd; %s", exp, cpuDesc)
		c.Fix = "unset GOEXPERIMENT (the launcher then sets simd) or add simd to it: matmul on the Go backend is ~20x slower without it"
		return c
	}
	if goCmd, ok := e.LookPath("go"); ok {
		if _, err := runEnv(e, goCmd, "env", "GOEXPERIMENT"); err != nil {
			c.Status, c.Detail = statusFail, fmt.Sprintf("this Go does not know GOEXPERIMENT=simd: %v", err)
			c.Fix = "use Go >= " + minGo
			return c
		}
	}
	c.Status = statusOK
	c.Detail = fmt.Sprintf("cells build with GOEXPERIMENT=%s; %s; this binary built with simd: %s", exp, cpuDesc, self)
	return c
}

func checkTool(e *env, name, missing, role, fix string) check {
	c := check{Name: name}
	if p, ok := e.LookPath(name); ok {
		c.Status, c.Detail = statusOK, p
		return c
	}
	c.Status, c.Detail, c.Fix = missing, "not found on the kernel's PATH ("+role+")", fix
	return c
}

func checkGonb(repo string) check {
	c := check{Name: "gonb"}
	p := filepath.Join(repo, "bin", "gonb")
	if _, err := os.Stat(p); err != nil {
		c.Status, c.Detail = statusFail, p+" is missing"
		c.Fix = "go run ./kernel install (builds GoNB from the version pinned in go.mod)"
		return c
	}
	c.Status, c.Detail = statusOK, p+" (built from github.com/janpfeifer/gonb as pinned in go.mod; `gonb -V` prints v0.11.1 for v0.11.4)"
	return c
}

// jupyterSpec is one entry of `jupyter kernelspec list --json`.
type jupyterSpec struct {
	ResourceDir string             `json:"resource_dir"`
	Spec        jupyter.KernelSpec `json:"spec"`
}

// findJupyter locates the jupyter command and asks it for its kernelspecs.
func findJupyter(d doctorEnv, e *env) (string, map[string]jupyterSpec, error) {
	jup := d.Jupyter
	if jup == "" {
		jup = jupyterCommand(e)
	}
	if jup == "" {
		return "", nil, errors.New("jupyter is not installed (looked on PATH and in /usr/bin)")
	}
	if _, err := os.Stat(jup); err != nil {
		return "", nil, fmt.Errorf("jupyter: %v", err)
	}
	out, err := runEnv(e, jup, "kernelspec", "list", "--json")
	if err != nil {
		return jup, nil, &kernelspecListError{fmt.Errorf("%s kernelspec list: %v", jup, err)}
	}
	var list struct {
		Kernelspecs map[string]jupyterSpec `json:"kernelspecs"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return jup, nil, fmt.Errorf("%s kernelspec list --json: %v", jup, err)
	}
	return jup, list.Kernelspecs, nil
}

// jupyterCommand is the jupyter executable: on PATH, else Debian's /usr/bin/jupyter.
func jupyterCommand(e *env) string {
	if p, ok := e.LookPath("jupyter"); ok {
		return p
	}
	if _, err := os.Stat("/usr/bin/jupyter"); err == nil {
		return "/usr/bin/jupyter"
	}
	return ""
}

// kernelspecListError is a jupyter that runs but cannot list kernelspecs (no jupyter-client).
type kernelspecListError struct{ error }

func checkJupyter(jup string, err error) check {
	c := check{Name: "jupyter"}
	var listErr *kernelspecListError
	if errors.As(err, &listErr) {
		c.Status, c.Detail = statusWarn, err.Error()
		c.Fix = "apt-get install jupyter-client (provides `jupyter kernelspec`; the kernelspec check reads kernel.json directly meanwhile)"
		return c
	}
	if err != nil {
		c.Status, c.Detail = statusFail, err.Error()
		c.Fix = "apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient (or pip install notebook nbconvert nbclient)"
		return c
	}
	c.Status, c.Detail = statusOK, jup
	if v, err := exec.Command(jup, "nbconvert", "--version").Output(); err == nil {
		c.Detail += ", nbconvert " + strings.TrimSpace(string(v))
	} else {
		c.Status, c.Fix = statusWarn, "nbconvert is missing (needed by `kernel nbrun` and the notebook tests): apt-get install jupyter-nbconvert"
	}
	return c
}

func checkKernelspec(d doctorEnv, list map[string]jupyterSpec, jerr error) check {
	c := check{Name: "kernelspec"}
	var spec *jupyter.KernelSpec
	if jerr == nil {
		js, ok := list[d.Name]
		if !ok {
			c.Status, c.Detail = statusFail, fmt.Sprintf("`jupyter kernelspec list` has no %q", d.Name)
			c.Fix = "go run ./kernel install"
			return c
		}
		s := js.Spec
		s.Dir, s.Name = js.ResourceDir, d.Name
		spec = &s
	} else {
		s, err := jupyter.FindKernelSpec(d.Name)
		if err != nil {
			c.Status, c.Detail, c.Fix = statusFail, err.Error(), "go run ./kernel install"
			return c
		}
		spec = s
	}
	c.Detail = spec.Dir
	if len(spec.Argv) < 2 || filepath.Base(spec.Argv[0]) != launcherName || spec.Argv[1] != "launch" {
		c.Status = statusFail
		c.Detail = fmt.Sprintf("%s does not run the LoGAH launcher (argv %q)", spec.Dir, spec.Argv)
		c.Fix = "go run ./kernel install (replaces it)"
		return c
	}
	if _, err := os.Stat(spec.Argv[0]); err != nil {
		c.Status, c.Detail = statusFail, fmt.Sprintf("%s: launcher %s is missing", spec.Dir, spec.Argv[0])
		c.Fix = "go run ./kernel install"
		return c
	}
	repo, gonb := argAfter(spec.Argv, "--repo"), argAfter(spec.Argv, "--gonb")
	if repo != d.Repo {
		c.Status = statusWarn
		c.Detail = fmt.Sprintf("%s serves another checkout: %s", spec.Dir, repo)
		c.Fix = "go run ./kernel install (from this checkout) to point it here"
		return c
	}
	if gonb != "" {
		if _, err := os.Stat(gonb); err != nil {
			c.Status, c.Detail = statusFail, fmt.Sprintf("%s: GoNB %s is missing", spec.Dir, gonb)
			c.Fix = "go run ./kernel install"
			return c
		}
	}
	c.Status = statusOK
	c.Detail = fmt.Sprintf("%q (%s) in %s, serving %s", d.Name, spec.DisplayName, spec.Dir, repo)
	return c
}

func argAfter(argv []string, flagName string) string {
	for i, a := range argv {
		if a == flagName && i+1 < len(argv) {
			return argv[i+1]
		}
		if v, ok := strings.CutPrefix(a, flagName+"="); ok {
			return v
		}
	}
	return ""
}

// Fashion-MNIST's files, stored plain or gzipped.
var fashionFiles = []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

func checkFashionMNIST(d doctorEnv, e *env) check {
	c := check{Name: "fashion-mnist"}
	dirs := d.DataDirs
	if dirs == nil {
		if root, ok := e.Get("LOGAH_DATA"); ok && root != "" {
			dirs = append(dirs, filepath.Join(root, "fashion-mnist"))
		} else if cache, err := os.UserCacheDir(); err == nil {
			dirs = append(dirs, filepath.Join(cache, "logah", "datasets", "fashion-mnist"))
		}
		dirs = append(dirs, "/usr/share/datasets/fashion-mnist")
	}
	for _, dir := range dirs {
		if hasAll(dir, fashionFiles) {
			c.Status, c.Detail = statusOK, dir
			return c
		}
	}
	c.Status = statusWarn
	c.Detail = "not found in " + strings.Join(dirs, ", ") + " (needed by the training notebooks)"
	c.Fix = "apt-get install dataset-fashion-mnist, or put the four IDX files in $LOGAH_DATA/fashion-mnist"
	return c
}

func hasAll(dir string, files []string) bool {
	for _, f := range files {
		_, err1 := os.Stat(filepath.Join(dir, f))
		_, err2 := os.Stat(filepath.Join(dir, f+".gz"))
		if err1 != nil && err2 != nil {
			return false
		}
	}
	return true
}

// runEnv runs a command with the environment e and returns its stdout (stderr in the error).
func runEnv(e *env, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = e.vars
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	timer := time.AfterFunc(60*time.Second, func() {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
	})
	defer timer.Stop()
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
		if msg != "" {
			return string(out), fmt.Errorf("%v: %s", err, msg)
		}
		return string(out), err
	}
	return string(out), nil
}
