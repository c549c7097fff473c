package experiment

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
)

// sweepRun is a finished run of a sweep: initialisation init on architecture a with seed 1 at
// learning rate lr, ending at accuracy (or perplexity) value.
func sweepRun(init, a string, lr float64, metric string, value float64) Run {
	return Run{Arch: a, Init: init, Seed: 1, Final: map[string]float64{metric: value}, Protocol: Protocol{Data: "fashion-mnist", LR: lr}}
}

func TestBestLRsChoosesEachInitialisationsBestMean(t *testing.T) {
	var runs []Run
	// random is best at 1e-3 on average although 3e-3 wins on architecture a; logah at 3e-4.
	for _, r := range []struct {
		init string
		lr   float64
		a, b float64
	}{
		{"random", 3e-4, 0.70, 0.72}, {"random", 1e-3, 0.80, 0.82}, {"random", 3e-3, 0.90, 0.60},
		{"logah", 3e-4, 0.85, 0.86}, {"logah", 1e-3, 0.84, 0.83}, {"logah", 3e-3, 0.50, 0.40},
	} {
		runs = append(runs, sweepRun(r.init, "a", r.lr, "accuracy", r.a), sweepRun(r.init, "b", r.lr, "accuracy", r.b))
	}
	choices, err := BestLRs(runs, "accuracy", "logah", "random")
	if err != nil {
		t.Fatal(err)
	}
	if choices[0].Init != "logah" || choices[0].Best.LR != 3e-4 || choices[1].Best.LR != 1e-3 || choices[1].Best.Runs != 2 {
		t.Fatalf("choices %+v: want logah at 3e-4, random at 1e-3", choices)
	}
	if rates := choices[1].Rates; len(rates) != 3 || rates[0].LR != 3e-4 || rates[2].LR != 3e-3 || rates[2].After.Mean != 0.75 {
		t.Fatalf("random's rates %+v: want 3e-4, 1e-3, 3e-3 in order with their means", rates)
	}

	if note := choices[1].EdgeNote(); note != "" {
		t.Errorf("random's best rate lies inside the grid, yet: %q", note)
	}
	if note := choices[0].EdgeNote(); !strings.Contains(note, "logah: the best rate 0.0003 is the smallest tried; try smaller rates") {
		t.Errorf("logah's best rate is the smallest tried: %q", note)
	}
	top := LRChoice{Init: "random", Rates: choices[1].Rates, Best: choices[1].Rates[2]}
	if note := top.EdgeNote(); !strings.Contains(note, "the best rate 0.003 is the largest tried; try larger rates") {
		t.Errorf("best rate at the top of the grid: %q", note)
	}

	inits, err := WithBestLRs([]Init{{Name: "random"}, {Name: "logah"}}, choices)
	if err != nil || inits[0].LR != 1e-3 || inits[1].LR != 3e-4 {
		t.Fatalf("WithBestLRs: %+v, %v", inits, err)
	}
	if _, err := WithBestLRs([]Init{{Name: "ghn3"}}, choices); err == nil || !strings.Contains(err.Error(), `"ghn3" was not swept`) {
		t.Errorf("an initialisation outside the sweep: %v", err)
	}

	// Perplexity: lower is better.
	ppl := []Run{sweepRun("random", "a", 1e-3, "perplexity", 30), sweepRun("random", "a", 3e-3, "perplexity", 25)}
	if c, err := BestLRs(ppl, "perplexity"); err != nil || c[0].Best.LR != 3e-3 {
		t.Errorf("perplexity sweep: %+v, %v: want 3e-3, the lower perplexity", c, err)
	}

	// An unfinished rate is not judged on fewer architectures.
	if _, err := BestLRs(runs[:len(runs)-1], "accuracy", "logah"); err == nil || !strings.Contains(err.Error(), "finish the sweep") {
		t.Errorf("unfinished sweep: %v", err)
	}
	if _, err := BestLRs(runs, "accuracy", "ghn3"); err == nil || !strings.Contains(err.Error(), `no runs of initialisation "ghn3"`) {
		t.Errorf("an initialisation without runs: %v", err)
	}
}

