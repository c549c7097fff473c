package show

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/logah-go/logah/logah/params"
)

// NamedSet is a parameter set under a display name ("random", "LoGAH predicted",
// "fine-tuned from LoGAH", …) for [Spectra], [SpectraTable] and [CosinesTable].
type NamedSet struct {
	Name string
	Set  *params.Set
}

// LoadNamedSets reads the parameter sets dir/NAME.safetensors, one per name, in order, each named
// by its name (for sets that one cell saved and later cells inspect).
func LoadNamedSets(dir string, names ...string) ([]NamedSet, error) {
	var out []NamedSet
	for _, n := range names {
		s, _, err := params.Load(filepath.Join(dir, n+".safetensors"))
		if err != nil {
			return nil, fmt.Errorf("parameter set %q: %w", n, err)
		}
		out = append(out, NamedSet{Name: n, Set: s})
	}
	return out, nil
}

// spectraCache computes each set's spectra once.
type spectraCache map[*params.Set]map[string]params.Spectrum

func (c spectraCache) get(s *params.Set, name string) (params.Spectrum, bool) {
	m, ok := c[s]
	if !ok {
		m = map[string]params.Spectrum{}
		c[s] = m
	}
	if sp, ok := m[name]; ok {
		return sp, sp.Singular != nil
	}
	t, err := s.Get(name)
	if err != nil {
		m[name] = params.Spectrum{}
		return params.Spectrum{}, false
	}
	sp, ok := t.Spectrum()
	m[name] = sp
	return sp, ok
}

// shortLayer abbreviates a tensor name for a plot title: "encoder.layers.encoder_layer_2.mlp.0.weight"
// becomes "layer 2 mlp.0.weight", "transformer.h.3.attn.c_attn.weight" "h.3 attn.c_attn.weight".
func shortLayer(name string) string {
	r := strings.NewReplacer("encoder.layers.encoder_layer_", "layer ", "transformer.h.", "h.")
	s := r.Replace(name)
	if i := strings.IndexByte(s, ' '); i >= 0 && strings.HasPrefix(s, "layer ") {
		if j := strings.IndexByte(s[i+1:], '.'); j >= 0 {
			s = s[:i+1+j] + " " + s[i+2+j:]
		}
	}
	return s
}

// SpectraPlot draws the singular values of one tensor in each set, largest first, on a log y
// axis (x is the index of the singular value, from 1). Sets without the tensor, or where it is
// not a matrix, are left out; nil when none has it.
func SpectraPlot(tensor string, sets []NamedSet) *Plot {
	return spectraPlot(spectraCache{}, tensor, sets)
}

func spectraPlot(c spectraCache, tensor string, sets []NamedSet) *Plot {
	p := &Plot{Title: shortLayer(tensor), XLabel: "index", YLabel: "singular value", LogY: true, Width: 380, Height: 260}
	for i, ns := range sets {
		sp, ok := c.get(ns.Set, tensor)
		if !ok {
			continue
		}
		x := make([]float64, len(sp.Singular))
		for k := range x {
			x[k] = float64(k + 1)
		}
		p.Series = append(p.Series, Series{Name: ns.Name, X: x, Y: sp.Singular, Color: palette[i%len(palette)]})
	}
	if len(p.Series) == 0 {
		return nil
	}
	if sp, ok := c.get(sets[0].Set, tensor); ok {
		p.Title = fmt.Sprintf("%s (%d×%d)", p.Title, sp.Rows, sp.Cols)
	}
	return p
}

// SpectraTable has one row per matrix (2-D weights, and convolutions as out × in·k·k) of the
// first set and, for each set, the Frobenius norm ‖W‖ and the effective ranks as
// "erank / rank": exp of the entropy of the normalised singular values, and the number of
// singular values above 10⁻³·σ_max.
func SpectraTable(title string, sets []NamedSet) *Table {
	return spectraTable(spectraCache{}, title, sets)
}

