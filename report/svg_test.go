package report_test

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch/report"
)

// node is a parsed XML element.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) num(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return v
}

// all returns every descendant element named name, in document order.
func (n node) all(name string) []node {
	var out []node
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

// parseSVG parses a chart strictly and checks what every chart must have:
// the SVG namespace, a title and desc that the root is labelled by.
func parseSVG(t *testing.T, svg string) node {
	t.Helper()
	var root node
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	if err := d.Decode(&root); err != nil {
		t.Fatalf("chart is not well-formed XML: %v\n%s", err, svg)
	}
	if root.XMLName.Space != "http://www.w3.org/2000/svg" || root.XMLName.Local != "svg" {
		t.Fatalf("root element %v, want svg in the SVG namespace", root.XMLName)
	}
	if root.attr("role") != "img" {
		t.Errorf("root role %q, want img", root.attr("role"))
	}
	ids := map[string]string{}
	for _, c := range root.Nodes {
		if c.XMLName.Local == "title" || c.XMLName.Local == "desc" {
			ids[c.attr("id")] = c.XMLName.Local
		}
	}
	for _, id := range strings.Fields(root.attr("aria-labelledby")) {
		if ids[id] == "" {
			t.Errorf("aria-labelledby names %q, which is not the chart's title or desc", id)
		}
	}
	if len(ids) != 2 {
		t.Errorf("chart has title/desc ids %v, want one of each", ids)
	}
	return root
}

func childText(n node, name string) string {
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			return c.Text
		}
	}
	return ""
}

func TestBarChartProportional(t *testing.T) {
	bars := []report.Bar{
		{Label: "东区", Value: 12}, {Label: "西区高新技术产业园", Value: 3}, {Label: "North <park> & \"co\"", Value: 6},
		{Label: "empty", Value: 0}, {Label: "negative", Value: -5}, {Label: "nan", Value: math.NaN()},
	}
	svg := string(report.BarChart("会谈 <held> & \"done\"", bars))
	root := parseSVG(t, svg)
	if got := childText(root, "title"); got != "会谈 <held> & \"done\"" {
		t.Errorf("title %q: text must come back unescaped and whole", got)
	}
	desc := childText(root, "desc")
	for _, want := range []string{"东区: 12", "西区高新技术产业园: 3", "North <park> & \"co\": 6", "negative: 0"} {
		if !strings.Contains(desc, want) {
			t.Errorf("desc %q lacks %q", desc, want)
		}
	}
	if strings.Contains(svg, "<park>") || strings.Contains(svg, "<held>") {
		t.Errorf("raw markup from a label reached the SVG")
	}

	rects := root.all("rect")
	if len(rects) != len(bars) {
		t.Fatalf("%d rects, want %d", len(rects), len(bars))
	}
	unit := rects[0].num(t, "width") / 12
	if unit <= 0 {
		t.Fatalf("the largest bar has width %v", rects[0].num(t, "width"))
	}
	x0 := rects[0].num(t, "x")
	for i, want := range []float64{12, 3, 6, 0, 0, 0} {
		r := rects[i]
		if w := r.num(t, "width"); math.Abs(w-want*unit) > 0.02 {
			t.Errorf("bar %q width %v, want %v (proportional to %v)", bars[i].Label, w, want*unit, want)
		}
		if r.num(t, "x") != x0 {
			t.Errorf("bar %d starts at x=%v, not at the common axis %v", i, r.num(t, "x"), x0)
		}
		if r.num(t, "x")+r.num(t, "width") > root.num(t, "width") {
			t.Errorf("bar %d overflows the chart", i)
		}
		if i > 0 && r.num(t, "y") <= rects[i-1].num(t, "y") {
			t.Errorf("bar %d is not below bar %d", i, i-1)
		}
	}
	// Labels are drawn (Chinese intact), each bar's tooltip has the full label.
	var labels []string
	for _, g := range root.all("g") {
		texts := g.all("text")
		if len(texts) != 2 {
			t.Fatalf("a bar group with %d texts, want label and value", len(texts))
		}
		labels = append(labels, texts[0].Text)
	}
	if labels[0] != "东区" || labels[1] != "西区高新技术产业园" || labels[2] != "North <park> & \"co\"" {
		t.Errorf("labels %q", labels)
	}
	if got := report.BarChart("会谈 <held> & \"done\"", bars); string(got) != svg {
		t.Errorf("the same chart rendered twice differs")
	}
}

