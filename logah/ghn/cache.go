package ghn

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.

	"github.com/logah-go/logah/logah/internal/execcache"
)

// DefaultCacheSize is the number of compiled graphs a [GHN] keeps by default.
const DefaultCacheSize = 16

// execCache holds a GHN's compiled executors, keyed by a string that names the architecture
// batch and the computation (GoMLX keys its own cache by input shapes only, so every
// (batch, mode) gets its own executor; evicted ones are finalized): the cache type package nets
// uses too.
type execCache = execcache.Cache[string, *Exec]

func newExecCache(capacity int) *execCache { return execcache.New[string, *Exec](capacity) }

// acquireExec returns the executor stored under key, building it when missing, and the function
// that releases it when the caller is done.
func (m *GHN) acquireExec(key string, build func() (*Exec, error)) (*Exec, func(), error) {
	return m.cache.Acquire(key, func() (*Exec, error) {
		e, err := build()
		if err == nil {
			e.SetMaxCache(-1)
		}
		return e, err
	})
}
