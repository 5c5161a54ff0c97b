package figures

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DPRCurve is the training log of one DPR run, started from an SFT policy.
type DPRCurve struct {
	// Seed identifies the run. Seeds must differ between the curves of
	// one figure.
	Seed int64

	// Steps are the DPR steps at which Reward, KL and Return were logged,
	// strictly increasing.
	Steps []int

	// Reward is the mean dense reward per response token, in nats, of the
	// policy's samples at each step: r̂_t = log π_SFT(y_t|s_t) − log π_ref(y_t|s_t)
	// averaged over tokens.
	Reward []float64

	// KL is the estimated KL(π_θ‖π_SFT) per response token, in nats, at
	// each step.
	KL []float64

	// Return is the mean summed dense reward per response, in nats, at each
	// step. It is written to the CSV but not drawn, and may be empty.
	Return []float64

	// EvalSteps are the DPR steps of the held-out evaluations, strictly
	// increasing. It may be empty.
	EvalSteps []int

	// ExactMatch is the held-out exact match, in percent (0 to 100), at
	// each evaluation step.
	ExactMatch []float64

	// SFTExactMatch is the held-out exact match of the SFT policy the run
	// starts from, in percent: the exact match at DPR step 0.
	SFTExactMatch float64
}

// dprTrainingHeader is the CSV header of DPRTraining. The metric column is
// one of reward, kl, return, exact_match and sft_exact_match, the last with
// step 0. Units are as in DPRCurve.
var dprTrainingHeader = []string{"seed", "metric", "step", "value"}

// DPRTraining plots DPR training against SFT as three panels stacked over
// a shared DPR-step axis: the mean dense reward per token, KL(π_θ‖π_SFT) per
// token, and the held-out exact match. Each seed keeps one colour in all
// panels, and its SFT exact match is a dashed horizontal line in that
// colour. Return is not drawn.
//
// It writes NAME.svg, NAME.png and NAME.csv to dir, with the CSV columns
// seed, metric, step, value, and returns the three paths.
func DPRTraining(dir, name string, runs []DPRCurve) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateDPRCurves(runs); err != nil {
		return nil, err
	}

	fig, err := dprTrainingFigure(runs)
	if err != nil {
		return nil, err
	}
	writeData := func(path string) error {
		return writeCSV(path, dprTrainingHeader, dprTrainingRows(runs))
	}
	return saveWithData(fig, dir, name, 7*vg.Inch, 8*vg.Inch, "csv", writeData)
}

func validateDPRCurves(runs []DPRCurve) error {
	if len(runs) == 0 {
		return fmt.Errorf("figures: DPRTraining: no runs; pass at least one DPRCurve")
	}
	seen := map[int64]bool{}
	for i, run := range runs {
		where := fmt.Sprintf("figures: DPRTraining: run %d (seed %d)", i, run.Seed)
		if seen[run.Seed] {
			return fmt.Errorf("%s: seed is repeated; give each curve its own seed", where)
		}
		seen[run.Seed] = true

		if err := checkSteps(where, "Steps", run.Steps); err != nil {
			return err
		}
		series := []struct {
			field    string
			values   []float64
			optional bool
		}{
			{"Reward", run.Reward, false},
			{"KL", run.KL, false},
			{"Return", run.Return, true},
		}
		for _, s := range series {
			if s.optional && len(s.values) == 0 {
				continue
			}
			if len(s.values) != len(run.Steps) {
				return fmt.Errorf("%s: %s has %d values but Steps has %d; "+
					"pass one value per step", where, s.field, len(s.values), len(run.Steps))
			}
			if err := checkFinite(where, s.field, s.values); err != nil {
				return err
			}
		}

		if len(run.EvalSteps) > 0 {
			if err := checkSteps(where, "EvalSteps", run.EvalSteps); err != nil {
				return err
			}
		}
		if len(run.ExactMatch) != len(run.EvalSteps) {
			return fmt.Errorf("%s: ExactMatch has %d values but EvalSteps has %d; "+
				"pass one exact match per evaluation step",
				where, len(run.ExactMatch), len(run.EvalSteps))
		}
		for j, v := range run.ExactMatch {
			if err := checkPercent(where, fmt.Sprintf("ExactMatch[%d]", j), v); err != nil {
				return err
			}
		}
		if err := checkPercent(where, "SFTExactMatch", run.SFTExactMatch); err != nil {
			return err
		}
	}
	return nil
}

func checkFinite(where, field string, values []float64) error {
	for j, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: %s[%d] = %v is not finite; "+
				"drop or fix the diverged values before plotting", where, field, j, v)
		}
	}
	return nil
}

