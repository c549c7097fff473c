package experiment

import (
	"fmt"
	"slices"

	"github.com/logah-go/logah/logah/trainer"
)

// LengthIndependent reports whether the learning rate of p's every step is the same whatever the
// run's length: no warm-up given as a fraction of the steps, and no decay (MinLRFactor 1). Only
// then is the start of a long run a shorter run of the same protocol (see [Run.AtEpoch]).
func (p Protocol) LengthIndependent() bool {
	return p.WarmupFraction == 0 && p.MinLRFactor == 1
}

// AtEpoch is r as it would have been had its comparison fine-tuned for epochs epochs instead of
// r.Protocol.Epochs: the evaluation at the end of that epoch becomes Final, the curve stops there
// and the protocol says epochs. Fine-tuning reads epoch e's batches and draws its dropout
// whatever the run's length, so under a learning rate that does not depend on the length either
// ([Protocol.LengthIndependent], as the authors' constant-rate recipe) this is exactly the
// shorter run, to the bit: one five-epoch comparison gives the one-epoch table too. A cosine
// schedule decays at a pace set by the length, so its runs are refused.
func (r Run) AtEpoch(epochs int) (Run, error) {
	p := r.Protocol
	switch {
	case epochs <= 0:
		return Run{}, fmt.Errorf("at epoch %d: the epoch must be at least 1", epochs)
	case p.Steps > 0 || p.Epochs <= 0:
		return Run{}, fmt.Errorf("%s, %s: the run was given %d steps, not epochs; only runs of whole epochs stop at an epoch", r.Arch, r.Init, p.Steps)
	case epochs > p.Epochs:
		return Run{}, fmt.Errorf("%s, %s: the run has %d epoch(s), fewer than %d", r.Arch, r.Init, p.Epochs, epochs)
	case !p.LengthIndependent():
		return Run{}, fmt.Errorf("%s, %s: its learning rate depends on the run's length (warm-up fraction %g, min lr factor %g), so its first %d epoch(s) are not a %d-epoch run; "+
			"only a constant rate (--min-lr-factor 1, a warm-up in steps) stops early exactly", r.Arch, r.Init, p.WarmupFraction, p.MinLRFactor, epochs, epochs)
	case r.Steps%p.Epochs != 0:
		return Run{}, fmt.Errorf("%s, %s: %d steps are not %d whole epochs", r.Arch, r.Init, r.Steps, p.Epochs)
	}
	step := r.Steps / p.Epochs * epochs
	end := slices.IndexFunc(r.Curve, func(rec trainer.Record) bool { return rec.Split == "eval" && rec.Step == step })
	if end < 0 {
		return Run{}, fmt.Errorf("%s, %s: the curve has no evaluation at step %d, the end of epoch %d", r.Arch, r.Init, step, epochs)
	}
	out := r
	out.Steps, out.Final = step, r.Curve[end].Values
	out.Curve = slices.Clone(r.Curve[:end+1])
	out.Protocol.Epochs = epochs
	return out, nil
}

// RunsAtEpoch is [Run.AtEpoch] of every run.
func RunsAtEpoch(runs []Run, epochs int) ([]Run, error) {
	out := make([]Run, len(runs))
	for i, r := range runs {
		var err error
		if out[i], err = r.AtEpoch(epochs); err != nil {
			return nil, err
		}
	}
	return out, nil
}
