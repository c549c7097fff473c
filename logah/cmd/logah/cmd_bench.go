package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/logah-go/logah/internal/machine"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/trainer"
)

func init() {
	register("bench", "time graph building, prediction and training steps on this machine (one table; notebook cells: go test -bench CellImport ./kernel/internal/jupyter)", cmdBench)
}

// cmdBench implements "logah bench": it measures, on this machine, what the "Speed" section of
// docs/results.md reports and prints one table with a row per measurement
// (what, size / configuration, time, peak memory), below a line describing the machine.
//
// The row groups, selected with --only, are:
//
//	graphs        netgraph.Build with distances of every vits1k member, and of GPT-2 XL
//	predict       LoGAH-Tiny (d_max 2048) predicting ViT-S and GPT-2 small in memory, and
//	              GPT-2 Large into a safetensors file in a child process ("logah predict"),
//	              whose wall time and peak RSS are reported (the 3 GB file is deleted)
//	ghn-train     hypernetwork training steps of LoGAH-Tiny (d_max 512) on vits-mini ViTs,
//	              Fashion-MNIST batch 64, meta-batch 1 and 4
//	target-train  training steps (forward, backward, AdamW) of vit-mini and gpt2-mini-bpe
//
// The latency of notebook cells is the kernel's to measure, not this command's (which must not
// depend on the Jupyter client): [notebookBench] says how, and `--only notebook` says so too.
//
// Each row repeats its measurement within a time budget (a few to 30 seconds) and reports the
// median; training and prediction rows exclude compilation (warm-up calls or steps, reported
// separately where useful). --quick shrinks every row (50 graphs, one or two steps and
// repetitions, no GPT-2 Large file) for tests and CI. Progress goes to stderr; the machine lines
// (CPU, load average before the run, build, backend) are taken before measuring. Failed
// measurements are reported in their row and make the command exit non-zero after the table.
func cmdBench(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "fewer repetitions and smaller sizes (tests, CI); skips the GPT-2 Large file")
	only := fs.String("only", strings.Join(benchGroupNames(), ","), "comma-separated row groups to run (notebook cells: "+notebookBench+")")
	tmp := fs.String("tmp", "", "directory for temporary files: the GHN and the 3 GB GPT-2 Large file (default: the system's)")
	vsTorch := fs.Bool("vs-torch", false, "after the Go rows, time the PyTorch equivalents (Debian's python3-torch, best of 1 and 2 threads) and print the ratios")
	authors := fs.String("authors", os.Getenv("LOGAH_AUTHORS_CODE"), "with --vs-torch: the authors' LoGAH and ppuda code, for their GHN training step (docs/bench/authors_ghn_step.md)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("unexpected arguments %v", pos)
	}
	groups, err := parseBenchGroups(*only)
	if err != nil {
		return err
	}
	o := &benchOpts{quick: *quick, tmp: *tmp, log: os.Stderr, authors: *authors}
	defer o.cleanup()
	machine := machineLine()
	rows, failed := runBench(o, groups)
	if *vsTorch {
		compareWithTorch(o, rows)
	}
	fmt.Fprintln(stdout, machine)
	if err := printBenchTable(stdout, rows, *vsTorch); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d measurement(s) failed (see the table)", failed)
	}
	return nil
}

// benchOpts are the settings shared by every measurement.
type benchOpts struct {
	quick   bool
	tmp     string    // --tmp ("" for os.TempDir())
	log     io.Writer // progress lines
	authors string    // --authors: the authors' code for the PyTorch GHN step

	largeFile string   // the GPT-2 Large parameter file the predict rows wrote, if any
	cleanups  []func() // run when the command ends (the large file's directory)
}

// cleanup runs the registered clean-ups, last first.
func (o *benchOpts) cleanup() {
	for i := len(o.cleanups) - 1; i >= 0; i-- {
		o.cleanups[i]()
	}
}

// reps returns full, or quick with --quick.
func (o *benchOpts) reps(full, quick int) int {
	if o.quick {
		return quick
	}
	return full
}

// benchRow is one line of the table.
type benchRow struct {
	what, config, time, mem string
	dur                     time.Duration // the measured time per repetition, for the PyTorch ratio
	torch                   *torchCase    // the PyTorch equivalent, if any
	torchTime, ratio        string        // filled by --vs-torch
}

// benchCase is one measurement: run fills the row's time and memory (and may refine config).
type benchCase struct {
	what, config string
	run          func(o *benchOpts, r *benchRow) error
	torch        *torchCase // the PyTorch equivalent compared by --vs-torch
}

// benchGroup is a set of rows selected together by --only.
type benchGroup struct {
	name  string
	cases func(o *benchOpts) []benchCase
}

var benchGroups = []benchGroup{
	{"graphs", graphCases},
	{"predict", predictCases},
	{"ghn-train", ghnTrainCases},
	{"target-train", targetTrainCases},
}

// notebookBench is where the notebook-cell row of earlier versions of this command went: the
// kernel's own benchmarks, which start the kernel from a temporary installation.
const notebookBench = "GOEXPERIMENT=simd go test -run '^$' -bench 'KernelStart|CellImport' -benchtime 10x ./kernel/internal/jupyter"

func benchGroupNames() []string {
	names := make([]string, len(benchGroups))
	for i, g := range benchGroups {
		names[i] = g.name
	}
	return names
}