func spectraTable(c spectraCache, title string, sets []NamedSet) *Table {
	cols := []string{"tensor", "matrix"}
	for _, ns := range sets {
		cols = append(cols, ns.Name+" ‖W‖", ns.Name+" erank / rank")
	}
	t := NewTable(title, cols...)
	t.MaxRows = -1
	if len(sets) == 0 {
		return t
	}
	for _, name := range sets[0].Set.Names() {
		sp0, ok := c.get(sets[0].Set, name)
		if !ok {
			continue
		}
		row := []any{name, fmt.Sprintf("%d×%d", sp0.Rows, sp0.Cols)}
		for _, ns := range sets {
			sp, ok := c.get(ns.Set, name)
			if !ok {
				row = append(row, "", "")
				continue
			}
			r := fmt.Sprintf("%.1f / %d", sp.EntropyRank, sp.NumRank)
			row = append(row, sp.Norm, Cell{HTML: esc(r), Text: r, Numeric: true})
		}
		t.Add(row...)
	}
	t.Caption = fmt.Sprintf("‖W‖: Frobenius norm. erank: exp(entropy of σᵢ/Σσ), the effective rank; rank: singular values above %g·σ_max. Convolutions are viewed as out × in·k·k.", params.RankTol)
	return t
}

// CosinesTable has one row per pair of consecutive layers and weight tensor (see
// [params.Set.LayerCosines], taken from the first set) and one column per set: the cosine
// similarity of the tensor in layer l with the same tensor in layer l+1.
func CosinesTable(title string, sets []NamedSet) *Table {
	cols := []string{"tensor", "layers"}
	for _, ns := range sets {
		cols = append(cols, ns.Name)
	}
	t := NewTable(title, cols...)
	t.MaxRows = -1
	if len(sets) == 0 {
		return t
	}
	for _, lc := range sets[0].Set.LayerCosines() {
		row := []any{lc.Pattern, fmt.Sprintf("%d→%d", lc.Layer, lc.Layer+1)}
		for _, ns := range sets {
			a, errA := ns.Set.Get(lc.A)
			b, errB := ns.Set.Get(lc.B)
			cos := math.NaN()
			if errA == nil && errB == nil {
				if v, err := params.CosineSimilarity(a, b); err == nil {
					cos = v
				}
			}
			row = append(row, cos)
		}
		t.Add(row...)
	}
	t.Caption = "cosine similarity ⟨W_l, W_{l+1}⟩ / (‖W_l‖ ‖W_{l+1}‖) of a weight and the same weight in the next layer (≈0 for independent random draws)"
	return t
}

// SpectraOutput renders [Spectra]: one log-scale panel of singular values per tensor of
// tensors (one line per set), then the [SpectraTable] of every matrix.
func SpectraOutput(title string, sets []NamedSet, tensors []string) Output {
	c := spectraCache{}
	var b strings.Builder
	if title != "" {
		fmt.Fprintf(&b, `<div class="title">%s</div>`, esc(title))
	}
	b.WriteString(`<div class="panels">`)
	var svgs [][]byte
	var text strings.Builder
	if title != "" {
		text.WriteString(title + "\n")
	}
	for _, name := range tensors {
		p := spectraPlot(c, name, sets)
		if p == nil {
			fmt.Fprintf(&text, "%s: no matrix in any set\n", name)
			continue
		}
		svg := p.SVG()
		svgs = append(svgs, svg)
		b.Write(svg)
		text.WriteString(p.text())
	}
	b.WriteString(`</div>`)
	tab := spectraTable(c, "norms and effective ranks", sets)
	b.WriteString(tab.HTMLFragment())
	text.WriteString(tab.Text())
	return Output{Name: orDefault(title, "spectra"), HTML: wrap(b.String()), Text: text.String(), SVG: stackSVG(svgs)}
}

// Spectra displays, for named parameter sets side by side (e.g. random, predicted and
// fine-tuned), the singular-value spectra of the chosen tensors on a log scale and a table
// of every matrix's norm and effective rank.
func Spectra(title string, sets []NamedSet, tensors ...string) {
	Display(SpectraOutput(title, sets, tensors))
}
