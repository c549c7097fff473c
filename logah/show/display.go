package show

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/logah-go/logah/internal/filename"
)

// Output is one rendered display.
type Output struct {
	// Name is a short name used for file names outside a notebook, e.g. "params".
	Name string
	// HTML is a self-contained HTML fragment (inline SVG, no scripts).
	HTML string
	// Text is the plain-text rendition printed outside a notebook.
	Text string
	// SVG optionally holds a standalone SVG document of the display (plots, graphs).
	SVG []byte
}

// Displayer is where displays go. The default is chosen from the environment (see the
// package documentation); [SetDisplayer] replaces it.
type Displayer interface {
	// Display shows a new output.
	Display(o Output)
	// Update replaces the live output id, creating it on first use.
	Update(id string, o Output)
	// Done says that the live output id will not be updated any more.
	Done(id string)
}

var (
	mu      sync.Mutex
	current Displayer
)

// InNotebook reports whether the program runs as a GoNB notebook cell.
func InNotebook() bool { return gonbui.IsNotebook }

// SetDisplayer replaces the destination of all displays and returns the previous one.
// SetDisplayer(nil) restores the default.
func SetDisplayer(d Displayer) Displayer {
	mu.Lock()
	defer mu.Unlock()
	prev := current
	current = d
	if prev == nil {
		prev = defaultDisplayer()
	}
	return prev
}

func displayer() Displayer {
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		current = defaultDisplayer()
	}
	return current
}

func defaultDisplayer() Displayer {
	if InNotebook() {
		return Notebook{}
	}
	return NewTerminal(nil, os.Getenv("LOGAH_SHOW_DIR"))
}

// Display sends o to the current [Displayer].
func Display(o Output) { displayer().Display(o) }

// HTML displays a raw HTML fragment (text is printed outside a notebook).
func HTML(html, text string) { Display(Output{Name: "html", HTML: html, Text: text}) }

// SVG displays an SVG document inline.
func SVG(name string, svg []byte) {
	Display(Output{Name: name, HTML: wrap(`<div style="overflow:auto">` + string(svg) + `</div>`),
		Text: fmt.Sprintf("[%s: SVG, %d bytes]", name, len(svg)), SVG: svg})
}

// newLiveID returns a fresh display id.
func newLiveID() string { return "logah-" + gonbui.UniqueId() }

// Notebook sends displays to the GoNB front end.
type Notebook struct{}

// Display implements [Displayer].
func (Notebook) Display(o Output) { gonbui.DisplayHTML(o.HTML) }

// Update implements [Displayer] with gonbui.UpdateHTML (display_data, then update_display_data).
func (Notebook) Update(id string, o Output) { gonbui.UpdateHTML(id, o.HTML) }

// Done implements [Displayer]: it waits until GoNB has received everything sent so far.
func (Notebook) Done(string) { gonbui.Sync() }

// Terminal prints text renditions and optionally writes HTML pages to a directory.
type Terminal struct {
	mu   sync.Mutex
	out  io.Writer
	dir  string
	seq  int
	live map[string]bool // ids whose last update was a one-line status
}

// NewTerminal prints to out (nil: the current os.Stdout) and, if dir is not empty, writes every display to dir as
// NN-name.html (and NN-name.svg when it has an SVG).
func NewTerminal(out io.Writer, dir string) *Terminal {
	return &Terminal{out: out, dir: dir, live: map[string]bool{}}
}

// Display implements [Displayer].
func (t *Terminal) Display(o Output) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.writer()
	if o.Text != "" {
		fmt.Fprintln(out, strings.TrimRight(o.Text, "\n"))
	}
	if t.dir == "" {
		return
	}
	t.seq++
	base := filepath.Join(t.dir, fmt.Sprintf("%02d-%s", t.seq, fileName(o.Name)))
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		fmt.Fprintf(out, "show: %v\n", err)
		return
	}
	if err := os.WriteFile(base+".html", []byte(Page(o.Name, o.HTML)), 0o644); err != nil {
		fmt.Fprintf(out, "show: %v\n", err)
	}
	if len(o.SVG) > 0 {
		if err := os.WriteFile(base+".svg", o.SVG, 0o644); err != nil {
			fmt.Fprintf(out, "show: %v\n", err)
		}
	}
}

func (t *Terminal) writer() io.Writer {
	if t.out == nil {
		return os.Stdout
	}
	return t.out
}

// Update implements [Displayer]: a one-line text is redrawn in place with a carriage return;
// longer live displays are only shown when they are done.
func (t *Terminal) Update(id string, o Output) {
	text := strings.TrimRight(o.Text, "\n")
	if text == "" || strings.Contains(text, "\n") {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.writer(), "\r%s\x1b[K", text)
	t.live[id] = true
}

// Done implements [Displayer]: it ends a status line.
func (t *Terminal) Done(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.live[id] {
		fmt.Fprintln(t.writer())
		delete(t.live, id)
	}
}

func fileName(name string) string {
	if name == "" {
		return "display"
	}
	return filename.Safe(name, '-')
}

// Recorder keeps displays in memory, for tests: install it with SetDisplayer.
type Recorder struct {
	mu sync.Mutex
	// Outputs are the displays, in order.
	Outputs []Output
	// Updates are the live updates by id, in order.
	Updates map[string][]Output
	// Finished lists the ids passed to Done.
	Finished []string
}

// Display implements [Displayer].
func (r *Recorder) Display(o Output) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Outputs = append(r.Outputs, o)
}

// Update implements [Displayer].
func (r *Recorder) Update(id string, o Output) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Updates == nil {
		r.Updates = map[string][]Output{}
	}
	r.Updates[id] = append(r.Updates[id], o)
}

// Done implements [Displayer].
func (r *Recorder) Done(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Finished = append(r.Finished, id)
}
