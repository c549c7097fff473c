package logah

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/logah-go/logah/internal/atomicfile"
	"github.com/logah-go/logah/logah/experiment"
)

// This file holds what notebooks share that displays nothing: the smoke switch, where a
// notebook keeps its runs, and the smoke sizes of its experiments, so that a notebook's first
// cell holds values only. What they display is in package show.

// SmokeEnv is the environment variable that asks notebooks for small sizes: `kernel nbrun
// --smoke` and the notebook tests set it to 1.
const SmokeEnv = "LOGAH_SMOKE"

// Smoke reports whether LOGAH_SMOKE=1 asks for a smoke run: every notebook then runs in
// seconds to minutes, checking that its cells work rather than producing results.
func Smoke() bool { return os.Getenv(SmokeEnv) == "1" }

// FullOrSmoke returns full, or smoke under LOGAH_SMOKE=1. A notebook's first cell sizes its
// runs with it, e.g. `var steps = logah.FullOrSmoke(150, 6)`.
func FullOrSmoke[T any](full, smoke T) T {
	if Smoke() {
		return smoke
	}
	return full
}

// NotebookRunDir is where a notebook keeps the run or file name: RunsDir()/NOTEBOOK/NAME, or
// RunsDir()/NOTEBOOK-smoke/NAME under LOGAH_SMOKE=1, so that a smoke run never overwrites
// nor resumes the results of a full one. notebook is the notebook's number ("03"), by which
// other notebooks find its runs too.
func NotebookRunDir(notebook, name string) string {
	if Smoke() {
		notebook += "-smoke"
	}
	return filepath.Join(RunsDir(), notebook, name)
}

// NotebookGHNTraining returns the hypernetwork training s as a notebook runs it: kept in
// NotebookRunDir(notebook, name) and resumed from its checkpoints when a cell runs again
// (a finished run is only loaded). Under LOGAH_SMOKE=1 it is a smoke test that starts afresh
// instead: 2 steps (1 of warm-up), one evaluation at the end on 100 test images (2 validation
// batches for text), no checkpoints along the way.
func NotebookGHNTraining(notebook, name string, s experiment.GHNTraining) experiment.GHNTraining {
	s.OutDir, s.Resume = NotebookRunDir(notebook, name), !Smoke()
	if Smoke() {
		s.Steps, s.WarmupSteps, s.EvalEvery, s.MaxEval, s.CheckpointEvery = 2, 1, 0, 100, 0
	}
	return s
}

// NotebookComparison returns the comparison c as a notebook runs it: every finished run saved
// to NotebookRunDir(notebook, file), unless file is "" (c.Resume decides whether a later
// session takes them back instead of running them again), and the run in progress
// checkpointed every 200 steps in the directory beside it named FILE-ckpt (without .json), so
// that with c.Resume a run stopped with the kernel continues where it stopped. Under LOGAH_SMOKE=1 it is a smoke test that starts afresh
// instead: the first architecture, one seed, 2 steps (or one epoch of 128 images), 100 test
// images or 2 validation batches, evaluations only at the start and the end.
func NotebookComparison(notebook, file string, c experiment.Comparison) experiment.Comparison {
	if file != "" {
		c.SaveTo = NotebookRunDir(notebook, file)
	}
	if !Smoke() {
		if file != "" && c.CheckpointDir == "" { // a long run stopped with the kernel continues when resumed
			c.CheckpointDir, c.CheckpointEvery = NotebookRunDir(notebook, strings.TrimSuffix(file, ".json")+"-ckpt"), 200
		}
		return c
	}
	c.Resume, c.Seeds, c.EvalEvery = false, 1, 0
	if len(c.Archs) > 1 {
		c.Archs = c.Archs[:1]
	}
	if c.Steps > 0 {
		c.Steps = 2
	}
	if c.Data.IsText() {
		c.MaxEval = 2
	} else {
		c.MaxTrain, c.MaxEval = 128, 100
	}
	return c
}

// ShippedRuns lets a notebook read back the runs that the repository ships instead of making
// them again: it copies the results file shipped (a compare --out file kept beside a pretrained
// hypernetwork) to NotebookRunDir(notebook, file), unless a file is already there, so that the
// notebook's comparison, resuming, finds them. Under LOGAH_SMOKE=1 it does nothing: a smoke
// run makes its own small runs. Remove runs/NOTEBOOK/FILE to make the runs again.
func ShippedRuns(shipped, notebook, file string) error {
	if Smoke() {
		return nil
	}
	dst := NotebookRunDir(notebook, file)
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	if _, err := experiment.ReadRuns(shipped); err != nil {
		return fmt.Errorf("shipped runs: %w", err)
	}
	data, err := os.ReadFile(shipped)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(dst, data)
}

// NotebookSweep returns the learning-rate sweep s as a notebook runs it: one results file per
// rate in NotebookRunDir(notebook, dir), and its comparison shrunk as NotebookComparison does
// under LOGAH_SMOKE=1.
func NotebookSweep(notebook, dir string, s experiment.LRSweep) experiment.LRSweep {
	s.Dir = NotebookRunDir(notebook, dir)
	s.Comparison = NotebookComparison(notebook, "", s.Comparison)
	return s
}

// OpenInits opens the initialisations names, in order: "random" (PyTorch's initialisers, the
// zero experiment.Init) or the hypernetwork in dirs[name] (LoadGHN), whose predictions are the
// parameters. Close them with [CloseInits].
func OpenInits(names []string, dirs map[string]string) ([]experiment.Init, error) {
	var inits []experiment.Init
	for _, name := range names {
		dir, ok := dirs[name]
		if !ok || dir == "" {
			if name != "random" {
				CloseInits(inits)
				return nil, fmt.Errorf("initialisation %q: no hypernetwork directory in dirs (only \"random\" needs none)", name)
			}
			inits = append(inits, experiment.Init{Name: name})
			continue
		}
		g, err := LoadGHN(dir)
		if err != nil {
			CloseInits(inits)
			return nil, fmt.Errorf("initialisation %q: %w: train it first (runs/NN/… is written by notebook NN; or logah train-ghn --out %s)", name, err, dir)
		}
		inits = append(inits, experiment.Init{Name: name, GHN: g})
	}
	return inits, nil
}

// CloseInits closes the hypernetworks of initialisations (those with a GHN), for a cell that
// opened them for a comparison: `defer logah.CloseInits(c.Inits)`.
func CloseInits(inits []experiment.Init) {
	for _, in := range inits {
		if in.GHN != nil {
			in.GHN.Close()
		}
	}
}
