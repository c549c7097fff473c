package torchpt

import (
	"fmt"

	"github.com/nlpodyssey/gopickle/types"
)

// findClass resolves a GLOBAL (module, name) of the pickle. This is the allow-list of the
// safety model: only the globals that torch.save writes for tensors and the plain Python
// values of a training checkpoint resolve; everything else is a *ForbiddenClassError.
// (gopickle itself resolves collections.OrderedDict, __builtin__.object and
// copy_reg._reconstructor before asking; all three only build inert Go values.)
func (ld *loader) findClass(module, name string) (any, error) {
	switch module + "." + name {
	case "torch._utils._rebuild_tensor_v2":
		return rebuildTensorFunc{ld}, nil
	case "torch._utils._rebuild_parameter":
		return rebuildParameterFunc{nargs: 3}, nil
	case "torch._utils._rebuild_parameter_with_state":
		return rebuildParameterFunc{nargs: 4}, nil
	case "torch._tensor._rebuild_from_type_v2":
		return rebuildFromTypeFunc{}, nil
	case "torch.Tensor", "torch.nn.parameter.Parameter":
		return tensorClass(module + "." + name), nil
	case "torch.Size":
		return sizeClass{}, nil
	case "argparse.Namespace":
		return namespaceClass{}, nil
	case "_codecs.encode":
		return bytesFunc{"_codecs.encode"}, nil
	case "__builtin__.bytes", "builtins.bytes", "__builtin__.bytearray", "builtins.bytearray":
		return bytesFunc{module + "." + name}, nil
	case "__builtin__.set", "builtins.set", "__builtin__.frozenset", "builtins.frozenset":
		return setClass{}, nil
	}
	if module == "torch" || module == "torch.cuda" {
		if dt, ok := storageDTypes[name]; ok {
			return storageClass{dtype: dt, name: module + "." + name}, nil
		}
	}
	if module == "torch" {
		if dt, ok := torchDTypes[name]; ok {
			return dt, nil
		}
	}
	return nil, &ForbiddenClassError{Module: module, Name: name}
}

// storageClass is torch.FloatStorage and friends: a marker in persistent ids.
type storageClass struct {
	dtype DType
	name  string
}

func (s storageClass) GoString() string { return s.name }

// tensorClass is torch.Tensor or torch.nn.parameter.Parameter, which only appear as the
// new_type argument of _rebuild_from_type_v2.
type tensorClass string

func (t tensorClass) GoString() string { return string(t) }

// rebuildParameterFunc is torch._utils._rebuild_parameter(data, requires_grad, hooks) and
// _rebuild_parameter_with_state(data, requires_grad, hooks, state).
type rebuildParameterFunc struct{ nargs int }

func (f rebuildParameterFunc) GoString() string { return "torch._utils._rebuild_parameter" }

func (f rebuildParameterFunc) Call(args ...any) (any, error) {
	if len(args) != f.nargs {
		return nil, fmt.Errorf("%w: _rebuild_parameter takes %d arguments, got %d", ErrFormat, f.nargs, len(args))
	}
	t, ok := args[0].(*Tensor)
	if !ok {
		return nil, fmt.Errorf("%w: _rebuild_parameter of a %s, not a tensor", ErrFormat, pyType(args[0]))
	}
	rg, ok := args[1].(bool)
	if !ok {
		return nil, fmt.Errorf("%w: _rebuild_parameter: requires_grad is a %s, not a bool", ErrFormat, pyType(args[1]))
	}
	p := *t
	p.RequiresGrad = rg
	return &p, nil
}

// rebuildFromTypeFunc is torch._tensor._rebuild_from_type_v2(func, new_type, args, state),
// which torch uses for tensors with a Python subclass or attributes.
type rebuildFromTypeFunc struct{}

func (rebuildFromTypeFunc) GoString() string { return "torch._tensor._rebuild_from_type_v2" }

func (rebuildFromTypeFunc) Call(args ...any) (any, error) {
	if len(args) != 4 {
		return nil, fmt.Errorf("%w: _rebuild_from_type_v2 takes 4 arguments, got %d", ErrFormat, len(args))
	}
	if _, ok := args[1].(tensorClass); !ok {
		return nil, fmt.Errorf("%w: _rebuild_from_type_v2 to a %s, not torch.Tensor or Parameter", ErrFormat, pyType(args[1]))
	}
	inner, ok := args[2].(*types.Tuple)
	if !ok {
		return nil, fmt.Errorf("%w: _rebuild_from_type_v2: arguments are a %s, not a tuple", ErrFormat, pyType(args[2]))
	}
	switch fn := args[0].(type) {
	case rebuildTensorFunc:
		return fn.Call(*inner...)
	case rebuildParameterFunc:
		return fn.Call(*inner...)
	}
	return nil, fmt.Errorf("%w: _rebuild_from_type_v2 calls a %s, not a tensor rebuild function", ErrFormat, pyType(args[0]))
}

