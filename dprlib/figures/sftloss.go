package figures

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LossCurve is the SFT training loss of one seed.
type LossCurve struct {
	// Seed identifies the run. Seeds must differ between the curves of
	// one figure.
	Seed int64

	// Steps are the optimizer steps at which Loss was logged, strictly
	// increasing.
	Steps []int

	// Loss is the mean prompt-masked negative log-likelihood per response
	// token, in nats, at each step: finite and non-negative.
	Loss []float64

	// Checkpoints are the checkpoints saved during the run. Each is marked
	// on the curve.
	Checkpoints []Checkpoint
}

// Checkpoint is a policy snapshot saved during SFT.
type Checkpoint struct {
	// Step is the optimizer step of the snapshot. It lies within the
	// logged steps of its curve, Steps[0] ≤ Step ≤ Steps[len(Steps)-1].
	Step int

	// Fraction is the fraction of the SFT run completed at Step, in [0, 1].
	// It labels the marker.
	Fraction float64
}

// sftLossHeader is the CSV header of SFTLoss. A "loss" row is one logged
// value. A "checkpoint" row is one marker: its loss is the curve linearly
// interpolated at the checkpoint's step, which is where the marker is drawn.
var sftLossHeader = []string{"seed", "kind", "step", "loss", "fraction"}

// SFTLoss plots the SFT training loss against the optimizer step, one line
// per seed, and marks each saved checkpoint with a dot labelled by its
// fraction of training (for example "0.25"). Checkpoints that several seeds
// share get one label, above the highest of their dots.
//
// The y axis is logarithmic when every loss is positive and the largest is
// at least ten times the smallest, so the late part of training stays
// readable; otherwise it is linear.
//
// It writes NAME.svg, NAME.png and NAME.csv to dir, with the CSV columns
// seed, kind, step, loss, fraction, and returns the three paths.
func SFTLoss(dir, name string, runs []LossCurve) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateLossCurves(runs); err != nil {
		return nil, err
	}

	fig, err := sftLossFigure(runs)
	if err != nil {
		return nil, err
	}
	writeData := func(path string) error {
		return writeCSV(path, sftLossHeader, sftLossRows(runs))
	}
	return saveWithData(fig, dir, name, 7*vg.Inch, 4.5*vg.Inch, "csv", writeData)
}

func validateLossCurves(runs []LossCurve) error {
	if len(runs) == 0 {
		return fmt.Errorf("figures: SFTLoss: no runs; pass at least one LossCurve")
	}
	seen := map[int64]bool{}
	for i, run := range runs {
		where := fmt.Sprintf("figures: SFTLoss: run %d (seed %d)", i, run.Seed)
		if seen[run.Seed] {
			return fmt.Errorf("%s: seed is repeated; give each curve its own seed", where)
		}
		seen[run.Seed] = true

		if err := checkSteps(where, "Steps", run.Steps); err != nil {
			return err
		}
		if len(run.Loss) != len(run.Steps) {
			return fmt.Errorf("%s: Loss has %d values but Steps has %d; "+
				"pass one loss per step", where, len(run.Loss), len(run.Steps))
		}
		for j, v := range run.Loss {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return fmt.Errorf("%s: Loss[%d] = %v at step %d is invalid; "+
					"a negative log-likelihood must be finite and non-negative",
					where, j, v, run.Steps[j])
			}
		}

		first, last := run.Steps[0], run.Steps[len(run.Steps)-1]
		for j, cp := range run.Checkpoints {
			if cp.Step < first || cp.Step > last {
				return fmt.Errorf("%s: Checkpoints[%d].Step = %d is outside the logged "+
					"steps %d..%d; log the loss around every checkpoint",
					where, j, cp.Step, first, last)
			}
			if math.IsNaN(cp.Fraction) || cp.Fraction < 0 || cp.Fraction > 1 {
				return fmt.Errorf("%s: Checkpoints[%d].Fraction = %v is invalid; "+
					"pass the fraction of training completed, in [0, 1]",
					where, j, cp.Fraction)
			}
		}
	}
	return nil
}

// checkSteps requires a non-empty, strictly increasing list of steps.
func checkSteps(where, field string, steps []int) error {
	if len(steps) == 0 {
		return fmt.Errorf("%s: %s is empty; pass at least one step", where, field)
	}
	for j := 1; j < len(steps); j++ {
		if steps[j] <= steps[j-1] {
			return fmt.Errorf("%s: %s[%d] = %d does not follow %s[%d] = %d; "+
				"steps must be strictly increasing", where, field, j, steps[j], field, j-1, steps[j-1])
		}
	}
	return nil
}

// interpolateLoss returns the loss of run at step by linear interpolation
// between the two logged steps around it. step must lie within the logged
// steps.
func interpolateLoss(run LossCurve, step int) float64 {
	i := sort.SearchInts(run.Steps, step)
	if run.Steps[i] == step {
		return run.Loss[i]
	}
	x0, x1 := float64(run.Steps[i-1]), float64(run.Steps[i])
	y0, y1 := run.Loss[i-1], run.Loss[i]
	return y0 + (y1-y0)*(float64(step)-x0)/(x1-x0)
}

