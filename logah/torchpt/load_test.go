package torchpt

import (
	"bytes"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func readTiny(t *testing.T) *Checkpoint {
	t.Helper()
	b := tinyCheckpoint(t)
	c, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Read(tiny): %v", err)
	}
	return c
}

func mustFloat32(t *testing.T, x *Tensor) []float32 {
	t.Helper()
	v, err := x.Float32()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLoadTinyStateDict(t *testing.T) {
	c := readTiny(t)
	if c.Prefix != "tiny" || c.Version != "3" {
		t.Errorf("prefix %q version %q, want tiny 3", c.Prefix, c.Version)
	}
	sd, err := c.StateDict("state_dict")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, nt := range sd {
		names = append(names, nt.Name)
	}
	if want := []string{"w", "w_t", "row1", "h", "bf", "d"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("state dict order %v, want %v", names, want)
	}
	want := map[string]struct {
		dtype DType
		shape []int
		vals  []float32
	}{
		"w":    {Float32, []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
		"w_t":  {Float32, []int{3, 2}, []float32{1, 4, 2, 5, 3, 6}}, // transposed view, copied
		"row1": {Float32, []int{3}, []float32{4, 5, 6}},             // offset 3 into the same storage
		"h":    {Float16, []int{2, 2}, []float32{1, -2, 0.5, 65504}},
		"bf":   {BFloat16, []int{2}, []float32{1.5, -3}},
		"d":    {Float64, []int{2}, []float32{0.25, -8}},
	}
	for _, nt := range sd {
		w := want[nt.Name]
		if nt.DType != w.dtype || !reflect.DeepEqual(nt.Shape, w.shape) {
			t.Errorf("%s: %s%v, want %s%v", nt.Name, nt.DType, nt.Shape, w.dtype, w.shape)
		}
		if got := mustFloat32(t, nt.Tensor); !reflect.DeepEqual(got, w.vals) {
			t.Errorf("%s: values %v, want %v", nt.Name, got, w.vals)
		}
		if nt.StorageKey == "" || nt.Device != "cpu" {
			t.Errorf("%s: storage %q device %q", nt.Name, nt.StorageKey, nt.Device)
		}
	}
	if !sd[0].RequiresGrad || sd[1].RequiresGrad {
		t.Errorf("requires_grad: w %v (parameter, want true), w_t %v (want false)", sd[0].RequiresGrad, sd[1].RequiresGrad)
	}
	if sd[0].StorageKey != sd[1].StorageKey || sd[0].StorageKey != sd[2].StorageKey {
		t.Errorf("w, w_t and row1 should share storage 0: %q %q %q", sd[0].StorageKey, sd[1].StorageKey, sd[2].StorageKey)
	}
	// Contiguous views share the storage's memory; the transposed one is a copy.
	if &sd[0].Bytes()[12] != &sd[2].Bytes()[0] {
		t.Error("row1 should alias the second row of w")
	}
	if !reflect.DeepEqual(sd[1].Stride, []int{1, 3}) || sd[2].Offset != 3 {
		t.Errorf("original view lost: w_t stride %v, row1 offset %d", sd[1].Stride, sd[2].Offset)
	}
	d, err := sd[5].Float64()
	if err != nil || !reflect.DeepEqual(d, []float64{0.25, -8}) {
		t.Errorf("d.Float64() = %v, %v", d, err)
	}
	if _, err := sd[0].Int64(); err == nil {
		t.Error("Int64 on a float32 tensor should fail")
	}
}

func TestLoadTinyTrainingEntries(t *testing.T) {
	c := readTiny(t)
	if want := []string{"state_dict", "optimizer", "epoch", "step", "ema_state_dict", "args", "config"}; !reflect.DeepEqual(c.Keys(), want) {
		t.Errorf("Keys() = %v, want %v", c.Keys(), want)
	}
	for key, want := range map[string]int64{"epoch": 3, "step": 1200} {
		if got, err := c.Int(key); err != nil || got != want {
			t.Errorf("Int(%q) = %d, %v; want %d", key, got, err, want)
		}
	}
	if v, ok := c.Get("ema_state_dict"); !ok || v != nil {
		t.Errorf("ema_state_dict = %v, %v; want nil, true", v, ok)
	}
	args, err := c.Args()
	if err != nil {
		t.Fatal(err)
	}
	if want := (Namespace{"hid": int64(8), "name": "tiny", "lora": true}); !reflect.DeepEqual(args, want) {
		t.Errorf("Args() = %v, want %v", args, want)
	}
	cfg, err := c.Config()
	if err != nil {
		t.Fatal(err)
	}
	wantCfg := map[string]any{"hid": int64(8), "max_shape": []any{int64(8), int64(8), int64(1), int64(1)}, "lr": 0.5, "big": int64(1 << 40)}
	if !reflect.DeepEqual(cfg, wantCfg) {
		t.Errorf("Config() = %v, want %v", cfg, wantCfg)
	}
	opt, _ := c.Get("optimizer")
	state := opt.(map[string]any)["state"].(map[any]any)
	step := state[int64(0)].(map[string]any)["step"].(*Tensor)
	if got, err := step.Int64(); err != nil || !reflect.DeepEqual(got, []int64{1200}) || len(step.Shape) != 0 {
		t.Errorf("optimizer step = %v%v, %v; want scalar 1200", got, step.Shape, err)
	}
	groups := opt.(map[string]any)["param_groups"].([]any)
	if g := groups[0].(map[string]any); g["lr"] != 0.001 || !reflect.DeepEqual(g["betas"], []any{0.9, 0.999}) {
		t.Errorf("param_groups[0] = %v", g)
	}
	// Helpers fail clearly on the wrong entry.
	if _, err := c.Int("config"); err == nil {
		t.Error("Int(config) should fail: it is a dict")
	}
	if _, err := c.StateDict("nope"); err == nil {
		t.Error("StateDict(nope) should fail")
	}
	if _, err := c.StateDict("config"); err == nil {
		t.Error("StateDict(config) should fail: its values are not tensors")
	}
}

func TestLoadBareStateDict(t *testing.T) {
	sd := odic{
		{"b", tspec{storage: "FloatStorage", key: "0", numel: 6, size: []int{2}, stride: []int{1}, offset: 4}},
		{"a", tspec{storage: "FloatStorage", key: "0", numel: 6, size: []int{6}, stride: []int{1}}},
	}
	b := checkpointZip(t, "archive", pickleOf(sd), map[string][]byte{"0": f32bytes(1, 2, 3, 4, 5, 6)})
	path := filepath.Join(t.TempDir(), "sd.pt")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.StateDict("")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "b" || got[1].Name != "a" {
		t.Fatalf("StateDict(\"\") = %v", got)
	}
	if v := mustFloat32(t, got[0].Tensor); !reflect.DeepEqual(v, []float32{5, 6}) {
		t.Errorf("b = %v, want [5 6]", v)
	}
	if _, err := c.Config(); err == nil {
		t.Error("Config() on a state dict should fail: it has no config entry")
	}
}

func TestHalfToFloat32(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0}, {0x3C00, 1}, {0xC000, -2}, {0x7BFF, 65504},
		{0x0001, float32(math.Ldexp(1, -24))}, // smallest subnormal
		{0x03FF, float32(math.Ldexp(1023, -24))},
		{0x0400, float32(math.Ldexp(1, -14))}, // smallest normal
		{0x7C00, float32(math.Inf(1))}, {0xFC00, float32(math.Inf(-1))},
	} {
		if got := halfToFloat32(c.h); got != c.want {
			t.Errorf("halfToFloat32(%#04x) = %g, want %g", c.h, got, c.want)
		}
	}
	if got := halfToFloat32(0x7E00); !math.IsNaN(float64(got)) {
		t.Errorf("halfToFloat32(NaN) = %g", got)
	}
	if got := math.Float32bits(halfToFloat32(0x8000)); got != 0x80000000 {
		t.Errorf("halfToFloat32(-0) bits %#x", got)
	}
	if got := bfloat16ToFloat32(0x3FC0); got != 1.5 {
		t.Errorf("bfloat16ToFloat32(0x3FC0) = %g, want 1.5", got)
	}
}

