package show

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// CurvesOptions configures [NewCurves].
type CurvesOptions struct {
	// Title is shown above the panels.
	Title string
	// Metrics fixes the panel order (e.g. "loss", "accuracy", "perplexity"); metrics not listed
	// get panels in order of first appearance.
	Metrics []string
	// LogY lists the metrics drawn on a log y axis.
	LogY []string
	// XLabel names the x axis (default "step").
	XLabel string
	// Width and Height of each panel in pixels (default 420×260).
	Width, Height int
	// Every is the shortest time between two live redraws (default 500 ms). Add redraws by
	// itself when this much time has passed; Done always draws the final state.
	Every time.Duration
}

// Curves plots training curves (one panel per metric, one line per run, runs sharing the
// axes of a panel) and keeps the plot up to date while training: in a notebook the live
// plot is one display updated in place. [Curves.Done] replaces it with a final static copy,
// which is what an executed or exported notebook keeps.
//
//	c := show.NewCurves(show.CurvesOptions{Title: "GHN training", LogY: []string{"loss"}})
//	for step := range steps {
//		...
//		c.Add("logah", "loss", float64(step), loss)
//	}
//	c.Done()
//
// A Curves is safe for concurrent use.
type Curves struct {
	opts CurvesOptions

	mu      sync.Mutex
	id      string
	metrics []string
	runs    []string
	data    map[[2]string]*Series // (run, metric) -> points
	last    time.Time
	dirty   bool
	done    bool
}

// NewCurves returns an empty set of curves.
func NewCurves(opts CurvesOptions) *Curves {
	if opts.XLabel == "" {
		opts.XLabel = "step"
	}
	if opts.Every <= 0 {
		opts.Every = 500 * time.Millisecond
	}
	return &Curves{opts: opts, id: newLiveID(), metrics: slices.Clone(opts.Metrics), data: map[[2]string]*Series{}}
}

// Add records one value of metric for run at step, and redraws the live plot if the last
// redraw is older than Every.
func (c *Curves) Add(run, metric string, step, value float64) {
	c.mu.Lock()
	c.addLocked(run, metric, step, value)
	redraw := time.Since(c.last) >= c.opts.Every
	c.mu.Unlock()
	if redraw {
		c.Refresh()
	}
}

// AddAll records several metrics of run at step (e.g. {"loss": 2.3, "accuracy": 0.41}).
func (c *Curves) AddAll(run string, step float64, metrics map[string]float64) {
	c.mu.Lock()
	names := make([]string, 0, len(metrics))
	for m := range metrics {
		names = append(names, m)
	}
	slices.Sort(names) // deterministic panel order for metrics not listed in the options
	for _, m := range names {
		c.addLocked(run, m, step, metrics[m])
	}
	redraw := time.Since(c.last) >= c.opts.Every
	c.mu.Unlock()
	if redraw {
		c.Refresh()
	}
}

func (c *Curves) addLocked(run, metric string, step, value float64) {
	if !slices.Contains(c.metrics, metric) {
		c.metrics = append(c.metrics, metric)
	}
	if !slices.Contains(c.runs, run) {
		c.runs = append(c.runs, run)
	}
	key := [2]string{run, metric}
	s := c.data[key]
	if s == nil {
		s = &Series{Name: run}
		c.data[key] = s
	}
	s.X = append(s.X, step)
	s.Y = append(s.Y, value)
	c.dirty = true
}

// Refresh redraws the live plot now (if anything changed since the last redraw).
func (c *Curves) Refresh() {
	c.mu.Lock()
	if !c.dirty || c.done {
		c.mu.Unlock()
		return
	}
	o := c.outputLocked(true)
	c.dirty, c.last = false, time.Now()
	c.mu.Unlock()
	displayer().Update(c.id, o)
}

// Done ends the live plot and displays the final static copy. Later calls do nothing.
func (c *Curves) Done() {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return
	}
	c.done = true
	final := c.outputLocked(false)
	started := !c.last.IsZero()
	c.mu.Unlock()
	d := displayer()
	if started {
		d.Update(c.id, Output{Name: "curves", HTML: "", Text: ""}) // clear the live copy
		d.Done(c.id)
	}
	d.Display(final)
}

