package nets

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/logah-go/logah/logah/backend"

	"github.com/logah-go/logah/logah/arch"
)

// TestExecCacheArchitectures runs two ViTs whose parameters and inputs have identical shapes
// (they differ only in the number of heads) through one cache: each must get its own executor
// and its own, correct, result. An executor keyed by input shapes alone would return the first
// architecture's logits for the second.
func TestExecCacheArchitectures(t *testing.T) {
	backend := backend.MustDefault()
	a := arch.ViT{ImageSize: 8, Channels: 1, Patch: 4, Depth: 1, Width: 8, Heads: 1, MLPDim: 16, Classes: 3}
	b := a
	b.Heads = 4
	vals := randomValues(a, 5) // same shapes: valid for both
	params := toTensors(a, vals, dtypes.Float32)
	images := tensorOf(randomImages(a, 2, 6), dtypes.Float32, 2, 1, 8, 8)

	want := map[arch.Arch][]float64{}
	for _, cfg := range []arch.ViT{a, b} {
		l, err := Logits(backend, nil, cfg, params, images) // one-off graph
		if err != nil {
			t.Fatal(err)
		}
		want[cfg] = flat64(t, l)
	}
	if maxAbsDiff(want[a], want[b]) < 1e-4 {
		t.Fatalf("test is vacuous: 1 and 4 heads give the same logits")
	}

	cache := NewExecCache(4)
	defer cache.Clear()
	for range 2 {
		for _, cfg := range []arch.ViT{a, b} {
			l, err := Logits(backend, cache, cfg, params, images)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(flat64(t, l), want[cfg]); d > 1e-6 {
				t.Errorf("%s through the cache differs by %.3g from its own graph", cfg, d)
			}
		}
	}
	if s := cache.Stats(); s.Misses != 2 || s.Hits != 2 || cache.Len() != 2 {
		t.Errorf("want 2 executors (2 misses, 2 hits), got %+v, len %d", s, cache.Len())
	}
}

// TestExecCacheEviction checks that the LRU evicts the least recently used executor and that
// an evicted graph executor is finalized (it can no longer run).
func TestExecCacheEviction(t *testing.T) {
	backend := backend.MustDefault()
	cache := NewExecCache(1)
	cfgA := arch.ViT{ImageSize: 8, Channels: 1, Patch: 4, Depth: 1, Width: 8, Heads: 2, MLPDim: 16, Classes: 3}
	cfgB := cfgA
	cfgB.Depth = 2
	images := tensors.FromShape(shapesOf(t, []int{1, 1, 8, 8}))
	paramsA := randomParams(cfgA, 1)
	argsA := []any{images}
	for _, p := range cfgA.Params() {
		argsA = append(argsA, paramsA[p.Name])
	}
	if _, err := Logits(backend, cache, cfgA, paramsA, images); err != nil {
		t.Fatal(err)
	}
	keys := cache.Keys()
	if len(keys) != 1 || keys[0].Arch != arch.Arch(cfgA) || keys[0].Mode != "logits" {
		t.Fatalf("keys = %v", keys)
	}
	// Grab A's executor through the cache to test it after eviction.
	var execA *Exec
	err := cache.Do(keys[0], func() (*Exec, error) { t.Fatal("A should be cached"); return nil, nil },
		func(e *Exec) error { execA = e; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := execA.Call(argsA...); err != nil {
		t.Fatalf("cached executor does not run: %v", err)
	}
	if _, err := Logits(backend, cache, cfgB, randomParams(cfgB, 1), images); err != nil {
		t.Fatal(err)
	}
	if s := cache.Stats(); s.Evictions != 1 || cache.Len() != 1 || cache.Keys()[0].Arch != arch.Arch(cfgB) {
		t.Fatalf("after B: stats %+v, keys %v", s, cache.Keys())
	}
	if _, err := execA.Call(argsA...); err == nil {
		t.Errorf("evicted executor still runs: it was not finalized")
	}
	cache.Clear()
	if cache.Len() != 0 || cache.Stats().Evictions != 2 {
		t.Errorf("Clear: len %d, stats %+v", cache.Len(), cache.Stats())
	}
}
