package torchpt

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"sort"
	"testing"
)

// This file builds small torch.save files in Go, byte by byte, for the tests: a protocol-2
// pickle writer that emits exactly the opcodes torch.save emits, and a zip writer.

// Values the pickle writer understands besides nil, bool, int, float64, string and []any
// (a list).
type (
	tup  []any // a tuple
	kv   struct{ k, v any }
	dict []kv // a dict, in order
	odic []kv // a collections.OrderedDict
	nspc []kv // an argparse.Namespace
	raw  []byte
)

// tspec is a tensor: _rebuild_tensor_v2 on the storage data/<key> of class storage
// ("FloatStorage", ...) holding numel elements; param wraps it in _rebuild_parameter.
type tspec struct {
	storage       string
	key           string
	numel         int
	offset        int
	size, stride  []int
	requiresGrad  bool
	param         bool
	fromTypeV2    bool // wrap in torch._tensor._rebuild_from_type_v2 (torch.Tensor, state {})
	metadataEntry bool // pass the optional 7th argument (metadata dict)
}

type pickler struct{ bytes.Buffer }

func newPickler() *pickler {
	p := &pickler{}
	p.Write([]byte{0x80, 2})
	return p
}

func (p *pickler) op(b ...byte) *pickler { p.Write(b); return p }

func (p *pickler) str(s string) {
	p.WriteByte('X')
	binary.Write(p, binary.LittleEndian, uint32(len(s)))
	p.WriteString(s)
}

func (p *pickler) global(module, name string) {
	p.WriteString("c" + module + "\n" + name + "\n")
}

func (p *pickler) int(i int) {
	switch {
	case i >= 0 && i < 256:
		p.op('K', byte(i))
	case i >= 0 && i < 65536:
		p.op('M', byte(i), byte(i>>8))
	case i >= math.MinInt32 && i <= math.MaxInt32:
		p.WriteByte('J')
		binary.Write(p, binary.LittleEndian, int32(i))
	default:
		p.op(0x8a, 8)
		binary.Write(p, binary.LittleEndian, int64(i))
	}
}

func (p *pickler) tuple(items []any) {
	p.WriteByte('(')
	for _, it := range items {
		p.value(it)
	}
	p.WriteByte('t')
}

func (p *pickler) ints(xs []int) {
	t := make([]any, len(xs))
	for i, x := range xs {
		t[i] = x
	}
	p.tuple(t)
}

func (p *pickler) items(kvs []kv) {
	p.WriteByte('(')
	for _, e := range kvs {
		p.value(e.k)
		p.value(e.v)
	}
	p.WriteByte('u')
}

func (p *pickler) value(v any) {
	switch v := v.(type) {
	case nil:
		p.op('N')
	case bool:
		if v {
			p.op(0x88)
		} else {
			p.op(0x89)
		}
	case int:
		p.int(v)
	case float64:
		p.WriteByte('G')
		binary.Write(p, binary.BigEndian, math.Float64bits(v))
	case string:
		p.str(v)
	case []any:
		p.op(']', '(')
		for _, it := range v {
			p.value(it)
		}
		p.op('e')
	case tup:
		p.tuple(v)
	case dict:
		p.op('}')
		p.items(v)
	case odic:
		p.global("collections", "OrderedDict")
		p.op(')', 'R')
		p.items(v)
	case nspc:
		p.global("argparse", "Namespace")
		p.op(')', 0x81, '}')
		p.items(v)
		p.op('b')
	case raw:
		p.Write(v)
	case tspec:
		p.tensor(v)
	default:
		panic("pickler: unsupported value")
	}
}

func (p *pickler) tensor(t tspec) {
	if t.param {
		p.global("torch._utils", "_rebuild_parameter")
		p.WriteByte('(')
	}
	if t.fromTypeV2 {
		// _rebuild_from_type_v2(_rebuild_tensor_v2, torch.Tensor, args, {})
		p.global("torch._tensor", "_rebuild_from_type_v2")
		p.WriteByte('(')
		p.global("torch._utils", "_rebuild_tensor_v2")
		p.global("torch", "Tensor")
		p.tensorArgs(t)
		p.op('}', 't', 'R')
	} else {
		p.global("torch._utils", "_rebuild_tensor_v2")
		p.tensorArgs(t)
		p.op('R')
	}
	if t.param {
		p.value(t.requiresGrad)
		p.value(odic{})
		p.op('t', 'R')
	}
}

// tensorArgs emits the argument tuple of _rebuild_tensor_v2.
func (p *pickler) tensorArgs(t tspec) {
	p.WriteByte('(')
	p.WriteByte('(')
	p.str("storage")
	p.global("torch", t.storage)
	p.str(t.key)
	p.str("cpu")
	p.int(t.numel)
	p.op('t', 'Q')
	p.int(t.offset)
	p.ints(t.size)
	p.ints(t.stride)
	p.value(t.requiresGrad && !t.param)
	p.value(odic{})
	if t.metadataEntry {
		p.value(dict{})
	}
	p.op('t')
}

