package torchpt

import (
	"bytes"
	"testing"
)

// checkLoaded exercises a successfully loaded checkpoint the way a caller would and checks
// the invariants every result must hold.
func checkLoaded(t *testing.T, c *Checkpoint) {
	var walk func(v any, depth int)
	nodes := 0
	walk = func(v any, depth int) {
		nodes++
		if depth > DefaultMaxDepth+1 || nodes > 4*DefaultMaxPickleOps+1 {
			t.Fatalf("Value exceeds the limits: depth %d, %d nodes", depth, nodes)
		}
		switch v := v.(type) {
		case *Tensor:
			if len(v.Bytes()) != v.NumElements()*v.DType.Size() {
				t.Fatalf("tensor %v holds %d bytes, want %d", v, len(v.Bytes()), v.NumElements()*v.DType.Size())
			}
			if f, err := v.Float32(); err != nil || len(f) != v.NumElements() {
				t.Fatalf("Float32 of %v: %d values, %v", v, len(f), err)
			}
			v.Float64()
			v.Int64()
		case []any:
			for _, e := range v {
				walk(e, depth+1)
			}
		case map[string]any:
			for _, e := range v {
				walk(e, depth+1)
			}
		case map[any]any:
			for _, e := range v {
				walk(e, depth+1)
			}
		case Namespace:
			for _, e := range v {
				walk(e, depth+1)
			}
		}
	}
	walk(c.Value, 0)
	c.StateDict("")
	for _, k := range c.Keys() {
		c.StateDict(k)
		c.Int(k)
	}
	c.Config()
	c.Args()
}

// FuzzLoad feeds arbitrary files to Read: it must return a value or an error, never panic,
// hang or allocate without bound.
func FuzzLoad(f *testing.F) {
	tiny := tinyCheckpoint(f)
	f.Add(tiny)
	f.Add(tiny[:len(tiny)/2])
	f.Add(evilCheckpoint(f))
	f.Add(withPickle(f, pickleOf(odic{{"a", tspec{storage: "FloatStorage", key: "0", numel: 6, size: []int{3, 2}, stride: []int{1, 3}}}})))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		checkLoaded(t, c)
	})
}

// FuzzPickle feeds arbitrary data.pkl contents, inside a valid zip holding the tiny
// checkpoint's storages, so that mutations reach the unpickler instead of failing the CRC.
func FuzzPickle(f *testing.F) {
	f.Add(pickleOf(tinyValue()))
	f.Add(pickleOf(tspec{storage: "HalfStorage", key: "1", numel: 4, size: []int{2, 2}, stride: []int{1, 2}}))
	f.Add(pickleOf(nspc{{"a", tup{1, 2.5, "x", nil, true}}}))
	f.Add([]byte("\x80\x02cos\nsystem\nX\x04\x00\x00\x00echo\x85R."))
	f.Add([]byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x01a\x94\x8c\x01b\x94\x86\x94."))
	f.Add([]byte("\x80\x02c__builtin__\nset\n]K\x01aK\x02a\x85Rc_codecs\nencode\nX\x02\x00\x00\x00\xc3\xbfX\x06\x00\x00\x00latin1\x86R\x86."))
	f.Fuzz(func(t *testing.T, pkl []byte) {
		b := checkpointZip(t, "archive", pkl, tinyStorages())
		c, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		checkLoaded(t, c)
	})
}
