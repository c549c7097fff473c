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

// encodeInPlace returns the little-endian bytes of x in dtype dt (F32 or BF16), written over
// x's own memory: bfloat16 values take its first half, and a float32 block on a little-endian
// machine is its memory as it is. x must not be read as float32 afterwards. Encoding in place
// needs no second buffer, and lets the decoding goroutine do it while the writer writes.
func encodeInPlace(x []float32, dt params.DType) []byte {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 4*len(x))
	switch {
	case dt == params.BF16:
		// Element i goes to bytes [2i, 2i+2), inside elements ≤ i, which are already read.
		for i, v := range x {
			binary.LittleEndian.PutUint16(b[2*i:], params.Float32ToBF16(v))
		}
		return b[:2*len(x)]
	case !littleEndian:
		for i, v := range x {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
	}
	return b
}
