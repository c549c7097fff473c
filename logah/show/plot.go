package show

import (
	"fmt"
	"math"
	"strings"
)

// palette is the series colours (Tableau 10).
var palette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

// Series is one line of a [Plot].
type Series struct {
	Name string
	X, Y []float64
	// Color is a CSS colour; empty picks the next palette colour.
	Color string
	// Dashed draws a dashed line (e.g. validation next to training).
	Dashed bool
}

// Plot is a line plot rendered as self-contained SVG: axes, ticks, grid, legend, optional log
// scales. Points with NaN or infinite values (or non-positive values on a log axis) break
// the line. Long series are thinned to about two points per pixel column, keeping each
// column's extremes.
type Plot struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	// Width and Height in pixels (default 480×300).
	Width, Height int
	// YMin and YMax fix the y range when YMin < YMax (default: fit the data).
	YMin, YMax float64
	Series     []Series
}

// Show displays the plot.
func (p *Plot) Show() {
	svg := p.SVG()
	name := p.Title
	if name == "" {
		name = "plot"
	}
	Display(Output{Name: name, HTML: wrap(string(svg)), Text: p.text(), SVG: svg})
}

func (p *Plot) text() string {
	var b strings.Builder
	if p.Title != "" {
		b.WriteString(p.Title + "\n")
	}
	for _, s := range p.Series {
		n := len(s.Y)
		if n == 0 {
			fmt.Fprintf(&b, "  %s: no points\n", s.Name)
			continue
		}
		fmt.Fprintf(&b, "  %s: %d points, last %s=%s %s=%s  %s\n", s.Name, n, orDefault(p.XLabel, "x"), formatFloat(s.X[n-1]),
			orDefault(p.YLabel, "y"), formatFloat(s.Y[n-1]), sparkline(s.Y, 24))
	}
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// axis maps data values to pixels.
type axis struct {
	lo, hi   float64 // data range (log10 of it for log axes)
	log      bool
	pLo, pHi float64 // pixel range
}

func (a axis) valid(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!a.log || v > 0)
}

func (a axis) px(v float64) float64 {
	if a.log {
		v = math.Log10(v)
	}
	return a.pLo + (v-a.lo)/(a.hi-a.lo)*(a.pHi-a.pLo)
}

