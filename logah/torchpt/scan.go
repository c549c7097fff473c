package torchpt

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Limits on single opcode arguments that real pickles never approach.
const (
	maxLineBytes = 1 << 16 // text arguments (GLOBAL names, protocol-0 values)
	maxLongBytes = 4300    // digits of a decimal LONG, bytes of LONG4 (Python's int_max_str_digits)
)

// scanPickle walks the opcodes of a pickle without executing them and checks that it is
// well formed and bounded before the unpickler runs: every opcode is known, every argument
// (and every length-prefixed string, bytes or frame) fits in the remaining input, so no
// opcode can make the unpickler allocate more than the pickle's own size; the number of
// opcodes and the nesting of MARKs are bounded; extension codes and out-of-band buffers,
// which a checkpoint never uses, are refused. It returns nil only if a STOP is reached.
func scanPickle(p []byte, maxOps, maxDepth int) error {
	pos, ops, depth := 0, 0, 0
	// need returns the next n argument bytes, or an error if the pickle ends first.
	need := func(op byte, n uint64) ([]byte, error) {
		if n > uint64(len(p)-pos) {
			return nil, fmt.Errorf("%w: pickle opcode 0x%02x at byte %d needs %d bytes but only %d remain (truncated or corrupt data.pkl)",
				ErrFormat, op, pos-1, n, len(p)-pos)
		}
		b := p[pos : pos+int(n)]
		pos += int(n)
		return b, nil
	}
	line := func(op byte, max int) error {
		i := bytes.IndexByte(p[pos:], '\n')
		if i < 0 {
			return fmt.Errorf("%w: pickle opcode %q at byte %d has no end of line (truncated data.pkl)", ErrFormat, op, pos-1)
		}
		if i > max {
			return fmt.Errorf("%w: pickle opcode %q at byte %d has a %d-byte argument, more than %d", ErrLimit, op, pos-1, i, max)
		}
		pos += i + 1
		return nil
	}
	// counted reads a little-endian length of width bytes, then skips that many bytes.
	counted := func(op byte, width int) error {
		b, err := need(op, uint64(width))
		if err != nil {
			return err
		}
		var n uint64
		switch width {
		case 1:
			n = uint64(b[0])
		case 4:
			n = uint64(binary.LittleEndian.Uint32(b))
		case 8:
			n = binary.LittleEndian.Uint64(b)
		}
		_, err = need(op, n)
		return err
	}
	for pos < len(p) {
		op := p[pos]
		pos++
		ops++
		if ops > maxOps {
			return fmt.Errorf("%w: the pickle has more than %d opcodes; raise the limit with WithMaxPickleOps if the file is trusted", ErrLimit, maxOps)
		}
		var err error
		switch op {
		case '.': // STOP
			return nil
		case '(': // MARK
			depth++
			if depth > maxDepth {
				return fmt.Errorf("%w: the pickle nests more than %d levels; raise the limit with WithMaxDepth if the file is trusted", ErrLimit, maxDepth)
			}
		case '1', 't', 'l', 'd', 'e', 'u', 0x90, 0x91, 'o': // opcodes that consume a MARK
			if depth > 0 {
				depth--
			}
		case '0', '2', 'N', 'Q', 'R', 'a', 'b', '}', ']', ')', 's', 0x81, 0x85, 0x86, 0x87,
			0x88, 0x89, 0x8f, 0x92, 0x93, 0x94:
			// POP DUP NONE BINPERSID REDUCE APPEND BUILD EMPTY_DICT EMPTY_LIST EMPTY_TUPLE
			// SETITEM NEWOBJ TUPLE1-3 NEWTRUE NEWFALSE EMPTY_SET NEWOBJ_EX STACK_GLOBAL MEMOIZE:
			// no argument.
		case 'F', 'I', 'S', 'V', 'P', 'g', 'p': // FLOAT INT STRING UNICODE PERSID GET PUT
			err = line(op, maxLineBytes)
		case 'L': // LONG, decimal
			err = line(op, maxLongBytes)
		case 'c': // GLOBAL module\nname\n
			if err = line(op, maxLineBytes); err == nil {
				err = line(op, maxLineBytes)
			}
		case 'i': // INST module\nname\n, consumes a MARK
			if err = line(op, maxLineBytes); err == nil {
				err = line(op, maxLineBytes)
			}
			if depth > 0 {
				depth--
			}
		case 'K', 'h', 'q', 0x80: // BININT1 BINGET BINPUT PROTO
			_, err = need(op, 1)
		case 'M': // BININT2
			_, err = need(op, 2)
		case 'J', 'j', 'r': // BININT LONG_BINGET LONG_BINPUT
			_, err = need(op, 4)
		case 'G': // BINFLOAT
			_, err = need(op, 8)
		case 'U', 'C', 0x8c: // SHORT_BINSTRING SHORT_BINBYTES SHORT_BINUNICODE
			err = counted(op, 1)
		case 'T', 'X', 'B': // BINSTRING BINUNICODE BINBYTES
			err = counted(op, 4)
		case 0x8d, 0x8e, 0x96: // BINUNICODE8 BINBYTES8 BYTEARRAY8
			err = counted(op, 8)
		case 0x8a: // LONG1
			var b []byte
			if b, err = need(op, 1); err == nil {
				if b[0] == 0 {
					err = fmt.Errorf("%w: pickle opcode LONG1 at byte %d has an empty value", ErrFormat, pos-2)
				} else {
					_, err = need(op, uint64(b[0]))
				}
			}
		case 0x8b: // LONG4
			var b []byte
			if b, err = need(op, 4); err == nil {
				n := binary.LittleEndian.Uint32(b)
				switch {
				case n == 0:
					err = fmt.Errorf("%w: pickle opcode LONG4 at byte %d has an empty value", ErrFormat, pos-5)
				case n > maxLongBytes:
					err = fmt.Errorf("%w: pickle opcode LONG4 at byte %d has a %d-byte integer, more than %d", ErrLimit, pos-5, n, maxLongBytes)
				default:
					_, err = need(op, uint64(n))
				}
			}
		case 0x95: // FRAME: an 8-byte length; the frame's opcodes follow inline.
			var b []byte
			if b, err = need(op, 8); err == nil {
				if n := binary.LittleEndian.Uint64(b); n > uint64(len(p)-pos) {
					err = fmt.Errorf("%w: pickle frame at byte %d declares %d bytes but only %d remain", ErrFormat, pos-9, n, len(p)-pos)
				}
			}
		case 0x82, 0x83, 0x84:
			return fmt.Errorf("%w: the pickle uses the copyreg extension registry (opcode 0x%02x), which checkpoints never use", ErrFormat, op)
		case 0x97, 0x98:
			return fmt.Errorf("%w: the pickle uses out-of-band buffers (opcode 0x%02x), which checkpoints never use", ErrFormat, op)
		default:
			return fmt.Errorf("%w: unknown pickle opcode 0x%02x at byte %d", ErrFormat, op, pos-1)
		}
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("%w: data.pkl ends without a STOP opcode (truncated)", ErrFormat)
}
