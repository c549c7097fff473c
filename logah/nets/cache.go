package nets

import (
	"container/list"
	"fmt"
	"strings"
	"sync"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/logah-go/logah/logah/arch"
)

// ExecKey identifies one compiled computation: which network, what is computed and on which
// input shapes. It is comparable, so it can key a map.
//
// GoMLX's executors cache their compiled graphs by input shapes only; an architecture captured
// in a graph function's closure is not part of that key. Keying executors by ExecKey gives each
// architecture its own executor.
type ExecKey struct {
	// Arch is the architecture value ([arch.ViT], [arch.GPT2] or [arch.Llama]; all are
	// comparable).
	Arch arch.Arch
	// Mode names the computation, e.g. "logits", "loss", "train-step".
	Mode string
	// Inputs describes the shapes (with dtypes) of the inputs, see [NewExecKey].
	Inputs string
}

// NewExecKey builds a key from an architecture, a mode and the shapes of the inputs that vary
// between calls (batch shapes, dtypes).
func NewExecKey(a arch.Arch, mode string, inputs ...shapes.Shape) ExecKey {
	parts := make([]string, len(inputs))
	for i, s := range inputs {
		parts[i] = s.String()
	}
	return ExecKey{Arch: a, Mode: mode, Inputs: strings.Join(parts, ";")}
}

// String implements fmt.Stringer.
func (k ExecKey) String() string {
	name := "<nil arch>"
	if k.Arch != nil {
		name = k.Arch.String()
	}
	return fmt.Sprintf("%s/%s[%s]", name, k.Mode, k.Inputs)
}

// Finalizer is what [Cache] holds: something that frees its resources when evicted, such as a
// *graph.Exec or a *model.Exec.
type Finalizer interface {
	Finalize()
}

// CacheStats counts the activity of a [Cache].
type CacheStats struct {
	Hits, Misses, Evictions int
}

// Cache is a bounded, least-recently-used cache of executors keyed by [ExecKey]. It finalizes
// what it evicts, but only once no [Cache.Do] call is still using it. It is safe for concurrent
// use.
type Cache[V Finalizer] struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // front = most recently used; values are *cacheEntry[V]
	entries  map[ExecKey]*list.Element
	stats    CacheStats
}

type cacheEntry[V Finalizer] struct {
	key     ExecKey
	value   V
	refs    int  // running Do calls
	evicted bool // removed from the map; finalize when refs drops to 0
}

// ExecCache caches graph executors (*graph.Exec); see [Cache].
type ExecCache = Cache[*graph.Exec]

// NewExecCache returns an empty cache of graph executors holding at most capacity of them
// (at least 1).
func NewExecCache(capacity int) *ExecCache { return NewCache[*graph.Exec](capacity) }

// NewCache returns an empty cache holding at most capacity values (at least 1). Use it with
// *model.Exec for graphs that read model variables.
func NewCache[V Finalizer](capacity int) *Cache[V] {
	return &Cache[V]{capacity: max(capacity, 1), order: list.New(), entries: map[ExecKey]*list.Element{}}
}

// Do runs fn with the executor stored under key, building it with build (and storing it) when
// it is missing. The executor is not finalized while fn runs, even if another goroutine evicts
// it meanwhile. build and fn errors are returned as they are.
func (c *Cache[V]) Do(key ExecKey, build func() (V, error), fn func(V) error) error {
	e, err := c.acquire(key, build)
	if err != nil {
		return err
	}
	defer c.release(e)
	return fn(e.value)
}

func (c *Cache[V]) acquire(key ExecKey, build func() (V, error)) (*cacheEntry[V], error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.stats.Hits++
		c.order.MoveToFront(el)
		e := el.Value.(*cacheEntry[V])
		e.refs++
		return e, nil
	}
	c.stats.Misses++
	v, err := build()
	if err != nil {
		return nil, fmt.Errorf("building executor %s: %w", key, err)
	}
	e := &cacheEntry[V]{key: key, value: v, refs: 1}
	c.entries[key] = c.order.PushFront(e)
	for c.order.Len() > c.capacity {
		c.evictLocked(c.order.Back())
	}
	return e, nil
}

func (c *Cache[V]) release(e *cacheEntry[V]) {
	c.mu.Lock()
	e.refs--
	finalize := e.evicted && e.refs == 0
	c.mu.Unlock()
	if finalize {
		e.value.Finalize()
	}
}

// evictLocked removes an element; the value is finalized now if unused, or by the last release.
func (c *Cache[V]) evictLocked(el *list.Element) {
	e := el.Value.(*cacheEntry[V])
	c.order.Remove(el)
	delete(c.entries, e.key)
	e.evicted = true
	c.stats.Evictions++
	if e.refs == 0 {
		e.value.Finalize()
	}
}

// Len is the number of cached executors.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Capacity is the maximum number of cached executors.
func (c *Cache[V]) Capacity() int { return c.capacity }

// Keys lists the cached keys, most recently used first.
func (c *Cache[V]) Keys() []ExecKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]ExecKey, 0, c.order.Len())
	for el := c.order.Front(); el != nil; el = el.Next() {
		keys = append(keys, el.Value.(*cacheEntry[V]).key)
	}
	return keys
}

// Stats returns the hit, miss and eviction counts so far.
func (c *Cache[V]) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Clear evicts (and finalizes) every executor.
func (c *Cache[V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.order.Len() > 0 {
		c.evictLocked(c.order.Back())
	}
}
