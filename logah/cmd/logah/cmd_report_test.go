package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/experiment"
	"github.com/logah-go/logah/logah/trainer"
)

// TestReportTabulatesSavedRuns reports two results files (two processes' runs of one
// comparison): the summary, the paired difference over the shared (architecture, seed) pairs,
// and the per-architecture table.
func TestReportTabulatesSavedRuns(t *testing.T) {
	dir := t.TempDir()
	p := experiment.Protocol{Data: "fashion-mnist", Epochs: 1, Batch: 64, LR: 3e-3, MinLRFactor: 0.01}
	run := func(a, init string, seed uint64, acc float64) experiment.Run {
		return experiment.Run{Arch: a, Init: init, Seed: seed, Protocol: p,
			Initial: map[string]float64{"accuracy": 0.1}, Final: map[string]float64{"accuracy": acc}}
	}
	first, second := filepath.Join(dir, "random.json"), filepath.Join(dir, "logah.json")
	if err := experiment.WriteRuns(first, []experiment.Run{run("A", "random", 1, 0.80), run("A", "random", 2, 0.82), run("B", "random", 1, 0.70)}); err != nil {
		t.Fatal(err)
	}
	if err := experiment.WriteRuns(second, []experiment.Run{run("A", "logah", 1, 0.84), run("A", "logah", 2, 0.85), run("B", "logah", 1, 0.75)}); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI("report", "--by-arch", second, first) // random is the baseline wherever it comes
	if code != 0 {
		t.Fatalf("report: code %d: %s", code, stderr)
	}
	for _, want := range []string{
		"random: fashion-mnist, batch 64, lr 0.003",
		"accuracy after 1 epoch",
		"logah − random: +4.00 [", // pairs (A,1) +4, (A,2) +3, (B,1) +5
		"3 pairs",
		"A             81.00% ± 1.41 (2)  84.50% ± 0.71 (2)",
		"B             70.00%             75.00%",
		"logah − random",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = runCLI("report", "--inits", "logah,random", first, second)
	if code != 0 || !strings.Contains(out, "random − logah: -4.00") {
		t.Errorf("--inits logah,random pairs with logah first: code %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "usage: logah report"},
		{[]string{"report", "--baseline", "ghn3", first}, `--baseline "ghn3": not among`},
		{[]string{"report", filepath.Join(dir, "none.json")}, "no such file"},
	} {
		code, _, stderr := runCLI(c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: code %d, stderr %q: want %q", c.args, code, stderr, c.want)
		}
	}
}

// TestReportOfASweepDirectory reports a sweep-lr directory: the sweep table with each
// initialisation's best rate, then every rate's runs with their paired differences; a rate that
// only one initialisation reached (a grid extended at its edge) is reported alone.
func TestReportOfASweepDirectory(t *testing.T) {
	dir := t.TempDir()
	run := func(a, init string, lr, acc float64) experiment.Run {
		p := experiment.Protocol{Data: "fashion-mnist", Validation: 10000, Epochs: 1, Batch: 64, LR: lr, MinLRFactor: 0.01}
		return experiment.Run{Arch: a, Init: init, Seed: 1, Protocol: p,
			Initial: map[string]float64{"accuracy": 0.1}, Final: map[string]float64{"accuracy": acc}}
	}
	s := experiment.LRSweep{Dir: dir}
	for lr, runs := range map[float64][]experiment.Run{
		1e-3: {run("A", "ghn3", 1e-3, 0.75), run("B", "ghn3", 1e-3, 0.74), run("A", "random", 1e-3, 0.80), run("B", "random", 1e-3, 0.70)},
		3e-3: {run("A", "random", 3e-3, 0.82), run("B", "random", 3e-3, 0.74), run("A", "ghn3", 3e-3, 0.77), run("B", "ghn3", 3e-3, 0.76)},
		1e-2: {run("A", "ghn3", 1e-2, 0.76), run("B", "ghn3", 1e-2, 0.75)},
	} {
		if err := experiment.WriteRuns(s.File(lr), runs); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runCLI("report", dir)
	if code != 0 {
		t.Fatalf("report DIR: code %d: %s", code, stderr)
	}
	for _, want := range []string{
		"lr 0.001", "lr 0.01", "best lr",
		"random          2              75.00% ± 7.07  78.00% ± 5.66  —", // random was not run at 1e-2
		"peak learning rate 0.003:",
		"ghn3 − random: -1.50 [", // at 3e-3: (A) -5, (B) +2; random is the baseline though ghn3 comes first
		"peak learning rate 0.01:\nghn3: fashion-mnist",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report of a sweep lacks %q:\n%s", want, out)
		}
	}
	if code, _, stderr := runCLI("report", dir, s.File(1e-3)); code == 0 || !strings.Contains(stderr, "report it alone") {
		t.Errorf("a sweep directory beside a file: code %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI("report", "--inits", "logah", dir); code == 0 || !strings.Contains(stderr, `no run of "logah"`) {
		t.Errorf("--inits naming an initialisation the sweep lacks: code %d, %q", code, stderr)
	}
}

// A five-epoch comparison at a constant rate reports as the one-epoch comparison at --at-epoch 1;
// one under a cosine schedule is refused with the reason.
func TestReportAtEpoch(t *testing.T) {
	dir := t.TempDir()
	p := experiment.Protocol{Data: "fashion-mnist", Epochs: 5, Batch: 32, LR: 4e-5, MinLRFactor: 1}
	run := func(init string, seed uint64, acc1, acc5 float64) experiment.Run {
		curve := []trainer.Record{{Step: 0, Split: "eval", Values: map[string]float64{"accuracy": 0.1}},
			{Step: 10, Split: "eval", Values: map[string]float64{"accuracy": acc1}},
			{Step: 50, Split: "eval", Values: map[string]float64{"accuracy": acc5}}}
		return experiment.Run{Arch: "A", Init: init, Seed: seed, Protocol: p, Steps: 50, Curve: curve,
			Initial: curve[0].Values, Final: curve[2].Values}
	}
	path := filepath.Join(dir, "authors5.json")
	if err := experiment.WriteRuns(path, []experiment.Run{run("random", 1, 0.60, 0.80), run("random", 2, 0.62, 0.81),
		run("logah", 1, 0.70, 0.84), run("logah", 2, 0.72, 0.85)}); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI("report", "--at-epoch", "1", path)
	if code != 0 || !strings.Contains(out, "accuracy after 1 epoch") || !strings.Contains(out, "logah − random: +10.00") {
		t.Fatalf("--at-epoch 1: code %d, stderr %q\n%s", code, stderr, out)
	}
	p.MinLRFactor = 0.01
	cosine := filepath.Join(dir, "best5.json")
	if err := experiment.WriteRuns(cosine, []experiment.Run{run("random", 1, 0.60, 0.80)}); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI("report", "--at-epoch", "1", cosine); code == 0 || !strings.Contains(stderr, "depends on the run's length") {
		t.Fatalf("--at-epoch of a cosine run: code %d, stderr %q", code, stderr)
	}
}
