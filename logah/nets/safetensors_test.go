package nets

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// stTensor is one float32 tensor read from a safetensors file.
type stTensor struct {
	Shape []int
	Data  []float32
}

// Tensor converts to a GoMLX tensor.
func (t stTensor) Tensor() *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(append([]float32(nil), t.Data...), t.Shape...)
}

// readSafetensors is a minimal test-only reader for F32 safetensors files: an 8-byte
// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} with offsets
// relative to the data block, then the raw data.
func readSafetensors(t testing.TB, path string) map[string]stTensor {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := parseSafetensors(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

func parseSafetensors(raw []byte) (map[string]stTensor, error) {
	if len(raw) < 8 {
		return nil, fmt.Errorf("file too short")
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	if n > uint64(len(raw)-8) {
		return nil, fmt.Errorf("header length %d exceeds the file", n)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	data := raw[8+n:]
	out := map[string]stTensor{}
	for name, msg := range header {
		if name == "__metadata__" {
			continue
		}
		var e struct {
			DType   string   `json:"dtype"`
			Shape   []int    `json:"shape"`
			Offsets [2]int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if e.DType != "F32" {
			return nil, fmt.Errorf("%s: dtype %s, only F32 is supported", name, e.DType)
		}
		size := int64(1)
		for _, d := range e.Shape {
			size *= int64(d)
		}
		start, end := e.Offsets[0], e.Offsets[1]
		if start < 0 || end > int64(len(data)) || end-start != 4*size {
			return nil, fmt.Errorf("%s: bad offsets %v for shape %v", name, e.Offsets, e.Shape)
		}
		vals := make([]float32, size)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[start+4*int64(i):]))
		}
		out[name] = stTensor{Shape: e.Shape, Data: vals}
	}
	return out, nil
}
