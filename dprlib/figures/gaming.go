package figures

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// GamingRun is the training log of one DPR run for the reward-gaming
// monitor: the learned reward of the policy's samples against the share of
// them that the task's verifier accepts.
type GamingRun struct {
	// Label names the run, for example "γ = 0.99, seed 2". It titles the
	// run's panels and must be unique and not empty.
	Label string

	// Steps are the DPR steps at which Reward and Verifier were logged,
	// strictly increasing.
	Steps []int

	// Reward is the mean summed dense reward Σ_t r̂_t per sampled response
	// at each step, in nats.
	Reward []float64

	// Verifier is the share of sampled responses that the verifier
	// accepts at each step, from 0 to 1.
	Verifier []float64

	// Flagged marks the run as reward gaming, for example as decided by
	// stats.GamingFlag(Reward, Verifier, minSteps).
	Flagged bool

	// Window is the width, in logged points, of a centred moving average
	// drawn over the raw points. It must be odd and at most len(Steps).
	// 0 or 1 draws the raw series as a line without smoothing.
	Window int
}

// gamingColumns is the most runs side by side in RewardGaming.
const gamingColumns = 4

// gamingFlagText heads the title of a flagged run. Liberation Sans has no
// ⚠ (U+26A0), so the mark is a black up-pointing triangle.
const gamingFlagText = "▲ reward gaming"

var (
	gamingColor        = seriesColors[0] // blue
	gamingFlaggedColor = seriesColors[1] // vermillion
	// gamingFlaggedTint shades the data area of a flagged run's panels.
	gamingFlaggedTint = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0x14}
)

// gamingHeader is the CSV header of RewardGaming, one row per logged step.
// The smoothed columns equal the raw ones when the run's window is 0 or 1.
var gamingHeader = []string{
	"run", "flagged", "window", "step", "reward", "verifier", "reward_smoothed", "verifier_smoothed",
}

// gamingData is the JSON file of RewardGaming.
type gamingData struct {
	Runs []gamingRunData `json:"runs"`
}

type gamingRunData struct {
	Label            string    `json:"label"`
	Flagged          bool      `json:"flagged"`
	Window           int       `json:"window"`
	Steps            []int     `json:"steps"`
	Reward           []float64 `json:"reward"`
	Verifier         []float64 `json:"verifier"`
	RewardSmoothed   []float64 `json:"reward_smoothed"`
	VerifierSmoothed []float64 `json:"verifier_smoothed"`
}

// RewardGaming draws the reward-gaming monitor: for each run, the summed
// dense reward Σ r̂ per response in an upper panel and the verifier's
// acceptance share in the panel below it, over the same DPR steps. Runs
// sit side by side, up to four to a row, and further runs start a new pair
// of rows. Reward gaming reads as a rising upper curve over a falling
// lower one.
//
// A flagged run is drawn in vermillion on a tinted background, with "▲
// reward gaming" in its title; other runs are blue. With a Window above 1
// the raw logged points are light dots under the moving-average line.
//
// It writes NAME.svg, NAME.png, NAME.csv and NAME.json to dir and returns
// the four paths in that order. The CSV has the columns of gamingHeader.
// The JSON object has a list runs, each with label, flagged, window, steps,
// reward, verifier, reward_smoothed and verifier_smoothed.
func RewardGaming(dir, name string, runs []GamingRun) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateGamingRuns(runs); err != nil {
		return nil, err
	}

	data := gamingRecords(runs)
	fig, err := gamingFigure(data)
	if err != nil {
		return nil, err
	}
	width, height := gamingSize(fig.grid)
	return saveWithCSVAndJSON(fig, dir, name, width, height, gamingHeader, gamingRows(data), data)
}

// gamingColumnWidth is the width of one column of RewardGaming.
const gamingColumnWidth = 2.9 * vg.Inch

// gamingSize is 2.3 inches for the legend plus gamingColumnWidth per
// column, and 0.8 inch for the title and note plus 2.1 inches per panel
// row.
func gamingSize(grid *gridFigure) (vg.Length, vg.Length) {
	width := 2.3*vg.Inch + vg.Length(grid.columns())*gamingColumnWidth
	height := 0.8*vg.Inch + vg.Length(len(grid.panels))*2.1*vg.Inch
	return width, height
}