// dataRange is the range of the valid values of vals for an axis (log: positive only).
func dataRange(vals [][]float64, log bool) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, vs := range vals {
		for _, v := range vs {
			if math.IsNaN(v) || math.IsInf(v, 0) || (log && v <= 0) {
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo, hi, lo <= hi
}

// makeAxis fits an axis to [lo, hi] and returns it with its ticks and tick step.
func makeAxis(lo, hi float64, log bool, pLo, pHi float64, nTicks int) (axis, []float64, float64) {
	if log {
		if lo == hi {
			lo, hi = lo/2, hi*2
		}
		l, h := math.Log10(lo), math.Log10(hi)
		if h-l >= 1 {
			l, h = math.Log10(logFloor(lo)), math.Log10(logCeil(hi)) // 1, 2 or 5 × a power of ten
		} else {
			pad := (h - l) * 0.05
			l, h = l-pad, h+pad
		}
		ticks := logTicks(math.Pow(10, l), math.Pow(10, h))
		return axis{lo: l, hi: h, log: true, pLo: pLo, pHi: pHi}, ticks, 0
	}
	lo, hi = niceRange(lo, hi, nTicks)
	ticks, step := niceTicks(lo, hi, nTicks)
	return axis{lo: lo, hi: hi, pLo: pLo, pHi: pHi}, ticks, step
}

// SVG renders the plot.
func (p *Plot) SVG() []byte {
	w, h := p.Width, p.Height
	if w <= 0 {
		w = 480
	}
	if h <= 0 {
		h = 300
	}
	const left, right, bottom = 58.0, 14.0, 40.0
	top := 12.0
	if p.Title != "" {
		top = 30
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica,Arial,sans-serif" font-size="11">`, w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`, w, h)
	if p.Title != "" {
		fmt.Fprintf(&b, `<text x="%g" y="18" text-anchor="middle" font-size="13" font-weight="600">%s</text>`, float64(w)/2, esc(p.Title))
	}
	xs, ys := make([][]float64, len(p.Series)), make([][]float64, len(p.Series))
	for i, s := range p.Series {
		xs[i], ys[i] = s.X, s.Y
	}
	xlo, xhi, okx := dataRange(xs, p.LogX)
	ylo, yhi, oky := dataRange(ys, p.LogY)
	if p.YMin < p.YMax && (!p.LogY || p.YMin > 0) {
		ylo, yhi, oky = p.YMin, p.YMax, true
	}
	plotL, plotR, plotT, plotB := left, float64(w)-right, top, float64(h)-bottom
	if !okx || !oky {
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#999"/>`, plotL, plotT, plotR-plotL, plotB-plotT)
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" fill="#777">no data yet</text></svg>`, (plotL+plotR)/2, (plotT+plotB)/2)
		return []byte(b.String())
	}
	ax, xticks, xstep := makeAxis(xlo, xhi, p.LogX, plotL, plotR, max(2, int(plotR-plotL)/90))
	ay, yticks, ystep := makeAxis(ylo, yhi, p.LogY, plotB, plotT, max(2, int(plotB-plotT)/45))
	if p.YMin < p.YMax && !p.LogY {
		ay.lo, ay.hi = p.YMin, p.YMax
	}

	// Grid and ticks.
	b.WriteString(`<g stroke="#e6e6e6" stroke-width="1">`)
	for _, t := range xticks {
		x := ax.px(t)
		if x >= plotL-0.5 && x <= plotR+0.5 {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g"/>`, x, plotT, x, plotB)
		}
	}
	for _, t := range yticks {
		y := ay.px(t)
		if y >= plotT-0.5 && y <= plotB+0.5 {
			fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f"/>`, plotL, y, plotR, y)
		}
	}
	b.WriteString(`</g><g fill="#444">`)
	for _, t := range xticks {
		x := ax.px(t)
		if x >= plotL-0.5 && x <= plotR+0.5 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, x, plotB+14, tickLabel(t, xstep))
		}
	}
	for _, t := range yticks {
		y := ay.px(t)
		if y >= plotT-0.5 && y <= plotB+0.5 {
			fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, plotL-5, y+4, tickLabel(t, ystep))
		}
	}
	b.WriteString(`</g>`)
	fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#888"/>`, plotL, plotT, plotR-plotL, plotB-plotT)
	if p.XLabel != "" {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" fill="#333">%s</text>`, (plotL+plotR)/2, float64(h)-6, esc(p.XLabel))
	}
	if p.YLabel != "" {
		fmt.Fprintf(&b, `<text transform="translate(13,%g) rotate(-90)" text-anchor="middle" fill="#333">%s</text>`, (plotT+plotB)/2, esc(p.YLabel))
	}

	// Lines, clipped to the plot area.
	clip := fmt.Sprintf("clip%x", hashString(p.Title+p.XLabel+p.YLabel+fmt.Sprint(w, h, len(p.Series))))
	fmt.Fprintf(&b, `<clipPath id="%s"><rect x="%g" y="%g" width="%g" height="%g"/></clipPath><g clip-path="url(#%s)" fill="none" stroke-width="1.6" stroke-linejoin="round">`,
		clip, plotL, plotT, plotR-plotL, plotB-plotT, clip)
	var drawn [][2]float64 // every drawn point, to place the legend where it hides least
	for i, s := range p.Series {
		color := seriesColor(s, i)
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="5,3"`
		}
		for _, run := range polylines(s, ax, ay) {
			drawn = append(drawn, run...)
			if len(run) == 1 {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s" stroke="none"/>`, run[0][0], run[0][1], color)
				continue
			}
			b.WriteString(`<polyline points="`)
			for j, pt := range run {
				if j > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%.1f,%.1f", pt[0], pt[1])
			}
			fmt.Fprintf(&b, `" stroke="%s"%s/>`, color, dash)
		}
	}
	b.WriteString(`</g>`)

	// Legend: inside the plot, in the corner that hides the fewest points.
	var named []int
	for i, s := range p.Series {
		if s.Name != "" {
			named = append(named, i)
		}
	}
	if len(named) > 0 {
		longest := 0
		for _, i := range named {
			longest = max(longest, len([]rune(p.Series[i].Name)))
		}
		lw := float64(longest)*6.2 + 34
		lh := float64(len(named))*15 + 6
		lx, ly := legendCorner(drawn, lw, lh, plotL, plotR, plotT, plotB)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>`, lx, ly, lw, lh)
		for k, i := range named {
			s := p.Series[i]
			y := ly + 13 + float64(k)*15
			dash := ""
			if s.Dashed {
				dash = ` stroke-dasharray="5,3"`
			}
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`, lx+6, y-4, lx+24, y-4, seriesColor(s, i), dash)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#222">%s</text>`, lx+29, y, esc(s.Name))
		}
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// logFloor is the largest 1, 2 or 5 × 10^k not above v (> 0); logCeil the smallest not below.
func logFloor(v float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*e <= v*(1+1e-9) {
			return m * e
		}
	}
	return e
}

