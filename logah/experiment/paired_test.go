package experiment

import (
	"math"
	"strings"
	"testing"
)

// Quantiles users check against any statistics table.
func TestStudentTQuantiles(t *testing.T) {
	for _, c := range []struct {
		p    float64
		df   int
		want float64
	}{{0.975, 1, 12.7062}, {0.975, 4, 2.7764}, {0.975, 23, 2.0687}, {0.995, 10, 3.1693}, {0.975, 1000, 1.9623}, {0.5, 7, 0}} {
		if got := StudentT(c.p, c.df); math.Abs(got-c.want) > 1e-3 {
			t.Errorf("t(%g, %d) = %.4f, want %.4f", c.p, c.df, got, c.want)
		}
	}
}

func TestPairedMatchesArchitectureAndSeed(t *testing.T) {
	run := func(init, arch string, seed uint64, before, after float64) Run {
		return Run{Arch: arch, Init: init, Seed: seed, Initial: map[string]float64{"accuracy": before}, Final: map[string]float64{"accuracy": after}}
	}
	runs := []Run{
		run("random", "a", 1, 0.1, 0.50), run("random", "a", 2, 0.1, 0.52), run("random", "b", 1, 0.1, 0.60),
		run("logah", "b", 1, 0.3, 0.64), run("logah", "a", 2, 0.3, 0.55), run("logah", "a", 1, 0.3, 0.52),
		run("logah", "c", 1, 0.3, 0.99), // no random partner: left out
	}
	d, err := Paired(runs, "accuracy", "random", "logah", true, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	// Differences 0.02, 0.03, 0.04: mean 0.03, std 0.01, half-width t(0.975, 2)·0.01/√3 = 0.02484.
	if d.Pairs != 3 || math.Abs(d.Mean-0.03) > 1e-12 || math.Abs(d.Std-0.01) > 1e-12 ||
		math.Abs(d.High-d.Mean-4.3027*0.01/math.Sqrt(3)) > 1e-4 {
		t.Fatalf("got %+v", d)
	}
	if s := d.String(); !strings.Contains(s, "logah − random: +3.00 [+0.52, +5.48] points") || !strings.Contains(s, "95 % CI, 3 pairs") {
		t.Errorf("String() = %q", s)
	}
	before, _ := Paired(runs, "accuracy", "random", "logah", false, 0.95)
	if math.Abs(before.Mean-0.2) > 1e-12 || before.Std > 1e-12 {
		t.Errorf("before fine-tuning: %+v", before)
	}
	if _, err := Paired(runs[:4], "accuracy", "random", "logah", true, 0.95); err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("one pair: %v", err)
	}
	if _, err := Paired(runs, "accuracy", "random", "logah", true, 95); err == nil {
		t.Error("level 95 must be refused")
	}
}
