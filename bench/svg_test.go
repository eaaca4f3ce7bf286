package main

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// svgElements parses doc as XML and counts its elements by name.
func svgElements(t *testing.T, doc string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "well-formed XML")
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
		}
	}
	return counts
}

func TestRenderSVGBarsWhiskersAndLegend(t *testing.T) {
	c := Chart{
		File: "x.svg", Title: "docker run <busybox> & co", Note: "30 runs",
		Panels: []Panel{
			{Title: "total", Groups: []Group{{Label: "docker run … true", Bars: []Bar{
				{Series: "runc", Summary: Summary{N: 30, Min: 200e6, Median: 220e6, P90: 240e6, Max: 300e6}},
				{Series: "sysbox-lite", Summary: Summary{N: 30, Min: 230e6, Median: 255e6, P90: 280e6, Max: 400e6}},
			}}}},
			{Title: "per phase", Groups: []Group{
				{Label: "create", Bars: []Bar{{Series: "runc", Summary: Summary{N: 1, Min: 5e6, Median: 5e6, P90: 5e6, Max: 5e6}}}},
				{Label: "start", Bars: []Bar{{Series: "custom", Summary: Summary{}}}},
			}},
		},
	}
	doc := RenderSVG(c)
	counts := svgElements(t, doc)
	assert.Equal(t, 1, counts["svg"])
	// background + 3 legend swatches + 3 drawn bars
	assert.Equal(t, 7, counts["rect"])
	assert.Contains(t, doc, "docker run &lt;busybox&gt; &amp; co", "text is escaped")
	assert.Contains(t, doc, ">220 ms<", "median label")
	assert.Contains(t, doc, ">255 ms<")
	assert.Contains(t, doc, ">n/a<", "a bar without samples says so")
	assert.Contains(t, doc, `fill="#4c78a8"`, "runc's color")
	assert.Contains(t, doc, `fill="#f58518"`, "sysbox-lite's color")
	assert.Contains(t, doc, ">ms<", "the time axis names its unit")
	assert.Contains(t, doc, legendKey)
	assert.NotContains(t, doc, "NaN")
	assert.NotContains(t, doc, "Inf")
}

func TestRenderSVGRatioPanelWithGoal(t *testing.T) {
	one := func(v float64) Summary { return Summary{N: 1, Min: v, Median: v, P90: v, Max: v} }
	c := Chart{Title: "ratios", Panels: []Panel{{Unit: UnitRatio, Groups: []Group{
		{Label: "docker run", Goal: 1.10, Bars: []Bar{{Series: "sysbox-lite ÷ runc", Summary: one(1.17)}}},
		{Label: "100 at once (wall)", Bars: []Bar{{Series: "sysbox-lite ÷ runc", Summary: one(1.4)}}},
	}}}}
	doc := RenderSVG(c)
	svgElements(t, doc)
	assert.Contains(t, doc, ">1.17×<")
	assert.Contains(t, doc, "goal ≤ 1.10×")
	assert.Equal(t, 1, strings.Count(doc, "stroke-dasharray"), "one goal line")
	assert.Contains(t, doc, ">1×<", "ticks are ratios")
}

func TestScaleCoversTheDataWithNiceTicks(t *testing.T) {
	p := Panel{Groups: []Group{{Bars: []Bar{{Summary: Summary{N: 3, Median: 212e6, P90: 287e6}}}}}}
	s := newScale(p)
	assert.GreaterOrEqual(t, s.top, 287e6)
	assert.Less(t, s.top, 2*287e6)
	assert.Equal(t, "ms", s.unit.name)
	steps := s.top / s.step
	assert.InDelta(t, math.Round(steps), steps, 1e-9, "the top is a whole number of steps")
	assert.Equal(t, plotTop+plotH, s.y(0))
	assert.Equal(t, plotTop, s.y(s.top))
}

func TestNiceStep(t *testing.T) {
	for in, want := range map[float64]float64{0.7: 1, 1: 1, 1.2: 2, 2.1: 2.5, 3: 5, 7: 10, 42: 50, 0.013: 0.02, 0: 1} {
		assert.InDelta(t, want, niceStep(in), want*1e-9, "%v", in)
	}
}

func TestWrap(t *testing.T) {
	assert.Equal(t, []string{"busybox", "image"}, wrap("busybox image", 8))
	assert.Equal(t, []string{"busybox image"}, wrap("busybox image", 20))
	assert.Equal(t, []string{"averyveryverylongword", "x"}, wrap("averyveryverylongword x", 5))
	assert.Nil(t, wrap("", 5))
}

func TestClippedPanel(t *testing.T) {
	one := func(v float64) Summary { return Summary{N: 1, Min: v, Median: v, P90: v, Max: v} }
	p := Panel{Unit: UnitRatio, Clip: 3, Groups: []Group{
		{Label: "a", Bars: []Bar{{Series: ratioSeries, Summary: one(1.2)}}},
		{Label: "b", Bars: []Bar{{Series: ratioSeries, Summary: one(35.5)}}},
	}}
	s := newScale(p)
	assert.LessOrEqual(t, s.top, 4.0, "the axis stops near the clip")
	assert.Equal(t, plotTop, s.y(35.5), "a longer bar stops at the top")
	doc := RenderSVG(Chart{Title: "t", Panels: []Panel{p}})
	svgElements(t, doc)
	assert.Contains(t, doc, ">35.50×<", "the label keeps the value")
	assert.Equal(t, 1, strings.Count(doc, "<path"), "one cut marker")
}
