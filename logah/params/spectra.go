package params

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
)

// Spectrum describes one weight viewed as a matrix: its norm, spread and singular values.
type Spectrum struct {
	Name  string
	Shape []int
	// Rows and Cols are the matrix view (see [Tensor.Matrix]).
	Rows, Cols int
	Norm       float64 // Frobenius norm
	Std        float64 // unbiased standard deviation of the elements
	// Singular holds the min(Rows, Cols) singular values, largest first.
	Singular []float64
	// EntropyRank is exp(H) of the normalised singular values p_i = σ_i / Σσ (Roy & Vetterli's
	// effective rank): min(Rows, Cols) for a flat spectrum, 1 for a rank-1 matrix.
	EntropyRank float64
	// NumRank counts the singular values above RankTol·σ_max.
	NumRank int
}

// RankTol is the relative threshold of [Spectrum.NumRank].
const RankTol = 1e-3

// Matrix returns the tensor as a row-major float64 matrix: a 2-D tensor as it is, a 3-D or
// 4-D tensor (a convolution's out×in×k×k) as out × (the product of the other dimensions).
// ok is false for tensors of rank 0 or 1 and for 3-D/4-D tensors whose first dimension is 1
// (class tokens, position embeddings), which are not linear maps. For an F64 tensor data is the
// tensor's own storage.
func (t *Tensor) Matrix() (data []float64, rows, cols int, ok bool) {
	switch len(t.shape) {
	case 2:
		rows, cols = t.shape[0], t.shape[1]
	case 3, 4:
		if t.shape[0] == 1 {
			return nil, 0, 0, false
		}
		rows = t.shape[0]
		cols = t.Len() / max(rows, 1)
	default:
		return nil, 0, 0, false
	}
	if rows == 0 || cols == 0 {
		return nil, 0, 0, false
	}
	return t.Float64s(), rows, cols, true
}

// Spectrum computes the singular values and ranks of the tensor's matrix view; ok is false for
// tensors that have none (see [Tensor.Matrix]).
func (t *Tensor) Spectrum() (Spectrum, bool) {
	data, rows, cols, ok := t.Matrix()
	if !ok {
		return Spectrum{}, false
	}
	st := t.Stats()
	sv := SingularValues(data, rows, cols)
	return Spectrum{
		Name: t.name, Shape: slices.Clone(t.shape), Rows: rows, Cols: cols,
		Norm: st.Norm, Std: st.Std, Singular: sv,
		EntropyRank: EntropyRank(sv), NumRank: NumericalRank(sv, RankTol),
	}, true
}

// Spectra returns the spectrum of every tensor of s that has a matrix view, in order.
func (s *Set) Spectra() []Spectrum {
	var out []Spectrum
	for t := range s.All() {
		if sp, ok := t.Spectrum(); ok {
			out = append(out, sp)
		}
	}
	return out
}

// EntropyRank is exp of the Shannon entropy of σ_i / Σσ_j (0 when all are zero).
func EntropyRank(sv []float64) float64 {
	var sum float64
	for _, s := range sv {
		sum += s
	}
	if sum <= 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		return 0
	}
	var h float64
	for _, s := range sv {
		if p := s / sum; p > 0 {
			h -= p * math.Log(p)
		}
	}
	return math.Exp(h)
}

// NumericalRank counts the singular values greater than rel·max(sv).
func NumericalRank(sv []float64, rel float64) int {
	var hi float64
	for _, s := range sv {
		hi = max(hi, s)
	}
	if hi <= 0 {
		return 0
	}
	n := 0
	for _, s := range sv {
		if s > rel*hi {
			n++
		}
	}
	return n
}

