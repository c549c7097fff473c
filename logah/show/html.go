package show

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// style is the CSS of every display, scoped to the .logah-show wrapper.
const style = `<style>
.logah-show{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:13px;color:#222;margin:4px 0}
.logah-show .lt{border-collapse:collapse;margin:2px 0}
.logah-show .lt th{text-align:left;font-weight:600;border-bottom:1px solid #999;padding:2px 8px;background:#f4f6f8}
.logah-show .lt td{padding:1px 8px;border-bottom:1px solid #eee;vertical-align:middle;white-space:nowrap;text-align:left}
.logah-show .lt td.n{text-align:right;font-variant-numeric:tabular-nums}
.logah-show .lt tr.sum td{font-weight:600;border-top:1px solid #999}
.logah-show .title{font-weight:600;font-size:14px;margin:2px 0 4px}
.logah-show .cap{color:#555;margin:3px 0}
.logah-show details>summary{cursor:pointer;color:#1f5f99;margin:3px 0}
.logah-show .panels{display:flex;flex-wrap:wrap;gap:8px}
.logah-show .lt tr.more td{color:#777;font-style:italic}
.logah-show .graph{overflow:auto;max-height:760px;border:1px solid #ddd}
.logah-show .graph svg,.logah-show .panels svg{max-width:none;height:auto}
</style>`

// wrap puts a fragment in the scoped container with the shared style.
func wrap(inner string) string {
	return `<div class="logah-show">` + style + inner + `</div>`
}

// Page turns a display's HTML fragment into a standalone HTML document.
func Page(title, fragment string) string {
	return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + esc(title) +
		"</title></head><body>\n" + fragment + "\n</body></html>\n"
}

func esc(s string) string { return html.EscapeString(s) }

// formatInt writes n with thousands separators: 774,030,080.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatFloat writes v with 4 significant digits, switching to exponent form for very small
// or large magnitudes.
func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == 0:
		return "0"
	}
	a := math.Abs(v)
	if a < 1e6 && v == math.Trunc(v) {
		return formatInt(int64(v)) // a step or a count: 25,000 rather than 2.5e+04
	}
	if a >= 1e-3 && a < 1e6 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return strconv.FormatFloat(v, 'e', 2, 64)
}

// formatShape writes a shape as [768 3072] → "768×3072" ("scalar" for rank 0).
func formatShape(shape []int) string {
	if len(shape) == 0 {
		return "scalar"
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, "×")
}

// formatBytes writes a size in B, KB, MB or GB (powers of 1000, as model sizes are quoted).
func formatBytes(n int64) string {
	f := float64(n)
	switch {
	case f >= 1e9:
		return fmt.Sprintf("%.2f GB", f/1e9)
	case f >= 1e6:
		return fmt.Sprintf("%.1f MB", f/1e6)
	case f >= 1e3:
		return fmt.Sprintf("%.1f KB", f/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
