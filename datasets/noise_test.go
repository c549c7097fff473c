package datasets

import "testing"

func TestNoiseIsSeededAndBatchable(t *testing.T) {
	a, b, c := Noise(32, 1), Noise(32, 1), Noise(32, 2)
	if string(a.Uint8) != string(b.Uint8) || string(a.Uint8) == string(c.Uint8) {
		t.Fatal("the same seed must give the same images, another seed other images")
	}
	if a.NumClasses() != 10 {
		t.Fatalf("%d classes, want 10", a.NumClasses())
	}
	if _, err := a.Range(0, 16); err != nil {
		t.Fatal(err)
	}
}