func (p *pickler) finish() []byte {
	p.WriteByte('.')
	return p.Bytes()
}

// pickleOf returns a protocol-2 pickle of v.
func pickleOf(v any) []byte {
	p := newPickler()
	p.value(v)
	return p.finish()
}

type zentry struct {
	name    string
	data    []byte
	deflate bool
}

// zipOf writes entries into a zip, stored (uncompressed) unless deflate is set, with a
// fixed time so the bytes are reproducible.
func zipOf(t testing.TB, entries []zentry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Store}
		if e.deflate {
			h.Method = zip.Deflate
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkpointZip lays out a torch.save file: prefix/data.pkl, prefix/data/<key> in key
// order, prefix/version.
func checkpointZip(t testing.TB, prefix string, pkl []byte, storages map[string][]byte) []byte {
	t.Helper()
	entries := []zentry{{name: prefix + "/data.pkl", data: pkl}}
	keys := make([]string, 0, len(storages))
	for k := range storages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		entries = append(entries, zentry{name: prefix + "/data/" + k, data: storages[k]})
	}
	entries = append(entries, zentry{name: prefix + "/version", data: []byte("3\n")})
	return zipOf(t, entries)
}

func f32bytes(xs ...float32) []byte {
	b := make([]byte, 4*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func f64bytes(xs ...float64) []byte {
	b := make([]byte, 8*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

func u16bytes(xs ...uint16) []byte {
	b := make([]byte, 2*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return b
}

func i64bytes(xs ...int64) []byte {
	b := make([]byte, 8*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return b
}

// tinyStorages are the storages of the tiny checkpoint.
func tinyStorages() map[string][]byte {
	return map[string][]byte{
		"0": f32bytes(1, 2, 3, 4, 5, 6),
		"1": u16bytes(0x3C00, 0xC000, 0x3800, 0x7BFF), // float16 1, -2, 0.5, 65504
		"2": u16bytes(0x3FC0, 0xC040),                 // bfloat16 1.5, -3
		"3": f64bytes(0.25, -8),
		"4": i64bytes(1200),
	}
}

// tinyValue is the object of the tiny checkpoint: the layout of the authors' training
// checkpoints (state_dict, optimizer, epoch, step, ema_state_dict, args, config) with one
// tensor of each kind.
func tinyValue() dict {
	w := tspec{storage: "FloatStorage", key: "0", numel: 6, size: []int{2, 3}, stride: []int{3, 1}, requiresGrad: true, param: true}
	return dict{
		{"state_dict", odic{
			{"w", w},
			{"w_t", tspec{storage: "FloatStorage", key: "0", numel: 6, size: []int{3, 2}, stride: []int{1, 3}}},
			{"row1", tspec{storage: "FloatStorage", key: "0", numel: 6, offset: 3, size: []int{3}, stride: []int{1}}},
			{"h", tspec{storage: "HalfStorage", key: "1", numel: 4, size: []int{2, 2}, stride: []int{2, 1}}},
			{"bf", tspec{storage: "BFloat16Storage", key: "2", numel: 2, size: []int{2}, stride: []int{1}, metadataEntry: true}},
			{"d", tspec{storage: "DoubleStorage", key: "3", numel: 2, size: []int{2}, stride: []int{1}, fromTypeV2: true}},
		}},
		{"optimizer", dict{
			{"state", dict{{0, dict{{"step", tspec{storage: "LongStorage", key: "4", numel: 1, size: []int{}, stride: []int{}}}}}}},
			{"param_groups", []any{dict{{"lr", 0.001}, {"betas", tup{0.9, 0.999}}, {"params", []any{0}}}}},
		}},
		{"epoch", 3},
		{"step", 1200},
		{"ema_state_dict", nil},
		{"args", nspc{{"hid", 8}, {"name", "tiny"}, {"lora", true}}},
		{"config", dict{{"hid", 8}, {"max_shape", tup{8, 8, 1, 1}}, {"lr", 0.5}, {"big", 1 << 40}}},
	}
}

// tinyCheckpoint returns the bytes of the tiny checkpoint.
func tinyCheckpoint(t testing.TB) []byte {
	return checkpointZip(t, "tiny", pickleOf(tinyValue()), tinyStorages())
}

// withPickle returns a checkpoint with the given data.pkl and the tiny storages.
func withPickle(t testing.TB, pkl []byte) []byte {
	return checkpointZip(t, "archive", pkl, tinyStorages())
}
