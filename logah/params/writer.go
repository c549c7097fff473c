package params

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// Writer writes a safetensors file tensor by tensor, so a model larger than memory can be saved
// while it is produced (for example by a hypernetwork predicting one tensor at a time).
//
// Every tensor is declared up front ([Create]): the header, with all data offsets, is written
// first. Each tensor's data is then written once, whole ([Writer.WriteTensor],
// [Writer.WriteFloat32]) or streamed in pieces ([Writer.TensorWriter]), in any order. The data
// goes to a temporary file beside the destination; [Writer.Close] checks that every tensor got
// exactly its declared number of bytes, flushes the file to disk and renames it into place, so
// a crash or an error never leaves a partial file under the final name. [Writer.Abort] (safe
// to defer, a no-op after Close) discards the temporary file.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	f       *os.File
	tmp     string
	path    string
	start   int64 // offset of the data block
	entries []wentry
	index   map[string]int
	buf     []byte
	err     error // first write error; the writer refuses further work after it
	done    bool
}

type wentry struct {
	TensorInfo
	begin, size, written int64
	stream               *tensorWriter // non-nil once TensorWriter was called
}

// writeChunk is the size of the buffer through which values are encoded and written.
const writeChunk = 1 << 20

// Create starts a safetensors file at path holding the declared tensors, laid out in the given
// order, with optional string metadata (stored under "__metadata__"). Names must be unique and
// dtypes known to the format; the data of non-float dtypes can be written with
// [Writer.TensorWriter].
func Create(path string, infos []TensorInfo, metadata map[string]string) (*Writer, error) {
	hdr, offsets, err := encodeHeader(infos, metadata)
	if err != nil {
		return nil, fmt.Errorf("safetensors %s: %v", path, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("safetensors %s: creating the temporary file: %w", path, err)
	}
	w := &Writer{f: f, tmp: f.Name(), path: path, start: 8 + int64(len(hdr)), index: map[string]int{}}
	for i, ti := range infos {
		ti.Shape = slices.Clone(ti.Shape)
		w.index[ti.Name] = i
		w.entries = append(w.entries, wentry{TensorInfo: ti, begin: offsets[i], size: ti.NumBytes()})
	}
	prefix := make([]byte, 8, w.start)
	binary.LittleEndian.PutUint64(prefix, uint64(len(hdr)))
	if _, err := f.Write(append(prefix, hdr...)); err != nil {
		w.fail(fmt.Errorf("writing the header: %w", err))
		w.Abort()
		return nil, w.err
	}
	return w, nil
}

// fail records the first I/O error.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = fmt.Errorf("safetensors %s: %w", w.path, err)
	}
	return w.err
}

// usable returns the error that forbids further writes, if any.
func (w *Writer) usable() error {
	if w.done {
		return fmt.Errorf("safetensors %s: write after Close or Abort", w.path)
	}
	return w.err
}

// fresh returns the entry of a tensor that has not been written yet.
func (w *Writer) fresh(name string) (*wentry, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	i, ok := w.index[name]
	if !ok {
		return nil, fmt.Errorf("safetensors %s: tensor %q was not declared in Create", w.path, name)
	}
	e := &w.entries[i]
	if e.written > 0 || e.stream != nil {
		return nil, fmt.Errorf("safetensors %s: tensor %q is already written (each tensor is written once)", w.path, name)
	}
	return e, nil
}

