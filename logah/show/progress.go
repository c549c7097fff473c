package show

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Progress is a progress line updated in place: a bar, the count, the rate, the time left
// and a free-form status. In a notebook it is one display updated in place; in a terminal it
// is redrawn with a carriage return.
//
//	p := show.NewProgress("fine-tuning", steps)
//	for i := range steps {
//		...
//		p.Set(i+1, "loss %.3f", loss)
//	}
//	p.Done()
type Progress struct {
	mu     sync.Mutex
	id     string
	label  string
	total  int
	n      int
	status string
	start  time.Time
	last   time.Time
	every  time.Duration
	done   bool
}

// NewProgress starts a progress line; total <= 0 means unknown.
func NewProgress(label string, total int) *Progress {
	p := &Progress{id: newLiveID(), label: label, total: total, start: time.Now(), every: 200 * time.Millisecond}
	p.draw()
	return p
}

// Set records that n items are done, with an optional status (fmt.Sprintf of format and args),
// and redraws at most every 200 ms. A count beyond the total means the work grew (a
// learning-rate sweep extending past its grid): the total grows with it.
func (p *Progress) Set(n int, format string, args ...any) {
	p.mu.Lock()
	p.n = n
	if p.total > 0 && n > p.total {
		p.total = n
	}
	if format != "" {
		p.status = fmt.Sprintf(format, args...)
	}
	redraw := time.Since(p.last) >= p.every
	p.mu.Unlock()
	if redraw {
		p.draw()
	}
}

// Add advances the count by k.
func (p *Progress) Add(k int) {
	p.mu.Lock()
	n := p.n + k
	p.mu.Unlock()
	p.Set(n, "")
}

// Done draws the final state (with the total time) and ends the line.
func (p *Progress) Done() {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return
	}
	p.done = true
	p.mu.Unlock()
	p.draw()
	displayer().Done(p.id)
}

func (p *Progress) draw() {
	p.mu.Lock()
	o := p.outputLocked()
	p.last = time.Now()
	p.mu.Unlock()
	displayer().Update(p.id, o)
}

func (p *Progress) outputLocked() Output {
	elapsed := time.Since(p.start)
	frac := -1.0
	if p.total > 0 {
		frac = min(1, max(0, float64(p.n)/float64(p.total)))
	}
	var parts []string
	count := fmt.Sprintf("%d", p.n)
	if p.total > 0 {
		count = fmt.Sprintf("%d/%d (%.0f%%)", p.n, p.total, 100*frac)
	}
	parts = append(parts, count)
	if rate := float64(p.n) / elapsed.Seconds(); p.n > 0 && elapsed > 0 {
		parts = append(parts, fmt.Sprintf("%.3g/s", rate))
		if p.done {
			parts = append(parts, "in "+formatDuration(elapsed))
		} else if p.total > 0 && p.n < p.total {
			parts = append(parts, "ETA "+formatDuration(time.Duration(float64(p.total-p.n)/rate*float64(time.Second))))
		}
	} else if p.done {
		parts = append(parts, "in "+formatDuration(elapsed))
	}
	if p.status != "" {
		parts = append(parts, p.status)
	}
	info := strings.Join(parts, "  ")

	bar := ""
	if frac >= 0 {
		const width = 24
		k := int(frac*width + 0.5)
		bar = "[" + strings.Repeat("#", k) + strings.Repeat(".", width-k) + "] "
	}
	text := fmt.Sprintf("%s %s%s", p.label, bar, info)

	var h strings.Builder
	h.WriteString(`<div style="font-family:monospace;font-size:12px;display:flex;align-items:center;gap:8px">`)
	fmt.Fprintf(&h, `<span style="font-weight:600">%s</span>`, esc(p.label))
	if frac >= 0 {
		color := "#4e79a7"
		if p.done {
			color = "#59a14f"
		}
		fmt.Fprintf(&h, `<span style="display:inline-block;width:200px;height:10px;background:#e8e8e8;border-radius:3px;overflow:hidden"><span style="display:block;width:%.1f%%;height:100%%;background:%s"></span></span>`, 100*frac, color)
	}
	fmt.Fprintf(&h, `<span>%s</span></div>`, esc(info))
	return Output{Name: "progress", HTML: h.String(), Text: text}
}

// formatDuration writes 1h02m, 3m05s or 4.2s.
func formatDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