func sftLossFigure(runs []LossCurve) (*panelFigure, error) {
	p := newPlot("", "SFT step (optimizer updates)", "NLL per response token (nats)")
	yOf := chooseYScale(p, runs)

	legend := newLegend()
	// A white disc under each checkpoint marker sets it off from the lines.
	haloStyle := draw.GlyphStyle{
		Color: color.White, Radius: vg.Points(4.4), Shape: draw.CircleGlyph{},
	}
	spots := map[int]*checkpointSpot{}

	for i, run := range runs {
		xys := make(plotter.XYs, len(run.Steps))
		for j := range run.Steps {
			xys[j] = plotter.XY{X: float64(run.Steps[j]), Y: yOf(run.Loss[j])}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("figures: SFTLoss: seed %d: %w", run.Seed, err)
		}
		line.LineStyle = seriesStyle(i)
		p.Add(line)
		legend.Add(seedLabel(run.Seed), line)

		if len(run.Checkpoints) == 0 {
			continue
		}
		marks := make(plotter.XYs, len(run.Checkpoints))
		for j, cp := range run.Checkpoints {
			y := yOf(interpolateLoss(run, cp.Step))
			marks[j] = plotter.XY{X: float64(cp.Step), Y: y}
			spot := spots[cp.Step]
			if spot == nil {
				spot = &checkpointSpot{y: y}
				spots[cp.Step] = spot
			}
			spot.y = math.Max(spot.y, y)
			if !slices.Contains(spot.fractions, cp.Fraction) {
				spot.fractions = append(spot.fractions, cp.Fraction)
			}
		}
		halo, err := plotter.NewScatter(marks)
		if err != nil {
			return nil, fmt.Errorf("figures: SFTLoss: seed %d: %w", run.Seed, err)
		}
		halo.GlyphStyle = haloStyle
		dots, err := plotter.NewScatter(marks)
		if err != nil {
			return nil, fmt.Errorf("figures: SFTLoss: seed %d: %w", run.Seed, err)
		}
		dots.GlyphStyle = draw.GlyphStyle{
			Color: line.LineStyle.Color, Radius: vg.Points(3.2), Shape: draw.CircleGlyph{},
		}
		p.Add(halo, dots)
	}

	if len(spots) > 0 {
		labels, err := checkpointLabels(spots)
		if err != nil {
			return nil, fmt.Errorf("figures: SFTLoss: %w", err)
		}
		p.Add(labels)
		legend.Add("checkpoint (fraction of run)", checkpointThumbnail{})
	}

	return &panelFigure{title: "SFT training loss", panels: []*plot.Plot{p}, legend: legend}, nil
}

// chooseYScale sets up the y axis of p and returns the map from a loss to
// its plotted y value. When the losses are all positive and span at least a
// factor of ten, the axis shows log10 of the loss, labelled in nats;
// otherwise it shows the loss itself.
func chooseYScale(p *plot.Plot, runs []LossCurve) func(float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, run := range runs {
		for _, v := range run.Loss {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo <= 0 || hi < 10*lo {
		return func(v float64) float64 { return v }
	}
	p.Y.Tick.Marker = log10Ticks{}
	p.Y.Label.Text = "NLL per response token (nats, log scale)"
	return math.Log10
}

// checkpointSpot is where the label of the checkpoints saved at one step
// goes: above the highest of their markers.
type checkpointSpot struct {
	y         float64
	fractions []float64
}

// checkpointLabels places one label per checkpoint step, ordered by step,
// up and to the right of the highest marker. A label joins the distinct
// fractions saved at that step with "/".
func checkpointLabels(spots map[int]*checkpointSpot) (*plotter.Labels, error) {
	steps := make([]int, 0, len(spots))
	for step := range spots {
		steps = append(steps, step)
	}
	slices.Sort(steps)

	var xyl plotter.XYLabels
	for _, step := range steps {
		spot := spots[step]
		texts := make([]string, len(spot.fractions))
		for i, f := range spot.fractions {
			texts[i] = strconv.FormatFloat(f, 'f', -1, 64)
		}
		xyl.XYs = append(xyl.XYs, plotter.XY{X: float64(step), Y: spot.y})
		xyl.Labels = append(xyl.Labels, strings.Join(texts, "/"))
	}

	labels, err := plotter.NewLabels(xyl)
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		sty := textStyle(noteSize+0.5, textColor)
		labels.TextStyle[i] = sty
	}
	// A loss curve falls from left to right, so the space up and to the
	// right of a marker is the one least likely to hold a line.
	labels.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(4)}
	return labels, nil
}

// checkpointThumbnail is the legend sample of a checkpoint marker: a grey
// dot, since the dots take the colour of their seed.
type checkpointThumbnail struct{}

func (checkpointThumbnail) Thumbnail(c *draw.Canvas) {
	sty := draw.GlyphStyle{Color: mutedColor, Radius: vg.Points(3.2), Shape: draw.CircleGlyph{}}
	c.DrawGlyph(sty, c.Center())
}

func sftLossRows(runs []LossCurve) [][]string {
	var rows [][]string
	for _, run := range runs {
		seed := strconv.FormatInt(run.Seed, 10)
		for j, step := range run.Steps {
			rows = append(rows, []string{
				seed, "loss", strconv.Itoa(step), formatFloat(run.Loss[j]), "",
			})
		}
		for _, cp := range run.Checkpoints {
			rows = append(rows, []string{
				seed, "checkpoint", strconv.Itoa(cp.Step),
				formatFloat(interpolateLoss(run, cp.Step)), formatFloat(cp.Fraction),
			})
		}
	}
	return rows
}
