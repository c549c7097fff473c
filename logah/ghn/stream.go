package ghn

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's idiomatic dot-import.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/logah-go/logah/logah/arch"
	"github.com/logah-go/logah/logah/params"
)

// FileReport summarises a prediction written by [GHN.PredictToFile].
type FileReport struct {
	// Tensors and Params count what was written (class_token included).
	Tensors int
	Params  int64
	// DecoderCalls is the number of executed decoder graphs (chunks of a key group).
	DecoderCalls int
	// DType is the element type written (F32 or BF16), Bytes the size of the file.
	DType params.DType
	Bytes int64
}

// streamBudget bounds the bytes of decoder output held at once by PredictToFile.
const streamBudget = 64 << 20

// writeQueue is how many decoded blocks may wait for the writer goroutine: two decoder calls'
// worth of the largest (16 MB, 2048 × 2048 float32) blocks, so the writer keeps writing while
// the next call decodes (Llama-3.1-8B in bfloat16: 3–10 % faster than a queue of 2 in
// interleaved runs on a shared 2-core machine).
const writeQueue = 2 * streamBudget / (16 << 20)

// PredictToFile predicts the parameters of a and streams them into a safetensors file at path
// (float32, or bfloat16 with opts.DType = params.BF16; a.Params() order, torchvision / Hugging
// Face names, metadata "format": "pt"), never
// holding the whole model in memory: the node embeddings are computed once, then each decoder
// key group is decoded in chunks of at most 64 MB of output, and every tensor is cropped,
// normalised and tiled on the host while it is written. The values equal [GHN.Predict]'s (the
// HEAD rule's std of a tiled tensor is computed from the block and its copy counts in float64);
// a bfloat16 file holds them rounded to nearest even. The file appears atomically when complete.
func (m *GHN) PredictToFile(a arch.Arch, path string, opts PredictOptions) (FileReport, error) {
	var rep FileReport
	dt, err := opts.dtype()
	if err != nil {
		return rep, err
	}
	rep.DType = dt
	b, bkey, err := m.newBatch([]arch.Arch{a}, opts)
	if err != nil {
		return rep, err
	}
	noise, err := opts.noiseFor(b.Archs)
	if err != nil {
		return rep, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	emb, err := m.embeddings(b, bkey)
	if err != nil {
		return rep, err
	}
	wts, err := m.weightTensors()
	if err != nil {
		return rep, err
	}

	specs := a.Params()
	infos := make([]params.TensorInfo, len(specs))
	for i, s := range specs {
		infos[i] = params.TensorInfo{Name: s.Name, DType: dt, Shape: s.Shape}
		rep.Params += s.Size()
	}
	archJSON, _ := arch.MarshalJSON(a)
	cfgJSON, _ := m.cfg.MarshalJSON()
	meta := map[string]string{"format": "pt", "logah_arch": string(archJSON), "logah_ghn": string(cfgJSON)}
	if opts.Raw {
		meta["logah_raw"] = "true"
	}
	w, err := params.Create(path, infos, meta)
	if err != nil {
		return rep, err
	}
	defer w.Abort()
	sw := newStreamWriter(w, dt)
	defer sw.finish() // before Abort: the writer goroutine must be done with w

	subs, byNode := streamPlan(m.cfg, b)
	h := m.cfg.Hid
	for _, sg := range subs {
		// One closure per key subgroup, so its executor is released (and may be evicted) before
		// the next one is acquired.
		err := func() error {
			grp := b.plan.groups[sg.group]
			per := decodedSize(m.cfg, grp.key, sg.co, sg.ci)
			chunk := max(1, min(len(sg.members), streamBudget/(4*per)))
			exec, release, err := m.acquireExec(fmt.Sprintf("decode%s[%d,%d]/%d", grp.key, sg.co, sg.ci, chunk), func() (*Exec, error) {
				key, co, ci := grp.key, sg.co, sg.ci
				return NewExec(m.backend, func(ins []*Node) *Node {
					w := m.weightsFromInputs(ins[1:])
					if m.cfg.Decoder == DecoderGHN3 {
						return decodeGHN3(m.cfg, w, ins[0], key)
					}
					return decodeLoGAH(m.cfg, w, ins[0], key, co, ci)
				})
			})
			if err != nil {
				return err
			}
			defer release()
			z := make([]float32, chunk*h)
			for lo := 0; lo < len(sg.members); lo += chunk {
				n := min(chunk, len(sg.members)-lo)
				for i := range chunk {
					r := int(grp.rows[sg.members[lo+min(i, n-1)]]) // pad with the last row
					copy(z[i*h:(i+1)*h], emb[r*h:(r+1)*h])
				}
				args := []any{tensors.FromFlatDataAndDimensions(z, chunk, h)}
				for _, t := range wts {
					args = append(args, t)
				}
				var out *tensors.Tensor
				if err := catch("ghn decoder", func() { out, err = exec.Call1(args...) }); err != nil {
					return err
				}
				args[0].(*tensors.Tensor).MustFinalizeAll()
				if err != nil {
					return fmt.Errorf("ghn decoder: %w", err)
				}
				rep.DecoderCalls++
				od := slices.Clone(out.Shape().Dimensions[1:])
				var werr error
				err = tensors.ConstFlatData(out, func(flat []float32) {
					for i := range n {
						o := flat[i*per : (i+1)*per]
						for _, t := range byNode[[2]int{sg.group, sg.members[lo+i]}] {
							blk, bs, err := hostCrop(t, grp.key, o, od, noise[0])
							if err != nil {
								werr = fmt.Errorf("%s: %w", a, err)
								return
							}
							if !opts.Raw {
								hostNormalise(blk, bs, normFor(m.cfg, a, t.name, t.shape, t.role), t.shape)
							}
							if werr = sw.submit(t.name, blk, bs, t.shape); werr != nil {
								return
							}
							rep.Tensors++
						}
					}
				})
				out.MustFinalizeAll()
				if err != nil {
					return err
				}
				if werr != nil {
					return werr
				}
			}
			return nil
		}()
		if err != nil {
			return rep, err
		}
	}
	for _, s := range specs {
		if s.Role == arch.RoleClassToken {
			if err := sw.submit(s.Name, make([]float32, s.Size()), s.Shape, s.Shape); err != nil {
				return rep, err
			}
			rep.Tensors++
		}
	}
	if err := sw.finish(); err != nil {
		return rep, err
	}
	if err := w.Close(); err != nil {
		return rep, err
	}
	if st, err := os.Stat(path); err == nil {
		rep.Bytes = st.Size()
	}
	return rep, nil
}

// subGroup is a part of a decoder group whose members need the same leading (co, ci) channels
// of the output (LoGAH Key4D / KeyClassWeight; 0, 0 = the whole output).
type subGroup struct {
	group   int
	co, ci  int
	members []int // indices into the group's rows
}

// streamPlan splits the decoder groups of a one-architecture batch by the output channels their
// targets need, and lists the targets of every (group, member).
func streamPlan(cfg Config, b *Batch) ([]subGroup, map[[2]int][]target) {
	byNode := map[[2]int][]target{}
	for _, ti := range b.plan.perArch[0] {
		t := b.plan.targets[ti]
		byNode[[2]int{t.group, t.member}] = append(byNode[[2]int{t.group, t.member}], t)
	}
	var subs []subGroup
	for gi, grp := range b.plan.groups {
		index := map[[2]int]int{}
		for mi := range grp.rows {
			var co, ci int
			k := grp.key
			if cfg.Decoder == DecoderLoGAH && (k.Kind == Key4D && k.Dims[0] > 1 || k.Kind == KeyClassWeight) {
				for _, t := range byNode[[2]int{gi, mi}] {
					co, ci = max(co, min(t.shape[0], k.Dims[0])), max(ci, min(t.shape[1], k.Dims[1]))
				}
			}
			j, ok := index[[2]int{co, ci}]
			if !ok {
				j = len(subs)
				index[[2]int{co, ci}] = j
				subs = append(subs, subGroup{group: gi, co: co, ci: ci})
			}
			subs[j].members = append(subs[j].members, mi)
		}
	}
	return subs, byNode
}

// decodedSize is the number of values one node's decoder output has for a key (LoGAH: only the
// leading co, ci channels when they are > 0).
func decodedSize(cfg Config, k Key, co, ci int) int {
	d := cfg.MaxShape
	if cfg.Decoder == DecoderGHN3 {
		switch k.Kind {
		case Key1D:
			return 2 * d
		case KeyClassBias:
			return 2 * cfg.NumClasses
		case KeyClassWeight:
			return cfg.NumClasses * min(d, k.Dims[1])
		default:
			return min(d, k.Dims[0]) * min(d, k.Dims[1]) * k.Dims[2] * k.Dims[3]
		}
	}
	if co <= 0 || ci <= 0 {
		co, ci = k.Dims[0], k.Dims[1]
	}
	switch k.Kind {
	case Key4D:
		return co * ci * k.Dims[2] * k.Dims[3]
	case KeyClassWeight:
		return co * ci
	default:
		return 2 * k.Dims[0]
	}
}

// hostCrop mirrors cropBlock on the host: o is one node's decoder output of shape od.
func hostCrop(t target, key Key, o []float32, od []int, noise []float32) ([]float32, []int, error) {
	ts := t.shape
	switch {
	case len(ts) == 1 && (key.Kind == Key1D || key.Kind == KeyClassBias):
		c := od[1]
		n := min(ts[0], c)
		return slices.Clone(o[t.slot*c : t.slot*c+n]), []int{n}, nil
	case len(ts) == 2 && key.Kind == Key4D:
		a, b := min(ts[0], od[0]), min(ts[1], od[1])
		blk := getBlock(a * b)
		kk := od[2] * od[3]
		centre := (od[2]/2)*od[3] + od[3]/2
		for i := range a {
			if kk == 1 {
				copy(blk[i*b:(i+1)*b], o[i*od[1]:i*od[1]+b])
				continue
			}
			for j := range b {
				blk[i*b+j] = o[(i*od[1]+j)*kk+centre]
			}
		}
		return blk, []int{a, b}, nil
	case len(ts) == 2 && key.Kind == KeyClassWeight:
		a, b := min(ts[0], od[0]), min(ts[1], od[1])
		blk := getBlock(a * b)
		for i := range a {
			copy(blk[i*b:(i+1)*b], o[i*od[1]:i*od[1]+b])
		}
		return blk, []int{a, b}, nil
	case len(ts) == 3 && key.Kind == Key4D && od[0] == 1:
		d, ss := min(ts[2], od[1]), od[2]*od[3]
		p := min(ts[1], ss)
		blk := make([]float32, (p+1)*d)
		if noise != nil {
			if len(noise) < d {
				return nil, nil, fmt.Errorf("class-token noise of %q has %d values, want %d", t.name, len(noise), ts[2])
			}
			copy(blk[:d], noise[:d])
		}
		for q := range p { // PE[1+q, i] = o[0, i, q/s, q%s]
			for i := range d {
				blk[(1+q)*d+i] = o[i*ss+q]
			}
		}
		return blk, []int{1, p + 1, d}, nil
	case len(ts) == 4 && key.Kind == Key4D:
		s2, s3 := min(ts[2], od[2]), min(ts[3], od[3])
		if s2 < ts[2] || s3 < ts[3] {
			return nil, nil, fmt.Errorf("%q: decoded kernel %dx%d is smaller than the target's %dx%d", t.name, od[2], od[3], ts[2], ts[3])
		}
		a, b := min(ts[0], od[0]), min(ts[1], od[1])
		h0, w0 := od[2]/2-s2/2, od[3]/2-s3/2
		blk := make([]float32, 0, a*b*s2*s3)
		for i := range a {
			for j := range b {
				for y := range s2 {
					base := ((i*od[1]+j)*od[2]+h0+y)*od[3] + w0
					blk = append(blk, o[base:base+s3]...)
				}
			}
		}
		return blk, []int{a, b, s2, s3}, nil
	}
	return nil, nil, fmt.Errorf("%q: cannot fit a %s decoder output to shape %v", t.name, key, ts)
}

// hostNormalise mirrors normaliseBlock on the host, in float32 arithmetic.
func hostNormalise(x []float32, bs []int, op normOp, ts []int) {
	switch op.kind {
	case normScale:
		s := float32(op.scale)
		for i := range x {
			x[i] *= s
		}
		if op.div != 0 {
			d := float32(op.div)
			for i := range x {
				x[i] /= d
			}
		}
	case normSigmoid:
		for i := range x {
			y := float64(x[i] * 0.5)
			x[i] = 2 * float32(1/(1+math.Exp(-y)))
		}
	case normTanh:
		for i := range x {
			x[i] = float32(math.Tanh(float64(x[i] * 0.2)))
		}
	case normStd:
		den := float32(hostTiledStd(x, bs, ts)) + stdEps
		s := float32(op.scale)
		for i := range x {
			x[i] = x[i] / den * s
		}
	}
}

// hostTiledStd is tiledStd on the host: the unbiased std of the tiled tensor, in float64.
func hostTiledStd(x []float32, bs, ts []int) float64 {
	r := len(bs)
	counts := make([][]float64, r) // nil: every index appears once
	for _, ax := range tiledAxes(bs, ts) {
		counts[ax] = tileCounts(bs[ax], ts[ax])
	}
	last := bs[r-1]
	rowW := rowWeights(bs, counts)
	total := 1.0
	for _, d := range ts {
		total *= float64(d)
	}
	// One pass of weighted Σx and Σx² in float64 (values are O(1) and blocks ≤ K² entries, so
	// the cancellation in Σx² − (Σx)²/N costs nothing visible at float32 precision).
	lastC := counts[r-1]
	var sum, sq float64
	for row, w := range rowW {
		var rs, rq float64
		xs := x[row*last : (row+1)*last]
		if lastC != nil {
			for j, v := range xs {
				f := float64(v)
				rs += lastC[j] * f
				rq += lastC[j] * f * f
			}
		} else {
			for _, v := range xs {
				f := float64(v)
				rs += f
				rq += f * f
			}
		}
		sum += w * rs
		sq += w * rq
	}
	ss := max(0, sq-sum*sum/total)
	return math.Sqrt(ss / (total - 1))
}

// rowWeights returns, for each row (all axes but the last) of a block of shape bs, the product
// of the copy counts of its leading indices.
func rowWeights(bs []int, counts [][]float64) []float64 {
	r := len(bs)
	n := 1
	for _, d := range bs[:r-1] {
		n *= d
	}
	w := make([]float64, n)
	idx := make([]int, r-1)
	for row := range w {
		v := 1.0
		for ax, i := range idx {
			if counts[ax] != nil {
				v *= counts[ax][i]
			}
		}
		w[row] = v
		advance(idx, bs)
	}
	return w
}

// advance steps a row-major multi-index over dims (its length may be shorter than dims).
func advance(idx, dims []int) {
	for ax := len(idx) - 1; ax >= 0; ax-- {
		idx[ax]++
		if idx[ax] < dims[ax] {
			return
		}
		idx[ax] = 0
	}
}

// blockPool recycles the large host blocks between decoder calls and the writer goroutine.
var blockPool sync.Pool

// getBlock returns a slice of n float32 (not zeroed).
func getBlock(n int) []float32 {
	if p, ok := blockPool.Get().(*[]float32); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]float32, n)
}

