package params

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"sync/atomic"
)

// File is an open safetensors file. Opening reads and validates only the header; each tensor's
// data is read when asked for ([File.ReadTensor], [File.RawReader]), so loading one tensor of a
// 3 GB checkpoint reads that tensor's bytes and nothing else.
//
// The methods of a File are safe for concurrent use.
//
// Reading uses positioned reads (pread) rather than a memory map: a tensor returned by
// ReadTensor owns its memory, so it stays valid after [File.Close], and a file truncated by
// another process gives an error instead of a fault.
type File struct {
	r      io.ReaderAt
	closer io.Closer
	name   string // for error messages
	size   int64
	start  int64 // offset of the data block
	h      *header
	closed atomic.Bool
}

// Open opens a safetensors file and validates its header (see [OpenReaderAt] for what is
// checked). Close the file when done.
func Open(path string) (*File, error) {
	osf, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	st, err := osf.Stat()
	if err != nil {
		osf.Close()
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if !st.Mode().IsRegular() {
		osf.Close()
		return nil, fmt.Errorf("safetensors %s: not a regular file", path)
	}
	f, err := openReaderAt(osf, st.Size(), path)
	if err != nil {
		osf.Close()
		return nil, err
	}
	f.closer = osf
	return f, nil
}

// OpenReaderAt reads a safetensors image of the given size from r (for example a
// bytes.Reader). It validates the whole header before returning: the 8-byte length (at most
// [MaxHeaderSize] and within the file), UTF-8 JSON, known dtypes, shapes, and data offsets
// that match each tensor's size and tile the data block exactly, without gaps, overlaps or
// trailing bytes, and unique names. A corrupt, truncated or hostile file gives an error naming
// the problem; no allocation exceeds the size of the input.
func OpenReaderAt(r io.ReaderAt, size int64) (*File, error) {
	return openReaderAt(r, size, "")
}

func openReaderAt(r io.ReaderAt, size int64, name string) (*File, error) {
	f := &File{r: r, name: name, size: size}
	if size < 8 {
		return nil, f.errorf("file is %d bytes, shorter than the 8-byte header length: not a safetensors file", size)
	}
	var lenBuf [8]byte
	if err := readAtFull(r, lenBuf[:], 0); err != nil {
		return nil, f.errorf("reading the header length: %v", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize {
		return nil, f.errorf("header length %d exceeds the limit of %d bytes: corrupt or not a safetensors file", n, MaxHeaderSize)
	}
	if int64(n) > size-8 {
		return nil, f.errorf("header length %d exceeds the %d bytes after it: the file is truncated or not safetensors", n, size-8)
	}
	buf := make([]byte, n)
	if err := readAtFull(r, buf, 8); err != nil {
		return nil, f.errorf("reading the %d-byte header: %v", n, err)
	}
	f.start = 8 + int64(n)
	h, err := parseHeader(buf, size-f.start)
	if err != nil {
		return nil, f.errorf("%v", err)
	}
	f.h = h
	return f, nil
}

// errorf prefixes an error with the file it concerns.
func (f *File) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if f.name != "" {
		return fmt.Errorf("safetensors %s: %s", f.name, msg)
	}
	return fmt.Errorf("safetensors: %s", msg)
}

// Close releases the file. Tensors already read stay valid.
func (f *File) Close() error {
	if f.closed.Swap(true) || f.closer == nil {
		return nil
	}
	return f.closer.Close()
}

// Len is the number of tensors.
func (f *File) Len() int { return len(f.h.entries) }

// Names returns the tensor names in the order of the header.
func (f *File) Names() []string {
	out := make([]string, len(f.h.entries))
	for i, e := range f.h.entries {
		out[i] = e.Name
	}
	return out
}

// Infos returns the dtype and shape of every tensor, in the order of the header.
func (f *File) Infos() []TensorInfo {
	out := make([]TensorInfo, len(f.h.entries))
	for i, e := range f.h.entries {
		out[i] = TensorInfo{Name: e.Name, DType: e.DType, Shape: slices.Clone(e.Shape)}
	}
	return out
}

// Info returns the dtype and shape of the named tensor.
func (f *File) Info(name string) (TensorInfo, error) {
	e, err := f.entry(name)
	if err != nil {
		return TensorInfo{}, err
	}
	return TensorInfo{Name: e.Name, DType: e.DType, Shape: slices.Clone(e.Shape)}, nil
}

// Metadata returns a copy of the file's "__metadata__" map (nil when it has none).
func (f *File) Metadata() map[string]string { return maps.Clone(f.h.metadata) }

func (f *File) entry(name string) (*entry, error) {
	i, ok := f.h.index[name]
	if !ok {
		return nil, f.errorf("no tensor %q (the file has %d: %s)", name, len(f.h.entries), abbreviate(f.Names(), 6))
	}
	return &f.h.entries[i], nil
}

// RawReader returns a reader of the named tensor's bytes exactly as stored (little-endian,
// row-major), for any dtype; it reads from the file lazily, so it can stream a tensor larger
// than memory.
func (f *File) RawReader(name string) (*io.SectionReader, error) {
	if f.closed.Load() {
		return nil, f.errorf("read of %q after Close", name)
	}
	e, err := f.entry(name)
	if err != nil {
		return nil, err
	}
	return io.NewSectionReader(f.r, f.start+e.begin, e.end-e.begin), nil
}

// readChunk is the size of the buffer through which tensor data is read and decoded.
const readChunk = 1 << 20

// ReadTensor reads the named tensor, which must have a floating-point dtype (F32, F64, F16 or
// BF16). Only that tensor's bytes are read.
func (f *File) ReadTensor(name string) (*Tensor, error) {
	if f.closed.Load() {
		return nil, f.errorf("read of %q after Close", name)
	}
	e, err := f.entry(name)
	if err != nil {
		return nil, err
	}
	if err := checkFloat(fmt.Sprintf("tensor %q", name), e.DType); err != nil {
		return nil, f.errorf("%v", err)
	}
	// The size was checked against the file size when the header was parsed, so this
	// allocation is bounded by the input.
	t, err := NewTensor(e.Name, e.DType, e.Shape)
	if err != nil {
		return nil, f.errorf("%v", err)
	}
	esize := e.DType.Size()
	buf := make([]byte, min(int64(readChunk), e.end-e.begin))
	for done := 0; done < t.Len(); {
		n := min(t.Len()-done, len(buf)/esize)
		chunk := buf[:n*esize]
		if err := readAtFull(f.r, chunk, f.start+e.begin+int64(done*esize)); err != nil {
			return nil, f.errorf("reading tensor %q: %v (was the file truncated after it was opened?)", name, err)
		}
		decodeInto(t, chunk, done)
		done += n
	}
	return t, nil
}

// readAtFull fills p from offset off. The io.ReaderAt contract lets a read that ends exactly
// at the end of the input return io.EOF with a full buffer: that is success here, and a short
// read is io.ErrUnexpectedEOF.
func readAtFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// decodeInto decodes little-endian elements of t's dtype from src into t, starting at element lo.
func decodeInto(t *Tensor, src []byte, lo int) {
	switch t.dtype {
	case F32:
		dst := t.f32[lo:]
		for i := range len(src) / 4 {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case F64:
		dst := t.f64[lo:]
		for i := range len(src) / 8 {
			dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:]))
		}
	default:
		dst := t.bits[lo:]
		for i := range len(src) / 2 {
			dst[i] = binary.LittleEndian.Uint16(src[2*i:])
		}
	}
}

// ReadSet reads the named tensors (all of them, in header order, when no name is given) into a
// new [Set].
func (f *File) ReadSet(names ...string) (*Set, error) {
	if len(names) == 0 {
		names = f.Names()
	}
	s := NewSet()
	for _, name := range names {
		t, err := f.ReadTensor(name)
		if err != nil {
			return nil, err
		}
		if err := s.Add(t); err != nil {
			return nil, f.errorf("%v", err)
		}
	}
	return s, nil
}

// Load reads a whole safetensors file: its tensors, in header order, and its metadata (nil when
// the file has none). Every tensor must have a floating-point dtype; to read part of a big file,
// use [Open] and [File.ReadTensor].
func Load(path string) (*Set, map[string]string, error) {
	f, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	s, err := f.ReadSet()
	if err != nil {
		return nil, nil, err
	}
	return s, f.Metadata(), nil
}
