package logah

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/experiment"
)

func TestSmokeSwitchesSizesAndDirectories(t *testing.T) {
	runs := t.TempDir()
	t.Setenv("LOGAH_RUNS", runs)

	t.Setenv(SmokeEnv, "")
	if Smoke() || FullOrSmoke(1300, 2) != 1300 {
		t.Fatal("without LOGAH_SMOKE a notebook must get its full sizes")
	}
	if got, want := NotebookRunDir("03", "logah"), filepath.Join(runs, "03", "logah"); got != want {
		t.Errorf("full run directory %s, want %s", got, want)
	}

	t.Setenv(SmokeEnv, "1")
	if !Smoke() || FullOrSmoke("gpt2-large", "gpt2") != "gpt2" {
		t.Fatal("LOGAH_SMOKE=1 must select the smoke sizes")
	}
	if got, want := NotebookRunDir("03", "logah"), filepath.Join(runs, "03-smoke", "logah"); got != want {
		t.Errorf("smoke run directory %s, want %s: a smoke run must not touch the full results", got, want)
	}
}

func TestNotebookGHNTrainingResumesFullRunsOnly(t *testing.T) {
	t.Setenv("LOGAH_RUNS", t.TempDir())
	s := experiment.DefaultGHNTraining("vits-mini")
	s.Steps, s.EvalEvery, s.MaxEval = 1300, 325, 2000

	t.Setenv(SmokeEnv, "")
	full := NotebookGHNTraining("03", "ghn3", s)
	if !full.Resume || full.Steps != 1300 || full.EvalEvery != 325 || full.OutDir != NotebookRunDir("03", "ghn3") {
		t.Errorf("full training %+v: want the budget as given, resumed, in runs/03/ghn3", full.GHNTrainConfig)
	}

	t.Setenv(SmokeEnv, "1")
	smoke := NotebookGHNTraining("03", "ghn3", s)
	if smoke.Resume || smoke.Steps != 2 || smoke.EvalEvery != 0 || smoke.CheckpointEvery != 0 || smoke.MaxEval != 100 ||
		filepath.Base(filepath.Dir(smoke.OutDir)) != "03-smoke" {
		t.Errorf("smoke training %+v (max eval %d): want 2 steps afresh in runs/03-smoke", smoke.GHNTrainConfig, smoke.MaxEval)
	}
}

func TestNotebookComparisonShrinksUnderSmoke(t *testing.T) {
	t.Setenv("LOGAH_RUNS", t.TempDir())
	a, b := arch.ViT{Depth: 1}, arch.ViT{Depth: 2}
	c := experiment.DefaultComparison()
	c.Archs, c.Seeds, c.MaxTrain, c.MaxEval, c.EvalEvery, c.Resume = []arch.Arch{a, b}, 3, 6400, 2000, 40, true

	t.Setenv(SmokeEnv, "")
	full := NotebookComparison("04", "paper.json", c)
	if len(full.Archs) != 2 || full.Seeds != 3 || full.MaxTrain != 6400 || !full.Resume || full.SaveTo != NotebookRunDir("04", "paper.json") {
		t.Errorf("full comparison changed: %+v", full)
	}
	if full.CheckpointDir != NotebookRunDir("04", "paper-ckpt") || full.CheckpointEvery != 200 {
		t.Errorf("a full comparison checkpoints its run in progress in %q every %d steps, want %q every 200", full.CheckpointDir, full.CheckpointEvery, NotebookRunDir("04", "paper-ckpt"))
	}

	t.Setenv(SmokeEnv, "1")
	smoke := NotebookComparison("04", "paper.json", c)
	if len(smoke.Archs) != 1 || smoke.Seeds != 1 || smoke.MaxTrain != 128 || smoke.MaxEval != 100 || smoke.EvalEvery != 0 || smoke.Resume {
		t.Errorf("smoke image comparison: %+v", smoke)
	}
	if smoke.CheckpointDir != "" {
		t.Errorf("a smoke comparison checkpoints into %q", smoke.CheckpointDir)
	}
	c.Data.Name, c.Steps = "text", 60
	text := NotebookComparison("05", "compare.json", c)
	if text.Steps != 2 || text.MaxEval != 2 || text.MaxTrain != 6400 {
		t.Errorf("smoke text comparison: steps %d, max eval %d, max train %d", text.Steps, text.MaxEval, text.MaxTrain)
	}
	if len(c.Archs) != 2 {
		t.Error("NotebookComparison changed its argument's architecture list")
	}
}

