package torchpt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
)

// Checkpoint is a decoded torch.save file.
type Checkpoint struct {
	// Value is the saved object as plain Go values: map[string]any for dicts with string
	// keys (map[any]any for other keys), []any for lists, tuples and sets, string, int64
	// (*big.Int beyond 64 bits), float64, bool, nil, []byte, *Tensor, Namespace for an
	// argparse.Namespace and DType for a torch dtype. Go maps are unordered: StateDict and
	// Keys give the file's order.
	Value any
	// Prefix is the folder of the zip entries (the file name torch.save was given).
	Prefix string
	// Version is the content of <prefix>/version (the serialization format, "3" today).
	Version string

	root any // the unpickler's value, which keeps dict order
}

// Load reads the torch.save checkpoint at path. It runs no code from the file: see the
// package documentation for the allow-list and the limits, which opts change.
func Load(path string, opts ...Option) (*Checkpoint, error) {
	lim, err := newLimits(opts)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("torchpt: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("torchpt: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("torchpt: %s is a directory, not a checkpoint file", path)
	}
	c, err := load(f, st.Size(), lim)
	if err != nil {
		return nil, fmt.Errorf("torchpt: %s: %w", path, err)
	}
	return c, nil
}

// Read decodes a torch.save checkpoint of size bytes from r, like Load.
func Read(r io.ReaderAt, size int64, opts ...Option) (*Checkpoint, error) {
	lim, err := newLimits(opts)
	if err != nil {
		return nil, err
	}
	if r == nil || size < 0 {
		return nil, errors.New("torchpt: Read needs a reader and a non-negative size")
	}
	c, err := load(r, size, lim)
	if err != nil {
		return nil, fmt.Errorf("torchpt: %w", err)
	}
	return c, nil
}

func load(r io.ReaderAt, size int64, lim limits) (*Checkpoint, error) {
	arc, err := openArchive(r, size)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{Prefix: arc.prefix}
	if f, err := arc.lookup("byteorder"); err != nil {
		return nil, err
	} else if f != nil {
		b, err := readEntry(f, 64, "")
		if err != nil {
			return nil, err
		}
		switch order := strings.TrimSpace(string(b)); order {
		case "little":
		case "big":
			return nil, fmt.Errorf("%w: the checkpoint was saved big-endian (byteorder=big), which is not supported; re-save it on a little-endian machine", ErrFormat)
		default:
			return nil, fmt.Errorf("%w: unknown byteorder %q (want \"little\")", ErrFormat, order)
		}
	}
	if f, err := arc.lookup("version"); err != nil {
		return nil, err
	} else if f != nil {
		b, err := readEntry(f, 64, "")
		if err != nil {
			return nil, err
		}
		c.Version = strings.TrimSpace(string(b))
	}
	pf, err := arc.lookup("data.pkl")
	if err != nil {
		return nil, err
	}
	pkl, err := readEntry(pf, lim.maxPickleBytes, "WithMaxPickleBytes")
	if err != nil {
		return nil, err
	}
	budget := lim.maxTensorBytes
	if budget == 0 {
		budget = 1 << 20
		if size < (1<<62)/2 {
			budget += 2 * size
		}
	}
	ld := &loader{arc: arc, lim: lim, budget: budget, storages: map[string]*storage{}}
	if c.root, err = ld.unpickle(pkl); err != nil {
		return nil, err
	}
	if c.Value, err = newConverter(lim.maxDepth, 4*int64(lim.maxPickleOps)).convert(c.root); err != nil {
		return nil, err
	}
	return c, nil
}

// unpickle checks the pickle with scanPickle, then runs gopickle's unpickler with the
// allow-list resolver and the storage loader. A panic inside gopickle (it trusts its input
// in places, e.g. unhashable dict keys) becomes an error.
func (ld *loader) unpickle(p []byte) (root any, err error) {
	if err := scanPickle(p, ld.lim.maxPickleOps, ld.lim.maxDepth); err != nil {
		return nil, err
	}
	u := pickle.NewUnpickler(bytes.NewReader(p))
	u.FindClass = ld.findClass
	u.PersistentLoad = ld.persistentLoad
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("%w: data.pkl is inconsistent: %s", ErrFormat, clip(fmt.Sprint(r)))
		}
	}()
	root, err = u.Load()
	if err != nil {
		var fc *ForbiddenClassError
		if errors.As(err, &fc) || errors.Is(err, ErrFormat) || errors.Is(err, ErrLimit) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: unpickling data.pkl: %s", ErrFormat, clip(err.Error()))
	}
	return root, nil
}