// WriteTensor writes the data of a declared tensor of the same name and shape. The values are
// converted to the declared dtype (which must be F32, F64, F16 or BF16) when the tensor's own
// dtype differs.
func (w *Writer) WriteTensor(t *Tensor) error {
	if t == nil {
		return fmt.Errorf("safetensors %s: WriteTensor: nil tensor", w.path)
	}
	e, err := w.fresh(t.name)
	if err != nil {
		return err
	}
	if !slices.Equal(t.shape, e.Shape) {
		return fmt.Errorf("safetensors %s: tensor %q has shape %v but was declared %v", w.path, t.name, t.shape, e.Shape)
	}
	if err := checkFloat(fmt.Sprintf("safetensors %s: tensor %q", w.path, t.name), e.DType); err != nil {
		return fmt.Errorf("%v (write it with TensorWriter)", err)
	}
	if w.buf == nil {
		w.buf = make([]byte, writeChunk)
	}
	esize := e.DType.Size()
	per := len(w.buf) / esize
	for lo := 0; lo < t.Len(); lo += per {
		hi := min(lo+per, t.Len())
		chunk := w.buf[:(hi-lo)*esize]
		encodeRange(chunk, e.DType, t, lo, hi)
		if _, err := w.f.WriteAt(chunk, w.start+e.begin+int64(lo*esize)); err != nil {
			return w.fail(fmt.Errorf("writing tensor %q: %w", t.name, err))
		}
	}
	e.written = e.size
	return nil
}

// WriteFloat32 writes a declared tensor from float32 values (converted to the declared dtype).
// The length of data must be the product of the declared shape.
func (w *Writer) WriteFloat32(name string, data []float32) error {
	i, ok := w.index[name]
	if !ok {
		return fmt.Errorf("safetensors %s: tensor %q was not declared in Create", w.path, name)
	}
	t, err := FromFloat32(name, w.entries[i].Shape, data)
	if err != nil {
		return fmt.Errorf("safetensors %s: %v", w.path, err)
	}
	return w.WriteTensor(t)
}

// TensorWriter returns an io.Writer for the raw bytes of a declared tensor: its elements in the
// declared dtype, little-endian, row-major. Any dtype can be written this way. The writer may
// be fed in pieces of any size; writing more than the declared size is an error, and
// [Writer.Close] fails if fewer bytes were written.
func (w *Writer) TensorWriter(name string) (io.Writer, error) {
	e, err := w.fresh(name)
	if err != nil {
		return nil, err
	}
	e.stream = &tensorWriter{w: w, e: e}
	return e.stream, nil
}

// tensorWriter buffers small writes and writes them at the tensor's position.
type tensorWriter struct {
	w   *Writer
	e   *wentry
	buf []byte
}

