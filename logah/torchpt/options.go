package torchpt

import (
	"errors"
	"fmt"
)

// Default limits. They are far above what real checkpoints need (a GPT-2 XL training
// checkpoint has a data.pkl of a few hundred KiB and tens of thousands of pickle opcodes) and
// far below what would hurt the machine.
const (
	DefaultMaxPickleBytes = 64 << 20 // 64 MiB of data.pkl
	DefaultMaxPickleOps   = 1 << 20  // pickle opcodes executed
	DefaultMaxDepth       = 128      // nesting of MARKs and of containers
)

// ErrLimit is wrapped by every error that reports a file exceeding a limit; the message says
// which option raises it.
var ErrLimit = errors.New("limit exceeded")

// ErrFormat is wrapped by every error that reports a malformed or unsupported file.
var ErrFormat = errors.New("malformed checkpoint")

// ForbiddenClassError reports a pickle that refers to a Python global (function or class)
// outside the allow-list: unpickling it in Python could run arbitrary code.
type ForbiddenClassError struct {
	Module, Name string
}

func (e *ForbiddenClassError) Error() string {
	return fmt.Sprintf("pickle refers to %s.%s, which is not allowed in a checkpoint "+
		"(only tensor rebuild functions, storages, OrderedDict, argparse.Namespace and plain "+
		"containers are); the file may be malicious, so it was not loaded",
		e.Module, e.Name)
}

// Option changes a limit of Load and Read.
type Option func(*limits)

type limits struct {
	maxPickleBytes int64
	maxPickleOps   int
	maxDepth       int
	maxTensorBytes int64 // 0: derived from the file size
	err            error
}

func newLimits(opts []Option) (limits, error) {
	l := limits{
		maxPickleBytes: DefaultMaxPickleBytes,
		maxPickleOps:   DefaultMaxPickleOps,
		maxDepth:       DefaultMaxDepth,
	}
	for _, o := range opts {
		if o != nil {
			o(&l)
		}
	}
	return l, l.err
}

func (l *limits) fail(format string, args ...any) {
	if l.err == nil {
		l.err = fmt.Errorf("torchpt: "+format, args...)
	}
}

// WithMaxPickleBytes bounds the size of data.pkl (default DefaultMaxPickleBytes).
func WithMaxPickleBytes(n int64) Option {
	return positiveLimit("WithMaxPickleBytes", n, func(l *limits) *int64 { return &l.maxPickleBytes })
}

// WithMaxPickleOps bounds the number of pickle opcodes (default DefaultMaxPickleOps). Memory
// used to decode the pickle is at most a few hundred bytes per opcode. It also bounds the
// decoded value expanded as a tree (shared references counted each time) to 4n nodes, so
// that walking Checkpoint.Value naively cannot take exponential time.
func WithMaxPickleOps(n int) Option {
	return positiveLimit("WithMaxPickleOps", n, func(l *limits) *int { return &l.maxPickleOps })
}

// WithMaxDepth bounds the nesting of the decoded object (default DefaultMaxDepth).
func WithMaxDepth(n int) Option {
	return positiveLimit("WithMaxDepth", n, func(l *limits) *int { return &l.maxDepth })
}

// WithMaxTensorBytes bounds the bytes allocated for tensor data: storages read from the zip
// plus copies made to make strided views contiguous. The default is twice the file size plus
// 1 MiB, which every file written by torch.save (storages stored uncompressed) satisfies
// unless it saves many overlapping strided views; raise it for compressed archives.
func WithMaxTensorBytes(n int64) Option {
	return positiveLimit("WithMaxTensorBytes", n, func(l *limits) *int64 { return &l.maxTensorBytes })
}

// positiveLimit is the Option named name that sets the limit field points to to n; a limit that
// is not positive makes Load and Read fail.
func positiveLimit[T int | int64](name string, n T, field func(*limits) *T) Option {
	return func(l *limits) {
		if n <= 0 {
			l.fail("%s(%d): the limit must be positive", name, n)
		}
		*field(l) = n
	}
}
