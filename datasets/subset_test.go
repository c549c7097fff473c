package datasets

import (
	"slices"
	"strings"
	"testing"
)

// toy returns n images of 1×2×2 with pixel values 4*i..4*i+3 and labels i % 3.
func toy(n int) *Images {
	d := &Images{Name: "toy", N: n, C: 1, H: 2, W: 2, Classes: []string{"a", "b", "c"}, Mean: []float32{0.5}, Std: []float32{0.25}}
	for i := range n {
		d.Uint8 = append(d.Uint8, byte(4*i), byte(4*i+1), byte(4*i+2), byte(4*i+3))
		d.Labels = append(d.Labels, i%3)
	}
	return d
}

func TestSubsetCopies(t *testing.T) {
	d := toy(5)
	s, err := d.Subset([]int{4, 0, 4}, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || !slices.Equal(s.Uint8, []byte{16, 17, 18, 19, 0, 1, 2, 3, 16, 17, 18, 19}) || !slices.Equal(s.Labels, []int{1, 0, 1}) {
		t.Errorf("subset = %+v", s)
	}
	s.Uint8[0], s.Labels[0], s.Classes[0] = 99, 2, "z"
	if d.Uint8[16] != 16 || d.Labels[4] != 1 || d.Classes[0] != "a" {
		t.Error("modifying a subset changed its parent")
	}
	if _, err := d.Subset([]int{5}, ""); err == nil || !strings.Contains(err.Error(), "outside [0, 5)") {
		t.Errorf("out of range: error = %v", err)
	}
	if img := d.Image(1); !slices.Equal(img, []float32{4.0 / 255, 5.0 / 255, 6.0 / 255, 7.0 / 255}) {
		t.Errorf("Image(1) = %v", img)
	}
	f := d.ToFloat32()
	if img := f.Image(1); !slices.Equal(img, d.Image(1)) {
		t.Errorf("float Image(1) = %v", img)
	}
	fs, err := f.Subset([]int{1}, "one")
	if err != nil || fs.Uint8 != nil || !slices.Equal(fs.Float32, []float32{4.0 / 255, 5.0 / 255, 6.0 / 255, 7.0 / 255}) || fs.Name != "one" {
		t.Errorf("float subset = %+v, %v", fs, err)
	}
}

func TestSplit(t *testing.T) {
	d := toy(50)
	a, b, err := d.Split(0.9)
	if err != nil {
		t.Fatal(err)
	}
	if a.N != 45 || b.N != 5 || a.Labels[44] != 44%3 || b.Labels[0] != 45%3 || b.Uint8[0] != 180 {
		t.Errorf("split sizes %d/%d", a.N, b.N)
	}
	if a.Name != "toy[0:45]" || b.Name != "toy[45:50]" {
		t.Errorf("names %q %q", a.Name, b.Name)
	}
	if _, _, err := d.Split(1.5); err == nil {
		t.Error("fraction 1.5 accepted")
	}
	if e, _, err := d.Split(0); err != nil || e.N != 0 || e.Validate() != nil {
		t.Errorf("empty split: %v", err)
	}
}

func TestSelectClasses(t *testing.T) {
	d := toy(9)
	s, err := d.SelectClasses([]int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	// Images 0, 2, 3, 5, 6, 8 (labels 0, 2, 0, 2, 0, 2) relabelled 2->0, 0->1.
	if !slices.Equal(s.Labels, []int{1, 0, 1, 0, 1, 0}) || !slices.Equal(s.Classes, []string{"c", "a"}) || s.Uint8[4] != 8 {
		t.Errorf("selected %v %v", s.Labels, s.Classes)
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
	for _, bad := range [][]int{{}, {3}, {1, 1}} {
		if _, err := d.SelectClasses(bad); err == nil {
			t.Errorf("SelectClasses(%v) accepted", bad)
		}
	}
}

func TestValidate(t *testing.T) {
	for name, mutate := range map[string]func(d *Images){
		"short pixels": func(d *Images) { d.Uint8 = d.Uint8[1:] },
		"both kinds":   func(d *Images) { d.Float32 = make([]float32, len(d.Uint8)) },
		"bad label":    func(d *Images) { d.Labels[0] = 3 },
		"zero std":     func(d *Images) { d.Std[0] = 0 },
		"no mean":      func(d *Images) { d.Mean = nil },
		"bad shape":    func(d *Images) { d.H = 0 },
	} {
		d := toy(3)
		mutate(d)
		if err := d.Validate(); err == nil {
			t.Errorf("%s: Validate accepted it", name)
		}
	}
}

func TestStats(t *testing.T) {
	d := &Images{Name: "s", N: 2, C: 2, H: 1, W: 2, Uint8: []byte{0, 255, 51, 51, 255, 255, 51, 51},
		Labels: []int{0, 0}, Classes: []string{"x"}, Mean: []float32{0, 0}, Std: []float32{1, 1}}
	mean, std := d.Stats()
	// Channel 0: 0, 1, 1, 1 -> mean 0.75, std sqrt(0.1875). Channel 1: all 0.2.
	if abs(mean[0]-0.75) > 1e-6 || abs(std[0]-0.4330127) > 1e-6 || abs(mean[1]-0.2) > 1e-6 || abs(std[1]) > 1e-6 {
		t.Errorf("Stats = %v %v", mean, std)
	}
	fm, fs := d.ToFloat32().Stats()
	if abs(fm[0]-mean[0]) > 1e-6 || abs(fs[0]-std[0]) > 1e-6 {
		t.Errorf("float Stats = %v %v", fm, fs)
	}
}

func abs(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
