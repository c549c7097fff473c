package execcache

import (
	"errors"
	"sync/atomic"
	"testing"
)

// fakeExec counts finalizations.
type fakeExec struct{ finalized *atomic.Int32 }

func (f fakeExec) Finalize() { f.finalized.Add(1) }

// TestCacheLRUAndRefs checks LRU order, deferred finalization of an executor evicted while in
// use, and that build errors are returned and nothing is stored.
func TestCacheLRUAndRefs(t *testing.T) {
	c := New[string, fakeExec](2)
	counts := map[string]*atomic.Int32{}
	build := func(name string) func() (fakeExec, error) {
		return func() (fakeExec, error) {
			counts[name] = &atomic.Int32{}
			return fakeExec{counts[name]}, nil
		}
	}
	key := func(name string) string { return name }
	noop := func(fakeExec) error { return nil }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Do(key("a"), build("a"), noop))
	must(c.Do(key("b"), build("b"), noop))
	must(c.Do(key("a"), build("a2"), noop)) // hit: a becomes most recent
	if counts["a2"] != nil {
		t.Fatal("a was rebuilt")
	}
	must(c.Do(key("c"), build("c"), noop)) // evicts b, the least recently used
	if got := counts["b"].Load(); got != 1 {
		t.Errorf("b finalized %d times, want 1", got)
	}
	if counts["a"].Load() != 0 || counts["c"].Load() != 0 {
		t.Errorf("a or c finalized early")
	}

	// Evicted while in use: finalized only when Do returns.
	must(c.Do(key("a"), build("x"), func(fakeExec) error {
		must(c.Do(key("d"), build("d"), noop)) // evicts c
		must(c.Do(key("e"), build("e"), noop)) // evicts a, which is in use
		if counts["a"].Load() != 0 {
			t.Errorf("a finalized while in use")
		}
		return nil
	}))
	if counts["a"].Load() != 1 {
		t.Errorf("a finalized %d times after use, want 1", counts["a"].Load())
	}

	boom := errors.New("boom")
	if err := c.Do(key("f"), func() (fakeExec, error) { return fakeExec{}, boom }, noop); !errors.Is(err, boom) {
		t.Errorf("build error: got %v", err)
	}
	if err := c.Do(key("d"), build("d2"), func(fakeExec) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("run error: got %v", err)
	}
	if c.Len() != 2 {
		t.Errorf("len %d, want 2", c.Len())
	}
	c.Clear()
	if counts["d"].Load() != 1 || counts["e"].Load() != 1 {
		t.Errorf("Clear did not finalize everything")
	}
}

// Acquire holds a value until released; Resize evicts down to the new capacity.
func TestAcquireAndResize(t *testing.T) {
	c := New[string, fakeExec](3)
	n := map[string]*atomic.Int32{"a": {}, "b": {}, "c": {}}
	for _, k := range []string{"a", "b", "c"} {
		if err := c.Do(k, func() (fakeExec, error) { return fakeExec{n[k]}, nil }, func(fakeExec) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	v, release, err := c.Acquire("a", func() (fakeExec, error) { t.Fatal("a rebuilt"); return fakeExec{}, nil })
	if err != nil || v.finalized != n["a"] {
		t.Fatalf("Acquire: %v", err)
	}
	c.Resize(1) // keeps a (most recent), evicts b and c
	if c.Len() != 1 || c.Capacity() != 1 || n["b"].Load() != 1 || n["c"].Load() != 1 || n["a"].Load() != 0 {
		t.Fatalf("after Resize(1): len %d, finalized a %d b %d c %d", c.Len(), n["a"].Load(), n["b"].Load(), n["c"].Load())
	}
	c.Clear()
	if n["a"].Load() != 0 {
		t.Error("a finalized while acquired")
	}
	release()
	if n["a"].Load() != 1 {
		t.Error("a not finalized by its release after eviction")
	}
	if s := c.Stats(); s.Misses != 3 || s.Hits != 1 || s.Evictions != 3 {
		t.Errorf("stats %+v", s)
	}
}
