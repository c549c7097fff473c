package show

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/logah-go/logah/internal/procmem"
)

// This file holds the small helpers every notebook used to define for itself: plots side by
// side, the command line that gives a cell's result in a terminal, and the memory of the cell's
// process over time, and the sizes measured.

// Panels displays plots side by side, wrapping onto the next line when the page is narrow.
func Panels(plots ...*Plot) {
	var b strings.Builder
	var titles []string
	b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:10px;margin:4px 0">`)
	for _, p := range plots {
		b.Write(p.SVG())
		titles = append(titles, p.Title)
	}
	b.WriteString(`</div>`)
	var text strings.Builder
	for _, p := range plots {
		text.WriteString(p.text())
	}
	Display(Output{Name: "panels: " + strings.Join(titles, ", "), HTML: wrap(b.String()), Text: text.String()})
}

// CommandLine shows, under a cell's output, the commands that give the same result in a
// terminal.
func CommandLine(cmds ...string) {
	codes := make([]string, len(cmds))
	for i, c := range cmds {
		codes[i] = "<code>" + esc(c) + "</code>"
	}
	Display(Output{Name: "command line",
		HTML: `<div style="color:#555;font-size:12px;margin:2px 0 8px">command line: ` + strings.Join(codes, " &nbsp;·&nbsp; ") + `</div>`,
		Text: "command line: " + strings.Join(cmds, " ; ")})
}

// MemoryRecorder samples the resident memory of this process (a notebook cell is one process)
// in the background; see [RecordMemory].
type MemoryRecorder struct {
	start time.Time
	stop  chan struct{}
	done  chan struct{}

	mu      sync.Mutex
	seconds []float64
	mb      []float64
}

// RecordMemory starts sampling this process's resident set size (VmRSS, Linux) every interval
// until [MemoryRecorder.Stop].
func RecordMemory(interval time.Duration) *MemoryRecorder {
	r := &MemoryRecorder{start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	r.sample() // the curve always starts before RecordMemory returns
	go func() {
		defer close(r.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-r.stop:
				r.sample() // the curve always ends at Stop
				return
			case <-tick.C:
				r.sample()
			}
		}
	}()
	return r
}

// sample appends the current resident set size to the curve.
func (r *MemoryRecorder) sample() {
	if rss, ok := procmem.RSS(); ok {
		r.mu.Lock()
		r.seconds = append(r.seconds, time.Since(r.start).Seconds())
		r.mb = append(r.mb, float64(rss)/1e6)
		r.mu.Unlock()
	}
}

// Stop ends the sampling and returns the curve (its last point taken at Stop): seconds since the start and resident MB.
func (r *MemoryRecorder) Stop() (seconds, mb []float64) {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seconds, r.mb
}

// PeakMemory is the peak resident set size of this process in bytes (VmHWM, Linux; 0 where
// the system does not report it). In a notebook it is the current cell's peak.
func PeakMemory() int64 {
	n, _ := procmem.PeakRSS()
	return n
}

// MemoryPlot plots a resident-memory curve (from [MemoryRecorder.Stop]) titled title, with a
// dashed horizontal line at refMB named refName (a file's size, a budget) for scale; the y axis
// starts at 0 and ends a tenth above the higher of the two.
func MemoryPlot(title string, seconds, mb []float64, refName string, refMB float64) *Plot {
	top, end := refMB, 0.0
	for _, v := range mb {
		top = max(top, v)
	}
	if len(seconds) > 0 {
		end = seconds[len(seconds)-1]
	}
	return &Plot{Title: title, XLabel: "seconds", YLabel: "MB", Width: 720, Height: 280, YMin: 0, YMax: 1.1 * top,
		Series: []Series{
			{Name: "resident set size (VmRSS)", X: seconds, Y: mb},
			{Name: refName, X: []float64{0, end}, Y: []float64{refMB, refMB}, Color: "#999", Dashed: true},
		}}
}

// Megabytes writes n bytes as whole megabytes (10⁶ bytes, as model sizes are quoted): "891 MB".
func Megabytes(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }

// Gigabytes writes n bytes as gigabytes (10⁹ bytes) with two decimals: "3.10 GB".
func Gigabytes(n int64) string { return fmt.Sprintf("%.2f GB", float64(n)/1e9) }
