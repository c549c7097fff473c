package ghn

import (
	"container/list"
	"sync"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
)

// DefaultCacheSize is the number of compiled graphs a [GHN] keeps by default.
const DefaultCacheSize = 16

// execCache is a bounded LRU cache of executors keyed by a string that names the architecture
// batch and the computation. GoMLX caches compiled graphs by input shapes only — values captured
// by a graph function (the batch, its plan) are not part of that key — so every (batch, mode)
// gets its own executor, and evicted ones are finalized.
type execCache struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // front = most recent; values are *cacheItem
	items    map[string]*list.Element
	built    int
}

type cacheItem struct {
	key  string
	exec *Exec
}

func newExecCache(capacity int) *execCache {
	return &execCache{capacity: max(1, capacity), order: list.New(), items: map[string]*list.Element{}}
}

// get returns the executor stored under key, building it when missing. The caller must hold
// the GHN's lock for the duration of its use (eviction finalizes).
func (c *execCache) get(key string, build func() (*Exec, error)) (*Exec, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*cacheItem).exec, nil
	}
	e, err := build()
	if err != nil {
		return nil, err
	}
	e.SetMaxCache(-1)
	c.built++
	c.items[key] = c.order.PushFront(&cacheItem{key: key, exec: e})
	c.evictTo(c.capacity)
	return e, nil
}

// resize changes the capacity, evicting the least recently used executors.
func (c *execCache) resize(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.capacity = max(1, n)
	c.evictTo(c.capacity)
}

// clear finalizes every executor.
func (c *execCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evictTo(0)
}

// evictTo drops least recently used executors until at most n remain; c.mu is held.
func (c *execCache) evictTo(n int) {
	for c.order.Len() > n {
		el := c.order.Back()
		it := el.Value.(*cacheItem)
		c.order.Remove(el)
		delete(c.items, it.key)
		it.exec.Finalize()
	}
}

func (c *execCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