func (tw *tensorWriter) Write(p []byte) (int, error) {
	w, e := tw.w, tw.e
	if err := w.usable(); err != nil {
		return 0, err
	}
	if int64(len(p)) > e.size-e.written-int64(len(tw.buf)) {
		return 0, fmt.Errorf("safetensors %s: tensor %q: writing %d more bytes would exceed its declared %d bytes (%s%v)",
			w.path, e.Name, len(p), e.size, e.DType, e.Shape)
	}
	n := len(p)
	for len(p) > 0 {
		if tw.buf == nil {
			tw.buf = make([]byte, 0, writeChunk)
		}
		k := min(len(p), cap(tw.buf)-len(tw.buf))
		tw.buf = append(tw.buf, p[:k]...)
		p = p[k:]
		if len(tw.buf) == cap(tw.buf) || e.written+int64(len(tw.buf)) == e.size {
			if err := tw.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (tw *tensorWriter) flush() error {
	w, e := tw.w, tw.e
	if len(tw.buf) == 0 {
		return nil
	}
	if _, err := w.f.WriteAt(tw.buf, w.start+e.begin+e.written); err != nil {
		return w.fail(fmt.Errorf("writing tensor %q: %w", e.Name, err))
	}
	e.written += int64(len(tw.buf))
	tw.buf = tw.buf[:0]
	if e.written == e.size {
		tw.buf = nil // release the buffer of a finished tensor
	}
	return nil
}

// Close checks that every declared tensor was written in full, flushes the file to disk and
// renames it to its final path. On any error the temporary file is removed and nothing is left
// under the final path (an existing file there is left untouched). Calling Close again returns
// the same result; Close after [Writer.Abort] is an error.
func (w *Writer) Close() error {
	if w.done {
		if w.err != nil {
			return w.err
		}
		return nil
	}
	if w.err != nil {
		err := w.err
		w.Abort()
		return err
	}
	var short []string
	for i := range w.entries {
		e := &w.entries[i] // a streamed tensor is flushed as soon as it is complete
		if e.written != e.size {
			short = append(short, fmt.Sprintf("%s (%d of %d bytes)", e.Name, e.written+w.pending(e), e.size))
		}
	}
	if len(short) > 0 {
		w.fail(fmt.Errorf("%d declared tensors were not written in full: %s; nothing was saved",
			len(short), abbreviate(short, 4)))
		err := w.err
		w.Abort()
		return err
	}
	if err := w.f.Sync(); err != nil {
		w.fail(fmt.Errorf("flushing to disk: %w", err))
	} else if err := w.f.Chmod(0o644); err != nil {
		w.fail(fmt.Errorf("setting permissions: %w", err))
	} else if err := w.f.Close(); err != nil {
		w.fail(fmt.Errorf("closing: %w", err))
	} else if err := os.Rename(w.tmp, w.path); err != nil {
		w.fail(fmt.Errorf("renaming into place: %w", err))
	}
	if w.err != nil {
		err := w.err
		w.Abort()
		return err
	}
	w.done = true
	syncDir(filepath.Dir(w.path))
	return nil
}

// pending is the number of bytes buffered but not yet written for an entry.
func (w *Writer) pending(e *wentry) int64 {
	if e.stream == nil {
		return 0
	}
	return int64(len(e.stream.buf))
}

// Abort discards the temporary file. It is safe to call more than once and after Close (then it
// does nothing), so `defer w.Abort()` is the usual pattern.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	if w.err == nil {
		w.err = fmt.Errorf("safetensors %s: aborted: nothing was saved", w.path)
	}
	cerr := w.f.Close()
	rerr := os.Remove(w.tmp)
	if rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		return fmt.Errorf("safetensors %s: removing the temporary file %s: %w", w.path, w.tmp, rerr)
	}
	if cerr != nil && !errors.Is(cerr, os.ErrClosed) {
		return fmt.Errorf("safetensors %s: %w", w.path, cerr)
	}
	return nil
}

// syncDir flushes a directory entry (the rename) to disk; failures are ignored because some
// file systems cannot sync directories, and the data itself is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// encodeRange encodes elements [lo, hi) of t as little-endian dt into dst.
func encodeRange(dst []byte, dt DType, t *Tensor, lo, hi int) {
	switch {
	case dt == F32 && t.dtype == F32:
		for i, v := range t.f32[lo:hi] {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
	case dt == F64 && t.dtype == F64:
		for i, v := range t.f64[lo:hi] {
			binary.LittleEndian.PutUint64(dst[8*i:], math.Float64bits(v))
		}
	case (dt == F16 || dt == BF16) && t.dtype == dt:
		for i, v := range t.bits[lo:hi] {
			binary.LittleEndian.PutUint16(dst[2*i:], v)
		}
	default: // a conversion
		for i := lo; i < hi; i++ {
			v := t.At(i)
			o := dst[(i-lo)*dt.Size():]
			switch dt {
			case F32:
				binary.LittleEndian.PutUint32(o, math.Float32bits(float32(v)))
			case F64:
				binary.LittleEndian.PutUint64(o, math.Float64bits(v))
			default:
				binary.LittleEndian.PutUint16(o, halfEncoder(dt)(float32(v)))
			}
		}
	}
}

// Save writes a set to a safetensors file atomically (see [Writer]), each tensor in its own
// dtype, with optional metadata.
func Save(path string, s *Set, metadata map[string]string) error {
	infos := make([]TensorInfo, 0, s.Len())
	for t := range s.All() {
		infos = append(infos, TensorInfo{Name: t.name, DType: t.dtype, Shape: t.shape})
	}
	w, err := Create(path, infos, metadata)
	if err != nil {
		return err
	}
	defer w.Abort()
	for t := range s.All() {
		if err := w.WriteTensor(t); err != nil {
			return err
		}
	}
	return w.Close()
}
