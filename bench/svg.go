package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Chart is one SVG file: panels side by side, each with its own y axis,
// each holding groups of bars (one bar per series: a runtime).
type Chart struct {
	File   string // name in the results folder
	Title  string
	Note   string // a line under the title
	Panels []Panel
}

// Unit says how a panel's values read.
type Unit int

const (
	UnitTime  Unit = iota // nanoseconds, shown in a fitting unit
	UnitRatio             // a plain ratio, shown as 1.17×
)

// Panel is a plot area with its own scale.
type Panel struct {
	Title  string
	Unit   Unit
	Groups []Group
	// Clip, when > 0, caps the axis: a longer bar is cut at the top (and
	// marked), its label still says its value.
	Clip float64
}

// Group is a cluster of bars under one label.
type Group struct {
	Label string
	Bars  []Bar
	// Goal, when > 0, is drawn as a dashed line across the group.
	Goal float64
}

// Bar draws a summary: the bar is the median, the whisker goes up to the
// p90, a tick marks the min (whisker and tick only with more than one sample).
type Bar struct {
	Series  string
	Summary Summary
}

// seriesColors are fixed for the known series; others take the palette.
var seriesColors = map[string]string{
	"runc":          "#4c78a8",
	"sysbox-lite":   "#f58518",
	"runc + userns": "#54a24b",
	ratioSeries:     "#f58518",
}

// ratioSeries is the series of the ratios overview.
const ratioSeries = "sysbox-lite ÷ runc"

var palette = []string{"#b279a2", "#e45756", "#72b7b2", "#9d755d"}

const (
	barW       = 46.0
	barGap     = 6.0
	groupPad   = 22.0
	axisW      = 56.0
	panelRight = 14.0
	plotTop    = 118.0
	plotH      = 210.0
	charW      = 6.4 // approximate width of a character at 11px
)

// RenderSVG draws the chart as a standalone SVG document.
func RenderSVG(c Chart) string {
	colors := assignColors(c)
	widths := make([]float64, len(c.Panels))
	total := 10.0
	for i, p := range c.Panels {
		widths[i] = panelWidth(p)
		total += widths[i]
	}
	total += 10
	total = math.Max(total, math.Max(float64(len([]rune(c.Title)))*10+30, float64(len([]rune(c.Note)))*6.8+30))
	key := hasSpread(c)
	legendW := legendWidth(colors, key)
	total = math.Max(total, legendW+30)
	height := plotTop + plotH + 60

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="Helvetica, Arial, sans-serif">`+"\n",
		total, height, total, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="15" y="26" font-size="16" font-weight="bold" fill="#222">%s</text>`+"\n", esc(c.Title))
	if c.Note != "" {
		fmt.Fprintf(&b, `<text x="15" y="45" font-size="12" fill="#555">%s</text>`+"\n", esc(c.Note))
	}
	drawLegend(&b, colors, key, 15, 70)
	x := 10.0
	for i, p := range c.Panels {
		drawPanel(&b, p, x, widths[i], colors)
		x += widths[i]
	}
	b.WriteString("</svg>\n")
	return b.String()
}

type seriesColor struct{ name, color string }

// assignColors lists the series in order of first appearance with a color.
func assignColors(c Chart) []seriesColor {
	var out []seriesColor
	seen := map[string]bool{}
	next := 0
	for _, p := range c.Panels {
		for _, g := range p.Groups {
			for _, bar := range g.Bars {
				if seen[bar.Series] {
					continue
				}
				seen[bar.Series] = true
				col, ok := seriesColors[bar.Series]
				if !ok {
					col = palette[next%len(palette)]
					next++
				}
				out = append(out, seriesColor{bar.Series, col})
			}
		}
	}
	return out
}

func colorOf(colors []seriesColor, name string) string {
	for _, c := range colors {
		if c.name == name {
			return c.color
		}
	}
	return "#888"
}

const legendKey = "bar: median · whisker: p90 · tick: min"

// hasSpread says whether any bar has several samples (then the legend
// explains the whisker and the tick).
func hasSpread(c Chart) bool {
	for _, p := range c.Panels {
		for _, g := range p.Groups {
			for _, bar := range g.Bars {
				if bar.Summary.N > 1 {
					return true
				}
			}
		}
	}
	return false
}

func legendWidth(colors []seriesColor, key bool) float64 {
	w := 0.0
	for _, c := range colors {
		w += 22 + float64(len([]rune(c.name)))*charW + 14
	}
	if key {
		w += float64(len([]rune(legendKey))) * charW
	}
	return w
}

func drawLegend(b *strings.Builder, colors []seriesColor, key bool, x, y float64) {
	for _, c := range colors {
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="14" height="14" fill="%s"/>`+"\n", x, y-11, c.color)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="12" fill="#222">%s</text>`+"\n", x+19, y, esc(c.name))
		x += 22 + float64(len([]rune(c.name)))*charW + 14
	}
	if key {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" fill="#666">%s</text>`+"\n", x, y, esc(legendKey))
	}
}

// groupWidth fits the bars and the label on at most two lines.
func groupWidth(g Group) float64 {
	n := float64(len(g.Bars))
	bars := n*barW + math.Max(n-1, 0)*barGap
	label := float64(len([]rune(g.Label)))*charW/2 + 10
	goal := 0.0
	if g.Goal > 0 {
		goal = 13 * 5.8 // "goal ≤ 1.10×" at 10px
	}
	return math.Max(bars, math.Max(label, goal))
}

func panelWidth(p Panel) float64 {
	w := axisW + groupPad + panelRight
	for _, g := range p.Groups {
		w += groupWidth(g) + groupPad
	}
	if t := float64(len([]rune(p.Title)))*7 + axisW + 10; t > w {
		w = t
	}
	return w
}

