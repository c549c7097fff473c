package torchpt

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
)

// maxDims bounds the rank of a tensor (PyTorch itself allows at most 64 dimensions).
const maxDims = 64

// loader holds the state of one Load: the archive, the limits, the storages read so far and
// what remains of the tensor-bytes budget.
type loader struct {
	arc      *archive
	lim      limits
	budget   int64
	storages map[string]*storage
}

// storage is one <prefix>/data/<key> entry, read once and shared by every tensor viewing it.
type storage struct {
	key    string
	dtype  DType
	numel  int
	device string
	data   []byte
}

func (s *storage) GoString() string {
	return fmt.Sprintf("storage(%s, %s, %d)", s.key, s.dtype, s.numel)
}

// persistentLoad resolves a persistent id of the pickle. torch.save writes
// ('storage', storage_type, key, location, numel) for every storage.
func (ld *loader) persistentLoad(pid any) (any, error) {
	t, ok := pid.(*types.Tuple)
	if !ok || t.Len() != 5 {
		return nil, fmt.Errorf("%w: persistent id is a %s; torch.save writes ('storage', type, key, location, numel)", ErrFormat, pyType(pid))
	}
	if tag, _ := t.Get(0).(string); tag != "storage" {
		return nil, fmt.Errorf("%w: persistent id of kind %s; only 'storage' is supported", ErrFormat, pyType(t.Get(0)))
	}
	sc, ok := t.Get(1).(storageClass)
	if !ok {
		return nil, fmt.Errorf("%w: storage type is a %s, not a torch storage class", ErrFormat, pyType(t.Get(1)))
	}
	key, ok1 := t.Get(2).(string)
	device, ok2 := t.Get(3).(string)
	numel, ok3 := asInt(t.Get(4))
	switch {
	case !ok1 || key == "" || key == "." || key == ".." || len(key) > 256 || strings.ContainsAny(key, "/\\\x00"):
		return nil, fmt.Errorf("%w: storage key %s is not a plain entry name", ErrFormat, short(t.Get(2)))
	case !ok2:
		return nil, fmt.Errorf("%w: storage %s: location is a %s, not a string", ErrFormat, key, pyType(t.Get(3)))
	case !ok3 || numel < 0:
		return nil, fmt.Errorf("%w: storage %s: element count %s is not a non-negative integer", ErrFormat, key, short(t.Get(4)))
	}
	if s, ok := ld.storages[key]; ok {
		if s.dtype != sc.dtype || s.numel != numel {
			return nil, fmt.Errorf("%w: storage %s is declared twice, as %d %s and as %d %s", ErrFormat, key, s.numel, s.dtype, numel, sc.dtype)
		}
		return s, nil
	}
	es := sc.dtype.Size()
	if numel > math.MaxInt64/es {
		return nil, fmt.Errorf("%w: storage %s declares %d elements of %s, which overflows", ErrFormat, key, numel, sc.dtype)
	}
	nbytes := int64(numel) * int64(es)
	f, err := ld.arc.lookup("data/" + key)
	switch {
	case err != nil:
		return nil, err
	case f == nil:
		return nil, fmt.Errorf("%w: storage %s is missing: the zip has no entry %s/data/%s", ErrFormat, key, ld.arc.prefix, key)
	case f.UncompressedSize64 != uint64(nbytes):
		return nil, fmt.Errorf("%w: storage %s: the pickle declares %d elements of %s (%d bytes) but %s holds %d bytes",
			ErrFormat, key, numel, sc.dtype, nbytes, f.Name, f.UncompressedSize64)
	case nbytes > ld.budget:
		return nil, ld.budgetError(nbytes)
	}
	data, err := readEntry(f, ld.budget, "WithMaxTensorBytes")
	if err != nil {
		return nil, err
	}
	ld.budget -= nbytes
	s := &storage{key: key, dtype: sc.dtype, numel: numel, device: device, data: data}
	ld.storages[key] = s
	return s, nil
}

func (ld *loader) budgetError(n int64) error {
	return fmt.Errorf("%w: tensor data needs %d more bytes but only %d of the tensor budget remain; "+
		"raise it with WithMaxTensorBytes if the file is trusted", ErrLimit, n, ld.budget)
}

// rebuildTensorFunc is torch._utils._rebuild_tensor_v2(storage, storage_offset, size,
// stride, requires_grad, backward_hooks[, metadata]).
type rebuildTensorFunc struct{ ld *loader }

func (rebuildTensorFunc) GoString() string { return "torch._utils._rebuild_tensor_v2" }

func (f rebuildTensorFunc) Call(args ...any) (any, error) { return f.ld.rebuildTensor(args) }