func TestNotebookSweepKeepsItsRatesAndShrinksUnderSmoke(t *testing.T) {
	t.Setenv("LOGAH_RUNS", t.TempDir())
	s := experiment.LRSweep{Comparison: experiment.DefaultComparison(), LRs: []float64{1e-4, 1e-3}}
	s.Archs, s.Seeds, s.Resume = []arch.Arch{arch.ViT{Depth: 1}, arch.ViT{Depth: 2}}, 3, true
	t.Setenv(SmokeEnv, "")
	if full := NotebookSweep("04", "sweep", s); full.Dir != NotebookRunDir("04", "sweep") || len(full.Archs) != 2 || !full.Resume || full.SaveTo != "" {
		t.Errorf("full sweep: %+v", full)
	}
	t.Setenv(SmokeEnv, "1")
	smoke := NotebookSweep("04", "sweep", s)
	if smoke.Dir != NotebookRunDir("04", "sweep") || !strings.Contains(smoke.Dir, "04-smoke") || len(smoke.Archs) != 1 || smoke.Seeds != 1 || len(smoke.LRs) != 2 {
		t.Errorf("smoke sweep: %+v", smoke)
	}
}

func TestOpenInitsOpensHypernetworksAndNamesTheMissingOnes(t *testing.T) {
	inits, err := OpenInits([]string{"random", "logah"}, map[string]string{"logah": PretrainedGHN()})
	if err != nil {
		t.Fatal(err)
	}
	defer CloseInits(inits)
	if len(inits) != 2 || inits[0].Name != "random" || inits[0].GHN != nil || inits[1].Name != "logah" || inits[1].GHN == nil {
		t.Fatalf("inits %+v: want random, then logah with its hypernetwork", inits)
	}

	missing := filepath.Join(t.TempDir(), "03", "ghn3")
	if _, err := OpenInits([]string{"random", "ghn3"}, map[string]string{"ghn3": missing}); err == nil ||
		!strings.Contains(err.Error(), "train it first") || !strings.Contains(err.Error(), missing) {
		t.Errorf("a hypernetwork not trained yet: %v", err)
	}
	if _, err := OpenInits([]string{"logha"}, map[string]string{"logah": PretrainedGHN()}); err == nil || !strings.Contains(err.Error(), `"logha"`) {
		t.Errorf("a misspelt initialisation must not silently become random: %v", err)
	}
}

// A full-size notebook reads back the runs the repository ships: ShippedRuns puts a copy where
// the notebook's comparison resumes from, never over runs the notebook already has, and not at
// all under smoke (whose runs are its own).
func TestShippedRunsSeedsTheNotebooksResultsFile(t *testing.T) {
	t.Setenv("LOGAH_RUNS", t.TempDir())
	t.Setenv(SmokeEnv, "")
	shipped := filepath.Join(t.TempDir(), "compare-best.json")
	runs := []experiment.Run{{Arch: "a", Init: "random", Seed: 1, Final: map[string]float64{"accuracy": 0.8}}}
	if err := experiment.WriteRuns(shipped, runs); err != nil {
		t.Fatal(err)
	}
	if err := ShippedRuns(shipped, "04", "best.json"); err != nil {
		t.Fatal(err)
	}
	got, err := experiment.ReadRuns(NotebookRunDir("04", "best.json"))
	if err != nil || len(got) != 1 || got[0].Final["accuracy"] != 0.8 {
		t.Fatalf("the notebook's file holds %+v, %v", got, err)
	}
	runs[0].Final["accuracy"] = 0.9 // the notebook's own file stays
	if err := experiment.WriteRuns(shipped, runs); err != nil {
		t.Fatal(err)
	}
	if err := ShippedRuns(shipped, "04", "best.json"); err != nil {
		t.Fatal(err)
	}
	if got, _ := experiment.ReadRuns(NotebookRunDir("04", "best.json")); got[0].Final["accuracy"] != 0.8 {
		t.Fatal("ShippedRuns replaced the notebook's own runs")
	}
	if err := ShippedRuns(filepath.Join(t.TempDir(), "none.json"), "04", "other.json"); err == nil || !strings.Contains(err.Error(), "none.json") {
		t.Fatalf("a missing shipped file: %v", err)
	}
	t.Setenv(SmokeEnv, "1")
	if err := ShippedRuns(shipped, "04", "best.json"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(NotebookRunDir("04", "best.json")); !os.IsNotExist(err) {
		t.Fatalf("smoke seeded its own runs directory: %v", err)
	}
}