// scale is a panel's y axis.
type scale struct {
	top, step float64
	unit      timeUnit // for UnitTime
	kind      Unit
}

func newScale(p Panel) scale {
	maxV := 0.0
	for _, g := range p.Groups {
		maxV = math.Max(maxV, g.Goal)
		for _, bar := range g.Bars {
			for _, v := range []float64{bar.Summary.Median, bar.Summary.P90} {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					maxV = math.Max(maxV, v)
				}
			}
		}
	}
	if p.Unit == UnitRatio {
		maxV = math.Max(maxV, 1)
	}
	if p.Clip > 0 && maxV > p.Clip {
		maxV = p.Clip
	}
	if maxV <= 0 {
		maxV = 1
	}
	step := niceStep(maxV * 1.1 / 4)
	top := math.Ceil(maxV*1.1/step) * step
	s := scale{top: top, step: step, kind: p.Unit}
	if p.Unit == UnitTime {
		s.unit = unitFor(top)
	}
	return s
}

// niceStep rounds x up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= x*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

func (s scale) y(v float64) float64 {
	if math.IsNaN(v) || v < 0 {
		v = 0
	}
	if v > s.top {
		v = s.top
	}
	return plotTop + plotH - v/s.top*plotH
}

func (s scale) tick(v float64) string {
	if s.kind == UnitRatio {
		return strconv.FormatFloat(v, 'f', -1, 64) + "×"
	}
	return strconv.FormatFloat(roundSig(v/s.unit.scale, 4), 'f', -1, 64)
}

func (s scale) value(v float64) string {
	if s.kind == UnitRatio {
		return FormatRatio(v)
	}
	return FormatTime(v)
}

func roundSig(v float64, n int) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

func drawPanel(b *strings.Builder, p Panel, x0, width float64, colors []seriesColor) {
	s := newScale(p)
	left := x0 + axisW
	right := x0 + width - panelRight
	if p.Title != "" {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="13" font-weight="bold" fill="#333">%s</text>`+"\n", left, plotTop-26, esc(p.Title))
	}
	if s.kind == UnitTime {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" fill="#555" text-anchor="end">%s</text>`+"\n", left-6, plotTop-8, esc(s.unit.name))
	}
	for v := 0.0; v <= s.top*(1+1e-9); v += s.step {
		y := s.y(v)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e3e3e3" stroke-width="1"/>`+"\n", left, y, right, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" fill="#555" text-anchor="end">%s</text>`+"\n", left-6, y+4, esc(s.tick(v)))
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888" stroke-width="1"/>`+"\n", left, plotTop, left, plotTop+plotH)
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888" stroke-width="1"/>`+"\n", left, plotTop+plotH, right, plotTop+plotH)
	if s.kind == UnitRatio {
		y := s.y(1)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-width="1.2"/>`+"\n", left, y, right, y)
	}
	gx := left + groupPad
	for _, g := range p.Groups {
		gw := groupWidth(g)
		n := float64(len(g.Bars))
		bx := gx + (gw-(n*barW+math.Max(n-1, 0)*barGap))/2
		for _, bar := range g.Bars {
			drawBar(b, s, bar, bx, colorOf(colors, bar.Series))
			bx += barW + barGap
		}
		lines := wrap(g.Label, int((gw+groupPad)/charW))
		if len(lines) > 2 {
			lines = lines[:2]
		}
		for i, line := range lines {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" fill="#333" text-anchor="middle">%s</text>`+"\n", gx+gw/2, plotTop+plotH+17+float64(i)*14, esc(line))
		}
		if g.Goal > 0 {
			y := s.y(g.Goal)
			fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5,3"/>`+"\n", gx-6, y, gx+gw+6, y)
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="10" fill="#d62728" text-anchor="middle">goal ≤ %s</text>`+"\n", gx+gw/2, plotTop+plotH+17+float64(len(lines))*14, esc(s.value(g.Goal)))
		}
		gx += gw + groupPad
	}
}

func drawBar(b *strings.Builder, s scale, bar Bar, x float64, color string) {
	sum := bar.Summary
	if !sum.Valid() || math.IsNaN(sum.Median) {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="10" fill="#999" text-anchor="middle">n/a</text>`+"\n", x+barW/2, plotTop+plotH-4)
		return
	}
	y := s.y(sum.Median)
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: median %s</title></rect>`+"\n",
		x, y, barW, plotTop+plotH-y, color, esc(bar.Series), esc(s.value(sum.Median)))
	labelY := y
	cx := x + barW/2
	if sum.Median > s.top { // clipped: a white zigzag across the top
		fmt.Fprintf(b, `<path d="M%.1f %.1f l%.1f -5 l%.1f 10 l%.1f -5" stroke="#fff" stroke-width="3" fill="none"/>`+"\n",
			x, y+12, barW/3, barW/3, barW/3)
	}
	if sum.N > 1 {
		if sum.P90 > sum.Median {
			yp := s.y(sum.P90)
			fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222" stroke-width="1.3"/>`+"\n", cx, y, cx, yp)
			fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222" stroke-width="1.3"/>`+"\n", cx-7, yp, cx+7, yp)
			labelY = yp
		}
		ym := s.y(sum.Min)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222" stroke-width="1.5" stroke-opacity="0.55"/>`+"\n", x+5, ym, x+barW-5, ym)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="10" fill="#222" text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke">%s</text>`+"\n", cx, labelY-4, esc(s.value(sum.Median)))
}

// wrap splits s into lines of at most width characters (a longer word
// stands alone).
func wrap(s string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func esc(s string) string { return xmlEscaper.Replace(s) }
