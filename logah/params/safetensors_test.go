package params

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rawFile assembles a safetensors image from a header and a data block (no padding added).
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func openBytes(b []byte) (*File, error) { return OpenReaderAt(bytes.NewReader(b), int64(len(b))) }

// sampleSet has one tensor of each float dtype, a scalar and an empty tensor.
func sampleSet(t *testing.T) *Set {
	t.Helper()
	s := NewSet()
	x := mustTensor(t, "conv_proj.weight", []int{2, 3}, []float32{1, -2, 3.5, 0.1, float32(math.Inf(1)), -0})
	s.Add(x)
	for _, dt := range []DType{F64, F16, BF16} {
		y, _ := x.Convert(dt)
		y = y.Clone("as_" + string(dt))
		s.Add(y)
	}
	s.AddFloat32("scalar", nil, []float32{42})
	s.AddFloat32("empty", []int{0, 3}, nil)
	return s
}

func TestSaveLoadRoundTrip(t *testing.T) {
	s := sampleSet(t)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	md := map[string]string{"format": "pt", "json": `{"a":[1,2]}`, "<&>": "é"}
	if err := Save(path, s, md); err != nil {
		t.Fatal(err)
	}
	got, gotMD, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Names(), s.Names()) {
		t.Fatalf("names %v, want %v", got.Names(), s.Names())
	}
	for want := range s.All() {
		g, _ := got.Get(want.Name())
		if g.DType() != want.DType() || !slices.Equal(g.Shape(), want.Shape()) {
			t.Fatalf("%s: got %v", want, g)
		}
		// Bitwise equality through the 64-bit view (NaN-free data).
		if !slices.Equal(g.Float64s(), want.Float64s()) || !slices.Equal(g.Bits16(), want.Bits16()) {
			t.Fatalf("%s: values differ", want.Name())
		}
	}
	if len(gotMD) != len(md) || gotMD["json"] != md["json"] || gotMD["<&>"] != "é" {
		t.Fatalf("metadata %v", gotMD)
	}

	// Layout: header length, '{', padding to 8, readable names, data at the end.
	b, _ := os.ReadFile(path)
	n := binary.LittleEndian.Uint64(b)
	if (8+n)%8 != 0 || b[8] != '{' || !bytes.Contains(b[8:8+n], []byte(`"<&>"`)) {
		t.Fatalf("header layout: n=%d %q", n, b[8:8+n])
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &hdr); err != nil {
		t.Fatalf("header is not plain JSON: %v", err)
	}
	if int64(len(b)) != int64(8+n)+s.NumBytes() {
		t.Fatalf("file is %d bytes, want %d", len(b), int64(8+n)+s.NumBytes())
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("permissions %v", st.Mode().Perm())
	}
	// No temporary file is left behind.
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("directory holds %d entries", len(entries))
	}

	// Without metadata there is no "__metadata__" entry and Metadata is nil.
	path2 := filepath.Join(t.TempDir(), "n.safetensors")
	if err := Save(path2, s, nil); err != nil {
		t.Fatal(err)
	}
	b2, _ := os.ReadFile(path2)
	if bytes.Contains(b2, []byte("__metadata__")) {
		t.Error("empty metadata was written")
	}
	if _, md2, _ := Load(path2); md2 != nil {
		t.Errorf("metadata %v", md2)
	}
}