func checkPercent(where, field string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 100 {
		return fmt.Errorf("%s: %s = %v is invalid; pass a percentage from 0 to 100 "+
			"(multiply a fraction by 100)", where, field, v)
	}
	return nil
}

func dprTrainingFigure(runs []DPRCurve) (*panelFigure, error) {
	reward := newPlot("Mean dense reward per token", "", "nats / token")
	kl := newPlot("KL(π_θ ‖ π_SFT) per token", "", "nats / token")
	exact := newPlot("Held-out exact match", "DPR step", "exact match (%)")
	legend := newLegend()

	xMin, xMax := dprStepRange(runs)
	for i, run := range runs {
		style := seriesStyle(i)

		rewardLine, err := stepLine(run.Steps, run.Reward, style)
		if err != nil {
			return nil, fmt.Errorf("figures: DPRTraining: seed %d: %w", run.Seed, err)
		}
		reward.Add(rewardLine)
		legend.Add(seedLabel(run.Seed), rewardLine)

		klLine, err := stepLine(run.Steps, run.KL, style)
		if err != nil {
			return nil, fmt.Errorf("figures: DPRTraining: seed %d: %w", run.Seed, err)
		}
		kl.Add(klLine)

		baseline, err := stepLine([]int{xMin, xMax},
			[]float64{run.SFTExactMatch, run.SFTExactMatch}, style)
		if err != nil {
			return nil, fmt.Errorf("figures: DPRTraining: seed %d: %w", run.Seed, err)
		}
		baseline.LineStyle.Dashes = baselineDashes
		baseline.LineStyle.Width = vg.Points(1.1)
		exact.Add(baseline)

		if len(run.EvalSteps) > 0 {
			emLine, err := stepLine(run.EvalSteps, run.ExactMatch, style)
			if err != nil {
				return nil, fmt.Errorf("figures: DPRTraining: seed %d: %w", run.Seed, err)
			}
			points, err := plotter.NewScatter(emLine.XYs)
			if err != nil {
				return nil, fmt.Errorf("figures: DPRTraining: seed %d: %w", run.Seed, err)
			}
			points.GlyphStyle = draw.GlyphStyle{
				Color: style.Color, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{},
			}
			exact.Add(emLine, points)
		}
	}
	legend.Add("SFT exact match (step 0)", sftBaselineThumbnail{})
	// Exact match cannot go below 0 %: keep a flat curve at 0 from showing
	// a negative axis.
	exact.Y.Min = math.Max(exact.Y.Min, 0)
	if exact.Y.Max <= exact.Y.Min {
		exact.Y.Max = exact.Y.Min + 1
	}

	panels := []*plot.Plot{reward, kl, exact}
	for i, p := range panels {
		p.X.Min, p.X.Max = float64(xMin), float64(xMax)
		if i < len(panels)-1 {
			p.X.Tick.Marker = unlabelledTicks{trimmedTicks{}}
		}
	}
	return &panelFigure{title: "DPR against SFT during training", panels: panels, legend: legend}, nil
}

// dprStepRange returns the smallest and largest DPR step in any run, over
// both the training and the evaluation steps. It widens a single step to
// one step either side so the x axis has a range.
func dprStepRange(runs []DPRCurve) (lo, hi int) {
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

func stepLine(steps []int, values []float64, style draw.LineStyle) (*plotter.Line, error) {
	xys := make(plotter.XYs, len(steps))
	for j := range steps {
		xys[j] = plotter.XY{X: float64(steps[j]), Y: values[j]}
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	line.LineStyle = style
	return line, nil
}

// sftBaselineThumbnail is the legend sample of the SFT exact-match lines:
// grey and dashed, since each line takes the colour of its seed.
type sftBaselineThumbnail struct{}

func (sftBaselineThumbnail) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	sty := draw.LineStyle{Color: mutedColor, Width: vg.Points(1.1), Dashes: baselineDashes}
	c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
}

func dprTrainingRows(runs []DPRCurve) [][]string {
	var rows [][]string
	for _, run := range runs {
		seed := strconv.FormatInt(run.Seed, 10)
		add := func(metric string, steps []int, values []float64) {
			for j := range values {
				rows = append(rows, []string{
					seed, metric, strconv.Itoa(steps[j]), formatFloat(values[j]),
				})
			}
		}
		add("reward", run.Steps, run.Reward)
		add("kl", run.Steps, run.KL)
		add("return", run.Steps, run.Return)
		add("exact_match", run.EvalSteps, run.ExactMatch)
		add("sft_exact_match", []int{0}, []float64{run.SFTExactMatch})
	}
	return rows
}