func logCeil(v float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= v*(1-1e-9) {
			return m * e
		}
	}
	return 10 * e
}

func seriesColor(s Series, i int) string {
	if s.Color != "" {
		return s.Color
	}
	return palette[i%len(palette)]
}

// polylines maps a series to pixel runs, split at invalid points and thinned to at most
// first/min/max/last per pixel column.
func polylines(s Series, ax, ay axis) [][][2]float64 {
	n := min(len(s.X), len(s.Y))
	var runs [][][2]float64
	var cur [][2]float64
	flush := func() {
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	// Column buffer for thinning.
	col := math.NaN()
	var colPts [][2]float64
	emitCol := func() {
		if len(colPts) <= 4 {
			cur = append(cur, colPts...)
		} else {
			first, last := colPts[0], colPts[len(colPts)-1]
			lo, hi := first, first
			for _, p := range colPts {
				if p[1] < lo[1] {
					lo = p
				}
				if p[1] > hi[1] {
					hi = p
				}
			}
			cur = append(cur, first, lo, hi, last)
		}
		colPts = colPts[:0]
	}
	for i := range n {
		x, y := s.X[i], s.Y[i]
		if !ax.valid(x) || !ay.valid(y) {
			emitCol()
			flush()
			col = math.NaN()
			continue
		}
		pt := [2]float64{ax.px(x), ay.px(y)}
		c := math.Floor(pt[0] * 2) // half-pixel columns
		if c != col {
			emitCol()
			col = c
		}
		colPts = append(colPts, pt)
	}
	emitCol()
	flush()
	return runs
}

// hashString is FNV-1a, used to give clip paths ids that differ between plots on one page.
func hashString(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// sparkline draws values as Unicode block characters, about width wide.
func sparkline(vals []float64, width int) string {
	var clean []float64
	for _, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			clean = append(clean, v)
		}
	}
	if len(clean) == 0 {
		return ""
	}
	if len(clean) > width {
		// Average into width buckets.
		out := make([]float64, width)
		for i := range out {
			a, b := i*len(clean)/width, (i+1)*len(clean)/width
			sum := 0.0
			for _, v := range clean[a:b] {
				sum += v
			}
			out[i] = sum / float64(b-a)
		}
		clean = out
	}
	lo, hi := clean[0], clean[0]
	for _, v := range clean {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	blocks := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, v := range clean {
		k := 0
		if hi > lo {
			k = int((v - lo) / (hi - lo) * float64(len(blocks)-1))
		}
		b.WriteRune(blocks[k])
	}
	return b.String()
}

// legendCorner picks the top-left position of a lw×lh legend box among the four corners of the
// plot area (top right first), minimising the number of drawn points it covers.
func legendCorner(pts [][2]float64, lw, lh, l, r, t, b float64) (float64, float64) {
	corners := [][2]float64{{r - lw - 6, t + 6}, {l + 6, t + 6}, {r - lw - 6, b - lh - 6}, {l + 6, b - lh - 6}}
	best, bestN := corners[0], -1
	for _, c := range corners {
		n := 0
		for _, p := range pts {
			if p[0] >= c[0]-2 && p[0] <= c[0]+lw+2 && p[1] >= c[1]-2 && p[1] <= c[1]+lh+2 {
				n++
			}
		}
		if bestN < 0 || n < bestN {
			best, bestN = c, n
		}
	}
	return best[0], best[1]
}

// sparkSVG draws values as a small inline line chart (for table cells).
func sparkSVG(vals []float64, color string) string {
	const w, h = 100, 16
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > hi {
		return ""
	}
	if hi == lo {
		hi, lo = hi+1, lo-1
	}
	step := max(1, len(vals)/(2*w))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" style="vertical-align:middle"><polyline fill="none" stroke="%s" stroke-width="1.2" points="`, w, h, color)
	n := 0
	for i := 0; i < len(vals); i += step {
		v := vals[i]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		x := float64(i) / float64(max(1, len(vals)-1)) * (w - 2)
		y := (h - 2) - (v-lo)/(hi-lo)*(h-4)
		if n > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", x+1, y)
		n++
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}