func TestFileLazyAccess(t *testing.T) {
	s := sampleSet(t)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Save(path, s, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Len() != 6 || !slices.Equal(f.Names(), s.Names()) || f.Metadata()["k"] != "v" {
		t.Fatalf("names %v metadata %v", f.Names(), f.Metadata())
	}
	info, err := f.Info("as_BF16")
	if err != nil || info.DType != BF16 || !slices.Equal(info.Shape, []int{2, 3}) || info.NumBytes() != 12 {
		t.Fatalf("info %+v %v", info, err)
	}
	if infos := f.Infos(); len(infos) != 6 || infos[4].Name != "scalar" || len(infos[4].Shape) != 0 {
		t.Fatalf("infos %+v", infos)
	}
	x, err := f.ReadTensor("scalar")
	if err != nil || x.Float32s()[0] != 42 {
		t.Fatalf("scalar: %v %v", x, err)
	}
	r, err := f.RawReader("conv_proj.weight")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(r)
	if len(raw) != 24 || math.Float32frombits(binary.LittleEndian.Uint32(raw[8:])) != 3.5 {
		t.Fatalf("raw % x", raw)
	}
	sub, err := f.ReadSet("as_F16", "scalar")
	if err != nil || !slices.Equal(sub.Names(), []string{"as_F16", "scalar"}) {
		t.Fatalf("ReadSet: %v %v", sub, err)
	}
	_, err = f.ReadTensor("nope")
	wantErr(t, err, `no tensor "nope"`, "conv_proj.weight")
	_, err = f.Info("nope")
	wantErr(t, err, "nope")
	f.Close()
	_, err = f.ReadTensor("scalar")
	wantErr(t, err, "after Close")
	if x.Float32s()[0] != 42 {
		t.Fatal("tensor invalid after Close")
	}
}

func TestWriterStreaming(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.safetensors")
	infos := []TensorInfo{
		{"a", F32, []int{3}},
		{"ids", I64, []int{2}},
		{"h", F16, []int{2, 2}},
		{"big", BF16, []int{3000}}, // larger than nothing, written in odd pieces
	}
	w, err := Create(path, infos, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	// Any order; float32 converted to the declared dtype.
	if err := w.WriteFloat32("h", []float32{1, 2, 3, 0.1}); err != nil {
		t.Fatal(err)
	}
	iw, err := w.TensorWriter("ids")
	if err != nil {
		t.Fatal(err)
	}
	binary.Write(iw, binary.LittleEndian, []int64{7, -9})
	bw, _ := w.TensorWriter("big")
	want := make([]uint16, 3000)
	var raw []byte
	for i := range want {
		want[i] = Float32ToBF16(float32(i) / 7)
		raw = binary.LittleEndian.AppendUint16(raw, want[i])
	}
	for len(raw) > 0 {
		k := min(len(raw), 777)
		if n, err := bw.Write(raw[:k]); err != nil || n != k {
			t.Fatalf("Write: %d %v", n, err)
		}
		raw = raw[k:]
	}
	if _, err := bw.Write([]byte{1}); err == nil {
		t.Fatal("writing past the declared size succeeded")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("the final file exists before Close")
	}
	if err := w.WriteFloat32("a", []float32{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	wantErr(t, w.WriteFloat32("a", []float32{1, 2, 3}), "after Close")

	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, _ := f.ReadTensor("h")
	if got := h.Float32s(); got[3] != F16ToFloat32(Float32ToF16(0.1)) || got[2] != 3 {
		t.Fatalf("h = %v", got)
	}
	big, _ := f.ReadTensor("big")
	if !slices.Equal(big.Bits16(), want) {
		t.Fatal("streamed tensor differs")
	}
	_, err = f.ReadTensor("ids")
	wantErr(t, err, "I64", "RawReader")
	r, _ := f.RawReader("ids")
	var ids [2]int64
	binary.Read(r, binary.LittleEndian, &ids)
	if ids != [2]int64{7, -9} {
		t.Fatalf("ids %v", ids)
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "e.safetensors")
	// An existing file must survive a failed write.
	os.WriteFile(path, []byte("old"), 0o644)

	_, err := Create(path, []TensorInfo{{"a", F32, []int{1}}, {"a", F32, []int{1}}}, nil)
	wantErr(t, err, `"a" is declared twice`)
	_, err = Create(path, []TensorInfo{{"a", "F33", []int{1}}}, nil)
	wantErr(t, err, `unknown dtype "F33"`)
	_, err = Create(path, []TensorInfo{{"a", F32, []int{-1}}}, nil)
	wantErr(t, err, "negative")
	_, err = Create(path, []TensorInfo{{"__metadata__", F32, []int{1}}}, nil)
	wantErr(t, err, "reserved")
	_, err = Create(path, []TensorInfo{{"a\xff", F32, []int{1}}}, nil)
	wantErr(t, err, "UTF-8")
	_, err = Create(filepath.Join(dir, "no", "such", "dir", "x"), nil, nil)
	wantErr(t, err, "temporary file")

	w, err := Create(path, []TensorInfo{{"a", F32, []int{2}}, {"b", F32, []int{2}}, {"c", F32, []int{2}}, {"i", U8, []int{1}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, w.WriteFloat32("zz", []float32{1}), `"zz" was not declared`)
	wantErr(t, w.WriteFloat32("a", []float32{1}), "2 elements", "has 1")
	wantErr(t, w.WriteTensor(mustTensor(t, "a", []int{1, 2}, []float32{1, 2})), "shape [1 2] but was declared [2]")
	wantErr(t, w.WriteFloat32("i", []float32{1}), "TensorWriter")
	if err := w.WriteFloat32("a", []float32{1, 2}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, w.WriteFloat32("a", []float32{1, 2}), "already written")
	cw, _ := w.TensorWriter("c")
	cw.Write([]byte{1, 2, 3})
	_, err = w.TensorWriter("c")
	wantErr(t, err, "already written")
	err = w.Close()
	wantErr(t, err, "3 declared tensors were not written in full", "b (0 of 8 bytes)", "c (3 of 8 bytes)", "nothing was saved")
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("the existing file was changed: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	wantErr(t, w.Close(), "not written in full") // Close keeps failing
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}

	// Abort before Close removes the temporary file.
	w, _ = Create(path, []TensorInfo{{"a", F32, []int{1}}}, nil)
	w.WriteFloat32("a", []float32{1})
	w.Abort()
	wantErr(t, w.Close(), "aborted")
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("Abort left %v", entries)
	}
}

// hostile lists malformed files and a fragment of the error each must give.
var hostile = []struct {
	name string
	file []byte
	want string
}{
	{"empty", nil, "shorter than the 8-byte"},
	{"short", []byte{1, 2, 3}, "shorter than the 8-byte"},
	{"huge header length", binary.LittleEndian.AppendUint64(nil, 1<<62), "exceeds the limit"},
	{"header past end", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), "truncated"},
	{"not JSON", rawFile("{nope}  ", nil), "not valid JSON"},
	{"not an object", rawFile("[1,2]   ", nil), "does not start with '{'"},
	{"leading space", rawFile(" {}     ", nil), "does not start with '{'"},
	{"trailing garbage", rawFile("{}x     ", nil), "after the JSON object"},
	{"NUL padding", rawFile("{}\x00\x00\x00\x00\x00\x00", nil), "after the JSON object"},
	{"bad UTF-8", rawFile("{\"\xff\":1}", nil), "UTF-8"},
	{"unknown dtype", rawFile(`{"a":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `unknown dtype "F31"`},
	{"dtype not string", rawFile(`{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), "dtype must be a string"},
	{"missing shape", rawFile(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, make([]byte, 4)), `no "shape" field`},
	{"entry not object", rawFile(`{"a":[1]}`, nil), "must be an object"},
	{"negative dim", rawFile(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)), "negative"},
	{"fractional dim", rawFile(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, make([]byte, 4)), "not an integer"},
	{"dim overflow int64", rawFile(`{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}`, make([]byte, 4)), "not an integer"},
	{"product overflow", rawFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}`, make([]byte, 4)), "2^63"},
	{"bytes overflow", rawFile(`{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,4]}}`, make([]byte, 4)), "2^63 bytes"},
	{"huge dims, tiny file", rawFile(`{"a":{"dtype":"F32","shape":[100000,100000],"data_offsets":[0,40000000000]}}`, make([]byte, 4)), "truncated"},
	{"one offset", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, make([]byte, 4)), "must have 2 elements"},
	{"offsets reversed", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}`, make([]byte, 4)), "end before they begin"},
	{"size mismatch", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 4)), "span 4 bytes but F32[2] needs 8"},
	{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "overlapping"},
	{"gap", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, make([]byte, 12)), "gap of 4 bytes"},
	{"gap at start", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "start of the data block"},
	{"trailing data", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 8)), "4 unexplained trailing bytes"},
	{"truncated data", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 4)), "truncated"},
	{"duplicate name", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), `"a" twice`},
	{"duplicate metadata", rawFile(`{"__metadata__":{},"__metadata__":{}}`, nil), "twice"},
	{"metadata not strings", rawFile(`{"__metadata__":{"k":1}}`, nil), `key "k" must be a string`},
	{"metadata not object", rawFile(`{"__metadata__":[1]}`, nil), "must be an object"},
}