// clip shortens messages from the unpickler, which may print whole values.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// topEntries returns the top-level dict's entries, or false if the checkpoint is not a dict.
func (c *Checkpoint) topEntries() ([]entry, bool) {
	es := entries(c.root)
	return es, es != nil
}

// Keys returns the top-level string keys in file order, or nil if the checkpoint is not a
// dict.
func (c *Checkpoint) Keys() []string {
	es, _ := c.topEntries()
	var keys []string
	for _, e := range es {
		if k, ok := e.key.(string); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// Get returns the converted value of a top-level key.
func (c *Checkpoint) Get(key string) (any, bool) {
	m, ok := c.Value.(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := m[key]
	return v, ok
}

// StateDict returns the tensors of the state dict stored under key ("state_dict", "model",
// ...), in file order. An empty key means the whole file is a state dict (torch.save of
// model.state_dict()). Every value must be a tensor.
func (c *Checkpoint) StateDict(key string) ([]NamedTensor, error) {
	raw := c.root
	where := "the checkpoint"
	if key != "" {
		where = fmt.Sprintf("checkpoint entry %q", key)
		es, ok := c.topEntries()
		if !ok {
			return nil, fmt.Errorf("torchpt: StateDict(%q): the checkpoint is a %s, not a dict; use StateDict(\"\")", key, goType(c.Value))
		}
		found := false
		for _, e := range es {
			if k, ok := e.key.(string); ok && k == key {
				raw, found = e.value, true
			}
		}
		if !found {
			return nil, fmt.Errorf("torchpt: StateDict(%q): no such entry; the checkpoint has %s", key, c.keyList())
		}
	}
	es := entries(raw)
	if es == nil {
		return nil, fmt.Errorf("torchpt: StateDict(%q): %s is a %s, not a dict of tensors", key, where, pyType(raw))
	}
	out := make([]NamedTensor, 0, len(es))
	for _, e := range es {
		name, ok := e.key.(string)
		if !ok {
			return nil, fmt.Errorf("torchpt: StateDict(%q): %s has a %s key; a state dict has string keys", key, where, pyType(e.key))
		}
		t, ok := e.value.(*Tensor)
		if !ok {
			return nil, fmt.Errorf("torchpt: StateDict(%q): %s[%q] is a %s, not a tensor", key, where, name, pyType(e.value))
		}
		out = append(out, NamedTensor{Name: name, Tensor: t})
	}
	return out, nil
}

// Config returns the top-level "config" dict (a model's constructor arguments).
func (c *Checkpoint) Config() (map[string]any, error) {
	v, err := c.lookup("Config", "config")
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("torchpt: Config: entry \"config\" is a %s, not a dict with string keys", goType(v))
	}
	return m, nil
}

// Args returns the top-level "args" entry: the argparse.Namespace of a training script (or a
// dict of its fields, as vars(args) saves it).
func (c *Checkpoint) Args() (Namespace, error) {
	v, err := c.lookup("Args", "args")
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case Namespace:
		return v, nil
	case map[string]any:
		return Namespace(v), nil
	}
	return nil, fmt.Errorf("torchpt: Args: entry \"args\" is a %s, not an argparse.Namespace", goType(v))
}

// Int returns a top-level integer entry such as "epoch" or "step".
func (c *Checkpoint) Int(key string) (int64, error) {
	v, err := c.lookup(fmt.Sprintf("Int(%q)", key), key)
	if err != nil {
		return 0, err
	}
	i, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("torchpt: Int(%q): the entry is a %s, not an int", key, goType(v))
	}
	return i, nil
}

func (c *Checkpoint) lookup(fn, key string) (any, error) {
	if _, ok := c.Value.(map[string]any); !ok {
		return nil, fmt.Errorf("torchpt: %s: the checkpoint is a %s, not a dict", fn, goType(c.Value))
	}
	v, ok := c.Get(key)
	if !ok {
		return nil, fmt.Errorf("torchpt: %s: no entry %q; the checkpoint has %s", fn, key, c.keyList())
	}
	return v, nil
}

func (c *Checkpoint) keyList() string {
	keys := c.Keys()
	if len(keys) == 0 {
		return "no string keys"
	}
	if len(keys) > 20 {
		keys = append(keys[:20:20], "...")
	}
	return "keys " + strings.Join(keys, ", ")
}

// goType names the type of a converted value for error messages.
func goType(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case map[string]any, map[any]any:
		return "dict"
	case Namespace:
		return "argparse.Namespace"
	case []any:
		return "list"
	case string:
		return "str"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case []byte:
		return "bytes"
	case *Tensor:
		return "tensor"
	case DType:
		return "dtype"
	}
	return fmt.Sprintf("%T", v)
}
