package ghn

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/logah-go/logah/logah/params"
)

// This file is the element type of predicted tensors (PredictOptions.DType): predictions are
// computed in float32 and, for bfloat16, rounded to nearest even only when they leave the
// hypernetwork — in PredictToFile block by block, before the block is tiled into the file, so
// each distinct value is rounded once however many copies the tiling writes.

// dtype returns the element type the options ask for: F32 (the default) or BF16.
func (o PredictOptions) dtype() (params.DType, error) {
	switch o.DType {
	case "", params.F32:
		return params.F32, nil
	case params.BF16:
		return params.BF16, nil
	}
	return "", fmt.Errorf("ghn: PredictOptions.DType %q is not supported: use %q (float32, the default) or %q (bfloat16)",
		string(o.DType), params.F32, params.BF16)
}

// littleEndian tells whether float32 slices can be written as their memory.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// encodeBlock returns the little-endian bytes of x in dtype dt (F32 or BF16). For F32 on a
// little-endian machine the result aliases x; otherwise it is written into buf (grown as
// needed), which the caller may recycle.
func encodeBlock(x []float32, dt params.DType, buf []byte) []byte {
	if dt == params.BF16 {
		buf = growBytes(buf, 2*len(x))
		for i, v := range x {
			binary.LittleEndian.PutUint16(buf[2*i:], params.Float32ToBF16(v))
		}
		return buf
	}
	if littleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 4*len(x))
	}
	buf = growBytes(buf, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	return buf
}

// growBytes returns buf resized to n bytes, reallocated only when its capacity is short.
func growBytes(buf []byte, n int) []byte {
	if cap(buf) < n {
		return make([]byte, n)
	}
	return buf[:n]
}
