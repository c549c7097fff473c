package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/datasets"
	"github.com/logah-go/logah/datasets/text"
	"github.com/logah-go/logah/internal/fixtures"
	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/backend"
	"github.com/logah-go/logah/logah/ghn"
	"github.com/logah-go/logah/logah/trainer"
)

// needFashionMNIST skips where the dataset is missing, except under CI (CI=true), which must
// install it.
func needFashionMNIST(t *testing.T) {
	t.Helper()
	_, err := datasets.LoadFashionMNIST("", datasets.Test)
	fixtures.NeedData(t, "Fashion-MNIST", err)
}

func TestMeanStdIsSampleStatistics(t *testing.T) {
	m := NewMeanStd([]float64{0.4, 0.5, 0.6})
	if math.Abs(m.Mean-0.5) > 1e-12 || math.Abs(m.Std-0.1) > 1e-12 {
		t.Fatalf("got %+v, want mean 0.5 and sample std 0.1", m)
	}
	if one := NewMeanStd([]float64{0.3}); one.Std != 0 {
		t.Fatalf("one value: std %v, want 0", one.Std)
	}
}

func TestSummarizeGroupsByInitInOrder(t *testing.T) {
	runs := []Run{
		{Init: "random", Initial: map[string]float64{"accuracy": 0.1}, Final: map[string]float64{"accuracy": 0.5}},
		{Init: "logah", Initial: map[string]float64{"accuracy": 0.3}, Final: map[string]float64{"accuracy": 0.7}},
		{Init: "random", Initial: map[string]float64{"accuracy": 0.1}, Final: map[string]float64{"accuracy": 0.7}},
	}
	sums := Summarize(runs, "accuracy")
	if len(sums) != 2 || sums[0].Init != "random" || sums[0].Runs != 2 || math.Abs(sums[0].After.Mean-0.6) > 1e-12 {
		t.Fatalf("got %+v", sums)
	}
	rows := SummaryRows(Summarize(runs, "accuracy", "logah"), "accuracy")
	if len(rows) != 1 || rows[0][2] != "30.00% ± 0.00" || rows[0][3] != "70.00% ± 0.00" {
		t.Fatalf("rows %v", rows)
	}
}

func TestGHNConfigDecoders(t *testing.T) {
	lg, err := GHNConfig("tiny", ghn.VariantViT, 10, 512, "logah")
	if err != nil || lg.MaxShape != 512 || lg.MaxCK != 8192 {
		t.Fatalf("logah: %+v, %v", lg, err)
	}
	g3, err := GHNConfig("tiny", ghn.VariantViT, 10, 512, "ghn3")
	if err != nil || g3.Decoder != ghn.DecoderGHN3 {
		t.Fatalf("ghn3: %+v, %v", g3, err)
	}
	if _, err := GHNConfig("tiny", ghn.VariantViT, 10, 512, "lora"); err == nil {
		t.Fatal("an unknown decoder must be an error")
	}
}

