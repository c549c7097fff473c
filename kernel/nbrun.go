package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/logah-go/logah/internal/flags"
	"github.com/logah-go/logah/kernel/internal/jupyter"
)

// nbrunOptions configures runNotebook.
type nbrunOptions struct {
	Kernel      string   // kernelspec name
	Out         string   // executed notebook path ("" = <name>.nbconvert.ipynb in a temp dir)
	HTML        string   // HTML export path ("" = none)
	CellTimeout int      // seconds per cell
	Smoke       bool     // LOGAH_SMOKE=1: notebooks pick small sizes
	Jupyter     string   // jupyter command ("" = look it up)
	Env         []string // environment of nbconvert (and so of the kernel); nil = os.Environ()
}

// CellError is a notebook cell that failed.
type CellError struct {
	Index  int // 0-based index among all cells
	Source string
	Error  string // ename: evalue and the traceback, without terminal colours
}

// NotebookError lists the failing cells of one executed notebook.
type NotebookError struct {
	Notebook string
	Cells    []CellError
}

func (e *NotebookError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d cell(s) failed", e.Notebook, len(e.Cells))
	for _, c := range e.Cells {
		fmt.Fprintf(&b, "\n--- cell %d (counting from 1, markdown included):\n%s\n--- error:\n%s", c.Index+1, indent(c.Source), indent(c.Error))
	}
	return b.String()
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

func cmdNBRun(args []string) error {
	fs := flag.NewFlagSet("nbrun", flag.ContinueOnError)
	var o nbrunOptions
	fs.StringVar(&o.Kernel, "kernel", kernelName, "kernelspec to run the notebooks with")
	fs.StringVar(&o.Out, "out", "", "write the executed notebook here (one notebook only; default: next to the HTML, or a temporary file)")
	inplace := fs.Bool("inplace", false, "write the outputs back into the notebook itself (to commit a notebook with outputs)")
	fs.StringVar(&o.HTML, "html", "", "also export the executed notebook to this HTML file (one notebook only)")
	fs.IntVar(&o.CellTimeout, "timeout", 900, "seconds a cell may run (the first cell compiles dependencies: allow minutes on a cold Go cache)")
	fs.BoolVar(&o.Smoke, "smoke", false, "set LOGAH_SMOKE=1 so notebooks choose small sizes")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./kernel nbrun [flags] NOTEBOOK.ipynb...\n\nExecutes notebooks with `jupyter nbconvert --execute` through the installed kernel;\nfails, listing each failing cell's source and error, if any cell fails.")
		fs.PrintDefaults()
	}
	notebooks, err := flags.Interspersed(fs, args)
	if err != nil {
		return err
	}
	if len(notebooks) == 0 {
		fs.Usage()
		return errors.New("nbrun: no notebook given")
	}
	if len(notebooks) > 1 && (o.Out != "" || o.HTML != "" || *inplace) {
		return errors.New("nbrun: --out, --html and --inplace take one notebook")
	}
	var failed []error
	for _, nb := range notebooks {
		opt := o
		if *inplace {
			opt.Out = nb
		}
		if err := runNotebook(nb, opt); err != nil {
			failed = append(failed, err)
			fmt.Fprintln(os.Stderr, err)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("nbrun: %d of %d notebook(s) failed", len(failed), len(notebooks))
	}
	return nil
}

// runNotebook executes one notebook with nbconvert (with --allow-errors, so that the executed
// notebook and HTML are written even when a cell fails) and returns a *NotebookError listing
// the failing cells.
func runNotebook(nb string, o nbrunOptions) error {
	abs, err := filepath.Abs(nb)
	if err != nil {
		return err
	}
	environ := o.Env
	if environ == nil {
		environ = os.Environ()
	}
	e := newEnv(environ)
	if o.Smoke {
		e.Set("LOGAH_SMOKE", "1")
		// Smoke runs write their checkpoints to a temporary directory (logah.RunsDir), unless
		// the caller chose one (the notebook tests share one between notebooks 03 and 04).
		if dir, ok := e.Get("LOGAH_RUNS"); !ok || dir == "" {
			tmp, err := os.MkdirTemp("", "logah-smoke-runs-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			e.Set("LOGAH_RUNS", tmp)
		}
	}
	jup := o.Jupyter
	if jup == "" {
		if jup = jupyterCommand(e); jup == "" {
			return errors.New("nbrun: jupyter is not installed: apt-get install jupyter-nbconvert python3-nbclient (see `go run ./kernel doctor`)")
		}
	}
	if o.Kernel == "" {
		o.Kernel = kernelName
	}
	if err := kernelInstalled(e, o.Kernel); err != nil {
		return err
	}
	out := o.Out
	if out == "" && o.HTML != "" {
		out = strings.TrimSuffix(o.HTML, filepath.Ext(o.HTML)) + ".ipynb"
	}
	if out == "" {
		dir, err := os.MkdirTemp("", "nbrun-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		out = filepath.Join(dir, strings.TrimSuffix(filepath.Base(abs), ".ipynb")+".nbconvert.ipynb")
	}
	if out, err = filepath.Abs(out); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	timeout := o.CellTimeout
	if timeout <= 0 {
		timeout = 900
	}
	fmt.Fprintf(os.Stderr, "nbrun: executing %s with kernel %q (a line per cell; the first compiles the dependencies)\n", nb, o.Kernel)
	// nbconvert runs the kernel in the notebook's directory; its debug log says when each cell
	// starts, which cellProgress turns into progress lines.
	progress := newCellProgress(os.Stderr, abs, 30*time.Second)
	err = runJupyterLogged(e, filepath.Dir(abs), jup, progress, "nbconvert", "--log-level=DEBUG", "--to", "notebook", "--execute", "--allow-errors",
		"--ExecutePreprocessor.kernel_name="+o.Kernel,
		fmt.Sprintf("--ExecutePreprocessor.timeout=%d", timeout),
		"--ExecutePreprocessor.startup_timeout=120",
		"--output-dir", filepath.Dir(out), "--output", filepath.Base(out), abs)
	if err != nil {
		return fmt.Errorf("nbrun: executing %s: %w", nb, err)
	}
	cellErrs, err := notebookErrors(out)
	if err != nil {
		return err
	}
	if o.HTML != "" {
		html, err := filepath.Abs(o.HTML)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(html), 0o755); err != nil {
			return err
		}
		if err := runJupyter(e, filepath.Dir(out), jup, "nbconvert", "--to", "html",
			"--output-dir", filepath.Dir(html), "--output", strings.TrimSuffix(filepath.Base(html), ".html"), out); err != nil {
			return fmt.Errorf("nbrun: exporting %s to HTML: %w", nb, err)
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", html)
	}
	if len(cellErrs) > 0 {
		return &NotebookError{Notebook: nb, Cells: cellErrs}
	}
	fmt.Fprintf(os.Stderr, "nbrun: %s: all cells ran (executed notebook: %s)\n", nb, out)
	return nil
}

// kernelInstalled checks that the kernelspec exists in the directories this environment's
// Jupyter searches.
func kernelInstalled(e *env, name string) error {
	restore := setenvTemporarily(e, "JUPYTER_DATA_DIR", "JUPYTER_PATH", "XDG_DATA_HOME", "HOME")
	defer restore()
	if _, err := jupyter.FindKernelSpec(name); err != nil {
		return fmt.Errorf("nbrun: %w", err)
	}
	return nil
}

// setenvTemporarily copies the named variables of e into the process environment and
// returns a function that restores them.
func setenvTemporarily(e *env, keys ...string) func() {
	type saved struct {
		v  string
		ok bool
	}
	old := map[string]saved{}
	for _, k := range keys {
		v, ok := os.LookupEnv(k)
		old[k] = saved{v, ok}
		if nv, set := e.Get(k); set {
			os.Setenv(k, nv)
		} else {
			os.Unsetenv(k)
		}
	}
	return func() {
		for k, s := range old {
			if s.ok {
				os.Setenv(k, s.v)
			} else {
				os.Unsetenv(k)
			}
		}
	}
}

// runJupyterLogged is runJupyter with nbconvert's log read by progress as it is written.
func runJupyterLogged(e *env, dir, jup string, progress *cellProgress, args ...string) error {
	cmd := exec.Command(jup, args...)
	cmd.Dir = dir
	cmd.Env = e.vars
	cmd.Stdout = os.Stdout
	logr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	progress.consume(logr)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", filepath.Base(jup), strings.Join(args[:1], " "), err, progress.logTail(40))
	}
	return nil
}

func runJupyter(e *env, dir, jup string, args ...string) error {
	cmd := exec.Command(jup, args...)
	cmd.Dir = dir
	cmd.Env = e.vars
	var stderr bytes.Buffer
	cmd.Stdout = os.Stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", filepath.Base(jup), strings.Join(args[:1], " "), err, lastLines(stderr.String(), 40))
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// notebookFile is the part of the .ipynb format that runNotebook reads.
type notebookFile struct {
	Cells []struct {
		CellType string          `json:"cell_type"`
		Source   json.RawMessage `json:"source"`
		Outputs  []struct {
			OutputType string                     `json:"output_type"`
			EName      string                     `json:"ename"`
			EValue     string                     `json:"evalue"`
			Traceback  []string                   `json:"traceback"`
			Name       string                     `json:"name"`
			Text       json.RawMessage            `json:"text"`
			Data       map[string]json.RawMessage `json:"data"`
		} `json:"outputs"`
	} `json:"cells"`
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// notebookErrors lists the code cells of an executed notebook that have an error output.
func notebookErrors(path string) ([]CellError, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nbrun: reading the executed notebook: %w", err)
	}
	var nb notebookFile
	if err := json.Unmarshal(data, &nb); err != nil {
		return nil, fmt.Errorf("nbrun: %s: %w", path, err)
	}
	var errs []CellError
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		// The error outputs say little with GoNB ("exit status 1"): the compiler's messages are
		// in an HTML display and a panic's in stderr, so those go into the report too.
		var msgs, context []string
		for _, o := range c.Outputs {
			switch o.OutputType {
			case "error":
				msg := o.EName + ": " + o.EValue
				if tb := strings.Join(o.Traceback, "\n"); tb != "" && tb != o.EValue {
					msg += "\n" + tb
				}
				msgs = append(msgs, msg)
			case "stream":
				if o.Name == "stderr" {
					context = append(context, lastLines(multiline(o.Text), 30))
				}
			case "display_data":
				if h, ok := o.Data["text/html"]; ok && strings.Contains(multiline(h), "gonb-err") {
					context = append(context, htmlText(multiline(h)))
				}
			}
		}
		if len(msgs) > 0 {
			all := strings.Join(append(context, msgs...), "\n")
			errs = append(errs, CellError{Index: i, Source: multiline(c.Source), Error: ansiEscape.ReplaceAllString(all, "")})
		}
	}
	return errs, nil
}

// multiline decodes an nbformat multiline string (a string or a list of strings).
func multiline(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return strings.Join(list, "")
}

var (
	styleBlock = regexp.MustCompile(`(?s)<style.*?</style>`)
	htmlTag    = regexp.MustCompile(`<[^>]*>`)
	blankLines = regexp.MustCompile(`\n\s*\n+`)
)

// htmlText extracts the text of GoNB's HTML error display, leaving out the hover-only source
// context blocks (class gonb-err-context).
func htmlText(h string) string {
	h = styleBlock.ReplaceAllString(h, "")
	var b strings.Builder
	skip := 0 // depth inside a gonb-err-context div
	last := 0
	for _, loc := range htmlTag.FindAllStringIndex(h, -1) {
		if skip == 0 {
			b.WriteString(h[last:loc[0]])
		}
		last = loc[1]
		tag := h[loc[0]:loc[1]]
		switch {
		case strings.HasPrefix(tag, "<div"):
			if skip > 0 {
				skip++
			} else if strings.Contains(tag, "gonb-err-context") {
				skip = 1
			} else {
				b.WriteString("\n")
			}
		case strings.HasPrefix(tag, "</div"):
			if skip > 0 {
				skip--
			}
		case strings.HasPrefix(tag, "<br"):
			b.WriteString("\n")
		}
	}
	if skip == 0 {
		b.WriteString(h[last:])
	}
	text := blankLines.ReplaceAllString(html.UnescapeString(b.String()), "\n")
	return strings.TrimSpace(text)
}
