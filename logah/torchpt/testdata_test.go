package torchpt

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/ (tiny.pt, evil.pt and the fuzz seed corpus)")

// evilCheckpoint is a checkpoint whose pickle would run os.system("echo pwned") in Python.
func evilCheckpoint(t testing.TB) []byte {
	return checkpointZip(t, "evil", pickleOf(dict{
		{"epoch", 1},
		{"payload", raw("cos\nsystem\nX\x0b\x00\x00\x00echo pwned\x85R")},
	}), nil)
}

// TestTestdata checks the files under testdata/ against the Go code that generates them;
// run `go test -run TestTestdata -update` to rewrite them.
func TestTestdata(t *testing.T) {
	files := map[string][]byte{
		"tiny.pt":                      tinyCheckpoint(t),
		"evil.pt":                      evilCheckpoint(t),
		"fuzz/FuzzLoad/tiny":           fuzzSeed(tinyCheckpoint(t)),
		"fuzz/FuzzLoad/evil":           fuzzSeed(evilCheckpoint(t)),
		"fuzz/FuzzPickle/tiny":         fuzzSeed(pickleOf(tinyValue())),
		"fuzz/FuzzPickle/tensor_views": fuzzSeed(pickleOf(odic{{"w", tinyValue()[0].v.(odic)[1].v}})),
	}
	if *update {
		for name, b := range files {
			path := filepath.Join("testdata", name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name := range files {
		if _, err := os.Stat(filepath.Join("testdata", name)); err != nil {
			t.Errorf("%v: run go test -run TestTestdata -update", err)
		}
	}
	// The committed tiny.pt decodes to the same value as the one built here (bytes may differ
	// if archive/zip changes its output).
	got, err := Load(filepath.Join("testdata", "tiny.pt"))
	if err != nil {
		t.Fatal(err)
	}
	want := readTiny(t)
	if !reflect.DeepEqual(got.Value, want.Value) {
		t.Errorf("testdata/tiny.pt decodes to %v, want %v; run go test -run TestTestdata -update", got.Value, want.Value)
	}
	_, err = Load(filepath.Join("testdata", "evil.pt"))
	var fc *ForbiddenClassError
	if !errors.As(err, &fc) || fc.Module != "os" || fc.Name != "system" {
		t.Errorf("testdata/evil.pt: error %v, want a ForbiddenClassError for os.system", err)
	}
}

// fuzzSeed formats b as a file of Go's fuzzing corpus with one []byte argument.
func fuzzSeed(b []byte) []byte {
	return []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b))
}
