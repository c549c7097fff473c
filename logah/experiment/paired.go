package experiment

import (
	"fmt"
	"math"
)

// PairedDiff is the difference of a metric between two initialisations over the runs they share
// (the same architecture and seed, so the same data order and fine-tuning budget): the mean of
// the per-pair differences B − A, their sample standard deviation and a two-sided Student-t
// confidence interval for the mean.
type PairedDiff struct {
	A, B string
	// Pairs is the number of (architecture, seed) pairs both initialisations ran.
	Pairs int
	// Mean and Std of B − A over the pairs; Low and High bound the mean at Level.
	Mean, Std, Low, High float64
	Level                float64

	percent bool // an accuracy: String writes percentage points
}

// String writes the difference as "logah − random: +3.20 [+1.10, +5.30] points (95 % CI, 24
// pairs)"; accuracies are in percentage points.
func (d PairedDiff) String() string {
	unit := ""
	if d.percent {
		unit = " points"
	}
	return fmt.Sprintf("%s − %s: %s%s (%.0f %% CI, %d pairs)", d.B, d.A, d.Interval(), unit, 100*d.Level, d.Pairs)
}

// Interval writes the mean difference and its confidence interval: "+3.20 [+1.10, +5.30]",
// accuracies in percentage points.
func (d PairedDiff) Interval() string {
	scale := 1.0
	if d.percent {
		scale = 100
	}
	return fmt.Sprintf("%+.2f [%+.2f, %+.2f]", scale*d.Mean, scale*d.Low, scale*d.High)
}

// setPercent marks accuracies, which String writes in percentage points.
func (d *PairedDiff) setPercent(metric string) { d.percent = metric == "accuracy" }

// archSeed is what pairs runs of different initialisations: the same architecture and seed.
type archSeed struct {
	arch string
	seed uint64
}

func archSeedOf(r Run) archSeed { return archSeed{r.Arch, r.Seed} }

// Paired compares initialisation b with a on metric, after fine-tuning (final) or before it
// (!final), over the (architecture, seed) pairs both have in runs, with a confidence interval
// at level (e.g. 0.95). Fewer than two pairs is an error: no interval can be given.
func Paired(runs []Run, metric, a, b string, final bool, level float64) (PairedDiff, error) {
	if !(level > 0 && level < 1) {
		return PairedDiff{}, fmt.Errorf("paired difference: level %g must lie in (0, 1), e.g. 0.95", level)
	}
	value := func(r Run) float64 {
		if final {
			return r.Final[metric]
		}
		return r.Initial[metric]
	}
	of := map[archSeed]float64{}
	for _, r := range runs {
		if r.Init == a {
			of[archSeedOf(r)] = value(r)
		}
	}
	var diffs []float64
	for _, r := range runs {
		if v, ok := of[archSeedOf(r)]; ok && r.Init == b {
			diffs = append(diffs, value(r)-v)
		}
	}
	d := PairedDiff{A: a, B: b, Pairs: len(diffs), Level: level}
	d.setPercent(metric)
	if len(diffs) < 2 {
		return d, fmt.Errorf("paired difference %s − %s: %d shared (architecture, seed) pairs, at least 2 are needed: run both with the same architectures and seeds",
			b, a, len(diffs))
	}
	ms := NewMeanStd(diffs)
	d.Mean, d.Std = ms.Mean, ms.Std
	half := StudentT(1-(1-level)/2, len(diffs)-1) * ms.Std / math.Sqrt(float64(len(diffs)))
	d.Low, d.High = d.Mean-half, d.Mean+half
	return d, nil
}

// StudentT is the p-quantile of Student's t distribution with df degrees of freedom (df ≥ 1,
// 0 < p < 1), found by bisection on its distribution function.
func StudentT(p float64, df int) float64 {
	lo, hi := -1e3, 1e3
	for range 200 {
		mid := (lo + hi) / 2
		if studentCDF(mid, float64(df)) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// studentCDF is P(T ≤ t) for Student's t with df degrees of freedom, through the regularised
// incomplete beta function: P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2).
func studentCDF(t, df float64) float64 {
	tail := 0.5 * incompleteBeta(df/2, 0.5, df/(df+t*t))
	if t > 0 {
		return 1 - tail
	}
	return tail
}

// incompleteBeta is the regularised incomplete beta function I_x(a, b), by Lentz's continued
// fraction (with the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it converges faster).
func incompleteBeta(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log(1-x))
	if x > (a+1)/(a+b+2) {
		return 1 - front*betaFraction(b, a, 1-x)/b
	}
	return front * betaFraction(a, b, x) / a
}

// betaFraction evaluates the continued fraction of the incomplete beta function.
func betaFraction(a, b, x float64) float64 {
	const tiny, eps = 1e-300, 1e-15
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		for _, num := range []float64{
			fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm)),
			-(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1)),
		} {
			d = 1 + num*d
			if math.Abs(d) < tiny {
				d = tiny
			}
			c = 1 + num/c
			if math.Abs(c) < tiny {
				c = tiny
			}
			d = 1 / d
			h *= d * c
		}
		if math.Abs(d*c-1) < eps {
			break
		}
	}
	return h
}
