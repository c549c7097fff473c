package experiment

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/trainer"
)

// Under the authors' constant rate, the first epoch of a two-epoch comparison is the one-epoch
// comparison, bit for bit: one long comparison gives both tables.
func TestAtEpochOfAConstantRateRunIsTheShorterRun(t *testing.T) {
	needFashionMNIST(t)
	small := arch.ViT{ImageSize: 28, Channels: 1, Patch: 7, Depth: 1, Width: 16, Heads: 2, MLPDim: 32, Classes: 10}
	c := PaperViTFineTuning()
	c.Archs, c.Inits = []arch.Arch{small}, []Init{{Name: "random"}}
	c.Seeds, c.MaxTrain, c.MaxEval, c.Batch, c.LR, c.EvalEvery = 1, 64, 64, 16, 3e-3, 2
	c.Epochs = 1
	one, err := Compare(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Epochs = 2
	two, err := Compare(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	cut, err := RunsAtEpoch(two, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, runs := range [][]Run{cut, one} { // wall times differ
		for i := range runs[0].Curve {
			runs[0].Curve[i].Time = 0
		}
	}
	if !reflect.DeepEqual(cut, one) {
		t.Fatalf("epoch 1 of the two-epoch run\n%+v\nis not the one-epoch run\n%+v", cut, one)
	}
	if reflect.DeepEqual(two[0].Final, one[0].Final) {
		t.Fatalf("the second epoch changed nothing: the test compares nothing")
	}
}

func TestAtEpochRefusesWhatIsNotAShorterRun(t *testing.T) {
	curve := func(steps ...int) (c []trainer.Record) {
		for _, s := range steps {
			c = append(c, trainer.Record{Step: s, Split: "eval", Values: map[string]float64{"accuracy": float64(s)}})
		}
		return c
	}
	constant := Protocol{Data: "fashion-mnist", Epochs: 5, Batch: 32, LR: 4e-5, MinLRFactor: 1, EvalEvery: 3}
	r := Run{Arch: "vit", Init: "random", Steps: 50, Protocol: constant, Curve: curve(0, 3, 6, 9, 10, 12, 20, 50)}
	got, err := r.AtEpoch(2)
	if err != nil || got.Steps != 20 || got.Final["accuracy"] != 20 || len(got.Curve) != 7 || got.Protocol.Epochs != 2 {
		t.Fatalf("epoch 2 of 5: %+v, %v", got, err)
	}
	if len(r.Curve) != 8 || r.Protocol.Epochs != 5 {
		t.Fatalf("AtEpoch changed the run it was given: %+v", r)
	}
	cosine := r
	cosine.Protocol.MinLRFactor, cosine.Protocol.WarmupFraction = 0.01, 0.05
	steps := r
	steps.Protocol.Epochs, steps.Protocol.Steps = 0, 50
	gap := r
	gap.Curve = curve(0, 3, 50)
	for name, tc := range map[string]struct {
		run    Run
		epochs int
		want   string
	}{
		"cosine":   {cosine, 1, "min lr factor 0.01"},
		"steps":    {steps, 1, "not epochs"},
		"too many": {r, 6, "fewer than 6"},
		"zero":     {r, 0, "at least 1"},
		"no eval":  {gap, 1, "no evaluation at step 10"},
	} {
		if _, err := tc.run.AtEpoch(tc.epochs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
	}
}