func (ld *loader) rebuildTensor(args []any) (*Tensor, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("%w: _rebuild_tensor_v2 takes 6 or 7 arguments, got %d", ErrFormat, len(args))
	}
	st, ok := args[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("%w: _rebuild_tensor_v2 of a %s, not a storage", ErrFormat, pyType(args[0]))
	}
	offset, ok := asInt(args[1])
	if !ok || offset < 0 {
		return nil, fmt.Errorf("%w: tensor on storage %s: offset %s is not a non-negative integer", ErrFormat, st.key, short(args[1]))
	}
	shape, err := intTuple(args[2], "size", st.key)
	if err != nil {
		return nil, err
	}
	stride, err := intTuple(args[3], "stride", st.key)
	if err != nil {
		return nil, err
	}
	if len(shape) != len(stride) {
		return nil, fmt.Errorf("%w: tensor on storage %s: size %v and stride %v differ in length", ErrFormat, st.key, shape, stride)
	}
	rg, ok := args[4].(bool)
	if !ok {
		return nil, fmt.Errorf("%w: tensor on storage %s: requires_grad is a %s, not a bool", ErrFormat, st.key, pyType(args[4]))
	}
	// args[5] (backward hooks, always empty) and args[6] (metadata) carry no data.
	numel, contiguous, err := checkView(shape, stride, offset, st.numel)
	if err != nil {
		return nil, fmt.Errorf("%w: tensor on storage %s (%d elements): %v", ErrFormat, st.key, st.numel, err)
	}
	t := &Tensor{DType: st.dtype, Shape: shape, Stride: stride, Offset: offset,
		StorageKey: st.key, Device: st.device, RequiresGrad: rg}
	es := st.dtype.Size()
	if contiguous {
		lo, hi := offset*es, (offset+numel)*es
		t.data = st.data[lo:hi:hi]
		return t, nil
	}
	if int64(numel) > ld.budget/int64(es) {
		return nil, ld.budgetError(int64(numel) * int64(es))
	}
	ld.budget -= int64(numel) * int64(es)
	t.data = gather(st.data, es, shape, stride, offset, numel)
	return t, nil
}

// checkView checks that a view (shape, stride, offset) fits in a storage of n elements,
// with overflow-safe arithmetic, and reports its element count and whether it is
// contiguous (row-major, so its bytes are one slice of the storage).
func checkView(shape, stride []int, offset, n int) (numel int, contiguous bool, err error) {
	numel = 1
	for _, s := range shape {
		if s == 0 {
			numel = 0
			break
		}
	}
	if numel == 0 {
		if offset > n {
			return 0, false, fmt.Errorf("offset %d is beyond the storage", offset)
		}
		return 0, true, nil
	}
	last := offset // index of the last element
	for i, s := range shape {
		if numel > math.MaxInt/s {
			return 0, false, fmt.Errorf("size %v overflows", shape)
		}
		numel *= s
		if stride[i] != 0 && s-1 > (math.MaxInt-last)/stride[i] {
			return 0, false, fmt.Errorf("size %v with stride %v overflows", shape, stride)
		}
		last += (s - 1) * stride[i]
	}
	if last >= n {
		return 0, false, fmt.Errorf("size %v, stride %v and offset %d reach element %d, beyond the storage", shape, stride, offset, last)
	}
	contiguous = true
	expect := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && stride[i] != expect {
			contiguous = false
			break
		}
		expect *= shape[i]
	}
	return numel, contiguous, nil
}

// gather copies a strided view into a new contiguous row-major buffer.
func gather(src []byte, es int, shape, stride []int, offset, numel int) []byte {
	out := make([]byte, numel*es)
	idx := make([]int, len(shape))
	at := offset
	for i := 0; i < numel; i++ {
		copy(out[i*es:(i+1)*es], src[at*es:(at+1)*es])
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			at += stride[d]
			if idx[d] < shape[d] {
				break
			}
			at -= stride[d] * shape[d]
			idx[d] = 0
		}
	}
	return out
}

// intTuple reads a tuple of non-negative ints (a tensor's size or stride).
func intTuple(v any, what, key string) ([]int, error) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, fmt.Errorf("%w: tensor on storage %s: %s is a %s, not a tuple", ErrFormat, key, what, pyType(v))
	}
	if t.Len() > maxDims {
		return nil, fmt.Errorf("%w: tensor on storage %s has %d dimensions, more than %d", ErrFormat, key, t.Len(), maxDims)
	}
	out := make([]int, t.Len())
	for i, e := range *t {
		n, ok := asInt(e)
		if !ok || n < 0 {
			return nil, fmt.Errorf("%w: tensor on storage %s: %s[%d] = %s is not a non-negative integer", ErrFormat, key, what, i, short(e))
		}
		out[i] = n
	}
	return out, nil
}

// short formats a pickled scalar for an error message and only names the type of others.
func short(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case int, int64, float64, bool, *big.Int:
		return fmt.Sprint(v)
	case string:
		if len(v) > 64 {
			v = v[:64] + "..."
		}
		return strconv.Quote(v)
	}
	return "a " + pyType(v)
}

// asInt converts a pickled Python int to an int.
func asInt(v any) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case *big.Int:
		if v.IsInt64() {
			return int(v.Int64()), true
		}
	}
	return 0, false
}
