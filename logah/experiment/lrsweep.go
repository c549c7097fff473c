package experiment

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// LRSweep runs a comparison once per peak learning rate, so that each initialisation can then
// be fine-tuned at its own best rate (BestLRs, Init.LR) rather than at one rate chosen for
// another: `logah sweep-lr`. The sweep evaluates on a validation split cut from the training data
// (Data.Validation), never on the test split that the final comparison reports.
type LRSweep struct {
	// Comparison is what runs at every rate; its LR and SaveTo are replaced by each rate and
	// its file, and its Resume resumes every rate's file.
	Comparison
	// LRs are the peak learning rates, run in this order.
	LRs []float64
	// Dir holds one results file per rate, File(lr).
	Dir string
	// ExtendEdges is how many rates SweepLR may add, one at a time, beyond the grid for each
	// initialisation whose best rate is the smallest or the largest tried (LRChoice.BeyondEdge):
	// the rate is run for that initialisation alone, and the next added only if the best is
	// still at the edge. 0 runs the grid only.
	ExtendEdges int
}

// File is the results file of the rate lr in the sweep's directory: lr0.001.json for 1e-3.
func (s LRSweep) File(lr float64) string {
	return filepath.Join(s.Dir, "lr"+strconv.FormatFloat(lr, 'g', -1, 64)+".json")
}

func (s LRSweep) validate() error {
	if s.Dir == "" {
		return fmt.Errorf("learning-rate sweep: no directory for its results (Dir, --out)")
	}
	if len(s.LRs) < 2 {
		return fmt.Errorf("learning-rate sweep: %d rates, give at least two (e.g. --lrs 3e-4,1e-3,3e-3,1e-2)", len(s.LRs))
	}
	for i, lr := range s.LRs {
		if !(lr > 0) || math.IsInf(lr, 0) {
			return fmt.Errorf("learning-rate sweep: rate %g must be positive", lr)
		}
		if slices.Contains(s.LRs[:i], lr) {
			return fmt.Errorf("learning-rate sweep: rate %g is listed twice", lr)
		}
	}
	for _, in := range s.Inits {
		if in.LR != 0 {
			return fmt.Errorf("learning-rate sweep: initialisation %q has its own learning rate %g; a sweep sets the rates", in.Name, in.LR)
		}
	}
	if s.ExtendEdges < 0 {
		return fmt.Errorf("learning-rate sweep: ExtendEdges (--extend-edges) is %d; give 0 (the grid only) or more", s.ExtendEdges)
	}
	if s.Data.Validation <= 0 {
		return fmt.Errorf("learning-rate sweep: choose rates on a validation split, not on the test split the results are reported on: set Data.Validation (--validation 10000: images or tokens held out of training)")
	}
	return nil
}

// SweepLR runs the sweep: Compare at every rate of s.LRs, each saved to s.File(lr) after every
// run (and resumed from it with s.Resume). It returns the runs of all rates; progress sees every
// step with the rate it runs at.
func SweepLR(ctx context.Context, s LRSweep, progress func(lr float64, p RunProgress)) ([]Run, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("learning-rate sweep: %w", err)
	}
	var all []Run
	for _, lr := range s.LRs {
		runs, err := s.runAt(ctx, lr, s.Inits, progress)
		all = append(all, runs...)
		if err != nil {
			return all, fmt.Errorf("learning rate %g: %w", lr, err)
		}
	}
	for range s.ExtendEdges {
		added, err := s.extendEdges(ctx, all, progress)
		all = append(all, added...)
		if err != nil || len(added) == 0 {
			return all, err
		}
	}
	return all, nil
}

// extendEdges runs, for every initialisation of s whose best rate in runs is at the edge of the
// rates it was swept at, the next rate beyond that edge, for that initialisation alone. It returns
// the new runs: none when every best rate lies inside its grid.
func (s LRSweep) extendEdges(ctx context.Context, runs []Run, progress func(lr float64, p RunProgress)) ([]Run, error) {
	choices, err := BestLRs(runs, Metric(s.Data), s.InitNames()...)
	if err != nil {
		return nil, err
	}
	var added []Run
	for _, choice := range choices {
		lr, ok := choice.BeyondEdge()
		if !ok {
			continue
		}
		alone := slices.DeleteFunc(slices.Clone(s.Inits), func(in Init) bool { return in.Name != choice.Init })
		got, err := s.runAt(ctx, lr, alone, progress)
		added = append(added, got...)
		if err != nil {
			return added, fmt.Errorf("learning rate %g beyond the edge of %s's grid: %w", lr, choice.Init, err)
		}
	}
	return added, nil
}

