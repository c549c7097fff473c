package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// cellProgress turns nbconvert's debug log into one line per executed cell and a reminder
// every interval while a cell runs, so a person watching `nbrun` knows it is alive:
//
//	cell 3/12 (code 2/9): import "github.com/logah-go/logah/logah"
//	cell 3/12 still running (30 s)
//
// It keeps the last lines of the log for error reports.
type cellProgress struct {
	w        io.Writer
	interval time.Duration
	first    []string // the first source line of each code cell
	codeIdx  []int    // the index of each code cell among all cells
	total    int      // all cells

	mu      sync.Mutex
	current int // code cells started so far
	started time.Time
	tail    []string // the last log lines
	done    chan struct{}
}

// newCellProgress reads the notebook's cells to number them.
func newCellProgress(w io.Writer, notebook string, interval time.Duration) *cellProgress {
	p := &cellProgress{w: w, interval: interval, done: make(chan struct{})}
	data, err := os.ReadFile(notebook)
	if err != nil {
		return p
	}
	var nb notebookFile
	if json.Unmarshal(data, &nb) != nil {
		return p
	}
	p.total = len(nb.Cells)
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		line := firstCodeLine(multiline(c.Source))
		if len(line) > 70 {
			line = line[:70] + "…"
		}
		p.first = append(p.first, line)
		p.codeIdx = append(p.codeIdx, i)
	}
	return p
}

// firstCodeLine is the first line of a cell that is not blank or a GoNB special command
// ("%%", "%noautoget"), to name the cell in progress lines; the first special command when
// the cell has nothing else.
func firstCodeLine(src string) string {
	special := ""
	for line := range strings.SplitSeq(src, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "%"):
			if special == "" {
				special = line
			}
		default:
			return line
		}
	}
	return special // a cell of special commands only, e.g. "%noautoget"
}

// consume reads the log until it ends, reporting cells as they start.
func (p *cellProgress) consume(log io.Reader) {
	go p.remind()
	sc := bufio.NewScanner(log)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		if len(p.tail) == 200 {
			p.tail = p.tail[1:]
		}
		p.tail = append(p.tail, line)
		if strings.Contains(line, "Executing cell:") {
			p.current++
			p.started = time.Now()
			p.report()
		}
		p.mu.Unlock()
	}
	close(p.done)
}

// report prints the line for the cell that just started (p.mu held).
func (p *cellProgress) report() {
	k := p.current
	if k <= len(p.first) {
		fmt.Fprintf(p.w, "nbrun: cell %d/%d (code %d/%d): %s\n", p.codeIdx[k-1]+1, p.total, k, len(p.first), p.first[k-1])
		return
	}
	fmt.Fprintf(p.w, "nbrun: code cell %d started\n", k)
}

// remind prints how long the current cell has run, every interval.
func (p *cellProgress) remind() {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			p.mu.Lock()
			if p.current > 0 {
				where := fmt.Sprintf("code cell %d", p.current)
				if p.current <= len(p.codeIdx) {
					where = fmt.Sprintf("cell %d/%d", p.codeIdx[p.current-1]+1, p.total)
				}
				fmt.Fprintf(p.w, "nbrun: %s still running (%s)\n", where, time.Since(p.started).Round(time.Second))
			}
			p.mu.Unlock()
		}
	}
}

// logTail returns the last n lines of the log that are not per-message debug noise.
func (p *cellProgress) logTail(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var keep []string
	for _, l := range p.tail {
		if strings.Contains(l, "[NbConvertApp] msg_type:") || strings.Contains(l, "[NbConvertApp] content:") {
			continue
		}
		keep = append(keep, l)
	}
	return lastLines(strings.Join(keep, "\n"), n)
}
