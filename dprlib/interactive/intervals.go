package interactive

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/dprkit/dprkit/dprlib/figures"
	"github.com/dprkit/dprkit/dprlib/stats"
)

// Layout of one Intervals panel: its height, and the CSS that lets the
// panels share a row of the notebook's output area, at least 320 pixels
// wide each.
const (
	intervalPanelHeight = 380
	intervalPanelStyle  = "flex:1 1 420px;min-width:320px"
)

// RenderIntervals returns an HTML fragment with the ablation of f, the data
// of figures.Intervals: one chart per panel, with the settings of the panel
// on a categorical x axis in the order they first appear. Each point is a
// marker at the mean over seeds with an error bar from Low to High, and the
// series of a panel sit side by side around each setting, each method in
// one colour across panels. A panel's Reference is a grey dashed line at
// its mean over a grey band from Low to High. Hovering a point or the
// reference shows its label, mean, interval and number of seeds, and
// clicking a method in a legend hides it.
//
// The fragment includes ECharts inline (see Library). RenderIntervals
// validates f as figures.Intervals does.
func RenderIntervals(f figures.IntervalFigure) (string, error) {
	return Options{}.RenderIntervals(f)
}

// RenderIntervals returns the fragment of the function RenderIntervals,
// with or without the library as o sets.
func (o Options) RenderIntervals(f figures.IntervalFigure) (string, error) {
	level, err := validateIntervals(f)
	if err != nil {
		return "", err
	}
	return o.renderFragment(headerHTML(f.Title, intervalsNote(f, level)), intervalCharts(f, level)...)
}

// ShowIntervals displays the view of RenderIntervals in a notebook. Outside
// a notebook it prints a one-line summary.
func ShowIntervals(f figures.IntervalFigure) error {
	return Options{}.ShowIntervals(f)
}

// ShowIntervals displays the view of o.RenderIntervals in a notebook.
// Outside a notebook it prints a one-line summary.
func (o Options) ShowIntervals(f figures.IntervalFigure) error {
	level, err := validateIntervals(f)
	if err != nil {
		return err
	}
	summary := fmt.Sprintf("interactive intervals %q: %d panels, %s",
		f.Title, len(f.Panels), intervalsNote(f, level))
	return show(summary, func() (string, error) {
		return o.renderFragment(headerHTML(f.Title, intervalsNote(f, level)), intervalCharts(f, level)...)
	})
}

// intervalCharts builds one chart per panel of a validated figure.
func intervalCharts(f figures.IntervalFigure, level float64) []chart {
	// Series with one name share a colour in every panel.
	colorIndex := map[string]int{}
	for _, panel := range f.Panels {
		for _, s := range panel.Series {
			if _, ok := colorIndex[s.Name]; !ok {
				colorIndex[s.Name] = len(colorIndex)
			}
		}
	}
	out := make([]chart, len(f.Panels))
	for i, panel := range f.Panels {
		out[i] = intervalPanelChart(panel, f.XLabel, level, colorIndex)
	}
	return out
}