// runAt runs the sweep's comparison from inits at peak rate lr, saved to (and resumed from)
// that rate's file; progress sees every step with the rate.
func (s LRSweep) runAt(ctx context.Context, lr float64, inits []Init, progress func(lr float64, p RunProgress)) ([]Run, error) {
	c := s.Comparison
	c.LR, c.SaveTo, c.Inits = lr, s.File(lr), inits
	var report func(RunProgress)
	if progress != nil {
		report = func(p RunProgress) { progress(lr, p) }
	}
	return Compare(ctx, c, report)
}

// ReadSweep reads every rate's results file in the sweep directory dir (lr*.json).
func ReadSweep(dir string) ([]Run, error) {
	files, err := filepath.Glob(filepath.Join(dir, "lr*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("learning-rate sweep %s: no such directory: run logah sweep-lr --out %s first", dir, dir)
		}
		return nil, fmt.Errorf("learning-rate sweep %s: no lr*.json results files: run logah sweep-lr --out %s first", dir, dir)
	}
	var all []Run
	for _, f := range files {
		runs, err := ReadRuns(f)
		if err != nil {
			return nil, err
		}
		all = append(all, runs...)
	}
	return all, nil
}

// LRResult is one initialisation's metric after fine-tuning at one rate of a sweep.
type LRResult struct {
	LR    float64
	Runs  int
	After MeanStd
}

// LRChoice is one initialisation's sweep: the metric at every rate tried, in increasing rate,
// and the rate with the best mean (highest accuracy, lowest perplexity or loss).
type LRChoice struct {
	Init  string
	Rates []LRResult
	Best  LRResult
}

// HigherIsBetter tells whether a larger value of metric is better: accuracy; not perplexity or
// loss.
func HigherIsBetter(metric string) bool { return metric == "accuracy" }

// BestLRs chooses, for each initialisation of the sweep's runs (in the order inits lists them;
// none: in order of appearance), the rate whose runs have the best mean metric after
// fine-tuning. Every rate of an initialisation must hold the same (architecture, seed) runs, so
// that no rate is judged on easier architectures; an unfinished sweep is an error that says
// which rate lacks runs.
func BestLRs(runs []Run, metric string, inits ...string) ([]LRChoice, error) {
	if len(inits) == 0 {
		inits = InitsOf(runs)
	}
	var out []LRChoice
	for _, name := range inits {
		byLR := map[float64][]Run{}
		for _, r := range runs {
			if r.Init == name {
				byLR[r.Protocol.LR] = append(byLR[r.Protocol.LR], r)
			}
		}
		if len(byLR) == 0 {
			return nil, fmt.Errorf("learning-rate sweep: no runs of initialisation %q: add --init for it to the sweep", name)
		}
		lrs := make([]float64, 0, len(byLR))
		for lr := range byLR {
			lrs = append(lrs, lr)
		}
		sort.Float64s(lrs)
		var want []archSeed
		for _, r := range byLR[lrs[0]] {
			want = append(want, archSeedOf(r))
		}
		choice := LRChoice{Init: name}
		for _, lr := range lrs {
			var values []float64
			have := map[archSeed]bool{}
			for _, r := range byLR[lr] {
				values = append(values, r.Final[metric])
				have[archSeedOf(r)] = true
			}
			if len(have) != len(want) || slices.ContainsFunc(want, func(p archSeed) bool { return !have[p] }) {
				return nil, fmt.Errorf("learning-rate sweep: %s has %d runs at lr %g but %d at lr %g, not the same architectures and seeds: finish the sweep (rerun it with --resume)",
					name, len(byLR[lr]), lr, len(want), lrs[0])
			}
			res := LRResult{LR: lr, Runs: len(values), After: NewMeanStd(values)}
			choice.Rates = append(choice.Rates, res)
			if choice.Best.Runs == 0 || better(metric, res.After.Mean, choice.Best.After.Mean) {
				choice.Best = res
			}
		}
		out = append(out, choice)
	}
	return out, nil
}

// At is the result at rate lr, if the initialisation was swept at it.
func (c LRChoice) At(lr float64) (LRResult, bool) {
	for _, r := range c.Rates {
		if r.LR == lr {
			return r, true
		}
	}
	return LRResult{}, false
}

// SweptRates is every rate any of choices tried, in increasing order: the columns of a sweep
// table, in which an initialisation swept on another grid has gaps.
func SweptRates(choices []LRChoice) []float64 {
	var lrs []float64
	for _, c := range choices {
		for _, r := range c.Rates {
			if !slices.Contains(lrs, r.LR) {
				lrs = append(lrs, r.LR)
			}
		}
	}
	sort.Float64s(lrs)
	return lrs
}

