package params

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/logah-go/logah/logah/arch"
)

// MaxHeaderSize bounds the JSON header of a safetensors file (100 MB, the limit of the reference
// Rust implementation). A longer header is rejected before anything is allocated.
const MaxHeaderSize = 100_000_000

// metadataKey is the header entry holding the file's string-to-string metadata.
const metadataKey = "__metadata__"

// TensorInfo describes one tensor of a safetensors file: what a [Writer] is told up front, and
// what a [File] knows before reading any data.
type TensorInfo struct {
	Name  string
	DType DType // any dtype of the format, not only the floating-point ones
	Shape []int // row-major; empty for a scalar
}

// NumElements is the product of the shape (1 for a scalar).
func (ti TensorInfo) NumElements() int64 { return arch.NumElements(ti.Shape) }

// NumBytes is the size of the tensor's data: elements × dtype size.
func (ti TensorInfo) NumBytes() int64 { return ti.NumElements() * int64(ti.DType.Size()) }

// entry is a TensorInfo with the position of its data, relative to the start of the data block.
type entry struct {
	TensorInfo
	begin, end int64
}

// header is a parsed and validated safetensors header.
type header struct {
	entries  []entry // in header order
	index    map[string]int
	metadata map[string]string // nil when the file has none
}

// checkInfo validates a declared tensor and returns its size in bytes.
func checkInfo(ti TensorInfo) (int64, error) {
	what := fmt.Sprintf("tensor %q", ti.Name)
	if ti.Name == metadataKey {
		return 0, fmt.Errorf("%q is reserved for the metadata and cannot name a tensor", metadataKey)
	}
	size := ti.DType.Size()
	if size == 0 {
		return 0, fmt.Errorf("%s: unknown dtype %q: use one of F32, F64, F16, BF16, BOOL, U8, I8, "+
			"F8_E5M2, F8_E4M3, I16, U16, I32, U32, I64, U64", what, string(ti.DType))
	}
	n, err := numElements(what, ti.Shape)
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt64/int64(size) {
		return 0, fmt.Errorf("%s: shape %v of %s needs more than 2^63 bytes", what, ti.Shape, ti.DType)
	}
	return n * int64(size), nil
}

// parseHeader parses and validates the JSON header of a file whose data block (everything after
// the header) is dataLen bytes long. It enforces what the reference implementation enforces:
// valid UTF-8 JSON starting with '{', known dtypes, non-negative dimensions without overflow,
// and data offsets that, sorted, tile the data block exactly (no gap, no overlap, nothing left
// over) with each tensor's length equal to elements × dtype size. It also rejects duplicate
// names, which the JSON format does not forbid but which make a file ambiguous.
func parseHeader(buf []byte, dataLen int64) (*header, error) {
	if !utf8.Valid(buf) {
		return nil, fmt.Errorf("header is not valid UTF-8")
	}
	if len(buf) == 0 || buf[0] != '{' {
		return nil, fmt.Errorf("header does not start with '{': not a safetensors file, or a corrupt one")
	}
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the opening brace
		return nil, fmt.Errorf("header is not valid JSON: %v", err)
	}
	h := &header{index: map[string]int{}}
	seenMeta := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("header is not valid JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("header is not valid JSON: expected a name, got %v", tok)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("header is not valid JSON (in the entry %q): %v", name, err)
		}
		if name == metadataKey {
			if seenMeta {
				return nil, fmt.Errorf("header has %q twice", metadataKey)
			}
			seenMeta = true
			if h.metadata, err = parseMetadata(raw); err != nil {
				return nil, err
			}
			continue
		}
		if _, dup := h.index[name]; dup {
			return nil, fmt.Errorf("header names tensor %q twice", name)
		}
		e, err := parseEntry(name, raw)
		if err != nil {
			return nil, err
		}
		h.index[name] = len(h.entries)
		h.entries = append(h.entries, e)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("header is not valid JSON: %v", err)
	}
	rest := buf[dec.InputOffset():]
	if len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return nil, fmt.Errorf("header has non-whitespace bytes after the JSON object (only space padding is allowed)")
	}
	if err := checkLayout(h.entries, dataLen); err != nil {
		return nil, err
	}
	return h, nil
}

// parseMetadata reads the "__metadata__" object: a map of strings to strings, or null.
func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("%q must be an object of strings, got %.40s", metadataKey, raw)
	}
	md := make(map[string]string, len(fields))
	for k, v := range fields {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("%q value for key %q must be a string, got %.40s", metadataKey, k, v)
		}
		md[k] = s
	}
	return md, nil
}

// parseEntry reads one tensor's {"dtype", "shape", "data_offsets"} object. Other fields are
// ignored, as the reference implementation does.
func parseEntry(name string, raw json.RawMessage) (entry, error) {
	e := entry{TensorInfo: TensorInfo{Name: name}}
	what := fmt.Sprintf("tensor %q", name)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return e, fmt.Errorf("%s: entry must be an object with dtype, shape and data_offsets, got %.40s", what, raw)
	}
	for _, key := range []string{"dtype", "shape", "data_offsets"} {
		if _, ok := fields[key]; !ok {
			return e, fmt.Errorf("%s: entry has no %q field", what, key)
		}
	}
	var dt string
	if err := json.Unmarshal(fields["dtype"], &dt); err != nil {
		return e, fmt.Errorf("%s: dtype must be a string, got %.40s", what, fields["dtype"])
	}
	e.DType = DType(dt)
	shape, err := parseInts(fields["shape"], -1)
	if err != nil {
		return e, fmt.Errorf("%s: shape: %v", what, err)
	}
	for _, d := range shape {
		if d > math.MaxInt {
			return e, fmt.Errorf("%s: shape dimension %d is too large for this platform", what, d)
		}
		e.Shape = append(e.Shape, int(d))
	}
	if e.Shape == nil {
		e.Shape = []int{}
	}
	offs, err := parseInts(fields["data_offsets"], 2)
	if err != nil {
		return e, fmt.Errorf("%s: data_offsets: %v", what, err)
	}
	e.begin, e.end = offs[0], offs[1]
	return e, nil
}