func TestReaderRejectsHostileFiles(t *testing.T) {
	for _, c := range hostile {
		t.Run(c.name, func(t *testing.T) {
			f, err := openBytes(c.file)
			if err == nil {
				t.Fatalf("accepted: %v", f.Names())
			}
			wantErr(t, err, c.want)
		})
	}
}

func TestReaderAcceptsEdgeCases(t *testing.T) {
	cases := []struct {
		name  string
		file  []byte
		names []string
	}{
		{"empty header", rawFile("{}", nil), nil},
		{"null metadata", rawFile(`{"__metadata__":null}`, nil), nil},
		{"unknown fields ignored", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":true}}`, make([]byte, 4)), []string{"a"}},
		{"offsets out of header order", rawFile(`{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, make([]byte, 8)), []string{"b", "a"}},
		{"zero-size tensors", rawFile(`{"z":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"s":{"dtype":"F16","shape":[],"data_offsets":[0,2]}}`, make([]byte, 2)), []string{"z", "s"}},
		{"whitespace", rawFile("{ \"a\" : {\"dtype\":\"BF16\",\n\"shape\":[1],\"data_offsets\":[0,2]} }\n\t ", make([]byte, 2)), []string{"a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := openBytes(c.file)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.Names(), c.names) && len(c.names)+f.Len() > 0 {
				t.Fatalf("names %v, want %v", f.Names(), c.names)
			}
			for _, n := range f.Names() {
				if info, _ := f.Info(n); info.DType.IsFloat() {
					if _, err := f.ReadTensor(n); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "missing.safetensors"))
	wantErr(t, err, "missing.safetensors", "no such file")
	_, err = Open(dir)
	wantErr(t, err, "not a regular file")
	p := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(p, rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 4)), 0o644)
	_, _, err = Load(p)
	wantErr(t, err, "bad.safetensors", "truncated")

	// A file truncated after it was opened gives an error, not a short tensor.
	good := filepath.Join(dir, "good.safetensors")
	if err := Save(good, sampleSet(t), nil); err != nil {
		t.Fatal(err)
	}
	f, err := Open(good)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	os.Truncate(good, 20)
	_, err = f.ReadTensor("conv_proj.weight")
	wantErr(t, err, "truncated after it was opened")
}

// TestReadOnlyTouchesOneTensor checks that reading a tensor reads its bytes and the header only.
func TestReadOnlyTouchesOneTensor(t *testing.T) {
	s := NewSet()
	s.AddFloat32("small", []int{4}, []float32{1, 2, 3, 4})
	s.AddFloat32("large", []int{1 << 18}, make([]float32, 1<<18))
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Save(path, s, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	cr := &countingReader{r: bytes.NewReader(b)}
	f, err := OpenReaderAt(cr, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadTensor("small"); err != nil {
		t.Fatal(err)
	}
	hdr := 8 + int64(binary.LittleEndian.Uint64(b))
	if cr.n != hdr+16 {
		t.Fatalf("read %d bytes, want header %d + 16", cr.n, hdr)
	}
}

type countingReader struct {
	r io.ReaderAt
	n int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// TestEncodeHeaderParses checks that what the writer declares, the reader reads back.
func TestEncodeHeaderParses(t *testing.T) {
	infos := []TensorInfo{{"x\"y\\z\n", F64, []int{2}}, {"", U8, []int{3}}, {"s", F32, []int{}}}
	hdr, offs, err := encodeHeader(infos, map[string]string{"q": "\u2028"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(offs, []int64{0, 16, 19}) || (8+len(hdr))%8 != 0 {
		t.Fatalf("offsets %v, header %q", offs, hdr)
	}
	f, err := openBytes(rawFile(string(hdr), make([]byte, 23)))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Infos(); got[0].Name != infos[0].Name || got[1].Name != "" || f.Metadata()["q"] != "\u2028" {
		t.Fatalf("%+v %v", got, f.Metadata())
	}
	if strings.Contains(string(hdr), `\u003c`) {
		t.Fatal("HTML escaping in header")
	}
}