func intervalPanelChart(panel figures.IntervalPanel, xLabel string, level float64,
	colorIndex map[string]int) chart {
	labels := settingLabels(panel)
	position := map[string]int{}
	for k, label := range labels {
		position[label] = k
	}
	yMin, yMax := niceRange(intervalExtent(panel))

	rotate, nameGap := 0.0, 30
	if labelsCrowded(labels) {
		rotate, nameGap = 30, 55
	}

	c := charts.NewCustom()
	c.SetGlobalOptions(baseOptions("", "")...)
	c.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{
			Title: panel.Title, Left: "10",
			TitleStyle: &opts.TextStyle{FontSize: 13, Color: textColor, Width: 300, Overflow: "truncate"},
		}),
		charts.WithLegendOpts(opts.Legend{Type: "scroll", Top: "30", Left: "center"}),
		charts.WithGridOpts(opts.Grid{
			Top: "70", Bottom: fmt.Sprint(nameGap + 15), Left: "45", Right: "20",
			ContainLabel: opts.Bool(true),
		}),
		charts.WithXAxisOpts(opts.XAxis{
			Type: "category", Data: labels, Name: xLabel, NameLocation: "middle", NameGap: nameGap,
			AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: rotate},
		}),
		charts.WithYAxisOpts(opts.YAxis{
			Type: "value", Min: yMin, Max: yMax, Name: panel.YLabel, NameLocation: "middle", NameGap: 40,
		}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: "dprkit:tip"}),
	)

	if ref := panel.Reference; ref != nil {
		tip := intervalTip(panel.ReferenceName+" (reference)", *ref, level)
		// A line series without points carries the reference: its legend
		// entry hides the line and the band together.
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: panel.ReferenceName, Type: "line", Data: []any{},
			ItemStyle: &opts.ItemStyle{Color: mutedColor},
			LineStyle: &opts.LineStyle{Color: mutedColor, Type: "dashed"},
			MarkLines: &opts.MarkLines{
				Data: []any{opts.MarkLineNameYAxisItem{Name: tip, YAxis: ref.Mean}},
				MarkLineStyle: opts.MarkLineStyle{
					Symbol:    []string{"none", "none"},
					Label:     &opts.Label{Show: opts.Bool(false)},
					LineStyle: &opts.LineStyle{Color: mutedColor, Width: 1.2, Type: "dashed"},
				},
			},
			MarkAreas: &opts.MarkAreas{
				Data: []any{[]any{
					opts.MarkAreaNameYAxisItem{Name: tip, YAxis: ref.Low},
					opts.MarkAreaNameYAxisItem{YAxis: ref.High},
				}},
				MarkAreaStyle: opts.MarkAreaStyle{
					Label:     &opts.Label{Show: opts.Bool(false)},
					ItemStyle: &opts.ItemStyle{Color: referenceBandColor},
				},
			},
		})
	}

	offsets := dodgeOffsets(len(panel.Series))
	for j, s := range panel.Series {
		items := make([]tipItem, len(s.Points))
		for k, pt := range s.Points {
			iv := pt.Value
			items[k] = tipItem{
				Value: []any{position[pt.Label], iv.Mean, iv.Low, iv.High, iv.N, offsets[j]},
				Tip:   intervalTip(s.Name+" · "+pt.Label, iv, level),
			}
		}
		color := seriesColor(colorIndex[s.Name])
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: s.Name, Type: "custom", Data: items,
			RenderItem: "dprkit:intervalBar",
			Encode:     &opts.Encode{X: 0, Y: []int{1, 2, 3}},
			ItemStyle:  &opts.ItemStyle{Color: color},
		})
	}
	return chart{option: c.JSON(), height: intervalPanelHeight, style: intervalPanelStyle}
}

// intervalTip is the tooltip text of one interval.
func intervalTip(head string, iv stats.Interval, level float64) string {
	seeds := strconv.Itoa(iv.N) + " seeds"
	if iv.N == 1 {
		seeds = "1 seed"
	}
	return strings.Join([]string{
		head,
		"mean " + formatValue(iv.Mean),
		fmt.Sprintf("%s %% CI [%s, %s]", formatPercent(level), formatValue(iv.Low), formatValue(iv.High)),
		"n = " + seeds,
	}, "\n")
}

