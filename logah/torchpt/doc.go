// Package torchpt reads PyTorch checkpoints written by torch.save (the zip format of
// PyTorch 1.6 and later) without Python and without running any code from the file.
//
// # Format
//
// A torch.save file is a zip archive whose entries all sit under one folder, the prefix:
//
//	<prefix>/data.pkl      the saved object, pickled (protocol 2 by default)
//	<prefix>/data/<key>    one entry per storage: raw little-endian elements, stored uncompressed
//	<prefix>/version       the serialization version ("3")
//	<prefix>/byteorder     "little" (PyTorch 2.1 and later; absent before)
//
// In data.pkl every tensor is a call torch._utils._rebuild_tensor_v2(storage, offset, size,
// stride, requires_grad, backward_hooks[, metadata]) whose storage is a persistent id
// ('storage', torch.FloatStorage, key, location, numel) naming the entry data/<key>. Tensors
// that share a storage (tied or aliased weights, views) name the same key. Parameters wrap
// the tensor in torch._utils._rebuild_parameter. Load reads each referenced storage once,
// checks every view against it and returns tensors whose data is contiguous: a strided view
// is copied, a contiguous one shares the storage's memory.
//
// The decoded object becomes plain Go values (see [Checkpoint.Value]); [Checkpoint.StateDict],
// [Checkpoint.Config], [Checkpoint.Args] and [Checkpoint.Int] reach the usual entries of a
// training checkpoint, and [Tensor.Float32] converts float32, float16, bfloat16, float64 and
// integer tensors.
//
// # Safety model
//
// A pickle is a program: unpickled by Python, it may call any importable function, such as
// os.system. This package never executes it in that sense. The pickle is decoded by
// gopickle's opcode interpreter into inert Go values, and every global it names must be on
// an allow-list:
//
//   - torch._utils._rebuild_tensor_v2, _rebuild_parameter, _rebuild_parameter_with_state,
//     torch._tensor._rebuild_from_type_v2 (with torch.Tensor or torch.nn.parameter.Parameter);
//   - the storage classes torch.FloatStorage, HalfStorage, BFloat16Storage, DoubleStorage,
//     LongStorage, IntStorage, ShortStorage, CharStorage, ByteStorage, BoolStorage, and the
//     dtypes torch.float32 and friends as plain values;
//   - collections.OrderedDict, argparse.Namespace, torch.Size, set and frozenset, bytes and
//     bytearray (and _codecs.encode, which protocol 2 uses for bytes).
//
// Any other global (os.system, builtins.eval, subprocess.Popen, numpy reconstructors, ...)
// stops the load with a *[ForbiddenClassError] naming it as module.name.
//
// A hostile file must also not exhaust memory or time. Before the unpickler runs, every
// opcode is checked: each length-prefixed argument must fit in the rest of data.pkl (so no
// opcode allocates more than the file holds), and the opcode count and MARK nesting are
// bounded. The converted value may not nest deeper than the depth limit, shared objects are
// converted once (no exponential blow-up) and reference cycles are refused. A storage's
// declared element count times its element size must equal the size of its zip entry; the
// bytes read from storages plus the bytes copied for strided views must stay within a budget
// of twice the file size plus 1 MiB; size, stride and offset are checked against the storage
// with overflow-safe arithmetic; entry CRCs are verified. Errors wrap [ErrLimit] or
// [ErrFormat], and the message names the option that raises a limit ([WithMaxPickleBytes],
// [WithMaxPickleOps], [WithMaxDepth], [WithMaxTensorBytes]).
//
// Not supported: the legacy pre-1.6 format (a bare pickle), TorchScript archives, big-endian
// files, quantized, sparse and nested tensors, and numpy values inside the pickle. Each is
// refused with an error that says so.
package torchpt
