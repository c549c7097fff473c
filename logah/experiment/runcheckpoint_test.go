package experiment

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/filename"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/trainer"
)

// checkpointedComparison is a small comparison whose one run (7 steps, an evaluation every 2,
// a checkpoint every 2 and at the epoch end, step 4) is long enough to be stopped in the middle.
func checkpointedComparison(t *testing.T) Comparison {
	small := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	c := DefaultComparison()
	c.Archs, c.Inits, c.Seeds = []arch.Arch{small}, []Init{{Name: "random"}}, 1
	c.Steps, c.MaxTrain, c.MaxEval, c.Batch, c.EvalEvery = 7, 64, 32, 16, 2
	dir := t.TempDir()
	c.SaveTo, c.CheckpointDir, c.CheckpointEvery = filepath.Join(dir, "runs.json"), filepath.Join(dir, "ckpt"), 2
	return c
}

// withoutTimes drops what differs between an interrupted and an uninterrupted run by design:
// the seconds in the curve (they restart when a run resumes).
func withoutTimes(r Run) Run {
	r.Curve = append([]trainer.Record(nil), r.Curve...)
	for i := range r.Curve {
		r.Curve[i].Time = 0
	}
	return r
}

// TestCompareContinuesAKilledRun stops a comparison's run as a killed process would leave it
// (its last checkpoint at step 4, the metrics log past it), then resumes the comparison: the
// run continues from step 5 and ends with exactly the numbers of a run never stopped, its
// whole curve included; once saved, its checkpoint directory is gone.
func TestCompareContinuesAKilledRun(t *testing.T) {
	needFashionMNIST(t)
	plain := checkpointedComparison(t)
	plain.CheckpointDir = ""
	want, err := Compare(context.Background(), plain, nil)
	if err != nil {
		t.Fatal(err)
	}

	c := checkpointedComparison(t)
	runDir := filepath.Join(c.CheckpointDir, filename.Safe(c.Archs[0].String(), '_')+"-random-seed1")
	killedAt := filepath.Join(t.TempDir(), "killed")
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Compare(ctx, c, func(p RunProgress) {
		if p.Step == 5 { // as a kill would leave it: checkpoint of step 4, log of step 5
			if out, err := exec.Command("cp", "-r", runDir, killedAt).CombinedOutput(); err != nil {
				t.Fatalf("copying the run's directory: %v: %s", err, out)
			}
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped comparison: %v", err)
	}
	if _, err := os.Stat(c.SaveTo); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a stopped run reached the results file: %v", err)
	}
	if err := os.RemoveAll(runDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(killedAt, runDir); err != nil {
		t.Fatal(err)
	}

	c.Resume = true
	var steps []int
	got, err := Compare(context.Background(), c, func(p RunProgress) { steps = append(steps, p.Step) })
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) == 0 || steps[0] != 5 {
		t.Fatalf("the resumed run made steps %v, want 5, 6, 7", steps)
	}
	if len(got) != 1 || !reflect.DeepEqual(withoutTimes(got[0]), withoutTimes(want[0])) {
		t.Fatalf("resumed run\n%+v\nwant the uninterrupted\n%+v", got, want)
	}
	if _, err := os.Stat(runDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the saved run's checkpoint directory is still there: %v", err)
	}
}

// TestCompareRefusesAnotherRunsCheckpoint resumes into a checkpoint directory started under
// another learning rate: the comparison says which directory to remove instead of continuing
// a run that is not this one; without Resume the run starts over.
func TestCompareRefusesAnotherRunsCheckpoint(t *testing.T) {
	needFashionMNIST(t)
	c := checkpointedComparison(t)
	c.SaveTo = "" // the run's directory stays
	if _, err := Compare(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	c.LR, c.Resume = 3e-3, true
	c.SaveTo = filepath.Join(t.TempDir(), "runs.json")
	_, err := Compare(context.Background(), c, nil)
	if err == nil || !strings.Contains(err.Error(), "not of this run") || !strings.Contains(err.Error(), "remove it") {
		t.Fatalf("resuming another run's checkpoint: %v", err)
	}
	c.Resume = false
	if _, err := Compare(context.Background(), c, nil); err != nil {
		t.Fatalf("starting over: %v", err)
	}
}