// intervalsNote states what the markers and bars show, as the note of
// figures.Intervals does, for example "Markers: mean over 3 seeds. Bars
// and bands: 95 % percentile-bootstrap confidence interval."
func intervalsNote(f figures.IntervalFigure, level float64) string {
	lo, hi := math.MaxInt, 0
	each := func(iv stats.Interval) { lo, hi = min(lo, iv.N), max(hi, iv.N) }
	for _, panel := range f.Panels {
		for _, s := range panel.Series {
			for _, pt := range s.Points {
				each(pt.Value)
			}
		}
		if panel.Reference != nil {
			each(*panel.Reference)
		}
	}
	seeds := strconv.Itoa(lo) + " seeds"
	switch {
	case lo == 1 && hi == 1:
		seeds = "1 seed"
	case lo != hi:
		seeds = fmt.Sprintf("%d–%d seeds", lo, hi)
	}
	return fmt.Sprintf("Markers: mean over %s. Bars and bands: %s %% percentile-bootstrap "+
		"confidence interval. Hover a marker or a band for its values.", seeds, formatPercent(level))
}

// formatPercent prints a confidence level such as 0.95 as "95".
func formatPercent(level float64) string {
	return strconv.FormatFloat(100*level, 'g', 4, 64)
}

// settingLabels returns the x order of a panel: the union of its series'
// labels in the order they first appear.
func settingLabels(panel figures.IntervalPanel) []string {
	labels := []string{}
	seen := map[string]bool{}
	for _, s := range panel.Series {
		for _, pt := range s.Points {
			if !seen[pt.Label] {
				seen[pt.Label] = true
				labels = append(labels, pt.Label)
			}
		}
	}
	return labels
}

// intervalExtent returns the lowest Low and the highest High of a panel,
// its reference included.
func intervalExtent(panel figures.IntervalPanel) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	if ref := panel.Reference; ref != nil {
		lo, hi = ref.Low, ref.High
	}
	for _, s := range panel.Series {
		for _, pt := range s.Points {
			lo, hi = math.Min(lo, pt.Value.Low), math.Max(hi, pt.Value.High)
		}
	}
	return lo, hi
}

// niceRange pads [lo, hi] by 8 % of its span on each side, so that caps and
// markers at the extremes stay inside the chart. It then rounds the ends out
// to a multiple of a 1-2-5 step near a fifth of the span, so that the axis
// ticks fall on round numbers. A range of one value is first widened by 5 %
// of that value, or by 0.001 around 0.
func niceRange(lo, hi float64) (float64, float64) {
	if hi <= lo {
		pad := math.Max(0.05*math.Abs(lo), 1e-3)
		lo, hi = lo-pad, hi+pad
	}
	pad := 0.08 * (hi - lo)
	lo, hi = lo-pad, hi+pad
	step := niceStep((hi - lo) / 5)
	return roundClean(math.Floor(lo/step) * step), roundClean(math.Ceil(hi/step) * step)
}

// niceStep returns the smallest of 1, 2, 5 and 10 times a power of ten
// that is at least x > 0.
func niceStep(x float64) float64 {
	scale := math.Pow(10, math.Floor(math.Log10(x)))
	for _, f := range []float64{1, 2, 5} {
		if f*scale >= x {
			return f * scale
		}
	}
	return 10 * scale
}

// roundClean drops the float noise of a product such as 3 × 0.1, so that
// the axis shows 0.3 and not 0.30000000000000004.
func roundClean(v float64) float64 {
	clean, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return clean
}

// labelsCrowded reports whether the setting labels would overlap on a
// panel of the minimum width, about 250 pixels of axis at 7 pixels per
// character, an estimate. Crowded labels are rotated.
func labelsCrowded(labels []string) bool {
	widest := 0
	for _, label := range labels {
		widest = max(widest, len([]rune(label)))
	}
	slot := 250 / max(len(labels), 1)
	return widest*7 > slot-4
}

// dodgeOffsets returns the x offsets, in category widths, of n series
// drawn side by side around a category position: evenly spaced, centred on
// 0, and spanning at most 0.7 of the gap between categories, as in
// package figures.
func dodgeOffsets(n int) []float64 {
	step := math.Min(0.22, 0.7/float64(n))
	offsets := make([]float64, n)
	for j := range offsets {
		offsets[j] = (float64(j) - float64(n-1)/2) * step
	}
	return offsets
}