// TestGHNTrainingKeepsTheCheckpointConfiguration pins the trainer configuration that
// DefaultGHNTraining writes into checkpoints: run directories of earlier versions resume only
// while it is the same.
func TestGHNTrainingKeepsTheCheckpointConfiguration(t *testing.T) {
	got, err := json.Marshal(DefaultGHNTraining("vits-mini").GHNTrainConfig)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"family":"vits-mini","meta_batch":1,"steps":1000,"lr":0.0003,"warmup_steps":50,"min_lr_factor":0.01,` +
		`"optimizer":{"Beta1":0.9,"Beta2":0.999,"Eps":1e-8,"WeightDecay":0.01,"ClipNorm":5},"lambda":0.00003,"seed":1,"checkpoint_every":100}`
	if string(got) != want {
		t.Fatalf("checkpoint configuration\n got %s\nwant %s", got, want)
	}
}

func TestTrainGHNDrawsTheHeldOutArchitectures(t *testing.T) {
	s := DefaultGHNTraining("vits-mini")
	s.Exclude = []arch.Arch{arch.ViT{}}
	if _, err := TrainGHN(context.Background(), s, nil); err == nil || !strings.Contains(err.Error(), "set HeldOut") {
		t.Fatalf("Exclude set by hand: %v", err)
	}
}

func TestHeldOutArchsAreNeverTrainedAndStable(t *testing.T) {
	s := DefaultGHNTraining("vits-mini")
	a, err := s.HeldOutArchs()
	if err != nil || len(a) != 5 {
		t.Fatalf("%v, %v", a, err)
	}
	b, _ := s.HeldOutArchs()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("held-out architecture %d differs between calls", i)
		}
	}
}

// TestTrainThenCompare trains a hypernetwork for two steps, resumes the finished run (which
// must not train again), and compares its predictions with random initialisation.
func TestTrainThenCompare(t *testing.T) {
	needFashionMNIST(t)
	dir := t.TempDir()
	s := DefaultGHNTraining("vits-mini")
	s.Steps, s.WarmupSteps, s.MaxEval, s.HeldOut, s.OutDir, s.DMax = 2, 1, 100, 1, dir, 64
	res, err := TrainGHN(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.GHN.Close()
	recs, err := ReadGHNMetrics(dir)
	if err != nil || len(recs) == 0 || recs[len(recs)-1].Split != "eval" {
		t.Fatalf("metrics %v, %v", recs, err)
	}
	s.Resume = true
	again, err := TrainGHN(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Records) != 0 || again.Steps != 2 {
		t.Fatalf("resuming a finished run trained again: %d records, step %d", len(again.Records), again.Steps)
	}
	held, err := arch.ResolveList(filepath.Join(dir, "held_out.json"))
	if err != nil || len(held) != 1 {
		t.Fatalf("held_out.json: %v, %v", held, err)
	}
	g, err := ghn.Open(dir, backend.MustDefault())
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	small := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	c := DefaultComparison()
	c.Archs, c.Inits = []arch.Arch{small}, []Init{{Name: "random"}, {Name: "logah", GHN: g}}
	c.Seeds, c.Steps, c.MaxTrain, c.MaxEval, c.Batch = 2, 2, 64, 100, 16
	runs, err := Compare(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 || runs[0].Steps != 2 || len(runs[0].Curve) != 2 {
		t.Fatalf("runs %+v", runs)
	}
	if math.Abs(runs[0].Initial["loss"]-math.Log(10)) > 1e-4 {
		t.Fatalf("a torchvision ViT (zero head) must start at loss ln 10, got %v", runs[0].Initial)
	}
	if runs[2].Init != "logah" || runs[2].Initial["accuracy"] == runs[0].Initial["accuracy"] && runs[2].Initial["loss"] == runs[0].Initial["loss"] {
		t.Fatalf("predicted and random runs evaluate identically: %+v", runs)
	}
}

// A Llama family trains a hypernetwork on text, and its predictions start the held-out Llamas
// closer to the data than random initialisation does, even after a few steps.
func TestTrainLlamaHypernetworkThenCompare(t *testing.T) {
	dir := t.TempDir()
	s := DefaultGHNTraining("llamas-mini")
	s.Data.Name, s.Data.Tokenizer, s.Data.TextBytes = "text", "bytes", 1<<20
	s.Steps, s.WarmupSteps, s.Batch, s.LR, s.MaxEval, s.HeldOut, s.OutDir, s.DMax = 30, 3, 8, 1e-3, 200, 1, dir, 128
	res, err := TrainGHN(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.GHN.Close()
	held, err := arch.ResolveList(filepath.Join(dir, "held_out.json"))
	if err != nil || len(held) != 1 {
		t.Fatalf("held_out.json: %v, %v", held, err)
	}
	if _, ok := held[0].(arch.Llama); !ok {
		t.Fatalf("held-out architecture %v is not a Llama", held[0])
	}
	g, err := ghn.Open(dir, backend.MustDefault())
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	c := DefaultComparison()
	c.Data = s.Data
	c.Archs, c.Inits = held, []Init{{Name: "random"}, {Name: "logah", GHN: g}}
	c.Seeds, c.Steps, c.MaxEval, c.Batch = 1, 2, 2, 8
	runs, err := Compare(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[1].Init != "logah" {
		t.Fatalf("runs %+v", runs)
	}
	random, predicted := runs[0].Initial["perplexity"], runs[1].Initial["perplexity"]
	if !(predicted < random) || math.Abs(random-256) > 20 {
		t.Errorf("perplexity before fine-tuning: random %.1f (≈ 256 expected), predicted %.1f (should be lower)", random, predicted)
	}
}

func TestDataClassesSelectsAndRelabels(t *testing.T) {
	needFashionMNIST(t)
	d := DefaultData()
	d.Classes = []int{5, 6, 7, 8, 9}
	v := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	train, test, err := d.Images(v, 0)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 30000 || test.N != 5000 || len(train.Classes) != 5 || train.Classes[0] != "Sandal" {
		t.Fatalf("train %d, test %d, classes %v", train.N, test.N, train.Classes)
	}
	for _, l := range train.Labels {
		if l < 0 || l > 4 {
			t.Fatalf("label %d outside the 5 selected classes", l)
		}
	}
	d.Classes = []int{3, 12}
	if _, _, err := d.Images(v, 0); err == nil {
		t.Fatal("class 12 of Fashion-MNIST must be an error")
	}
}

// A validation split is the end of the training set: training and evaluation never share an
// image, and the test set is not used.
func TestDataValidationHoldsOutTheEndOfTraining(t *testing.T) {
	needFashionMNIST(t)
	d := DefaultData()
	v := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	full, _, err := d.Images(v, 0)
	if err != nil {
		t.Fatal(err)
	}
	d.Validation = 10000
	train, val, err := d.Images(v, 0)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 50000 || val.N != 10000 {
		t.Fatalf("train %d, validation %d", train.N, val.N)
	}
	px := train.C * train.H * train.W
	if !slices.Equal(val.Labels, full.Labels[50000:]) || !slices.Equal(val.Uint8[:px], full.Uint8[50000*px:50001*px]) ||
		!slices.Equal(train.Labels, full.Labels[:50000]) {
		t.Error("the validation split is not the last 10,000 training images")
	}
	if train, _, err = d.Images(v, 6400); err != nil || train.N != 6400 {
		t.Errorf("max-train with a validation split: %v, %v", train, err)
	}
	d.Validation = 60000
	if _, _, err := d.Images(v, 0); err == nil || !strings.Contains(err.Error(), "hold out fewer") {
		t.Errorf("validation of the whole training set: %v", err)
	}
}

func TestCompareResumesFromSavedRuns(t *testing.T) {
	needFashionMNIST(t)
	small := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	c := PaperViTFineTuning()
	c.Archs, c.Inits = []arch.Arch{small}, []Init{{Name: "random"}}
	c.Seeds, c.Steps, c.MaxTrain, c.MaxEval, c.Batch = 2, 1, 32, 32, 16
	c.SaveTo = filepath.Join(t.TempDir(), "runs.json")
	first, err := Compare(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := ReadRuns(c.SaveTo)
	if err != nil || len(saved) != 2 || saved[1].Protocol != c.Protocol() {
		t.Fatalf("saved %+v, %v", saved, err)
	}

	// One more seed: only seed 3 runs; seeds 1 and 2 come back from the file unchanged.
	c.Seeds, c.Resume = 3, true
	var ran []uint64
	again, err := Compare(context.Background(), c, func(p RunProgress) {
		if p.Step == 1 {
			ran = append(ran, p.Seed)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ran, []uint64{3}) || len(again) != 3 || again[0].Final["loss"] != first[0].Final["loss"] {
		t.Fatalf("resume ran seeds %v, returned %d runs", ran, len(again))
	}

	// A new architecture planned before the saved ones: the file keeps the saved runs, which
	// come after the last run made.
	narrow := small
	narrow.Width, narrow.MLPDim = 8, 16
	c.Archs = []arch.Arch{narrow, small}
	if _, err := Compare(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	saved, err = ReadRuns(c.SaveTo)
	if err != nil || len(saved) != 6 {
		t.Fatalf("after adding an architecture the file holds %d runs (%v), want 6", len(saved), err)
	}
	if saved[3].Arch != small.String() || saved[3].Final["loss"] != first[0].Final["loss"] {
		t.Fatalf("saved run 3 is %s with loss %g, want the first run of %s", saved[3].Arch, saved[3].Final["loss"], small)
	}

	// The same runs under another protocol belong to another experiment.
	c.LR = 1e-3
	if _, err := Compare(context.Background(), c, nil); err == nil || !strings.Contains(err.Error(), "another protocol") {
		t.Fatalf("resuming with another learning rate: %v", err)
	}
}

func TestPaperViTFineTuningIsTheAuthorsFirstEpoch(t *testing.T) {
	p := PaperViTFineTuning().Protocol()
	if p.Batch != 32 || p.LR != 4e-5 || p.WarmupSteps != 0 || p.WarmupFraction != 0 || p.MinLRFactor != 1 {
		t.Fatalf("paper protocol %+v", p)
	}
	if got := p.String(); !strings.Contains(got, "lr 4e-05 constant") {
		t.Fatalf("description %q", got)
	}
}

func TestPaperGPT2FineTuningIsTheAuthorsRecipe(t *testing.T) {
	c := PaperGPT2FineTuning()
	p := c.Protocol()
	if !p.IsText() || p.Steps != 500 || p.LR != 3e-6 || p.WarmupSteps != 500 || p.WarmupShape != trainer.WarmupLog || p.MinLRFactor != 1 || p.ClipNorm != 1 || p.Dropout != 0.1 {
		t.Fatalf("paper GPT-2 protocol %+v", p)
	}
	if got := p.String(); !strings.Contains(got, "lr 3e-06 constant after 500 log warm-up steps, clipping at 1") {
		t.Fatalf("description %q", got)
	}
	gpt, err := arch.Named("gpt2-mini")
	if err != nil {
		t.Fatal(err)
	}
	f := c.fineTuning(gpt, Init{Name: "random"}, 1)
	if f.Optimizer.ClipNorm != 1 || f.Optimizer.WeightDecay != 1e-2 || f.WarmupShape != trainer.WarmupLog || f.WarmupSteps != 500 {
		t.Fatalf("a run of the recipe trains with %+v", f.FineTuneConfig)
	}
	// The defaults are not recorded, so the files of earlier comparisons still match theirs.
	data, err := json.Marshal(DefaultComparison().Protocol())
	if err != nil || strings.Contains(string(data), "warmup_shape") || strings.Contains(string(data), "clip_norm") {
		t.Fatalf("default protocol %s (%v)", data, err)
	}
	c.ClipNorm = -1
	c.Archs, c.Inits, c.Seeds = []arch.Arch{gpt}, []Init{{Name: "random"}}, 1
	if _, err := Compare(context.Background(), c, nil); err == nil || !strings.Contains(err.Error(), "ClipNorm") {
		t.Fatalf("a negative clipping bound: %v", err)
	}
	c.ClipNorm, c.WarmupShape = 1, "cosine"
	if _, err := Compare(context.Background(), c, nil); err == nil || !strings.Contains(err.Error(), `warm-up shape "cosine"`) {
		t.Fatalf("an unknown warm-up shape: %v", err)
	}
}

func TestProtocolReadsTheWarmupOfOlderFiles(t *testing.T) {
	var p Protocol
	if err := json.Unmarshal([]byte(`{"data":"fashion-mnist","epochs":1,"batch":64,"lr":0.001,"warmup":0.05,"min_lr_factor":0.01}`), &p); err != nil {
		t.Fatal(err)
	}
	c := DefaultComparison()
	if p.WarmupFraction != 0.05 || p.WarmupSteps != 0 || p != c.Protocol() {
		t.Fatalf("an older file's protocol %+v, want the default comparison's %+v", p, c.Protocol())
	}
	c.WarmupSteps, c.WarmupFraction = 10, 0
	data, err := json.Marshal(c.Protocol())
	if err != nil {
		t.Fatal(err)
	}
	var back Protocol
	if err := json.Unmarshal(data, &back); err != nil || back != c.Protocol() || !strings.Contains(string(data), `"warmup_steps":10`) {
		t.Fatalf("round trip %s → %+v, %v", data, back, err)
	}
	if got := back.String(); !strings.Contains(got, "after 10 warm-up steps") {
		t.Fatalf("description %q", got)
	}
}

func TestTextValidationHoldsOutTheEndOfTraining(t *testing.T) {
	gpt, err := arch.Named("gpt2-mini")
	if err != nil {
		t.Fatal(err)
	}
	lm := gpt.(arch.LM)
	d := DefaultData()
	d.Name, d.TextBytes, d.Validation = "text", 200_000, 20*lm.ContextLen()
	split, err := d.TextTask(lm, 4, 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The training tokens as TextTask makes them (byte tokens, no separator).
	corpus, err := text.GoSource(text.GoSourceOptions{MaxBytes: d.TextBytes})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := text.NewTokenizer("bytes")
	if err != nil {
		t.Fatal(err)
	}
	ids := text.Tokenize(tok, corpus.Train)
	n := len(ids) - d.Validation
	if split.Valid.NumBlocks() != 20 || split.Train.NumBlocks() != n/lm.ContextLen() {
		t.Fatalf("blocks: validation %d, training %d; want 20 and %d", split.Valid.NumBlocks(), split.Train.NumBlocks(), n/lm.ContextLen())
	}
	for first := range split.Valid.Sequential(false) {
		if !slices.Equal(first.Inputs[:lm.ContextLen()], ids[n:n+lm.ContextLen()]) {
			t.Error("the validation split does not start where training stops: it is not the end of the training tokens")
		}
		break
	}
	d.Validation = len(ids)
	if _, err := d.TextTask(lm, 4, 1, 0, 0); err == nil || !strings.Contains(err.Error(), "hold out fewer tokens") {
		t.Errorf("validation of all the training tokens: %v", err)
	}
}

// TestCompareKeepsRunsOthersWrite runs a comparison on a results file that already holds
// another comparison's run, while a third party (another process, in practice) adds a run to the
// file during its first run: the file ends with all of them.
func TestCompareKeepsRunsOthersWrite(t *testing.T) {
	needFashionMNIST(t)
	small := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	file := filepath.Join(t.TempDir(), "runs.json")
	earlier := Run{Arch: small.String(), Init: "earlier", Seed: 1, Final: map[string]float64{"accuracy": 0.5}}
	meanwhile := Run{Arch: small.String(), Init: "meanwhile", Seed: 1, Final: map[string]float64{"accuracy": 0.6}}
	if err := WriteRuns(file, []Run{earlier}); err != nil {
		t.Fatal(err)
	}
	c := DefaultComparison()
	c.Archs, c.Inits, c.Seeds, c.Steps, c.MaxTrain, c.MaxEval, c.Batch = []arch.Arch{small}, []Init{{Name: "random"}}, 2, 1, 32, 32, 16
	c.SaveTo = file // not resuming: the comparison's own runs are made afresh, the others stay
	wrote := false
	_, err := Compare(context.Background(), c, func(p RunProgress) {
		if !wrote && p.Step == 1 {
			runs, err := ReadRuns(file)
			if err != nil {
				t.Error(err)
			}
			if err := WriteRuns(file, append(runs, meanwhile)); err != nil {
				t.Error(err)
			}
			wrote = true
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := ReadRuns(file)
	if err != nil {
		t.Fatal(err)
	}
	var inits []string
	for _, r := range saved {
		inits = append(inits, fmt.Sprintf("%s/%d", r.Init, r.Seed))
	}
	slices.Sort(inits)
	if want := []string{"earlier/1", "meanwhile/1", "random/1", "random/2"}; !slices.Equal(inits, want) {
		t.Fatalf("the file holds %v, want %v", inits, want)
	}
}