// parseBenchGroups reads --only, keeping the table's order.
func parseBenchGroups(s string) ([]benchGroup, error) {
	want := map[string]bool{}
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if f == "notebook" {
			return nil, usageErrorf("--only notebook: notebook cells are timed by the kernel's benchmarks now: %s", notebookBench)
		}
		if !slices.Contains(benchGroupNames(), f) {
			return nil, usageErrorf("--only: unknown row group %q: use a comma-separated list of %s", f, strings.Join(benchGroupNames(), ", "))
		}
		want[f] = true
	}
	if len(want) == 0 {
		return nil, usageErrorf("--only: no row group given: use a comma-separated list of %s", strings.Join(benchGroupNames(), ", "))
	}
	var out []benchGroup
	for _, g := range benchGroups {
		if want[g.name] {
			out = append(out, g)
		}
	}
	return out, nil
}

// runBench runs the cases of groups and returns their rows and the number that failed.
func runBench(o *benchOpts, groups []benchGroup) (rows []benchRow, failed int) {
	for _, g := range groups {
		for _, c := range g.cases(o) {
			r := benchRow{what: c.what, config: c.config, torch: c.torch}
			fmt.Fprintf(o.log, "logah bench: %s: %s\n", c.what, c.config)
			if err := c.run(o, &r); err != nil {
				r.time, r.mem = "error: "+oneLine(err), ""
				failed++
			}
			rows = append(rows, r)
		}
	}
	return rows, failed
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// machineLine describes the machine (CPU, load) and the build (Go, simd, backend) in two lines.
func machineLine() string {
	load := ""
	if l := machine.LoadAverage(); l != "" {
		load = ", load average " + l
	}
	return fmt.Sprintf("machine: %s, %d CPUs (GOMAXPROCS %d), %s/%s%s\nbuild:   %s, GOEXPERIMENT simd %s, backend %s",
		machine.CPUModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, load, runtime.Version(), machine.OnOff(machine.SIMD), backendName())
}

// backendName names the compute backend and, for the Go backend, its options.
func backendName() string {
	b, err := backend.Default()
	if err != nil {
		return "unavailable (" + oneLine(err) + ")"
	}
	if spec := os.Getenv("GOMLX_BACKEND"); spec != "" && spec != "go" {
		return b.Name() + " (GOMLX_BACKEND=" + spec + ")"
	}
	return b.Name() + ", " + backend.Engine().String()
}

func printBenchTable(w io.Writer, rows []benchRow, vsTorch bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if vsTorch {
		fmt.Fprintln(tw, "what\tsize / config\ttime\tpeak memory\tPyTorch\tours ÷ PyTorch")
	} else {
		fmt.Fprintln(tw, "what\tsize / config\ttime\tpeak memory")
	}
	for _, r := range rows {
		cells := []string{r.what, r.config, r.time, orDash(r.mem)}
		if vsTorch {
			cells = append(cells, orDash(r.torchTime), orDash(r.ratio))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// ---- timing helpers ----

// budget bounds the repetitions of a measurement: at least min, at most max, and no new one
// once min are done and they took d in all.
type budget struct {
	min, max int
	d        time.Duration
}

// once is a single repetition.
var once = budget{1, 1, 0}

func (b budget) done(n int, spent time.Duration) bool {
	return n >= b.max || (n >= b.min && spent >= b.d)
}

// budget returns full, or quick with --quick.
func (o *benchOpts) budget(full, quick budget) budget {
	if o.quick {
		return quick
	}
	return full
}

// timeReps runs fn within b and returns the median wall time and the number of runs.
func timeReps(b budget, fn func() error) (time.Duration, int, error) {
	var ds []time.Duration
	var spent time.Duration
	for !b.done(len(ds), spent) {
		t0 := time.Now()
		if err := fn(); err != nil {
			return 0, len(ds), err
		}
		ds = append(ds, time.Since(t0))
		spent += ds[len(ds)-1]
	}
	return median(ds), len(ds), nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// fmtDur prints a duration with 3 significant digits in ms or s.
func fmtDur(d time.Duration) string {
	switch ms := d.Seconds() * 1e3; {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func mparams(a arch.Arch) string { return fmt.Sprintf("%.1f M params", float64(arch.NumParams(a))/1e6) }

// trainFunc runs a training loop of the given number of steps, reporting progress after each.
type trainFunc func(ctx context.Context, steps int, progress func(trainer.Progress)) error

// timeSteps runs train for warm steps (compilation, excluded) and then timed steps within b,
// cancelling the run when they are done, and returns the median step time and the number of
// timed steps. A run that ends by itself has its last step excluded (it evaluates).
func timeSteps(warm int, b budget, train trainFunc) (time.Duration, int, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var steps []time.Duration
	var prev, spent time.Duration
	progress := func(p trainer.Progress) {
		if p.Step == 0 { // an initial evaluation
			return
		}
		steps = append(steps, p.Elapsed-prev)
		prev = p.Elapsed
		if len(steps) > warm {
			spent += steps[len(steps)-1]
			if b.done(len(steps)-warm, spent) {
				cancel()
			}
		}
	}
	err := train(ctx, warm+b.max+1, progress)
	if err != nil && !errors.Is(err, context.Canceled) {
		return 0, 0, err
	}
	if err == nil && len(steps) > 0 {
		steps = steps[:len(steps)-1]
	}
	if len(steps) <= warm {
		return 0, 0, fmt.Errorf("%d steps reported, want more than %d warm-up steps", len(steps), warm)
	}
	return median(steps[warm:]), len(steps) - warm, nil
}

// ---- graphs ----