// SingularValues returns the min(rows, cols) singular values of the row-major rows×cols matrix
// a, largest first. It runs one-sided Jacobi (Hestenes) rotations in float64 on the columns of
// a or of its transpose, whichever has fewer: accurate to a few ulps of σ_max and fast enough
// for matrices up to a few hundred rows and columns. a is not modified.
func SingularValues(a []float64, rows, cols int) []float64 {
	if len(a) != rows*cols {
		panic(fmt.Sprintf("params.SingularValues: %d values for a %d×%d matrix", len(a), rows, cols))
	}
	// Columns of the (possibly transposed) matrix, each of length m; n ≤ m of them.
	m, n := rows, cols
	transpose := cols > rows
	if transpose {
		m, n = cols, rows
	}
	col := make([][]float64, n)
	for j := range col {
		c := make([]float64, m)
		for i := range c {
			if transpose {
				c[i] = a[j*cols+i]
			} else {
				c[i] = a[i*cols+j]
			}
		}
		col[j] = c
	}
	const eps = 1e-15
	for sweep := 0; sweep < 80; sweep++ {
		rotated := false
		for p := 0; p < n-1; p++ {
			cp := col[p]
			for q := p + 1; q < n; q++ {
				cq := col[q]
				var alpha, beta, gamma float64
				for i, x := range cp {
					y := cq[i]
					alpha += x * x
					beta += y * y
					gamma += x * y
				}
				if gamma == 0 || math.Abs(gamma) <= eps*math.Sqrt(alpha*beta) {
					continue
				}
				rotated = true
				zeta := (beta - alpha) / (2 * gamma)
				t := 1 / (math.Abs(zeta) + math.Sqrt(1+zeta*zeta))
				if zeta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(1+t*t)
				s := c * t
				for i, x := range cp {
					y := cq[i]
					cp[i] = c*x - s*y
					cq[i] = s*x + c*y
				}
			}
		}
		if !rotated {
			break
		}
	}
	sv := make([]float64, n)
	for j, c := range col {
		var ss float64
		for _, x := range c {
			ss += x * x
		}
		sv[j] = math.Sqrt(ss)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(sv)))
	return sv
}

// CosineSimilarity is ⟨a, b⟩ / (‖a‖ ‖b‖) over the elements of two tensors of the same shape
// (NaN when either is all zeros).
func CosineSimilarity(a, b *Tensor) (float64, error) {
	if !slices.Equal(a.shape, b.shape) {
		return 0, fmt.Errorf("params: cosine similarity of %s%v and %s%v: shapes differ", a.name, a.shape, b.name, b.shape)
	}
	var dot, na, nb float64
	n := a.Len()
	for i := 0; i < n; i++ {
		x, y := a.At(i), b.At(i)
		dot += x * y
		na += x * x
		nb += y * y
	}
	return dot / math.Sqrt(na*nb), nil
}

// LayerCosine is the cosine similarity of one tensor with the same tensor of the next layer.
type LayerCosine struct {
	// Pattern names the tensor with its layer index replaced by "*", e.g.
	// "encoder.layers.encoder_layer_*.mlp.0.weight".
	Pattern string
	// Layer is the index of the first of the two layers (the second is Layer+1).
	Layer  int
	A, B   string // the two tensors' names
	Cosine float64
}

// layerIndex finds the layer number in names such as "encoder.layers.encoder_layer_3.…"
// (torchvision ViT) or "transformer.h.3.…" (GPT-2).
var layerIndex = regexp.MustCompile(`(encoder_layer_|\.h\.)(\d+)`)

// LayerCosines returns, for every tensor of a numbered layer with a rank of at least 2 (the
// weights, not biases and norms), its cosine similarity with the same tensor of the next
// layer, in the order of s.
func (s *Set) LayerCosines() []LayerCosine {
	var out []LayerCosine
	for t := range s.All() {
		if t.Rank() < 2 {
			continue
		}
		loc := layerIndex.FindStringSubmatchIndex(t.name)
		if loc == nil {
			continue
		}
		k, err := strconv.Atoi(t.name[loc[4]:loc[5]])
		if err != nil {
			continue
		}
		prefix, suffix := t.name[:loc[4]], t.name[loc[5]:]
		next, err := s.Get(prefix + strconv.Itoa(k+1) + suffix)
		if err != nil || !slices.Equal(next.shape, t.shape) {
			continue
		}
		c, err := CosineSimilarity(t, next)
		if err != nil {
			continue
		}
		out = append(out, LayerCosine{Pattern: prefix + "*" + suffix, Layer: k, A: t.name, B: next.name, Cosine: c})
	}
	return out
}
