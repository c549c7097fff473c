package show

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Cell is a table cell with distinct HTML and text renditions (e.g. an inline SVG chart and
// its Unicode sparkline). Other cell values are formatted by type: integers with thousands
// separators, floats with 4 significant digits, everything else with fmt's %v.
type Cell struct {
	HTML    string
	Text    string
	Numeric bool // right-align
}

// Table is a results table.
type Table struct {
	// Title is shown above the table.
	Title string
	// Columns are the header cells.
	Columns []string
	// Rows hold the cells (see [Cell] for how values are formatted).
	Rows [][]any
	// Footer is an optional last row in bold (totals).
	Footer []any
	// Caption is a note under the table.
	Caption string
	// MaxRows folds the rows after the first MaxRows into a collapsed <details> block in HTML
	// (and elides them in text). 0 means 40; negative means never fold.
	MaxRows int
}

// NewTable returns an empty table with a title and column names.
func NewTable(title string, columns ...string) *Table {
	return &Table{Title: title, Columns: columns}
}

// Add appends a row and returns the table.
func (t *Table) Add(cells ...any) *Table {
	t.Rows = append(t.Rows, cells)
	return t
}

// TableOf builds a table from a slice of structs: one column per exported field (named by the
// field's `show:"name"` tag, or its name; `show:"-"` skips it), one row per element.
func TableOf(title string, rows any) (*Table, error) {
	v := reflect.ValueOf(rows)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return nil, fmt.Errorf("show.TableOf: want a slice of structs, got %T", rows)
	}
	et := v.Type().Elem()
	ptr := et.Kind() == reflect.Pointer
	if ptr {
		et = et.Elem()
	}
	if et.Kind() != reflect.Struct {
		return nil, fmt.Errorf("show.TableOf: want a slice of structs, got %T", rows)
	}
	t := NewTable(title)
	var fields []int
	for i := range et.NumField() {
		f := et.Field(i)
		name := f.Name
		if tag, ok := f.Tag.Lookup("show"); ok {
			if tag == "-" {
				continue
			}
			name = tag
		}
		if !f.IsExported() {
			continue
		}
		t.Columns = append(t.Columns, name)
		fields = append(fields, i)
	}
	for i := range v.Len() {
		e := v.Index(i)
		if ptr {
			if e.IsNil() {
				continue
			}
			e = e.Elem()
		}
		row := make([]any, len(fields))
		for j, fi := range fields {
			row[j] = e.Field(fi).Interface()
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// Show displays the table.
func (t *Table) Show() { Display(t.Output()) }

// Output renders the table.
func (t *Table) Output() Output {
	name := t.Title
	if name == "" {
		name = "table"
	}
	return Output{Name: name, HTML: wrap(t.HTMLFragment()), Text: t.Text()}
}

func (t *Table) maxRows() int {
	switch {
	case t.MaxRows == 0:
		return 40
	case t.MaxRows < 0:
		return math.MaxInt
	}
	return t.MaxRows
}

// render formats one cell: HTML, text and whether it is numeric.
func render(v any) (h, txt string, numeric bool) {
	switch x := v.(type) {
	case Cell:
		return x.HTML, x.Text, x.Numeric
	case *Cell:
		return x.HTML, x.Text, x.Numeric
	case nil:
		return "", "", false
	case string:
		return esc(x), x, false
	case int, int8, int16, int32, int64:
		s := formatInt(reflect.ValueOf(v).Int())
		return s, s, true
	case uint, uint8, uint16, uint32, uint64:
		s := formatInt(int64(reflect.ValueOf(v).Uint()))
		return s, s, true
	case float32:
		s := formatFloat(float64(x))
		return s, s, true
	case float64:
		s := formatFloat(x)
		return s, s, true
	case fmt.Stringer:
		s := x.String()
		return esc(s), s, false
	}
	s := fmt.Sprintf("%v", v)
	return esc(s), s, false
}

// HTMLFragment is the table as an HTML fragment (without the shared style).
func (t *Table) HTMLFragment() string {
	var b strings.Builder
	if t.Title != "" {
		fmt.Fprintf(&b, `<div class="title">%s</div>`, esc(t.Title))
	}
	numCol := t.numericColumns()
	head := func() {
		b.WriteString(`<table class="lt"><thead><tr>`)
		for i, c := range t.Columns {
			if i < len(numCol) && numCol[i] {
				fmt.Fprintf(&b, `<th style="text-align:right">%s</th>`, esc(c))
			} else {
				fmt.Fprintf(&b, "<th>%s</th>", esc(c))
			}
		}
		b.WriteString("</tr></thead><tbody>")
	}
	row := func(cells []any, class string) {
		if class != "" {
			fmt.Fprintf(&b, `<tr class="%s">`, class)
		} else {
			b.WriteString("<tr>")
		}
		for _, c := range cells {
			h, _, num := render(c)
			if num {
				fmt.Fprintf(&b, `<td class="n">%s</td>`, h)
			} else {
				fmt.Fprintf(&b, "<td>%s</td>", h)
			}
		}
		b.WriteString("</tr>")
	}
	head()
	limit := t.maxRows()
	for _, r := range t.Rows[:min(limit, len(t.Rows))] {
		row(r, "")
	}
	hidden := len(t.Rows) - min(limit, len(t.Rows))
	if hidden > 0 {
		fmt.Fprintf(&b, `<tr class="more"><td colspan="%d">… %d more rows (expand below)</td></tr>`, max(1, len(t.Columns)), hidden)
	}
	if t.Footer != nil {
		row(t.Footer, "sum")
	}
	b.WriteString("</tbody></table>")
	if hidden > 0 {
		fmt.Fprintf(&b, "<details><summary>%d more rows</summary>", hidden)
		head()
		for _, r := range t.Rows[limit:] {
			row(r, "")
		}
		b.WriteString("</tbody></table></details>")
	}
	if t.Caption != "" {
		fmt.Fprintf(&b, `<div class="cap">%s</div>`, esc(t.Caption))
	}
	return b.String()
}

// Text is the table as aligned plain text.
func (t *Table) Text() string {
	limit := t.maxRows()
	rows := [][]any{}
	for i, r := range t.Rows {
		if i == limit {
			break
		}
		rows = append(rows, r)
	}
	if t.Footer != nil {
		rows = append(rows, t.Footer)
	}
	type cell struct {
		s   string
		num bool
	}
	grid := [][]cell{}
	header := make([]cell, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = cell{s: c}
	}
	grid = append(grid, header)
	for _, r := range rows {
		line := make([]cell, len(r))
		for i, c := range r {
			_, s, num := render(c)
			line[i] = cell{s, num}
		}
		grid = append(grid, line)
	}
	numCol := t.numericColumns()
	for i := range header {
		header[i].num = numCol[i]
	}
	widths := []int{}
	for _, line := range grid {
		for i, c := range line {
			for len(widths) <= i {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c.s))
		}
	}
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n")
	}
	hidden := max(0, len(t.Rows)-limit)
	for li, line := range grid {
		if t.Footer != nil && li == len(grid)-1 {
			if hidden > 0 {
				fmt.Fprintf(&b, "... %d more rows\n", hidden)
				hidden = 0
			}
			writeRule(&b, widths)
		}
		var lb strings.Builder
		for i, c := range line {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c.s))
			if i > 0 {
				lb.WriteString("  ")
			}
			if c.num {
				lb.WriteString(pad + c.s)
			} else {
				lb.WriteString(c.s + pad)
			}
		}
		b.WriteString(strings.TrimRight(lb.String(), " "))
		b.WriteString("\n")
		if li == 0 {
			writeRule(&b, widths)
		}
	}
	if hidden > 0 {
		fmt.Fprintf(&b, "... %d more rows\n", hidden)
	}
	if t.Caption != "" {
		b.WriteString(t.Caption + "\n")
	}
	return b.String()
}

func writeRule(b *strings.Builder, widths []int) {
	total := 0
	for i, w := range widths {
		total += w
		if i > 0 {
			total += 2
		}
	}
	b.WriteString(strings.Repeat("-", total) + "\n")
}

// numericColumns reports, per column, whether all its non-empty cells are numeric (such
// columns are right-aligned, header included).
func (t *Table) numericColumns() []bool {
	num := make([]bool, len(t.Columns))
	for i := range num {
		num[i] = true
		seen := false
		for _, r := range t.Rows {
			if i >= len(r) {
				continue
			}
			_, s, isNum := render(r[i])
			if s == "" {
				continue
			}
			seen = true
			if !isNum {
				num[i] = false
				break
			}
		}
		num[i] = num[i] && seen
	}
	return num
}