// sizeClass is torch.Size: torch.Size((2, 3)) is the tuple (2, 3).
type sizeClass struct{}

func (sizeClass) GoString() string { return "torch.Size" }

func (sizeClass) Call(args ...any) (any, error) {
	switch {
	case len(args) == 0:
		return types.NewTupleFromSlice(nil), nil
	case len(args) == 1:
		switch v := args[0].(type) {
		case *types.Tuple:
			return types.NewTupleFromSlice(append([]any(nil), *v...)), nil
		case *types.List:
			return types.NewTupleFromSlice(append([]any(nil), *v...)), nil
		}
	}
	return nil, fmt.Errorf("%w: torch.Size takes one tuple", ErrFormat)
}

// bytesFunc builds bytes the way protocol-2 pickles encode them: _codecs.encode(s, "latin1")
// for bytes, bytearray(s, "latin-1"), or bytes() / bytearray() for empty ones.
type bytesFunc struct{ name string }

func (f bytesFunc) GoString() string { return f.name }

func (f bytesFunc) Call(args ...any) (any, error) {
	if len(args) == 0 && f.name != "_codecs.encode" {
		return []byte{}, nil
	}
	if len(args) != 2 {
		return nil, fmt.Errorf("%w: %s takes (string, encoding), got %d arguments", ErrFormat, f.name, len(args))
	}
	s, ok1 := args[0].(string)
	enc, ok2 := args[1].(string)
	if !ok1 || !ok2 || (enc != "latin1" && enc != "latin-1") {
		return nil, fmt.Errorf("%w: %s takes (string, \"latin1\")", ErrFormat, f.name)
	}
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return nil, fmt.Errorf("%w: %s: character %U is not latin-1", ErrFormat, f.name, r)
		}
		out = append(out, byte(r))
	}
	return out, nil
}

// setClass is set and frozenset: set([a, b]) is kept as the list of its items.
type setClass struct{}

func (setClass) GoString() string { return "builtins.set" }

func (setClass) Call(args ...any) (any, error) {
	s := &pySet{}
	switch {
	case len(args) == 0:
	case len(args) == 1:
		switch v := args[0].(type) {
		case *types.List:
			s.items = append(s.items, *v...)
		case *types.Tuple:
			s.items = append(s.items, *v...)
		default:
			return nil, fmt.Errorf("%w: set of a %s, not a list", ErrFormat, pyType(args[0]))
		}
	default:
		return nil, fmt.Errorf("%w: set takes at most one argument, got %d", ErrFormat, len(args))
	}
	return s, nil
}

// pySet holds the items of a set in pickle order (no hashing: items may be unhashable in Go).
type pySet struct{ items []any }

func (s *pySet) Add(v any)        { s.items = append(s.items, v) }
func (s *pySet) GoString() string { return fmt.Sprintf("set(%d items)", len(s.items)) }

// namespaceClass is argparse.Namespace, which pickles as NEWOBJ() followed by BUILD with
// its attribute dict.
type namespaceClass struct{}

func (namespaceClass) GoString() string { return "argparse.Namespace" }

func (namespaceClass) PyNew(args ...any) (any, error) {
	if len(args) != 0 {
		return nil, fmt.Errorf("%w: argparse.Namespace created with %d arguments; it pickles with none", ErrFormat, len(args))
	}
	return &namespaceObj{}, nil
}

type namespaceObj struct {
	keys   []string
	values map[string]any
}

func (n *namespaceObj) GoString() string { return "argparse.Namespace(...)" }

func (n *namespaceObj) PyDictSet(key, value any) error {
	k, ok := key.(string)
	if !ok {
		return fmt.Errorf("%w: argparse.Namespace attribute named by a %s, not a string", ErrFormat, pyType(key))
	}
	if n.values == nil {
		n.values = make(map[string]any)
	}
	if _, seen := n.values[k]; !seen {
		n.keys = append(n.keys, k)
	}
	n.values[k] = value
	return nil
}

// pyType names the Python type of a value produced by the unpickler, for error messages.
func pyType(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int, int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case *types.Tuple:
		return "tuple"
	case *types.List:
		return "list"
	case *types.Dict:
		return "dict"
	case *types.OrderedDict:
		return "OrderedDict"
	case *Tensor:
		return "tensor"
	case *storage:
		return "storage"
	case fmt.GoStringer:
		return v.GoString()
	}
	return fmt.Sprintf("%T", v)
}