// putBlock hands a block back for reuse.
func putBlock(b []float32) {
	if cap(b) >= 1<<16 {
		blockPool.Put(&b)
	}
}

// streamWriter writes tensors through a params.Writer from its own goroutine, so that writing
// (system calls, page cache) overlaps decoding. Blocks are encoded by the caller of submit; at
// most writeQueue of them wait in the queue.
type streamWriter struct {
	w      *params.Writer
	dtype  params.DType // F32 or BF16
	jobs   chan writeJob
	done   chan struct{}
	failed atomic.Bool
	err    error // the first write error; read after done is closed
	once   sync.Once
}

type writeJob struct {
	name   string
	x      []float32 // the block's memory (recycled after the write)
	raw    []byte    // the block encoded in x's memory
	bs, ts []int
}

func newStreamWriter(w *params.Writer, dt params.DType) *streamWriter {
	sw := &streamWriter{w: w, dtype: dt, jobs: make(chan writeJob, writeQueue), done: make(chan struct{})}
	go func() {
		defer close(sw.done)
		for j := range sw.jobs {
			if sw.err != nil {
				continue // drain
			}
			if err := sw.writeTiled(j.name, j.raw, sw.dtype.Size(), j.bs, j.ts); err != nil {
				sw.err = err
				sw.failed.Store(true)
			}
			putBlock(j.x)
		}
	}()
	return sw
}

