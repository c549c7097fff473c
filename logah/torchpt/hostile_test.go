package torchpt

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// readErr reads b and returns the error, failing the test if the read succeeds.
func readErr(t *testing.T, b []byte, opts ...Option) error {
	t.Helper()
	c, err := Read(bytes.NewReader(b), int64(len(b)), opts...)
	if err == nil {
		t.Fatalf("Read succeeded (value %v); want an error", c.Value)
	}
	return err
}

func wantErr(t *testing.T, err error, kind error, substrings ...string) {
	t.Helper()
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %q does not wrap %v", err, kind)
	}
	for _, s := range substrings {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

func TestRejectNotAZip(t *testing.T) {
	wantErr(t, readErr(t, []byte("hello, world")), ErrFormat, "not a zip")
	wantErr(t, readErr(t, nil), ErrFormat, "not a zip")
	legacy := append([]byte{0x80, 0x02, 0x8a, 0x0a}, []byte("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.")...)
	wantErr(t, readErr(t, legacy), ErrFormat, "legacy", "PyTorch < 1.6")
}

func TestRejectTruncatedZip(t *testing.T) {
	b := tinyCheckpoint(t)
	for _, n := range []int{len(b) / 2, len(b) - 1, 30} {
		wantErr(t, readErr(t, b[:n]), ErrFormat)
	}
}

func TestRejectCorruptStorage(t *testing.T) {
	b := tinyCheckpoint(t)
	// Flip a byte inside storage data/0 (the float 1.0 = 00 00 80 3f): the CRC must catch it.
	i := bytes.Index(b, f32bytes(1, 2, 3, 4, 5, 6))
	if i < 0 {
		t.Fatal("storage 0 not found in the zip")
	}
	c := bytes.Clone(b)
	c[i+3] ^= 0x01
	wantErr(t, readErr(t, c), ErrFormat, "checksum", "tiny/data/0")
}

func TestRejectMissingDataPkl(t *testing.T) {
	b := zipOf(t, []zentry{{name: "archive/version", data: []byte("3\n")}, {name: "archive/data/0", data: f32bytes(1)}})
	wantErr(t, readErr(t, b), ErrFormat, "no <name>/data.pkl")
	ts := zipOf(t, []zentry{{name: "m/constants.pkl", data: []byte{0x80, 2, '.'}}, {name: "m/code/m.py"}})
	wantErr(t, readErr(t, ts), ErrFormat, "TorchScript")
	two := zipOf(t, []zentry{{name: "a/data.pkl", data: pickleOf(1)}, {name: "b/data.pkl", data: pickleOf(2)}})
	wantErr(t, readErr(t, two), ErrFormat, "2 data.pkl")
	dup := zipOf(t, []zentry{{name: "a/data.pkl", data: pickleOf(1)}, {name: "a/data.pkl", data: pickleOf(2)}})
	wantErr(t, readErr(t, dup), ErrFormat, "two entries named a/data.pkl")
}

func TestRejectForbiddenGlobals(t *testing.T) {
	cases := map[string]raw{
		"os.system":                          raw("cos\nsystem\nX\x04\x00\x00\x00echo\x85R"),
		"posix.system":                       raw("cposix\nsystem\nX\x04\x00\x00\x00echo\x85R"),
		"builtins.eval":                      raw("cbuiltins\neval\nX\x01\x00\x00\x001\x85R"),
		"__builtin__.getattr":                raw("c__builtin__\ngetattr\n"),
		"subprocess.Popen":                   raw("csubprocess\nPopen\n]\x85R"),
		"torch.load":                         raw("ctorch\nload\n"),
		"numpy.core.multiarray._reconstruct": raw("cnumpy.core.multiarray\n_reconstruct\n"),
		// the same through protocol 4's STACK_GLOBAL and protocol 0's INST
		"os.popen":  raw("\x8c\x02os\x8c\x05popen\x93"),
		"nt.system": raw("(X\x04\x00\x00\x00echoint\nsystem\n"),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			err := readErr(t, withPickle(t, pickleOf(dict{{"x", body}})))
			var fc *ForbiddenClassError
			if !errors.As(err, &fc) || fc.Module+"."+fc.Name != name {
				t.Fatalf("error %q is not a ForbiddenClassError for %s", err, name)
			}
			wantErr(t, err, nil, name, "not allowed")
		})
	}
}