// Plot returns the plot of one metric (nil if the metric has no points).
func (c *Curves) Plot(metric string) *Plot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.plotLocked(metric)
}

func (c *Curves) plotLocked(metric string) *Plot {
	p := &Plot{Title: metric, XLabel: c.opts.XLabel, LogY: slices.Contains(c.opts.LogY, metric),
		Width: c.opts.Width, Height: c.opts.Height}
	if p.Width <= 0 {
		p.Width = 420
	}
	if p.Height <= 0 {
		p.Height = 260
	}
	for i, run := range c.runs {
		if s := c.data[[2]string{run, metric}]; s != nil {
			cp := *s
			cp.Color = palette[i%len(palette)] // a run keeps its colour in every panel
			p.Series = append(p.Series, cp)
		}
	}
	if len(p.Series) == 0 {
		return nil
	}
	return p
}

// Last returns the last value recorded for run and metric.
func (c *Curves) Last(run, metric string) (float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.data[[2]string{run, metric}]
	if s == nil || len(s.Y) == 0 {
		return 0, false
	}
	return s.Y[len(s.Y)-1], true
}

// Output renders the current state (all panels and a summary table).
func (c *Curves) Output() Output {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.outputLocked(false)
}

func (c *Curves) outputLocked(live bool) Output {
	var b strings.Builder
	if c.opts.Title != "" {
		fmt.Fprintf(&b, `<div class="title">%s</div>`, esc(c.opts.Title))
	}
	b.WriteString(`<div class="panels">`)
	var svgs [][]byte
	for _, m := range c.metrics {
		if p := c.plotLocked(m); p != nil {
			svg := p.SVG()
			svgs = append(svgs, svg)
			b.Write(svg)
		}
	}
	b.WriteString(`</div>`)
	summary := c.summaryLocked()
	if live {
		b.WriteString(`<div class="cap">live: updated while training</div>`)
	} else {
		b.WriteString(summary.HTMLFragment())
	}
	text := summary.Text()
	if c.opts.Title != "" {
		text = c.opts.Title + "\n" + text
	}
	return Output{Name: "curves", HTML: wrap(b.String()), Text: text, SVG: stackSVG(svgs)}
}

// summaryLocked is a table of the first, last and extreme values of each run and metric.
func (c *Curves) summaryLocked() *Table {
	t := NewTable("", "run", "metric", "points", "first", "last "+c.opts.XLabel, "last", "min", "max", "curve")
	t.MaxRows = -1
	for ri, run := range c.runs {
		for _, m := range c.metrics {
			s := c.data[[2]string{run, m}]
			if s == nil || len(s.Y) == 0 {
				continue
			}
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, v := range s.Y {
				if !math.IsNaN(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
			n := len(s.Y)
			spark := sparkline(s.Y, 24)
			t.Add(run, m, n, s.Y[0], s.X[n-1], s.Y[n-1], lo, hi, Cell{HTML: sparkSVG(s.Y, palette[ri%len(palette)]), Text: spark})
		}
	}
	return t
}

// stackSVG puts several SVG documents side by side in one SVG (for files outside notebooks).
func stackSVG(svgs [][]byte) []byte {
	if len(svgs) == 0 {
		return nil
	}
	if len(svgs) == 1 {
		return svgs[0]
	}
	var b strings.Builder
	x, h := 0, 0
	var inner strings.Builder
	for _, s := range svgs {
		var w, hh int
		fmt.Sscanf(attr(string(s), "width"), "%d", &w)
		fmt.Sscanf(attr(string(s), "height"), "%d", &hh)
		fmt.Fprintf(&inner, `<g transform="translate(%d,0)">%s</g>`, x, s)
		x += w + 8
		h = max(h, hh)
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">%s</svg>`, x, h, inner.String())
	return []byte(b.String())
}

// attr extracts the first attribute value name="..." of an SVG string.
func attr(svg, name string) string {
	i := strings.Index(svg, " "+name+`="`)
	if i < 0 {
		return ""
	}
	rest := svg[i+len(name)+3:]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return rest[:j]
}
