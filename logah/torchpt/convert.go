package torchpt

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
)

// Namespace holds the attributes of a pickled argparse.Namespace (the args of a training
// script). It is a map[string]any whose Go type marks where it came from.
type Namespace map[string]any

// converter turns the unpickler's values into plain Go values (see Checkpoint.Value). It
// converts every shared object once, so a pickle whose references form a deep DAG costs
// linear time; it refuses cycles, nesting deeper than maxDepth, and values whose expansion
// as a tree (what a naive walk of Checkpoint.Value visits) exceeds maxNodes.
type converter struct {
	maxDepth int
	maxNodes int64
	done     map[any]converted // by pointer
	active   map[any]bool      // by pointer: being converted (a second visit is a cycle)
}

type converted struct {
	v     any
	nodes int64 // size of the value expanded as a tree, saturated at maxNodes+1
}

func newConverter(maxDepth int, maxNodes int64) *converter {
	return &converter{maxDepth: maxDepth, maxNodes: maxNodes, done: map[any]converted{}, active: map[any]bool{}}
}

// convert converts a whole value.
func (c *converter) convert(v any) (any, error) {
	out, err := c.value(v, 0)
	if err != nil {
		return nil, err
	}
	if out.nodes > c.maxNodes {
		return nil, fmt.Errorf("%w: the checkpoint's value, with its shared references expanded, has more than %d nodes; "+
			"raise the limit with WithMaxPickleOps if the file is trusted", ErrLimit, c.maxNodes)
	}
	return out.v, nil
}

func (c *converter) value(v any, depth int) (converted, error) {
	if depth > c.maxDepth {
		return converted{}, fmt.Errorf("%w: the checkpoint nests more than %d levels; raise the limit with WithMaxDepth if the file is trusted", ErrLimit, c.maxDepth)
	}
	leaf := func(v any) (converted, error) { return converted{v, 1}, nil }
	switch v := v.(type) {
	case nil, bool, string, float64, DType, *Tensor, []byte:
		return leaf(v)
	case int:
		return leaf(int64(v))
	case int64:
		return leaf(v)
	case *big.Int:
		if v.IsInt64() {
			return leaf(v.Int64())
		}
		return leaf(new(big.Int).Set(v))
	case *types.ByteArray:
		return leaf([]byte(*v))
	case *storage:
		// A bare storage (torch.save of a storage) becomes a 1-D tensor over all of it.
		return leaf(&Tensor{DType: v.dtype, Shape: []int{v.numel}, Stride: []int{1},
			StorageKey: v.key, Device: v.device, data: v.data})
	case *types.Tuple, *types.List, *types.Dict, *types.OrderedDict, *types.Set,
		*types.FrozenSet, *pySet, *namespaceObj:
		return c.container(v, depth)
	}
	return converted{}, fmt.Errorf("%w: the pickle holds a %s, which is not a checkpoint value", ErrFormat, pyType(v))
}

// container converts a pointer-identified container, once.
func (c *converter) container(v any, depth int) (converted, error) {
	if out, ok := c.done[v]; ok {
		return out, nil
	}
	if c.active[v] {
		return converted{}, fmt.Errorf("%w: the pickle contains a reference cycle (a %s that contains itself)", ErrFormat, pyType(v))
	}
	c.active[v] = true
	defer delete(c.active, v)
	var out converted
	var err error
	switch v := v.(type) {
	case *types.Tuple:
		out, err = c.list(*v, depth)
	case *types.List:
		out, err = c.list(*v, depth)
	case *pySet:
		out, err = c.list(v.items, depth)
	case *types.Set:
		items := make([]any, 0, len(*v))
		for k := range *v {
			items = append(items, k)
		}
		out, err = c.list(items, depth)
	case *types.FrozenSet:
		items := make([]any, 0, len(*v))
		for k := range *v {
			items = append(items, k)
		}
		out, err = c.list(items, depth)
	case *types.Dict, *types.OrderedDict:
		out, err = c.dict(entries(v), depth)
	case *namespaceObj:
		ns := make(Namespace, len(v.keys))
		out.nodes = 1
		for _, k := range v.keys {
			e, err := c.value(v.values[k], depth+1)
			if err != nil {
				return converted{}, err
			}
			ns[k] = e.v
			out.nodes = c.add(out.nodes, e.nodes)
		}
		out.v = ns
	}
	if err != nil {
		return converted{}, err
	}
	c.done[v] = out
	return out, nil
}