// TestSweepLRThenCompareAtTheBestRates runs a two-rate sweep on a validation split, resumes it
// without training again, and fine-tunes at the chosen rate: the path of `logah sweep-lr` and
// `logah compare --lr-from`.
func TestSweepLRThenCompareAtTheBestRates(t *testing.T) {
	needFashionMNIST(t)
	s := LRSweep{Comparison: DefaultComparison(), LRs: []float64{1e-4, 3e-3}, Dir: t.TempDir()}
	s.Archs, s.Inits = []arch.Arch{tinyViT}, []Init{{Name: "random"}}
	s.Seeds, s.Steps, s.MaxTrain, s.MaxEval, s.Batch = 2, 3, 64, 0, 16
	if _, err := SweepLR(context.Background(), s, nil); err == nil || !strings.Contains(err.Error(), "--validation") {
		t.Fatalf("a sweep on the test set: %v", err)
	}
	s.Data.Validation = 500
	runs, err := SweepLR(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 || runs[0].Protocol.LR != 1e-4 || runs[3].Protocol.LR != 3e-3 || runs[0].Protocol.Validation != 500 {
		t.Fatalf("%d runs, first %+v", len(runs), runs[0].Protocol)
	}
	for _, lr := range s.LRs {
		if _, err := os.Stat(s.File(lr)); err != nil {
			t.Fatalf("rate %g: %v", lr, err)
		}
	}
	s.Resume = true
	trained := 0
	again, err := SweepLR(context.Background(), s, func(float64, RunProgress) { trained++ })
	if err != nil || trained != 0 || len(again) != 4 || again[3].Final["loss"] != runs[3].Final["loss"] {
		t.Fatalf("resuming the finished sweep trained %d steps: %v", trained, err)
	}
	read, err := ReadSweep(s.Dir)
	if err != nil || len(read) != 4 {
		t.Fatalf("ReadSweep: %d runs, %v", len(read), err)
	}
	choices, err := BestLRs(read, "accuracy")
	if err != nil {
		t.Fatal(err)
	}

	c := s.Comparison
	c.Data.Validation, c.Seeds, c.Resume = 0, 1, false
	if c.Inits, err = WithBestLRs(c.Inits, choices); err != nil {
		t.Fatal(err)
	}
	final, err := Compare(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := final[0].Protocol; p.LR != choices[0].Best.LR || p.Validation != 0 {
		t.Fatalf("the comparison ran at %+v, want the sweep's best rate %g on the test set", p, choices[0].Best.LR)
	}
}

func TestBeyondEdgeStepsOnePastTheGrid(t *testing.T) {
	grid := func(best float64, lrs ...float64) LRChoice {
		c := LRChoice{Init: "ghn3"}
		for _, lr := range lrs {
			c.Rates = append(c.Rates, LRResult{LR: lr, Runs: 8})
		}
		c.Best, _ = c.At(best)
		return c
	}
	halfDecades := []float64{3e-4, 1e-3, 3e-3, 1e-2}
	for _, tc := range []struct {
		choice LRChoice
		want   float64
	}{
		{grid(1e-2, halfDecades...), 3e-2},   // GHN-3's sweep: 1e-2 was the largest, 3e-2 came next
		{grid(3e-4, halfDecades...), 1e-4},   // 3e-4 / (1e-3 / 3e-4) = 9e-5, rounded to 1e-4
		{grid(1e-3, 1e-4, 1e-3), 1e-2},       // a decade grid goes on by decades
		{grid(3e-2, 1e-2, 2e-2, 3e-2), 5e-2}, // 4.5e-2 is nearest 5e-2
	} {
		got, ok := tc.choice.BeyondEdge()
		if !ok || got != tc.want {
			t.Errorf("best %g of %v: BeyondEdge %g, %v; want exactly %g", tc.choice.Best.LR, tc.choice.Rates, got, ok, tc.want)
		}
	}
	if lr, ok := grid(3e-3, halfDecades...).BeyondEdge(); ok {
		t.Errorf("a best rate inside the grid got a rate beyond it: %g", lr)
	}
	if lr, ok := grid(1e-3, 1e-3).BeyondEdge(); ok {
		t.Errorf("a single rate has no grid to extend, got %g", lr)
	}
	if f := (LRSweep{Dir: "d"}).File(3e-2); f != filepath.Join("d", "lr0.03.json") {
		t.Errorf("the rate beyond the edge names its file %s", f)
	}
}

// A sweep with ExtendEdges runs the rate beyond the edge where the best lies, into its own file,
// and a resumed sweep finds it there.
func TestSweepLRExtendsTheGridAtItsEdge(t *testing.T) {
	needFashionMNIST(t)
	s := LRSweep{Comparison: DefaultComparison(), LRs: []float64{1e-4, 3e-3}, Dir: t.TempDir(), ExtendEdges: 1}
	s.Archs, s.Inits = []arch.Arch{tinyViT}, []Init{{Name: "random"}}
	s.Seeds, s.Steps, s.MaxTrain, s.MaxEval, s.Batch, s.Data.Validation = 1, 2, 32, 64, 16, 200
	runs, err := SweepLR(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	// With two rates the best is always at an edge: one more rate runs.
	grid, err := BestLRs(runs[:2], "accuracy")
	if err != nil {
		t.Fatal(err)
	}
	beyond, _ := grid[0].BeyondEdge()
	if len(runs) != 3 || runs[2].Protocol.LR != beyond {
		t.Fatalf("%d runs, the last at lr %g: want 3, the last at %g (best of the grid %g)", len(runs), runs[len(runs)-1].Protocol.LR, beyond, grid[0].Best.LR)
	}
	if _, err := os.Stat(s.File(beyond)); err != nil {
		t.Fatalf("the rate beyond the edge has no results file: %v", err)
	}
	s.Resume = true
	trained := 0
	again, err := SweepLR(context.Background(), s, func(float64, RunProgress) { trained++ })
	if err != nil || trained != 0 || len(again) != 3 {
		t.Fatalf("resuming the extended sweep: %d runs, %d steps trained, %v", len(again), trained, err)
	}
	s.ExtendEdges = -1
	if _, err := SweepLR(context.Background(), s, nil); err == nil || !strings.Contains(err.Error(), "--extend-edges") {
		t.Errorf("a negative ExtendEdges: %v", err)
	}
}

func TestProtocolTellsValidationFromTest(t *testing.T) {
	c := DefaultComparison()
	test := c.Protocol()
	c.Data.Validation = 10000
	if val := c.Protocol(); val == test || !strings.Contains(val.String(), "validation: the last 10000 training images") {
		t.Fatalf("validation protocol %v equals the test one or does not say so", val)
	}
	c.Data.Name = "text"
	if got := c.Protocol().String(); !strings.HasPrefix(got, "text (Go source) bytes 4194304 bytes (validation: the last 10000 training tokens)") {
		t.Fatalf("text protocol reads %q", got)
	}
	own := Init{Name: "logah", LR: 3e-4}
	if p := c.ProtocolOf(own); p.LR != 3e-4 || c.ProtocolOf(Init{Name: "random"}).LR != c.LR {
		t.Fatalf("ProtocolOf: %+v", p)
	}
}

func TestSweepRowsLeaveGapsWhereAGridDiffers(t *testing.T) {
	runs := []Run{
		sweepRun("random", "a", 1e-3, "accuracy", 0.80), sweepRun("random", "a", 3e-3, "accuracy", 0.82),
		sweepRun("ghn3", "a", 3e-3, "accuracy", 0.78), sweepRun("ghn3", "a", 1e-2, "accuracy", 0.70),
	}
	choices, err := BestLRs(runs, "accuracy")
	if err != nil {
		t.Fatal(err)
	}
	columns, rows := SweepRows(choices, "accuracy")
	if want := []string{"initialisation", "runs per rate", "lr 0.001", "lr 0.003", "lr 0.01", "best lr"}; !slices.Equal(columns, want) {
		t.Fatalf("columns %q, want %q", columns, want)
	}
	if want := []string{"random", "1", "80.00% ± 0.00", "82.00% ± 0.00", "—", "0.003"}; !slices.Equal(rows[0], want) {
		t.Errorf("random's row %q, want %q", rows[0], want)
	}
	if want := []string{"ghn3", "1", "—", "78.00% ± 0.00", "70.00% ± 0.00", "0.003"}; !slices.Equal(rows[1], want) {
		t.Errorf("ghn3's row %q, want %q", rows[1], want)
	}
}