// SweepRows formats choices as a table: the columns (initialisation, runs per rate, "lr R" for
// every rate swept, best lr) and one row per initialisation with the metric after fine-tuning
// (mean ± std) at each rate, "—" where it was not swept.
func SweepRows(choices []LRChoice, metric string) (columns []string, rows [][]string) {
	columns = []string{"initialisation", "runs per rate"}
	lrs := SweptRates(choices)
	for _, lr := range lrs {
		columns = append(columns, fmt.Sprintf("lr %g", lr))
	}
	columns = append(columns, "best lr")
	for _, c := range choices {
		row := []string{c.Init, strconv.Itoa(c.Best.Runs)}
		for _, lr := range lrs {
			cell := "—"
			if r, ok := c.At(lr); ok {
				cell = r.After.Format(metric)
			}
			row = append(row, cell)
		}
		rows = append(rows, append(row, fmt.Sprintf("%g", c.Best.LR)))
	}
	return columns, rows
}

// EdgeNote says when the best rate is the smallest or the largest tried, where a rate beyond the
// grid may be better still: "random: the best rate 0.003 is the largest tried; try larger rates
// too". It is "" when the best rate lies inside the grid.
func (c LRChoice) EdgeNote() string {
	if len(c.Rates) < 2 {
		return ""
	}
	switch c.Best.LR {
	case c.Rates[0].LR:
		return fmt.Sprintf("%s: the best rate %g is the smallest tried; try smaller rates too", c.Init, c.Best.LR)
	case c.Rates[len(c.Rates)-1].LR:
		return fmt.Sprintf("%s: the best rate %g is the largest tried; try larger rates too", c.Init, c.Best.LR)
	}
	return ""
}

// BeyondEdge is the rate one step past the edge of the grid when the best rate is the smallest or
// the largest tried: the best rate divided or multiplied by the ratio between it and its
// neighbour in the grid, rounded to the nearest 1, 2, 3 or 5 × 10^k (so that a half-decade grid
// 3e-4 … 1e-2 goes on to 3e-2, or down to 1e-4). ok is false when the best lies inside the grid
// or fewer than two rates were tried.
func (c LRChoice) BeyondEdge() (lr float64, ok bool) {
	n := len(c.Rates)
	if n < 2 {
		return 0, false
	}
	var exact float64
	switch c.Best.LR {
	case c.Rates[n-1].LR:
		exact = c.Best.LR * c.Best.LR / c.Rates[n-2].LR
	case c.Rates[0].LR:
		exact = c.Best.LR * c.Best.LR / c.Rates[1].LR
	default:
		return 0, false
	}
	lr = roundToPreferred(exact)
	if _, tried := c.At(lr); tried || (lr > c.Rates[0].LR && lr < c.Rates[n-1].LR) {
		lr, _ = strconv.ParseFloat(strconv.FormatFloat(exact, 'g', 2, 64), 64)
	}
	return lr, true
}

// roundToPreferred is the number of the form m × 10^k, m in {1, 2, 3, 5}, nearest x on a
// logarithmic scale, parsed from its decimal spelling so that it names its results file
// exactly (3e-2 is lr0.03.json).
func roundToPreferred(x float64) float64 {
	k := math.Floor(math.Log10(x))
	best, bestDist := x, math.Inf(1)
	for _, m := range []float64{1, 2, 3, 5, 10} {
		candidate, _ := strconv.ParseFloat(strconv.FormatFloat(m, 'g', -1, 64)+"e"+strconv.Itoa(int(k)), 64)
		if d := math.Abs(math.Log(x / candidate)); d < bestDist {
			best, bestDist = candidate, d
		}
	}
	return best
}

// better tells whether a is a better mean of metric than b.
func better(metric string, a, b float64) bool {
	if HigherIsBetter(metric) {
		return a > b
	}
	return a < b
}

// WithBestLRs returns inits with each one's LR set to its best rate in choices; an
// initialisation the sweep did not run is an error.
func WithBestLRs(inits []Init, choices []LRChoice) ([]Init, error) {
	out := slices.Clone(inits)
	for i, in := range out {
		j := slices.IndexFunc(choices, func(c LRChoice) bool { return c.Init == in.Name })
		if j < 0 {
			return nil, fmt.Errorf("learning-rate sweep: initialisation %q was not swept (it has %s): sweep it too, or name it as in the sweep", in.Name, sweptNames(choices))
		}
		out[i].LR = choices[j].Best.LR
	}
	return out, nil
}

func sweptNames(choices []LRChoice) string {
	names := make([]string, len(choices))
	for i, c := range choices {
		names[i] = strconv.Quote(c.Init)
	}
	return strings.Join(names, ", ")
}
