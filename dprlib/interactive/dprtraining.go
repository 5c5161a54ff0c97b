package interactive

import (
	"fmt"
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/dprkit/dprkit/dprlib/figures"
)

// dprPanels are the panels of DPRTraining from top to bottom: the title
// above each panel, which the step tooltip repeats, and its y-axis unit.
var dprPanels = []struct{ title, unit string }{
	{"Mean dense reward per token (nats)", "nats / token"},
	{"KL(π_θ ‖ π_SFT) per token (nats)", "nats / token"},
	{"Held-out exact match (%)", "exact match (%)"},
}

// dprExactMatchPanel is the index of the exact-match panel in dprPanels.
const dprExactMatchPanel = 2

// Layout of DPRTraining in pixels: the top of the first panel, the height
// of each panel and the gap between panels, which holds the next title.
const (
	dprFirstPanelTop = 90
	dprPanelHeight   = 160
	dprPanelGap      = 60
	dprChartHeight   = dprFirstPanelTop + 3*dprPanelHeight + 2*dprPanelGap + 110
)

// RenderDPRTraining returns an HTML fragment with the DPR training curves
// of runs, the data of figures.DPRTraining, as three panels over a shared
// DPR-step axis: the mean dense reward per token, KL(π_θ‖π_SFT) per token
// and the held-out exact match. Each seed keeps one colour in all panels,
// and its SFT exact match is a dashed line in that colour. Hovering shows
// every seed's values at that step, the slider and the mouse wheel zoom
// all panels together, and clicking a seed in the legend hides it.
// Return is not drawn.
//
// The fragment includes ECharts inline (see Library). RenderDPRTraining
// validates runs as figures.DPRTraining does.
func RenderDPRTraining(runs []figures.DPRCurve) (string, error) {
	return Options{}.RenderDPRTraining(runs)
}

// RenderDPRTraining returns the fragment of the function RenderDPRTraining,
// with or without the library as o sets.
func (o Options) RenderDPRTraining(runs []figures.DPRCurve) (string, error) {
	if err := validateDPRCurves(runs); err != nil {
		return "", err
	}
	return o.renderFragment("", dprTrainingChart(runs))
}

// ShowDPRTraining displays the view of RenderDPRTraining in a notebook.
// Outside a notebook it prints a one-line summary.
func ShowDPRTraining(runs []figures.DPRCurve) error {
	return Options{}.ShowDPRTraining(runs)
}

// ShowDPRTraining displays the view of o.RenderDPRTraining in a notebook.
// Outside a notebook it prints a one-line summary.
func (o Options) ShowDPRTraining(runs []figures.DPRCurve) error {
	if err := validateDPRCurves(runs); err != nil {
		return err
	}
	lo, hi := dprStepRange(runs)
	summary := fmt.Sprintf("interactive DPR training: %d runs, DPR steps %d to %d", len(runs), lo, hi)
	return show(summary, func() (string, error) { return o.renderFragment("", dprTrainingChart(runs)) })
}