func TestAllDTypes(t *testing.T) {
	cases := []struct {
		storage string
		data    []byte
		numel   int
		want    []float64
	}{
		{"IntStorage", []byte{0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0}, 2, []float64{-1, 7}},
		{"ShortStorage", []byte{0xfe, 0xff}, 1, []float64{-2}},
		{"CharStorage", []byte{0x80}, 1, []float64{-128}},
		{"ByteStorage", []byte{0x80}, 1, []float64{128}},
		{"BoolStorage", []byte{0, 1}, 2, []float64{0, 1}},
		{"LongStorage", i64bytes(-5), 1, []float64{-5}},
	}
	for _, c := range cases {
		v := tspec{storage: c.storage, key: "k", numel: c.numel, size: []int{c.numel}, stride: []int{1}}
		b := checkpointZip(t, "a", pickleOf(v), map[string][]byte{"k": c.data})
		ck, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: %v", c.storage, err)
		}
		x := ck.Value.(*Tensor)
		got, err := x.Float64()
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Float64() = %v, %v; want %v", c.storage, got, err, c.want)
		}
		if ints, err := x.Int64(); err != nil || float64(ints[0]) != c.want[0] {
			t.Errorf("%s: Int64() = %v, %v", c.storage, ints, err)
		}
	}
}

