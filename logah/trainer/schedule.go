package trainer

import (
	"fmt"
	"math"
)

// WarmupShape is how a [Schedule]'s warm-up rises to its peak rate.
type WarmupShape string

const (
	// WarmupLinear rises by Base/WarmupSteps every step, reaching Base at the last warm-up
	// step. The empty shape means it too.
	WarmupLinear WarmupShape = "linear"
	// WarmupLog is DeepSpeed's default warm-up (WarmupLR, WarmupCosineLR: warmup_type "log"),
	// which the authors' GPT-2 fine-tuning runs under: step s (0-based) has the rate
	// Base·ln(s)/ln(WarmupSteps), 0 at steps 0 and 1, since DeepSpeed's scheduler steps after
	// the optimiser and starts at 0. It spends most of the warm-up near the peak: over 500
	// steps the mean rate is 84 % of it (50 % for the linear shape).
	WarmupLog WarmupShape = "log"
)

// Schedule is a learning-rate schedule: a warm-up from ~0 to Base over WarmupSteps (linear, or
// as Shape says), then a cosine decay to Base·MinFactor at TotalSteps (constant afterwards).
type Schedule struct {
	Base        float64
	WarmupSteps int
	TotalSteps  int
	MinFactor   float64
	Shape       WarmupShape
}

// Validate checks the schedule's fields.
func (s Schedule) Validate() error {
	switch {
	case s.Base <= 0:
		return fmt.Errorf("schedule: learning rate must be positive, got %g", s.Base)
	case s.WarmupSteps < 0 || s.TotalSteps < 0:
		return fmt.Errorf("schedule: warm-up (%d) and total (%d) steps must be ≥ 0", s.WarmupSteps, s.TotalSteps)
	case s.MinFactor < 0 || s.MinFactor > 1:
		return fmt.Errorf("schedule: min factor must be in [0,1], got %g", s.MinFactor)
	}
	return s.Shape.Validate()
}

// Linear tells whether w is the linear warm-up ("" or WarmupLinear).
func (w WarmupShape) Linear() bool { return w == "" || w == WarmupLinear }

// Validate accepts the known shapes and "" (linear).
func (w WarmupShape) Validate() error {
	if w.Linear() || w == WarmupLog {
		return nil
	}
	return fmt.Errorf("warm-up shape %q: want %q or %q", string(w), WarmupLinear, WarmupLog)
}

// LR is the learning rate of the given 0-based step.
func (s Schedule) LR(step int) float64 {
	if s.WarmupSteps > 0 && step < s.WarmupSteps {
		if s.Shape == WarmupLog {
			// DeepSpeed warms up over at least 2 steps (max(2, warmup_num_steps)).
			return s.Base * math.Log(float64(max(step, 1))) / math.Log(float64(max(s.WarmupSteps, 2)))
		}
		return s.Base * float64(step+1) / float64(s.WarmupSteps)
	}
	if s.TotalSteps <= s.WarmupSteps {
		return s.Base
	}
	t := float64(step-s.WarmupSteps) / float64(s.TotalSteps-s.WarmupSteps)
	t = min(max(t, 0), 1)
	f := s.MinFactor + (1-s.MinFactor)*0.5*(1+math.Cos(math.Pi*t))
	return s.Base * f
}

// ReferenceCosineWarmup is the factor of the authors' per-epoch "cosine-warmup" scheduler
// (docs/method.md §5.2): linspace(1e-5/lr, 1, 5)[e] for epochs 0…4, then max(0, ½(1+cos(π(e−5)/(E−5)))).
// With E=300 and lr=3e-4 it gives 0.033, 0.275, 0.517, 0.758, 1.0, 1.0, …, 0.513 at e=150.
func ReferenceCosineWarmup(epoch, epochs int, lr float64) float64 {
	if epoch < 5 {
		start := 1e-5 / lr
		return start + (1-start)*float64(epoch)/4
	}
	if epochs <= 5 {
		return 1
	}
	return max(0, 0.5*(1+math.Cos(math.Pi*float64(epoch-5)/float64(epochs-5))))
}