func TestBarChartLongLabelAndEmpty(t *testing.T) {
	long := strings.Repeat("国家级经济技术开发区", 6)
	root := parseSVG(t, string(report.BarChart("t", []report.Bar{{Label: long, Value: 1}})))
	g := root.all("g")[0]
	if childText(g, "title") != long+": 1" {
		t.Errorf("tooltip %q, want the full label", childText(g, "title"))
	}
	shown := g.all("text")[0].Text
	if !strings.HasSuffix(shown, "…") || len([]rune(shown)) >= len([]rune(long)) || !strings.HasPrefix(long, strings.TrimSuffix(shown, "…")) {
		t.Errorf("a long label is shown as %q, want a prefix with an ellipsis", shown)
	}

	empty := parseSVG(t, string(report.BarChart("nothing", nil)))
	if len(empty.all("rect")) != 0 {
		t.Errorf("an empty chart draws bars")
	}
	a, b := report.BarChart("A", nil), report.BarChart("B", nil)
	if parseSVG(t, string(a)).attr("aria-labelledby") == parseSVG(t, string(b)).attr("aria-labelledby") {
		t.Errorf("two charts with different titles share element ids")
	}
}

func TestStackedBarShares(t *testing.T) {
	segs := []report.Bar{
		{Label: "无进展", Value: 2}, {Label: "contact", Value: 0}, {Label: "NDA", Value: 3},
		{Label: "合同 & more", Value: 5, Color: "#123456"}, {Label: "bad colour", Value: 10, Color: "red\" onload=\"x"},
	}
	svg := string(report.StackedBar("成果漏斗", segs))
	root := parseSVG(t, svg)
	var bar []node
	for _, r := range root.all("rect") {
		if r.attr("class") == "segment" {
			bar = append(bar, r)
		}
	}
	if len(bar) != len(segs) {
		t.Fatalf("%d segments, want %d", len(bar), len(segs))
	}
	total := 0.0
	for _, r := range bar {
		total += r.num(t, "width")
	}
	x := bar[0].num(t, "x")
	for i, r := range bar {
		want := segs[i].Value / 20 * total
		if w := r.num(t, "width"); math.Abs(w-want) > 0.02 {
			t.Errorf("segment %q width %v, want %v", segs[i].Label, w, want)
		}
		if math.Abs(r.num(t, "x")-x) > 0.02 {
			t.Errorf("segment %d starts at %v, want %v (right after the previous)", i, r.num(t, "x"), x)
		}
		x += r.num(t, "width")
	}
	if x > root.num(t, "width") {
		t.Errorf("the bar ends at %v, beyond the chart's width", x)
	}
	if bar[3].attr("fill") != "#123456" || !strings.HasPrefix(bar[4].attr("fill"), "#") || strings.Contains(svg, "onload") {
		t.Errorf("fills %q %q: a given hex colour is kept, anything else replaced", bar[3].attr("fill"), bar[4].attr("fill"))
	}
	legend := root.all("g")
	if len(legend) != len(segs) {
		t.Fatalf("%d legend items, want %d", len(legend), len(segs))
	}
	for i, want := range []string{"无进展 2 (10%)", "contact 0 (0%)", "NDA 3 (15%)", "合同 & more 5 (25%)", "bad colour 10 (50%)"} {
		if got := legend[i].all("text")[0].Text; got != want {
			t.Errorf("legend %d: %q, want %q", i, got, want)
		}
	}
	zero := parseSVG(t, string(report.StackedBar("none", []report.Bar{{Label: "a"}, {Label: "b"}})))
	for _, r := range zero.all("rect") {
		if r.attr("class") == "segment" && r.num(t, "width") != 0 {
			t.Errorf("a total of zero draws a segment of width %v", r.num(t, "width"))
		}
	}
}

// FuzzBarChart checks that any labels and values give well-formed SVG with
// bars inside the chart.
func FuzzBarChart(f *testing.F) {
	f.Add("东区", "x<y&z", 3.0, 4.0)
	f.Add("\x00\xff", "]]>", -1.0, math.Inf(1))
	f.Add("", "'\"", 0.0, 1e300)
	f.Fuzz(func(t *testing.T, a, b string, va, vb float64) {
		bars := []report.Bar{{Label: a, Value: va}, {Label: b, Value: vb}}
		for _, svg := range []string{string(report.BarChart(a, bars)), string(report.StackedBar(b, bars))} {
			root := parseSVG(t, svg)
			for _, r := range root.all("rect") {
				w := r.num(t, "width")
				if w < 0 || math.IsNaN(w) || r.num(t, "x")+w > root.num(t, "width")+0.01 {
					t.Fatalf("rect x=%v width=%v outside a chart %v wide", r.num(t, "x"), w, root.num(t, "width"))
				}
			}
		}
	})
}