func TestLoadProtocolVariants(t *testing.T) {
	cases := []struct {
		name string
		pkl  string
		want any
	}{
		// protocol 2: set([1, 2]) and bytes b"\xff" as _codecs.encode("\u00ff", "latin1")
		{"set and bytes", "\x80\x02c__builtin__\nset\n]K\x01aK\x02a\x85Rc_codecs\nencode\nX\x02\x00\x00\x00\xc3\xbfX\x06\x00\x00\x00latin1\x86R\x86.",
			[]any{[]any{int64(1), int64(2)}, []byte{0xff}}},
		// protocol 4: a frame, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL of torch.Size
		{"protocol 4", "\x80\x04\x95\x1a\x00\x00\x00\x00\x00\x00\x00\x8c\x05torch\x94\x8c\x04Size\x94\x93\x94K\x02K\x03\x86\x85R\x94.",
			[]any{int64(2), int64(3)}},
		// empty bytes as protocol 2 writes them, a dtype value, a big int, a float
		{"scalars", "\x80\x02(c__builtin__\nbytes\n)Rctorch\nbfloat16\n\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01G?\xf0\x00\x00\x00\x00\x00\x00t.",
			nil},
		// tuple keys become Python-like text, int keys stay int64
		{"dict keys", "\x80\x02}(K\x01K\x02\x86X\x01\x00\x00\x00aK\x07X\x01\x00\x00\x00bu.",
			map[any]any{"(1, 2)": "a", int64(7): "b"}},
	}
	for _, c := range cases {
		b := withPickle(t, []byte(c.pkl))
		ck, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.name == "scalars" {
			v := ck.Value.([]any)
			if len(v[0].([]byte)) != 0 || v[1] != BFloat16 || v[3] != 1.0 {
				t.Errorf("scalars: %#v", v)
			}
			if bi, ok := v[2].(*big.Int); !ok || bi.String() != "18446744073709551616" {
				t.Errorf("big int: %#v", v[2])
			}
			continue
		}
		if !reflect.DeepEqual(ck.Value, c.want) {
			t.Errorf("%s: %#v, want %#v", c.name, ck.Value, c.want)
		}
	}
}

func TestTensorNotFromFile(t *testing.T) {
	for _, x := range []*Tensor{
		{DType: Float32, Shape: []int{3}},
		{DType: "complex64", Shape: []int{1}, data: make([]byte, 8)},
		{DType: Float32, Shape: []int{-1}},
		{DType: Int8, Shape: []int{1 << 40, 1 << 40}, data: make([]byte, 1)},
	} {
		if _, err := x.Float32(); err == nil {
			t.Errorf("Float32 of %v with %d bytes should fail", x, len(x.data))
		}
		if _, err := x.Int64(); err == nil {
			t.Errorf("Int64 of %v with %d bytes should fail", x, len(x.data))
		}
	}
}
