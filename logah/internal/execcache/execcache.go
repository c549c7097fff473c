// Package execcache is the one bounded, least-recently-used cache of compiled executors that
// packages nets and ghn share. GoMLX's executors cache their compiled graphs by input shapes
// only — values captured by a graph function (an architecture, a batch of graphs, a decoder
// key) are not part of that key — so each computation gets its own executor under its own key,
// and evicted executors are finalized to free their memory.
package execcache

import (
	"container/list"
	"fmt"
	"sync"
)

// Finalizer is what a [Cache] holds: something that frees its resources when evicted, such as
// a *graph.Exec or a *model.Exec.
type Finalizer interface {
	Finalize()
}

// Stats counts the activity of a [Cache].
type Stats struct {
	Hits, Misses, Evictions int
}

// Cache holds at most a capacity of values by key, evicting the least recently used. A value is
// finalized when evicted, but only once no [Cache.Do] call or [Cache.Acquire] holder still
// uses it. It is safe for concurrent use.
type Cache[K comparable, V Finalizer] struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // front = most recently used; values are *entry[K, V]
	entries  map[K]*list.Element
	stats    Stats
}

type entry[K comparable, V Finalizer] struct {
	key     K
	value   V
	refs    int  // holders that have not released it
	evicted bool // removed from the map; finalize when refs drops to 0
}

// New returns an empty cache holding at most capacity values (at least 1).
func New[K comparable, V Finalizer](capacity int) *Cache[K, V] {
	return &Cache[K, V]{capacity: max(capacity, 1), order: list.New(), entries: map[K]*list.Element{}}
}

// Do runs fn with the value stored under key, building it with build (and storing it) when it
// is missing. The value is not finalized while fn runs, even if another goroutine evicts it
// meanwhile. A build error is returned wrapped with the key, an fn error as it is.
func (c *Cache[K, V]) Do(key K, build func() (V, error), fn func(V) error) error {
	v, release, err := c.Acquire(key, build)
	if err != nil {
		return err
	}
	defer release()
	return fn(v)
}

// Acquire returns the value stored under key, building it with build when it is missing, and a
// release function to call when done with it: until then the value is not finalized.
func (c *Cache[K, V]) Acquire(key K, build func() (V, error)) (V, func(), error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.stats.Hits++
		c.order.MoveToFront(el)
		e := el.Value.(*entry[K, V])
		e.refs++
		return e.value, func() { c.release(e) }, nil
	}
	c.stats.Misses++
	v, err := build()
	if err != nil {
		var zero V
		return zero, nil, fmt.Errorf("building executor %v: %w", key, err)
	}
	e := &entry[K, V]{key: key, value: v, refs: 1}
	c.entries[key] = c.order.PushFront(e)
	c.evictToLocked(c.capacity)
	return v, func() { c.release(e) }, nil
}

func (c *Cache[K, V]) release(e *entry[K, V]) {
	c.mu.Lock()
	e.refs--
	finalize := e.evicted && e.refs == 0
	c.mu.Unlock()
	if finalize {
		e.value.Finalize()
	}
}

// evictToLocked removes least recently used entries until at most n remain; a removed value is
// finalized now if unused, or by its last release. c.mu is held.
func (c *Cache[K, V]) evictToLocked(n int) {
	for c.order.Len() > n {
		el := c.order.Back()
		e := el.Value.(*entry[K, V])
		c.order.Remove(el)
		delete(c.entries, e.key)
		e.evicted = true
		c.stats.Evictions++
		if e.refs == 0 {
			e.value.Finalize()
		}
	}
}

// Resize changes the capacity (at least 1), evicting the least recently used values.
func (c *Cache[K, V]) Resize(capacity int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.capacity = max(capacity, 1)
	c.evictToLocked(c.capacity)
}

// Len is the number of cached values.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Capacity is the maximum number of cached values.
func (c *Cache[K, V]) Capacity() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.capacity
}

// Keys lists the cached keys, most recently used first.
func (c *Cache[K, V]) Keys() []K {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]K, 0, c.order.Len())
	for el := c.order.Front(); el != nil; el = el.Next() {
		keys = append(keys, el.Value.(*entry[K, V]).key)
	}
	return keys
}

// Stats returns the hit, miss and eviction counts so far.
func (c *Cache[K, V]) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Clear evicts (and finalizes, once released) every value.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evictToLocked(0)
}
