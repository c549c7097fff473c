package atomicfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestUpdateLosesNoConcurrentWrite has several writers append to one file through Update at
// the same time: every line must survive (each writer opens its own lock, as separate
// processes do).
func TestUpdateLosesNoConcurrentWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.txt")
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- Update(path, func(old []byte) ([]byte, error) {
					return append(old, fmt.Sprintf("%d-%d\n", w, i)...), nil
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("\n")); n != writers*each {
		t.Fatalf("%d lines after %d concurrent appends: updates were lost", n, writers*each)
	}
}

func TestUpdateStartsFromNothingAndKeepsTheFileOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "a.json")
	if err := Update(path, func(old []byte) ([]byte, error) {
		if old != nil {
			t.Errorf("a missing file reads as %q, want nil", old)
		}
		return []byte("first"), nil
	}); err != nil {
		t.Fatal(err)
	}
	boom := fmt.Errorf("boom")
	if err := Update(path, func([]byte) ([]byte, error) { return nil, boom }); err != boom {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Fatalf("after a failed update the file holds %q, want it unchanged", got)
	}
}
