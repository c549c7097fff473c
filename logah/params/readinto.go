package params

import (
	"encoding/binary"
	"slices"
	"unsafe"
)

// hostLittleEndian is whether float32s in memory have safetensors' byte order, so that a
// tensor's bytes can be read straight into a []float32.
var hostLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// ReadFloat32Into reads the named tensor into dst as float32 (converting F64, F16 and BF16),
// checking that the tensor has the given shape. An F32 tensor on a little-endian machine is
// read straight into dst's memory: no second copy, no decoding pass. This is how big models
// are loaded into memory the caller already owns (for example a backend's shared buffer).
func (f *File) ReadFloat32Into(name string, shape []int, dst []float32) error {
	e, err := f.entry(name)
	if err != nil {
		return err
	}
	if !slices.Equal(e.Shape, shape) {
		return f.errorf("tensor %q has shape %v, the model needs %v", name, e.Shape, shape)
	}
	// The header parser already checked the shape, so numElements cannot fail here.
	if numel, _ := numElements(name, e.Shape); int64(len(dst)) != numel {
		return f.errorf("tensor %q: destination holds %d values, the tensor %d", name, len(dst), numel)
	}
	if e.DType != F32 || !hostLittleEndian {
		t, err := f.ReadTensor(name)
		if err != nil {
			return err
		}
		copy(dst, t.Float32s())
		return nil
	}
	if f.closed.Load() {
		return f.errorf("read of %q after Close", name)
	}
	if len(dst) == 0 {
		return nil
	}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst))
	for done := 0; done < len(raw); done += readChunk * 64 {
		chunk := raw[done:min(len(raw), done+readChunk*64)]
		if err := readAtFull(f.r, chunk, f.start+e.begin+int64(done)); err != nil {
			return f.errorf("reading tensor %q: %v (was the file truncated after it was opened?)", name, err)
		}
	}
	return nil
}
