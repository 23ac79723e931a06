package report

import (
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bar is one bar of a bar chart, or one segment of a stacked bar.
type Bar struct {
	Label string
	Value float64 // negative, NaN and infinite values are drawn as zero
	// Color is the fill, "#rgb" or "#rrggbb"; empty (or anything else)
	// takes the default: one blue for a bar chart, the palette's colour
	// for the segment's position in a stacked bar.
	Color string
}

// Chart geometry, in SVG user units (CSS pixels at scale 1).
const (
	chartWidth    = 640.0
	fontSize      = 13.0
	rowHeight     = 26.0
	barHeight     = 18.0
	maxLabelWidth = 200.0
	pad           = 8.0
	narrowWidth   = 7.4  // estimated advance of a Latin letter or digit
	wideWidth     = 13.0 // of a Han character or another wide one
	stackHeight   = 30.0
	swatch        = 12.0
)

// barColor fills the bars of a bar chart that name no colour.
const barColor = "#2f6fb0"

// palette colours bars and segments by position; it reads in order as a
// funnel from the first stage to the last.
var palette = []string{"#9aa5b1", "#7fb3d5", "#4f93c6", "#2f6fb0", "#1f5a8a", "#2e8b57", "#d9a441", "#b55d5d"}

// BarChart draws a horizontal bar chart: a row per bar with its label, a
// bar whose width is proportional to its value (the largest value spans the
// plot) and the value. The SVG carries title for its accessible name and a
// desc listing every label and value; labels too long for the label column
// are shortened with an ellipsis and given in full in the bar's tooltip.
// All text is escaped; the output depends only on the arguments.
func BarChart(title string, bars []Bar) template.HTML {
	labelW := 0.0
	valueW := 0.0
	for _, b := range bars {
		labelW = max(labelW, textWidth(b.Label))
		valueW = max(valueW, textWidth(formatValue(b.Value)))
	}
	labelW = min(labelW, maxLabelWidth)
	plotX := pad + labelW + pad
	plotW := max(chartWidth-plotX-pad-valueW-pad, 40)
	maxV := 0.0
	for _, b := range bars {
		maxV = max(maxV, clean(b.Value))
	}
	height := rowHeight*float64(len(bars)) + pad

	var s svgWriter
	id := chartID("bar", title, bars)
	s.open(id, title, describe(bars), height)
	for i, b := range bars {
		v := clean(b.Value)
		w := 0.0
		if maxV > 0 {
			w = v / maxV * plotW
		}
		y := rowHeight*float64(i) + (rowHeight-barHeight)/2
		baseline := y + barHeight/2 + fontSize*0.35
		s.printf(`<g class="bar"><title>%s: %s</title>`, esc(b.Label), formatValue(v))
		s.printf(`<text x="%s" y="%s" text-anchor="end" font-size="%s">%s</text>`,
			num2(plotX-pad), num2(baseline), num2(fontSize), esc(shorten(b.Label, labelW)))
		s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" data-value="%s"/>`,
			num2(plotX), num2(y), num2(w), num2(barHeight), colorOr(b.Color, barColor), formatValue(v))
		s.printf(`<text x="%s" y="%s" font-size="%s">%s</text></g>`,
			num2(plotX+w+pad/2), num2(baseline), num2(fontSize), formatValue(v))
	}
	s.close()
	return template.HTML(s.String())
}

