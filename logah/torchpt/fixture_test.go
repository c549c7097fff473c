package torchpt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"testing"

	"github.com/logah-go/logah/internal/fixtures"
)

// safetensorsF32 is a test-only reader of an all-F32 safetensors file: an 8-byte
// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, the data.
func safetensorsF32(t *testing.T, path string) map[string]NamedTensor {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 8 {
		t.Fatalf("%s: too short for a safetensors file", path)
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		t.Fatalf("%s: header length %d beyond the file", path, n)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &header); err != nil {
		t.Fatalf("%s: header: %v", path, err)
	}
	data := b[8+n:]
	out := map[string]NamedTensor{}
	for name, rawInfo := range header {
		if name == "__metadata__" {
			continue
		}
		var info struct {
			DType   string   `json:"dtype"`
			Shape   []int    `json:"shape"`
			Offsets [2]int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(rawInfo, &info); err != nil {
			t.Fatalf("%s: %s: %v", path, name, err)
		}
		numel := 1
		for _, s := range info.Shape {
			numel *= s
		}
		lo, hi := info.Offsets[0], info.Offsets[1]
		if info.DType != "F32" || lo < 0 || hi > int64(len(data)) || hi-lo != int64(4*numel) {
			t.Fatalf("%s: %s: dtype %s offsets %v for shape %v", path, name, info.DType, info.Offsets, info.Shape)
		}
		out[name] = NamedTensor{Name: name, Tensor: &Tensor{DType: Float32, Shape: info.Shape, data: data[lo:hi]}}
	}
	return out
}

// TestFixtureCheckpoint loads the authors'-layout checkpoint and checks every state_dict
// tensor bitwise against ghn_vit_tiny.safetensors.
func TestFixtureCheckpoint(t *testing.T) {
	c, err := Load(fixtures.Path(t, "ghn_vit_tiny_checkpoint.pt"))
	if err != nil {
		t.Fatal(err)
	}
	ref := safetensorsF32(t, fixtures.Path(t, "ghn_vit_tiny.safetensors"))
	sd, err := c.StateDict("state_dict")
	if err != nil {
		t.Fatal(err)
	}
	if len(sd) != 51 || len(ref) != 51 {
		t.Fatalf("state_dict has %d tensors and the safetensors file %d; want 51 each", len(sd), len(ref))
	}
	seen := map[string]bool{}
	for _, nt := range sd {
		r, ok := ref[nt.Name]
		if !ok {
			t.Errorf("%s: not in ghn_vit_tiny.safetensors", nt.Name)
			continue
		}
		seen[nt.Name] = true
		if nt.DType != Float32 || !reflect.DeepEqual(nt.Shape, r.Shape) {
			t.Errorf("%s: %s%v, want float32%v", nt.Name, nt.DType, nt.Shape, r.Shape)
			continue
		}
		got, want := mustFloat32(t, nt.Tensor), mustFloat32(t, r.Tensor)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Errorf("%s[%d] = %g, want %g (bitwise)", nt.Name, i, got[i], want[i])
				break
			}
		}
	}
	if len(seen) != len(ref) {
		t.Errorf("matched %d of %d reference tensors", len(seen), len(ref))
	}
	// The aliases hold the same numbers as the tensors they alias.
	byName := map[string]*Tensor{}
	for _, nt := range sd {
		byName[nt.Name] = nt.Tensor
	}
	for alias, orig := range map[string]string{"decoder.seq.1.weight": "decoder.l2.weight", "decoder.seq.1.bias": "decoder.l2.bias"} {
		a, o := byName[alias], byName[orig]
		if a == nil || o == nil || !bytes.Equal(a.Bytes(), o.Bytes()) {
			t.Errorf("alias %s differs from %s", alias, orig)
		}
	}

	for key, want := range map[string]int64{"epoch": 3, "step": 1200} {
		if got, err := c.Int(key); err != nil || got != want {
			t.Errorf("Int(%q) = %d, %v; want %d", key, got, err, want)
		}
	}
	if v, ok := c.Get("ema_state_dict"); !ok || v != nil {
		t.Errorf("ema_state_dict = %v (present %v), want None", v, ok)
	}
	cfg, err := c.Config()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"hid": int64(32), "layers": int64(2), "heads": int64(4), "lora_r": int64(8),
		"max_ck_lora": int64(4096), "max_shape": []any{int64(256), int64(256), int64(16), int64(16)}} {
		if !reflect.DeepEqual(cfg[k], want) {
			t.Errorf("config[%q] = %#v, want %#v", k, cfg[k], want)
		}
	}
	args, err := c.Args()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"hid": int64(32), "lora": true, "name": "ghn-tiny-fixture", "dataset": "cifar10", "lr": 0.0003} {
		if !reflect.DeepEqual(args[k], want) {
			t.Errorf("args.%s = %#v, want %#v", k, args[k], want)
		}
	}

	// The AdamW state: one entry per parameter with a scalar step and moments shaped like it.
	opt, _ := c.Get("optimizer")
	om, ok := opt.(map[string]any)
	if !ok {
		t.Fatalf("optimizer is a %T", opt)
	}
	state, ok := om["state"].(map[any]any)
	if !ok || len(state) == 0 {
		t.Fatalf("optimizer state is a %T of %d entries", om["state"], len(state))
	}
	groups, _ := om["param_groups"].([]any)
	if len(groups) != 1 {
		t.Fatalf("param_groups: %#v", om["param_groups"])
	}
	params := groups[0].(map[string]any)["params"].([]any)
	if len(params) != len(state) {
		t.Errorf("param_groups lists %d params, state has %d", len(params), len(state))
	}
	for _, p := range params {
		s, ok := state[p].(map[string]any)
		if !ok {
			t.Errorf("state[%v] missing", p)
			continue
		}
		step, _ := s["step"].(*Tensor)
		m, _ := s["exp_avg"].(*Tensor)
		v, _ := s["exp_avg_sq"].(*Tensor)
		if step == nil || m == nil || v == nil || len(step.Shape) != 0 || !reflect.DeepEqual(m.Shape, v.Shape) {
			t.Errorf("state[%v] = %v", p, s)
			continue
		}
		if sv := mustFloat32(t, step); sv[0] != 1 {
			t.Errorf("state[%v].step = %v, want 1 (one AdamW step)", p, sv)
		}
	}
	t.Log(fmt.Sprintf("%d tensors, %d optimizer states", len(sd), len(state)))
}
