package interactive

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/dprkit/dprkit/dprlib/figures"
)

// sftLossPanel is the name of the loss in the step tooltip.
const sftLossPanel = "SFT loss: NLL per response token (nats)"

// RenderSFTLoss returns an HTML fragment with the SFT training loss of
// curves against the optimizer step, the data of figures.SFTLoss: one line
// per seed, and a dot labelled with its fraction of training on each saved
// checkpoint. The y axis is logarithmic under the rule of figures.SFTLoss
// (every loss positive and the largest at least ten times the smallest).
// Hovering shows every seed's loss at that step, and the slider and the
// mouse wheel zoom the step axis.
//
// The fragment includes ECharts inline (see Library). RenderSFTLoss
// validates curves as figures.SFTLoss does.
func RenderSFTLoss(curves []figures.LossCurve) (string, error) {
	return Options{}.RenderSFTLoss(curves)
}

// RenderSFTLoss returns the fragment of the function RenderSFTLoss, with or
// without the library as o sets.
func (o Options) RenderSFTLoss(curves []figures.LossCurve) (string, error) {
	if err := validateLossCurves(curves); err != nil {
		return "", err
	}
	return o.renderFragment("", sftLossChart(curves))
}

// ShowSFTLoss displays the view of RenderSFTLoss in a notebook. Outside a
// notebook it prints a one-line summary.
func ShowSFTLoss(curves []figures.LossCurve) error {
	return Options{}.ShowSFTLoss(curves)
}

// ShowSFTLoss displays the view of o.RenderSFTLoss in a notebook. Outside a
// notebook it prints a one-line summary.
func (o Options) ShowSFTLoss(curves []figures.LossCurve) error {
	if err := validateLossCurves(curves); err != nil {
		return err
	}
	lo, hi := lossStepRange(curves)
	summary := fmt.Sprintf("interactive SFT loss: %d runs, SFT steps %d to %d", len(curves), lo, hi)
	return show(summary, func() (string, error) { return o.renderFragment("", sftLossChart(curves)) })
}

// sftLossChart builds the chart of validated curves.
func sftLossChart(curves []figures.LossCurve) chart {
	line := charts.NewLine()
	line.SetGlobalOptions(baseOptions("SFT training loss",
		"Hover for the loss at a step; zoom with the slider or the mouse wheel. "+
			"Dots mark checkpoints, labelled with the fraction of training.")...)

	lo, hi := lossStepRange(curves)
	yType, yName := "value", "NLL per response token (nats)"
	if useLogLoss(curves) {
		yType, yName = "log", "NLL per response token (nats, log scale)"
	}
	line.SetGlobalOptions(
		charts.WithGridOpts(opts.Grid{Top: "80", Bottom: "90", Left: "80", Right: "40"}),
		charts.WithXAxisOpts(opts.XAxis{
			Type: "value", Min: lo, Max: hi,
			Name: "SFT step (optimizer updates)", NameLocation: "middle", NameGap: 28,
		}),
		charts.WithYAxisOpts(opts.YAxis{
			Type: yType, Scale: opts.Bool(true),
			Name: yName, NameLocation: "middle", NameGap: 55,
		}),
		stepZoom([]int{0}),
		charts.WithTooltipOpts(opts.Tooltip{
			Show: opts.Bool(true), Trigger: "axis", Formatter: "dprkit:steps",
			AxisPointer: &opts.AxisPointer{Type: "line"},
		}),
	)

	labels := checkpointLabels(curves)
	for i, run := range curves {
		color := seriesColor(i)
		var marks []any
		for _, cp := range run.Checkpoints {
			label := labels[cp.Step]
			mark := opts.MarkPointNameCoordItem{
				Name:       label.text,
				Coordinate: []any{cp.Step, interpolateLoss(run, cp.Step)},
				Symbol:     "circle",
				SymbolSize: 9,
				ItemStyle:  &opts.ItemStyle{Color: color, BorderColor: "#ffffff", BorderWidth: 1.5},
				Label:      &opts.Label{Show: opts.Bool(label.run == i), Formatter: "{b}", Position: "top"},
			}
			marks = append(marks, mark)
		}
		line.AddSeries(seedName(run.Seed), stepData(run.Steps, run.Loss),
			symbolsFor(len(run.Steps)),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) {
				s.ItemStyle = &opts.ItemStyle{Color: color}
				s.LineStyle = &opts.LineStyle{Color: color, Width: 1.6, Type: seriesLineType(i)}
				if len(marks) > 0 {
					s.MarkPoints = &opts.MarkPoints{Data: marks}
				}
			}))
	}
	return chart{
		option:  line.JSON(),
		context: map[string]any{"panels": []string{sftLossPanel}},
		height:  460,
	}
}

// checkpointLabel is the label of the checkpoints at one step: the
// fractions of training of all runs that saved one there, such as
// "0.25" or "0.25/0.3", shown once, on the dot of the first such run.
type checkpointLabel struct {
	text string
	run  int
}

func checkpointLabels(curves []figures.LossCurve) map[int]checkpointLabel {
	fractions := map[int][]float64{}
	first := map[int]int{}
	for i, run := range curves {
		for _, cp := range run.Checkpoints {
			if _, ok := first[cp.Step]; !ok {
				first[cp.Step] = i
			}
			seen := false
			for _, f := range fractions[cp.Step] {
				seen = seen || f == cp.Fraction
			}
			if !seen {
				fractions[cp.Step] = append(fractions[cp.Step], cp.Fraction)
			}
		}
	}
	labels := map[int]checkpointLabel{}
	for step, fs := range fractions {
		texts := make([]string, len(fs))
		for k, f := range fs {
			texts[k] = strconv.FormatFloat(f, 'f', -1, 64)
		}
		labels[step] = checkpointLabel{text: strings.Join(texts, "/"), run: first[step]}
	}
	return labels
}

// interpolateLoss returns the loss of run at step by linear interpolation
// between the two logged steps around it, where package figures draws the
// checkpoint. step must lie within the logged steps.
func interpolateLoss(run figures.LossCurve, step int) float64 {
	i := sort.SearchInts(run.Steps, step)
	if run.Steps[i] == step {
		return run.Loss[i]
	}
	x0, x1 := float64(run.Steps[i-1]), float64(run.Steps[i])
	y0, y1 := run.Loss[i-1], run.Loss[i]
	return y0 + (y1-y0)*(float64(step)-x0)/(x1-x0)
}

// useLogLoss reports whether the loss axis is logarithmic: every loss is
// positive and the largest is at least ten times the smallest.
func useLogLoss(curves []figures.LossCurve) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, run := range curves {
		for _, v := range run.Loss {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo > 0 && hi >= 10*lo
}

// lossStepRange returns the first and last logged step over all curves,
// widened by one step either side when they coincide.
func lossStepRange(curves []figures.LossCurve) (lo, hi int) {
	lo, hi = math.MaxInt, math.MinInt
	for _, run := range curves {
		lo, hi = min(lo, run.Steps[0]), max(hi, run.Steps[len(run.Steps)-1])
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	return lo, hi
}