// add sums node counts, saturating just above maxNodes.
func (c *converter) add(a, b int64) int64 {
	if a+b > c.maxNodes {
		return c.maxNodes + 1
	}
	return a + b
}

func (c *converter) list(items []any, depth int) (converted, error) {
	out := make([]any, len(items))
	nodes := int64(1)
	for i, it := range items {
		e, err := c.value(it, depth+1)
		if err != nil {
			return converted{}, err
		}
		out[i] = e.v
		nodes = c.add(nodes, e.nodes)
	}
	return converted{out, nodes}, nil
}

// dict converts a dict to map[string]any when all keys are strings (the usual case) and to
// map[any]any otherwise (int keys, as in an optimizer's state).
func (c *converter) dict(es []entry, depth int) (converted, error) {
	allStrings := true
	for _, e := range es {
		if _, ok := e.key.(string); !ok {
			allStrings = false
			break
		}
	}
	nodes := int64(1)
	if allStrings {
		m := make(map[string]any, len(es))
		for _, e := range es {
			v, err := c.value(e.value, depth+1)
			if err != nil {
				return converted{}, err
			}
			m[e.key.(string)] = v.v
			nodes = c.add(nodes, v.nodes+1)
		}
		return converted{m, nodes}, nil
	}
	m := make(map[any]any, len(es))
	for _, e := range es {
		k, err := dictKey(e.key)
		if err != nil {
			return converted{}, err
		}
		v, err := c.value(e.value, depth+1)
		if err != nil {
			return converted{}, err
		}
		m[k] = v.v
		nodes = c.add(nodes, v.nodes+1)
	}
	return converted{m, nodes}, nil
}

// dictKey converts a hashable Python key to a comparable Go value: int64, float64, string,
// bool, nil, or for a tuple its Python-like text, e.g. "(256, 256)".
func dictKey(k any) (any, error) {
	switch k := k.(type) {
	case nil, bool, string, float64:
		return k, nil
	case int:
		return int64(k), nil
	case *big.Int:
		if k.IsInt64() {
			return k.Int64(), nil
		}
		return k.String(), nil
	case *types.Tuple:
		parts := make([]string, len(*k))
		for i, e := range *k {
			ek, err := dictKey(e)
			if err != nil {
				return nil, err
			}
			if s, ok := ek.(string); ok {
				parts[i] = fmt.Sprintf("%q", s)
			} else {
				parts[i] = fmt.Sprint(ek)
			}
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)", nil
		}
		return "(" + strings.Join(parts, ", ") + ")", nil
	}
	return nil, fmt.Errorf("%w: a dict key is a %s, which is not supported", ErrFormat, pyType(k))
}

// entry is one key/value pair of a pickled dict.
type entry struct{ key, value any }

// entries returns the pairs of a *types.Dict or *types.OrderedDict in insertion order, as
// Python would see them: a repeated key keeps its first position and its last value.
func entries(d any) []entry {
	switch d := d.(type) {
	case *types.OrderedDict:
		out := make([]entry, 0, d.Len())
		for el := d.List.Front(); el != nil; el = el.Next() {
			e := el.Value.(*types.OrderedDictEntry)
			out = append(out, entry{e.Key, e.Value})
		}
		return out
	case *types.Dict:
		out := make([]entry, 0, len(*d))
		pos := map[any]int{}
		for _, e := range *d {
			if hashable(e.Key) {
				if i, ok := pos[e.Key]; ok {
					out[i].value = e.Value
					continue
				}
				pos[e.Key] = len(out)
			}
			out = append(out, entry{e.Key, e.Value})
		}
		return out
	}
	return nil
}

// hashable reports whether v can be a Go map key without panicking.
func hashable(v any) bool {
	switch v.(type) {
	case nil, bool, int, int64, float64, string, *big.Int, *types.Tuple:
		return true
	}
	return false
}