// submit encodes block x (in place: the caller hands it over) and queues it to be written as
// tensor name; it returns an error once a previous write failed.
func (sw *streamWriter) submit(name string, x []float32, bs, ts []int) error {
	if sw.failed.Load() {
		return sw.finish()
	}
	sw.jobs <- writeJob{name: name, x: x, raw: encodeInPlace(x, sw.dtype), bs: bs, ts: ts}
	return nil
}

// finish waits for the queued writes and returns the first error. It may be called repeatedly.
func (sw *streamWriter) finish() error {
	sw.once.Do(func() { close(sw.jobs) })
	<-sw.done
	return sw.err
}

// writeTiled writes target tensor name of shape ts, tiled from block raw of shape bs (encoded,
// esz bytes an element): out[i₀, …, i_k] = x[i₀ mod s₀, …, i_k mod s_k]. Output rows (all axes
// but the last) copy block rows — runs of consecutive block rows in one write when the last
// axis is not tiled, else the row's bytes repeated along the last axis.
func (sw *streamWriter) writeTiled(name string, raw []byte, esz int, bs, ts []int) error {
	tw, err := sw.w.TensorWriter(name)
	if err != nil {
		return err
	}
	r := len(ts)
	lastS, lastT := bs[r-1], ts[r-1]
	rb := esz * lastS
	strides := make([]int, r-1) // in rows
	st := 1
	for ax := r - 2; ax >= 0; ax-- {
		strides[ax] = st
		st *= bs[ax]
	}
	outRows := 1
	for _, d := range ts[:r-1] {
		outRows *= d
	}
	idx := make([]int, r-1)
	runStart, runEnd := -1, -1
	flush := func() error {
		if runStart < 0 {
			return nil
		}
		return writeAll(tw, raw[runStart*rb:runEnd*rb])
	}
	for range outRows {
		row := 0
		for ax, i := range idx {
			row += (i % bs[ax]) * strides[ax]
		}
		advance(idx, ts)
		if lastT != lastS {
			src := raw[row*rb : (row+1)*rb]
			for k := 0; k < lastT; k += lastS {
				if err := writeAll(tw, src[:esz*min(lastS, lastT-k)]); err != nil {
					return err
				}
			}
			continue
		}
		if row == runEnd {
			runEnd++
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		runStart, runEnd = row, row+1
	}
	return flush()
}

func writeAll(w io.Writer, p []byte) error {
	_, err := w.Write(p)
	return err
}