func TestRejectStorageMismatch(t *testing.T) {
	tensor := func(numel int, size, stride []int, offset int) []byte {
		return pickleOf(tspec{storage: "FloatStorage", key: "0", numel: numel, size: size, stride: stride, offset: offset})
	}
	// Storage "0" of the tiny storages holds 6 float32 (24 bytes).
	wantErr(t, readErr(t, withPickle(t, tensor(1<<40, []int{1}, []int{1}, 0))), ErrFormat, "declares 1099511627776 elements", "holds 24 bytes")
	wantErr(t, readErr(t, withPickle(t, tensor(1<<62, []int{1}, []int{1}, 0))), ErrFormat, "overflows")
	wantErr(t, readErr(t, withPickle(t, tensor(5, []int{5}, []int{1}, 0))), ErrFormat, "20 bytes")
	wantErr(t, readErr(t, withPickle(t, tensor(6, []int{4, 4}, []int{4, 1}, 0))), ErrFormat, "beyond the storage")
	wantErr(t, readErr(t, withPickle(t, tensor(6, []int{3}, []int{1}, 4))), ErrFormat, "beyond the storage")
	wantErr(t, readErr(t, withPickle(t, tensor(6, []int{0}, []int{1}, 7))), ErrFormat, "offset 7 is beyond")
	wantErr(t, readErr(t, withPickle(t, tensor(6, []int{3, 3}, []int{1 << 62, 1 << 62}, 0))), ErrFormat, "overflows")
	wantErr(t, readErr(t, withPickle(t, tensor(6, []int{1 << 40, 1 << 40}, []int{0, 0}, 0))), ErrFormat, "overflows")
	wantErr(t, readErr(t, withPickle(t, tensor(6, []int{2}, []int{1, 1}, 0))), ErrFormat, "differ in length")
	// A stride-0 view (expand) of one element to 2^30 elements would need 4 GiB when copied.
	wantErr(t, readErr(t, withPickle(t, tensor(6, []int{1 << 30}, []int{0}, 0))), ErrLimit, "WithMaxTensorBytes")

	bad := func(key, class string, numel int) []byte {
		return pickleOf(tspec{storage: class, key: key, numel: numel, size: []int{1}, stride: []int{1}})
	}
	wantErr(t, readErr(t, withPickle(t, bad("9", "FloatStorage", 1))), ErrFormat, "storage 9 is missing")
	wantErr(t, readErr(t, withPickle(t, bad("../0", "FloatStorage", 1))), ErrFormat, "not a plain entry name")
	if b := withPickle(t, bad("0", "HalfStorage", 12)); true { // the same 24 bytes as 12 float16: fine alone
		if _, err := Read(bytes.NewReader(b), int64(len(b))); err != nil {
			t.Errorf("storage 0 as 12 float16: %v", err)
		}
	}
	twice := pickleOf([]any{
		tspec{storage: "FloatStorage", key: "0", numel: 6, size: []int{1}, stride: []int{1}},
		tspec{storage: "HalfStorage", key: "0", numel: 12, size: []int{1}, stride: []int{1}},
	})
	wantErr(t, readErr(t, withPickle(t, twice)), ErrFormat, "declared twice")
	// A storage class that is not a storage, and a persistent id that is not a storage tuple.
	wantErr(t, readErr(t, withPickle(t, bad("0", "Tensor", 6))), ErrFormat, "not a torch storage class")
	wantErr(t, readErr(t, withPickle(t, pickleOf(raw("X\x01\x00\x00\x00xQ")))), ErrFormat, "persistent id")
}

func TestTensorBudget(t *testing.T) {
	// 4 MiB of float32 stored uncompressed: fine by default, refused under a 1 MiB budget.
	big := make([]byte, 4<<20)
	pkl := pickleOf(tspec{storage: "FloatStorage", key: "0", numel: 1 << 20, size: []int{1 << 20}, stride: []int{1}})
	b := checkpointZip(t, "a", pkl, map[string][]byte{"0": big})
	if _, err := Read(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatalf("4 MiB stored storage: %v", err)
	}
	wantErr(t, readErr(t, b, WithMaxTensorBytes(1<<20)), ErrLimit, "WithMaxTensorBytes")
	// A zip bomb: 64 MiB of zeros deflate to ~64 KiB, so it exceeds the default budget.
	bomb := make([]byte, 64<<20)
	pkl = pickleOf(tspec{storage: "FloatStorage", key: "0", numel: 16 << 20, size: []int{16 << 20}, stride: []int{1}})
	zb := zipOf(t, []zentry{{name: "a/data.pkl", data: pkl}, {name: "a/data/0", data: bomb, deflate: true}})
	if len(zb) > 1<<20 {
		t.Fatalf("bomb is %d bytes; expected well under 1 MiB", len(zb))
	}
	wantErr(t, readErr(t, zb), ErrLimit, "WithMaxTensorBytes")
}