func validateGamingRuns(runs []GamingRun) error {
	if len(runs) == 0 {
		return fmt.Errorf("figures: RewardGaming: no runs; pass at least one GamingRun")
	}
	seen := map[string]bool{}
	for i, run := range runs {
		where := fmt.Sprintf("figures: RewardGaming: run %d (%q)", i, run.Label)
		label := strings.TrimSpace(run.Label)
		if label == "" {
			return fmt.Errorf("%s: Label is empty; name the run, such as \"γ = 0.99, seed 2\"",
				where)
		}
		if seen[label] {
			return fmt.Errorf("%s: Label is repeated; give each run its own label", where)
		}
		seen[label] = true

		if err := checkSteps(where, "Steps", run.Steps); err != nil {
			return err
		}
		for _, s := range []struct {
			field  string
			values []float64
		}{{"Reward", run.Reward}, {"Verifier", run.Verifier}} {
			if len(s.values) != len(run.Steps) {
				return fmt.Errorf("%s: %s has %d values but Steps has %d; "+
					"pass one value per step", where, s.field, len(s.values), len(run.Steps))
			}
			if err := checkFinite(where, s.field, s.values); err != nil {
				return err
			}
		}
		for j, v := range run.Verifier {
			if v < 0 || v > 1 {
				return fmt.Errorf("%s: Verifier[%d] = %v is invalid; pass the share of "+
					"accepted samples from 0 to 1 (divide a percentage by 100)", where, j, v)
			}
		}

		switch {
		case run.Window < 0:
			return fmt.Errorf("%s: Window = %d is invalid; pass 0 for no smoothing or "+
				"an odd width such as 5", where, run.Window)
		case run.Window > 1 && run.Window%2 == 0:
			return fmt.Errorf("%s: Window = %d is even; pass an odd width such as %d "+
				"so that the average is centred on its step", where, run.Window, run.Window+1)
		case run.Window > len(run.Steps):
			return fmt.Errorf("%s: Window = %d is wider than the %d logged steps; "+
				"pass a smaller odd width or 0", where, run.Window, len(run.Steps))
		}
	}
	return nil
}

// movingAverage returns the centred moving average of xs over window
// points, window odd. Near the ends the window shrinks to the points that
// exist, so the first value averages xs[0 .. window/2].
func movingAverage(xs []float64, window int) []float64 {
	half := window / 2
	out := make([]float64, len(xs))
	for i := range xs {
		lo, hi := max(0, i-half), min(len(xs)-1, i+half)
		sum := 0.0
		for _, x := range xs[lo : hi+1] {
			sum += x
		}
		out[i] = sum / float64(hi-lo+1)
	}
	return out
}

func gamingRecords(runs []GamingRun) gamingData {
	data := gamingData{Runs: make([]gamingRunData, len(runs))}
	for i, run := range runs {
		window := max(run.Window, 1)
		data.Runs[i] = gamingRunData{
			Label:            run.Label,
			Flagged:          run.Flagged,
			Window:           window,
			Steps:            run.Steps,
			Reward:           run.Reward,
			Verifier:         run.Verifier,
			RewardSmoothed:   movingAverage(run.Reward, window),
			VerifierSmoothed: movingAverage(run.Verifier, window),
		}
	}
	return data
}

func gamingRows(data gamingData) [][]string {
	var rows [][]string
	for _, run := range data.Runs {
		for j, step := range run.Steps {
			rows = append(rows, []string{
				run.Label, strconv.FormatBool(run.Flagged), strconv.Itoa(run.Window),
				strconv.Itoa(step), formatFloat(run.Reward[j]), formatFloat(run.Verifier[j]),
				formatFloat(run.RewardSmoothed[j]), formatFloat(run.VerifierSmoothed[j]),
			})
		}
	}
	return rows
}

// gamingFigure lays the runs out in groups of up to gamingColumns: a row of
// reward panels over a row of verifier panels for each group.
func gamingFigure(data gamingData) (*notedGrid, error) {
	cols := min(len(data.Runs), gamingColumns)
	var rows [][]*plot.Plot
	smoothed, flagged := false, 0
	for start := 0; start < len(data.Runs); start += cols {
		rewardRow := make([]*plot.Plot, cols)
		verifierRow := make([]*plot.Plot, cols)
		for c := range cols {
			if start+c >= len(data.Runs) {
				break
			}
			run := data.Runs[start+c]
			reward, verifier, err := gamingPanels(run, c == 0)
			if err != nil {
				return nil, fmt.Errorf("figures: RewardGaming: run %q: %w", run.Label, err)
			}
			rewardRow[c], verifierRow[c] = reward, verifier
			smoothed = smoothed || run.Window > 1
			if run.Flagged {
				flagged++
			}
		}
		rows = append(rows, rewardRow, verifierRow)
	}

	legend := newLegend()
	legend.Add("not flagged", lineThumbnail{gamingLineStyle(false)})
	legend.Add(gamingFlagText, lineThumbnail{gamingLineStyle(true)})
	if smoothed {
		dot := gamingDotStyle(false)
		dot.Color = color.NRGBA{R: 0x60, G: 0x60, B: 0x60, A: 0x80}
		legend.Add("logged value", glyphThumbnail{dot})
		legend.Add("centred moving average",
			lineThumbnail{draw.LineStyle{Color: mutedColor, Width: vg.Points(1.6)}})
	}

	note := fmt.Sprintf("%d of %d runs flagged. Upper panels: Σ r̂ per response; "+
		"lower panels: share of samples the verifier accepts.", flagged, len(data.Runs))
	return &notedGrid{
		title: "Reward gaming: learned reward against the verifier",
		note:  figureText(note),
		grid:  &gridFigure{panels: rows, legend: legend},
	}, nil
}

