package nets

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/internal/execcache"
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
type Finalizer = execcache.Finalizer

// CacheStats counts the activity of a [Cache].
type CacheStats = execcache.Stats

// Cache is a bounded, least-recently-used cache of executors keyed by [ExecKey] (the cache type
// package ghn uses too, with its own keys). It finalizes what it evicts, but only once no
// [Cache.Do] call is still using it. It is safe for concurrent use.
type Cache[V Finalizer] = execcache.Cache[ExecKey, V]

// ExecCache caches graph executors (*graph.Exec); see [Cache].
type ExecCache = Cache[*graph.Exec]

// NewExecCache returns an empty cache of graph executors holding at most capacity of them
// (at least 1).
func NewExecCache(capacity int) *ExecCache { return NewCache[*graph.Exec](capacity) }

// NewCache returns an empty cache holding at most capacity values (at least 1). Use it with
// *model.Exec for graphs that read model variables.
func NewCache[V Finalizer](capacity int) *Cache[V] { return execcache.New[ExecKey, V](capacity) }