// parseInts reads a JSON array of non-negative integers (of exactly n elements when n ≥ 0).
func parseInts(raw json.RawMessage, n int) ([]int64, error) {
	var nums []json.RawMessage
	if err := json.Unmarshal(raw, &nums); err != nil || nums == nil {
		return nil, fmt.Errorf("must be an array of non-negative integers, got %.40s", raw)
	}
	if n >= 0 && len(nums) != n {
		return nil, fmt.Errorf("must have %d elements, got %d", n, len(nums))
	}
	out := make([]int64, len(nums))
	for i, r := range nums {
		v, err := strconv.ParseInt(string(r), 10, 64)
		if err != nil {
			if bytes.HasPrefix(r, []byte("-")) {
				return nil, fmt.Errorf("element %d is negative (%.40s)", i, r)
			}
			return nil, fmt.Errorf("element %d is not an integer below 2^63 (%.40s)", i, r)
		}
		if v < 0 {
			return nil, fmt.Errorf("element %d is negative (%d)", i, v)
		}
		out[i] = v
	}
	return out, nil
}

// checkLayout verifies the data offsets: each tensor's length is elements × dtype size, and the
// tensors sorted by offset cover [0, dataLen) exactly.
func checkLayout(entries []entry, dataLen int64) error {
	for _, e := range entries {
		size, err := checkInfo(e.TensorInfo)
		if err != nil {
			return err
		}
		if e.end < e.begin {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] end before they begin", e.Name, e.begin, e.end)
		}
		if e.end-e.begin != size {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] span %d bytes but %s%v needs %d",
				e.Name, e.begin, e.end, e.end-e.begin, e.DType, e.Shape, size)
		}
	}
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b entry) int {
		if a.begin != b.begin {
			return compareInt64(a.begin, b.begin)
		}
		return compareInt64(a.end, b.end)
	})
	var pos int64
	prev := ""
	for _, e := range sorted {
		switch {
		case e.begin > pos && prev == "":
			return fmt.Errorf("tensor %q: data starts at offset %d, leaving a gap of %d bytes at the start of the data block",
				e.Name, e.begin, e.begin)
		case e.begin > pos:
			return fmt.Errorf("tensors %q and %q: gap of %d bytes between their data (offsets %d and %d)",
				prev, e.Name, e.begin-pos, pos, e.begin)
		case e.begin < pos:
			return fmt.Errorf("tensors %q and %q: overlapping data (%q begins at %d, before %q ends at %d)",
				prev, e.Name, e.Name, e.begin, prev, pos)
		}
		pos, prev = e.end, e.Name
	}
	if pos != dataLen {
		if pos > dataLen {
			return fmt.Errorf("tensors need %d bytes of data but the file holds %d after the header: the file is truncated",
				pos, dataLen)
		}
		return fmt.Errorf("tensors cover %d bytes of data but the file holds %d after the header: %d unexplained trailing bytes",
			pos, dataLen, dataLen-pos)
	}
	return nil
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// encodeHeader writes the header for tensors laid out in the given order, followed by spaces so
// that 8 + its length is a multiple of 8 (the data block then starts 8-byte aligned). It returns
// the header bytes and each tensor's data offset.
func encodeHeader(infos []TensorInfo, metadata map[string]string) ([]byte, []int64, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		writeJSONString(&b, metadataKey)
		b.WriteString(":{")
		for i, k := range keys {
			if !utf8.ValidString(k) || !utf8.ValidString(metadata[k]) {
				return nil, nil, fmt.Errorf("metadata key %q: keys and values must be valid UTF-8", k)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, k)
			b.WriteByte(':')
			writeJSONString(&b, metadata[k])
		}
		b.WriteByte('}')
	}
	offsets := make([]int64, len(infos))
	seen := make(map[string]bool, len(infos))
	var pos int64
	for i, ti := range infos {
		size, err := checkInfo(ti)
		if err != nil {
			return nil, nil, err
		}
		if !utf8.ValidString(ti.Name) {
			return nil, nil, fmt.Errorf("tensor %q: the name is not valid UTF-8", ti.Name)
		}
		if seen[ti.Name] {
			return nil, nil, fmt.Errorf("tensor %q is declared twice", ti.Name)
		}
		seen[ti.Name] = true
		if pos > math.MaxInt64-size {
			return nil, nil, fmt.Errorf("tensor %q: the data block would exceed 2^63 bytes", ti.Name)
		}
		offsets[i] = pos
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		writeJSONString(&b, ti.Name)
		fmt.Fprintf(&b, `:{"dtype":"%s","shape":[`, ti.DType)
		for j, d := range ti.Shape {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&b, `],"data_offsets":[%d,%d]}`, pos, pos+size)
		pos += size
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	if b.Len() > MaxHeaderSize {
		return nil, nil, fmt.Errorf("header would be %d bytes, more than the format's limit of %d: use shorter names or metadata",
			b.Len(), MaxHeaderSize)
	}
	return b.Bytes(), offsets, nil
}

// writeJSONString writes s as a JSON string without escaping <, > and & (which encoding/json
// does by default), so names stay readable in the header.
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // drop the newline Encode adds
}