func gamingLineStyle(flagged bool) draw.LineStyle {
	sty := draw.LineStyle{Color: gamingColor, Width: vg.Points(1.6)}
	if flagged {
		sty.Color = gamingFlaggedColor
	}
	return sty
}

// gamingDotStyle is the marker of a raw logged value under a moving
// average: a small dot in a light tint of the run's colour.
func gamingDotStyle(flagged bool) draw.GlyphStyle {
	c := gamingLineStyle(flagged).Color
	r, g, b, _ := c.RGBA()
	light := color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x55}
	return draw.GlyphStyle{Color: light, Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
}

// gamingPanels returns the reward panel and the verifier panel of run.
// Only the first column labels the y axes.
func gamingPanels(run gamingRunData, firstColumn bool) (reward, verifier *plot.Plot, err error) {
	rewardLabel, verifierLabel := "", ""
	if firstColumn {
		rewardLabel, verifierLabel = "Σ r̂ (nats)", "verifier acceptance"
	}
	status := "not flagged"
	if run.Flagged {
		status = gamingFlagText
	}
	title := wrapTitle(run.Label, gamingColumnWidth-0.3*vg.Inch) + "\n" + status
	reward = newPlot(title, "", figureText(rewardLabel))
	verifier = newPlot("", "DPR step", verifierLabel)
	if run.Flagged {
		reward.Title.TextStyle.Color = gamingFlaggedColor
	}

	series := []struct {
		p             *plot.Plot
		raw, smoothed []float64
	}{
		{reward, run.Reward, run.RewardSmoothed},
		{verifier, run.Verifier, run.VerifierSmoothed},
	}
	for _, s := range series {
		if run.Flagged {
			s.p.Add(dataAreaTint{gamingFlaggedTint})
		}
		if err := addGamingSeries(s.p, run, s.raw, s.smoothed); err != nil {
			return nil, nil, err
		}
	}

	lo, hi := run.Steps[0], run.Steps[len(run.Steps)-1]
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	for _, p := range []*plot.Plot{reward, verifier} {
		p.X.Min, p.X.Max = float64(lo), float64(hi)
	}
	reward.X.Tick.Marker = unlabelledTicks{trimmedTicks{}}
	padRange(&reward.Y, run.Reward)
	padRange(&verifier.Y, run.Verifier)
	setVerifierRange(&verifier.Y)
	return reward, verifier, nil
}

// addGamingSeries draws the raw values as a line, or, with a window above
// 1, as light dots under the smoothed line.
func addGamingSeries(p *plot.Plot, run gamingRunData, raw, smoothed []float64) error {
	line := gamingLineStyle(run.Flagged)
	if run.Window > 1 {
		dots, err := plotter.NewScatter(stepXYs(run.Steps, raw))
		if err != nil {
			return err
		}
		dots.GlyphStyle = gamingDotStyle(run.Flagged)
		p.Add(dots)
	}
	l, err := plotter.NewLine(stepXYs(run.Steps, smoothed))
	if err != nil {
		return err
	}
	l.LineStyle = line
	p.Add(l)
	if len(run.Steps) == 1 {
		// A line through one point draws nothing, so mark it.
		dot, err := plotter.NewScatter(stepXYs(run.Steps, raw))
		if err != nil {
			return err
		}
		dot.GlyphStyle = draw.GlyphStyle{
			Color: line.Color, Radius: vg.Points(3), Shape: draw.CircleGlyph{},
		}
		p.Add(dot)
	}
	return nil
}

func stepXYs(steps []int, values []float64) plotter.XYs {
	xys := make(plotter.XYs, len(steps))
	for j := range steps {
		xys[j] = plotter.XY{X: float64(steps[j]), Y: values[j]}
	}
	return xys
}

// padRange sets axis to the range of values widened by 6 % on each side,
// or by padFlatRange's margin when all values are equal.
func padRange(axis *plot.Axis, values []float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	pad := 0.06 * (hi - lo)
	axis.Min, axis.Max = lo-pad, hi+pad
	padFlatRange(axis)
}

// setVerifierRange keeps a verifier axis within [0, 1] and at least 0.1
// tall, so that sampling noise of a few samples does not fill the panel
// and look like a collapse.
func setVerifierRange(axis *plot.Axis) {
	const minSpan = 0.1
	if span := axis.Max - axis.Min; span < minSpan {
		mid := (axis.Max + axis.Min) / 2
		axis.Min, axis.Max = mid-minSpan/2, mid+minSpan/2
	}
	if axis.Min < 0 {
		axis.Max = math.Min(1, axis.Max-axis.Min)
		axis.Min = 0
	}
	if axis.Max > 1 {
		axis.Min = math.Max(0, axis.Min-(axis.Max-1))
		axis.Max = 1
	}
}

// dataAreaTint fills the data area of a plot with a translucent colour.
type dataAreaTint struct{ color color.Color }

// Plot implements plot.Plotter.
func (t dataAreaTint) Plot(c draw.Canvas, _ *plot.Plot) {
	c.SetColor(t.color)
	c.Fill(c.Rectangle.Path())
}
