package datasets

import (
	"math"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
)

// loadRealFashionMNIST loads the installed dataset. Where it is missing the test is skipped,
// except under CI (CI=true), which must install the Debian package dataset-fashion-mnist.
func loadRealFashionMNIST(t testing.TB, part Part) *Images {
	t.Helper()
	d, err := LoadFashionMNIST("", part)
	fixtures.NeedData(t, "Fashion-MNIST", err)
	return d
}

func TestFashionMNISTReal(t *testing.T) {
	for _, c := range []struct {
		part Part
		n    int
	}{{Train, 60000}, {Test, 10000}} {
		d := loadRealFashionMNIST(t, c.part)
		if d.N != c.n || d.C != 1 || d.H != 28 || d.W != 28 || len(d.Uint8) != c.n*28*28 {
			t.Fatalf("%s: N=%d C=%d H=%d W=%d", c.part, d.N, d.C, d.H, d.W)
		}
		if d.NumClasses() != 10 || d.Classes[9] != "Ankle boot" {
			t.Errorf("%s: classes %v", c.part, d.Classes)
		}
		// Fashion-MNIST is balanced: every label 0..9 appears N/10 times.
		counts := make([]int, 10)
		for _, l := range d.Labels {
			counts[l]++ // Validate already checked 0 <= l < 10
		}
		for l, k := range counts {
			if k != c.n/10 {
				t.Errorf("%s: label %d appears %d times, want %d", c.part, l, k, c.n/10)
			}
		}
		if c.part == Train {
			// The standard constants are the statistics of the training images.
			mean, std := d.Stats()
			if math.Abs(float64(mean[0]-FashionMNISTMean)) > 5e-4 || math.Abs(float64(std[0]-FashionMNISTStd)) > 5e-4 {
				t.Errorf("train mean/std = %.4f/%.4f, constants %.4f/%.4f", mean[0], std[0], FashionMNISTMean, FashionMNISTStd)
			}
			// First training image: label 9 (ankle boot), as in the official files.
			if d.Labels[0] != 9 {
				t.Errorf("first label %d, want 9", d.Labels[0])
			}
		}
	}
}

func TestLoadByName(t *testing.T) {
	d := loadRealFashionMNIST(t, Test)
	e, err := Load("fashion-mnist", "", Test)
	if err != nil {
		t.Fatal(err)
	}
	if e.N != d.N || e.Name != "fashion-mnist/test" {
		t.Errorf("Load gave %s with %d images", e.Name, e.N)
	}
}