// dprTrainingChart builds the chart of validated runs.
func dprTrainingChart(runs []figures.DPRCurve) chart {
	line := charts.NewLine()
	line.SetGlobalOptions(baseOptions("DPR against SFT during training",
		"Hover for the values at a step; zoom with the slider or the mouse wheel.")...)

	lo, hi := dprStepRange(runs)
	axes := make([]int, len(dprPanels))
	var grids []opts.Grid
	line.XAxisList = nil
	line.YAxisList = nil
	for k, panel := range dprPanels {
		axes[k] = k
		top := dprFirstPanelTop + k*(dprPanelHeight+dprPanelGap)
		grids = append(grids, opts.Grid{
			Top: fmt.Sprint(top), Height: fmt.Sprint(dprPanelHeight), Left: "80", Right: "40",
		})
		x := opts.XAxis{Type: "value", GridIndex: k, Min: lo, Max: hi}
		if k == len(dprPanels)-1 {
			x.Name, x.NameLocation, x.NameGap = "DPR step", "middle", 28
		}
		line.XAxisList = append(line.XAxisList, x)
		y := opts.YAxis{
			Type: "value", GridIndex: k, Name: panel.unit, NameLocation: "middle", NameGap: 55,
			Scale: opts.Bool(true),
		}
		if k == dprExactMatchPanel {
			// Exact match cannot go below 0 %.
			y.Min = 0
		}
		line.YAxisList = append(line.YAxisList, y)
	}
	line.SetGlobalOptions(
		charts.WithGridOpts(grids...),
		stepZoom(axes),
		charts.WithTooltipOpts(opts.Tooltip{
			Show: opts.Bool(true), Trigger: "axis", Formatter: "dprkit:steps",
			AxisPointer: &opts.AxisPointer{Type: "line"},
		}),
		charts.WithAxisPointerOpts(&opts.AxisPointer{
			Link: []opts.AxisPointerLink{{XAxisIndex: axes}},
		}),
	)

	sftNotes := map[string]string{}
	for i, run := range runs {
		name := seedName(run.Seed)
		color, dash := seriesColor(i), seriesLineType(i)
		style := func(k int) charts.SeriesOpts {
			return charts.WithSeriesOpts(func(s *charts.SingleSeries) {
				s.XAxisIndex, s.YAxisIndex = k, k
				s.ItemStyle = &opts.ItemStyle{Color: color}
				s.LineStyle = &opts.LineStyle{Color: color, Width: 1.6, Type: dash}
			})
		}
		line.AddSeries(name, stepData(run.Steps, run.Reward), style(0), symbolsFor(len(run.Steps)))
		line.AddSeries(name, stepData(run.Steps, run.KL), style(1), symbolsFor(len(run.Steps)))
		line.AddSeries(name, stepData(run.EvalSteps, run.ExactMatch), style(dprExactMatchPanel),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) {
				s.ShowSymbol = opts.Bool(true)
				s.MarkLines = &opts.MarkLines{
					Data: []any{opts.MarkLineNameYAxisItem{
						Name:  "SFT exact match, " + name,
						YAxis: run.SFTExactMatch,
					}},
					MarkLineStyle: opts.MarkLineStyle{
						Symbol:    []string{"none", "none"},
						Label:     &opts.Label{Show: opts.Bool(false)},
						LineStyle: &opts.LineStyle{Color: color, Width: 1.1, Type: "dashed"},
					},
				}
			}))
		sftNotes[name] = "SFT " + formatValue(run.SFTExactMatch) + " %"
	}

	option := line.JSON()
	titles := []opts.Title{option["title"].(opts.Title)}
	for k, panel := range dprPanels {
		titles = append(titles, opts.Title{
			Title:      panel.title,
			Left:       "80",
			Top:        fmt.Sprint(dprFirstPanelTop + k*(dprPanelHeight+dprPanelGap) - 26),
			TitleStyle: &opts.TextStyle{FontSize: 12, Color: textColor},
		})
	}
	option["title"] = titles

	panelTitles := make([]string, len(dprPanels))
	for k, panel := range dprPanels {
		panelTitles[k] = panel.title
	}
	return chart{
		option: option,
		context: map[string]any{
			"panels":    panelTitles,
			"baselines": map[string]any{strconv.Itoa(dprExactMatchPanel): sftNotes},
		},
		height: dprChartHeight,
	}
}

// stepData returns the points (step, value) of a curve.
func stepData(steps []int, values []float64) []opts.LineData {
	data := make([]opts.LineData, len(steps))
	for j := range steps {
		data[j] = opts.LineData{Value: [2]float64{float64(steps[j]), values[j]}}
	}
	return data
}

// symbolsFor shows a marker on each point of a curve of up to 60 points.
// Longer curves are drawn as plain lines, and hovering still shows their
// values.
func symbolsFor(points int) charts.SeriesOpts {
	return charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.ShowSymbol = opts.Bool(points <= 60)
	})
}

// dprStepRange returns the smallest and largest DPR step in any run, over
// both the training and the evaluation steps. It widens a single step to
// one step either side so the x axis has a range.
func dprStepRange(runs []figures.DPRCurve) (lo, hi int) {
	lo, hi = math.MaxInt, math.MinInt
	for _, run := range runs {
		for _, steps := range [][]int{run.Steps, run.EvalSteps} {
			if len(steps) > 0 {
				lo, hi = min(lo, steps[0]), max(hi, steps[len(steps)-1])
			}
		}
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	return lo, hi
}
