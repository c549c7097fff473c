package params

import (
	"bytes"
	"encoding/binary"
	"io"
	"maps"
	"slices"
	"testing"
)

// FuzzReadSafetensors feeds arbitrary bytes to the reader. A file must either be rejected with
// an error or be fully readable, with sizes that add up; an accepted file, rewritten through
// the header encoder, must read back the same. The seed corpus is in
// testdata/fuzz/FuzzReadSafetensors (valid files, truncations, bad JSON, overlapping and
// out-of-range offsets, huge dimensions, ...). Run with
//
//	go test ./logah/params -run '^$' -fuzz FuzzReadSafetensors -fuzztime 3m
func FuzzReadSafetensors(f *testing.F) {
	for _, c := range hostile {
		f.Add(c.file)
	}
	f.Add(rawFile(`{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[],"data_offsets":[8,10]}}`,
		[]byte{0, 0, 128, 63, 0, 0, 0, 64, 128, 63}))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := OpenReaderAt(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		hdrEnd := 8 + int64(binary.LittleEndian.Uint64(data))
		var total int64
		raws := make([][]byte, file.Len())
		infos := file.Infos()
		for i, info := range infos {
			r, err := file.RawReader(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			if r.Size() != info.NumBytes() {
				t.Fatalf("%s: raw size %d, info %d", info.Name, r.Size(), info.NumBytes())
			}
			if raws[i], err = io.ReadAll(r); err != nil {
				t.Fatal(err)
			}
			total += info.NumBytes()
			if !info.DType.IsFloat() {
				continue
			}
			x, err := file.ReadTensor(info.Name)
			if err != nil {
				t.Fatalf("accepted file, unreadable tensor %s: %v", info.Name, err)
			}
			if x.NumBytes() != info.NumBytes() || !slices.Equal(x.Shape(), info.Shape) {
				t.Fatalf("%s: tensor %v, info %+v", info.Name, x, info)
			}
			_ = x.Stats()
		}
		if total != int64(len(data))-hdrEnd {
			t.Fatalf("tensors hold %d bytes, data block is %d", total, int64(len(data))-hdrEnd)
		}

		// Rewrite: the same tensors laid out in header order.
		hdr, _, err := encodeHeader(infos, file.Metadata())
		if err != nil {
			t.Fatalf("cannot re-encode an accepted header: %v", err)
		}
		re := rawFile(string(hdr), bytes.Join(raws, nil))
		again, err := OpenReaderAt(bytes.NewReader(re), int64(len(re)))
		if err != nil {
			t.Fatalf("rewritten file rejected: %v\n%q", err, hdr)
		}
		if !slices.Equal(again.Names(), file.Names()) || !maps.Equal(again.Metadata(), file.Metadata()) {
			t.Fatalf("rewrite changed names or metadata")
		}
		for i, info := range again.Infos() {
			r, _ := again.RawReader(info.Name)
			b, _ := io.ReadAll(r)
			if info.DType != infos[i].DType || !slices.Equal(info.Shape, infos[i].Shape) || !bytes.Equal(b, raws[i]) {
				t.Fatalf("rewrite changed %s", info.Name)
			}
		}
	})
}