func TestRejectHostilePickles(t *testing.T) {
	deepLists := append(bytes.Repeat([]byte{']'}, 10000), bytes.Repeat([]byte{'a'}, 9999)...)
	dag := []byte("\x80\x02]q\x00") // L[i+1] = [L[i], L[i]]: 2^61 nodes when expanded
	for i := range 60 {
		dag = append(dag, '(', 'h', byte(i), 'h', byte(i), 'l', 'q', byte(i+1))
	}
	dag = append(dag, '.')
	cases := []struct {
		name string
		pkl  []byte
		kind error
		msg  string
	}{
		{"deep lists", append(append([]byte{0x80, 2}, deepLists...), '.'), ErrLimit, "nests more than 128"},
		{"deep marks", append(append([]byte{0x80, 2}, bytes.Repeat([]byte{'('}, 10000)...), '.'), ErrLimit, "nests more than 128"},
		{"exponential DAG", dag, ErrLimit, "more than 4194304 nodes"},
		{"cycle", []byte("\x80\x02]q\x00h\x00a."), ErrFormat, "reference cycle"},
		{"no stop", []byte("\x80\x02K\x01"), ErrFormat, "without a STOP"},
		{"empty", nil, ErrFormat, "without a STOP"},
		{"huge BINBYTES8", []byte("\x80\x02\x8e\xff\xff\xff\xff\xff\xff\xff\x7f."), ErrFormat, "needs 9223372036854775807 bytes"},
		{"huge BINUNICODE", []byte("\x80\x02X\xff\xff\xff\xffab."), ErrFormat, "needs 4294967295 bytes"},
		{"huge frame", []byte("\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x01N."), ErrFormat, "frame"},
		{"huge LONG4", append([]byte("\x80\x02\x8b\x00\x00\x01\x00"), make([]byte, 65537)...), ErrLimit, "LONG4"},
		{"unknown opcode", []byte("\x80\x02\xff."), ErrFormat, "unknown pickle opcode 0xff"},
		{"extension", []byte("\x80\x02\x82\x01."), ErrFormat, "extension registry"},
		{"unhashable OrderedDict key", []byte("\x80\x02ccollections\nOrderedDict\n)RC\x01aK\x01s."), ErrFormat, "inconsistent"},
		{"odd dict", []byte("\x80\x02(K\x01d."), ErrFormat, "inconsistent"},
		{"empty stack", []byte("\x80\x02."), ErrFormat, "unpickling"},
		{"class left as value", []byte("\x80\x02ctorch\nFloatStorage\n."), ErrFormat, "not a checkpoint value"},
		{"text persistent id", []byte("\x80\x02P0\n."), ErrFormat, "persistent id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, readErr(t, withPickle(t, c.pkl)), c.kind, c.msg)
		})
	}
}

func TestLimitsOptions(t *testing.T) {
	b := tinyCheckpoint(t)
	wantErr(t, readErr(t, b, WithMaxPickleBytes(100)), ErrLimit, "WithMaxPickleBytes")
	wantErr(t, readErr(t, b, WithMaxPickleOps(50)), ErrLimit, "WithMaxPickleOps")
	wantErr(t, readErr(t, b, WithMaxDepth(2)), ErrLimit, "WithMaxDepth")
	for _, o := range []Option{WithMaxPickleBytes(0), WithMaxPickleOps(-1), WithMaxDepth(0), WithMaxTensorBytes(-5)} {
		if _, err := Read(bytes.NewReader(b), int64(len(b)), o); err == nil || !strings.Contains(err.Error(), "must be positive") {
			t.Errorf("invalid option: error %v", err)
		}
	}
	if _, err := Load("/nonexistent/x.pt"); err == nil {
		t.Error("Load of a missing file should fail")
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("Load of a directory: %v", err)
	}
}

func TestRejectByteOrder(t *testing.T) {
	pkl := pickleOf(1)
	big := zipOf(t, []zentry{{name: "a/data.pkl", data: pkl}, {name: "a/byteorder", data: []byte("big")}})
	wantErr(t, readErr(t, big), ErrFormat, "big-endian")
	long := zipOf(t, []zentry{{name: "a/data.pkl", data: pkl}, {name: "a/version", data: make([]byte, 100)}})
	wantErr(t, readErr(t, long), ErrFormat, "a/version is 100 bytes")
	little := zipOf(t, []zentry{{name: "a/data.pkl", data: pkl}, {name: "a/byteorder", data: []byte("little")}})
	c, err := Read(bytes.NewReader(little), int64(len(little)))
	if err != nil || c.Value != int64(1) {
		t.Errorf("byteorder little: %v, %v", c, err)
	}
}