// StackedBar draws one bar split into segments, each as wide as its share
// of the total, with a legend of labels, values and shares below: the
// outcome funnel. Segments of zero take no room in the bar but stay in the
// legend. Accessibility and escaping are as for BarChart.
func StackedBar(title string, segments []Bar) template.HTML {
	total := 0.0
	for _, b := range segments {
		total += clean(b.Value)
	}
	plotW := chartWidth - 2*pad
	// Lay the legend out first: items flow left to right and wrap.
	type item struct{ x, y float64 }
	items := make([]item, len(segments))
	x, y := pad, stackHeight+2*pad
	for i, b := range segments {
		w := swatch + 4 + textWidth(legendText(b, total)) + 2*pad
		if x > pad && x+w > chartWidth-pad {
			x, y = pad, y+rowHeight
		}
		items[i] = item{x, y}
		x += w
	}
	height := y + rowHeight
	if len(segments) == 0 {
		height = stackHeight + 2*pad
	}

	var s svgWriter
	s.open(chartID("stack", title, segments), title, describe(segments), height)
	x = pad
	for i, b := range segments {
		v := clean(b.Value)
		w := 0.0
		if total > 0 {
			w = v / total * plotW
		}
		s.printf(`<rect class="segment" x="%s" y="%s" width="%s" height="%s" fill="%s" data-value="%s"><title>%s</title></rect>`,
			num2(x), num2(pad), num2(w), num2(stackHeight), color(b.Color, i), formatValue(v), esc(legendText(b, total)))
		x += w
	}
	for i, b := range segments {
		it := items[i]
		s.printf(`<g class="legend"><rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			num2(it.x), num2(it.y), num2(swatch), num2(swatch), color(b.Color, i))
		s.printf(`<text x="%s" y="%s" font-size="%s">%s</text></g>`,
			num2(it.x+swatch+4), num2(it.y+swatch-1), num2(fontSize), esc(legendText(b, total)))
	}
	s.close()
	return template.HTML(s.String())
}

// legendText is a segment's label, value and share of the total.
func legendText(b Bar, total float64) string {
	v := clean(b.Value)
	share := 0.0
	if total > 0 {
		share = 100 * v / total
	}
	return fmt.Sprintf("%s %s (%.0f%%)", b.Label, formatValue(v), share)
}

// svgWriter builds an SVG document.
type svgWriter struct{ strings.Builder }

func (s *svgWriter) printf(format string, args ...any) { fmt.Fprintf(&s.Builder, format, args...) }

// open starts the document with its accessible name and description.
func (s *svgWriter) open(id, title, desc string, height float64) {
	s.printf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc">`,
		num2(chartWidth), num2(height), num2(chartWidth), num2(height), id, id)
	s.printf(`<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(title), id, esc(desc))
}

func (s *svgWriter) close() { s.WriteString(`</svg>`) }

// describe lists the bars for the desc element: "label: value; …".
func describe(bars []Bar) string {
	parts := make([]string, len(bars))
	for i, b := range bars {
		parts[i] = b.Label + ": " + formatValue(clean(b.Value))
	}
	return strings.Join(parts, "; ")
}

// chartID derives an element id from what the chart shows, so that two
// charts on a page have distinct ids and the output stays deterministic.
func chartID(kind, title string, bars []Bar) string {
	h := fnv.New64a()
	h.Write([]byte(title))
	for _, b := range bars {
		h.Write([]byte{0})
		h.Write([]byte(b.Label))
		h.Write([]byte{0})
		h.Write([]byte(formatValue(clean(b.Value))))
	}
	return kind + "-" + strconv.FormatUint(h.Sum64(), 36)
}

// esc escapes s for XML text and attribute values; characters XML cannot
// hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

// clean maps values a chart cannot draw to zero.
func clean(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

// formatValue prints a value as shortly as it reads: 12, 2.5.
func formatValue(v float64) string {
	return strconv.FormatFloat(clean(v), 'f', -1, 64)
}

// num2 prints a coordinate with two decimals at most.
func num2(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// textWidth estimates how wide s is drawn at fontSize: wide (CJK,
// full-width) characters take about a full em, others about half.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

func runeWidth(r rune) float64 {
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFF60) {
		return wideWidth
	}
	return narrowWidth
}

// shorten cuts s to fit width, ending it with an ellipsis if it was cut.
func shorten(s string, width float64) string {
	if textWidth(s) <= width {
		return s
	}
	limit := width - runeWidth('…')
	w := 0.0
	for i, r := range s {
		w += runeWidth(r)
		if w > limit {
			return s[:i] + "…"
		}
	}
	return s
}

// color returns c if it is a hex colour, else the palette's i-th colour.
func color(c string, i int) string { return colorOr(c, palette[i%len(palette)]) }

// colorOr returns c if it is a hex colour, else def.
func colorOr(c, def string) string {
	if isHexColor(c) {
		return c
	}
	return def
}

func isHexColor(c string) bool {
	if len(c) != 4 && len(c) != 7 || c[0] != '#' || !utf8.ValidString(c) {
		return false
	}
	for _, r := range c[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
