package figures

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ConvergenceRun is the distance of one DPR run's policy to π*, the
// closed-form maximiser of the KL-regularised objective
// E_π[Σ_t r̂_t] − β·KL(π‖π_SFT), logged over training. With the dense reward
// r̂_t = log π_SFT(y_t|s_t) − log π_ref(y_t|s_t), π*(y|x) ∝
// π_SFT(y|x)^(1+1/β)·π_ref(y|x)^(−1/β).
type ConvergenceRun struct {
	// Label names the run, for example "seed 1" or "β = 0.1". It must be
	// unique and not empty.
	Label string

	// Metric names the distance, for example "total variation" or
	// "KL(π_θ ‖ π*)". It labels the y axis, so every run of one figure
	// must use the same metric.
	Metric string

	// Steps are the DPR steps at which Distance was logged, strictly
	// increasing.
	Steps []int

	// Distance is the distance of the policy to the optimum at each step,
	// finite and positive because the y axis is logarithmic.
	Distance []float64

	// Reference is a distance drawn as a dashed horizontal line, such as
	// that of π_SFT itself, or 0 for none. When set it must be finite and
	// positive.
	Reference float64

	// ReferenceLabel is the legend text of the reference line. It
	// defaults to "π_SFT", and runs that set a Reference must agree on it.
	ReferenceLabel string
}

// defaultReferenceLabel is the legend text of a reference line whose run
// leaves ReferenceLabel empty.
const defaultReferenceLabel = "π_SFT"

// convergenceHeader is the CSV header of Convergence. kind is distance
// (one row per logged step) or reference (one row per run that sets a
// Reference, with an empty step and the reference label in label).
var convergenceHeader = []string{"run", "metric", "kind", "step", "value", "label"}

// Convergence draws each run's distance to the closed-form optimum against
// the DPR step on a log y axis, one line per run. Reference lines are
// dashed: a single grey line when every run that sets one gives the same
// value, otherwise one line per run in the run's colour.
//
// It writes NAME.svg, NAME.png and NAME.csv to dir, with the CSV columns
// run, metric, kind, step, value, label, and returns the three paths.
func Convergence(dir, name string, runs []ConvergenceRun) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateConvergence(runs); err != nil {
		return nil, err
	}

	fig, err := convergenceFigure(runs)
	if err != nil {
		return nil, err
	}
	writeData := func(path string) error {
		return writeCSV(path, convergenceHeader, convergenceRows(runs))
	}
	return saveWithData(fig, dir, name, 7.5*vg.Inch, 4.5*vg.Inch, "csv", writeData)
}

func validateConvergence(runs []ConvergenceRun) error {
	if len(runs) == 0 {
		return fmt.Errorf("figures: Convergence: no runs; pass at least one ConvergenceRun")
	}
	seen := map[string]bool{}
	referenceLabel := ""
	for i, run := range runs {
		where := fmt.Sprintf("figures: Convergence: run %d (%q)", i, run.Label)
		label := strings.TrimSpace(run.Label)
		if label == "" {
			return fmt.Errorf("%s: Label is empty; name the run, such as \"seed 1\"", where)
		}
		if seen[label] {
			return fmt.Errorf("%s: Label is repeated; give each run its own label", where)
		}
		seen[label] = true

		if strings.TrimSpace(run.Metric) == "" {
			return fmt.Errorf("%s: Metric is empty; name the distance, "+
				"such as \"total variation\"", where)
		}
		if run.Metric != runs[0].Metric {
			return fmt.Errorf("%s: Metric %q differs from %q of run 0; "+
				"plot one distance per figure", where, run.Metric, runs[0].Metric)
		}

		if err := checkSteps(where, "Steps", run.Steps); err != nil {
			return err
		}
		if len(run.Distance) != len(run.Steps) {
			return fmt.Errorf("%s: Distance has %d values but Steps has %d; "+
				"pass one distance per step", where, len(run.Distance), len(run.Steps))
		}
		if err := checkPositive(where, "Distance", run.Distance); err != nil {
			return err
		}

		if run.Reference == 0 {
			continue
		}
		if math.IsNaN(run.Reference) || math.IsInf(run.Reference, 0) || run.Reference < 0 {
			return fmt.Errorf("%s: Reference = %v is invalid; pass a finite positive "+
				"distance, or 0 for no reference line", where, run.Reference)
		}
		if referenceLabel == "" {
			referenceLabel = referenceText(run)
		} else if referenceText(run) != referenceLabel {
			return fmt.Errorf("%s: ReferenceLabel %q differs from %q of an earlier run; "+
				"give every reference the same label", where, referenceText(run), referenceLabel)
		}
	}
	return nil
}

func referenceText(run ConvergenceRun) string {
	if s := strings.TrimSpace(run.ReferenceLabel); s != "" {
		return s
	}
	return defaultReferenceLabel
}

func convergenceFigure(runs []ConvergenceRun) (*panelFigure, error) {
	p := newPlot("", "DPR step", figureText(runs[0].Metric)+" to π* (log scale)")
	legend := newLegend()

	lo, hi := math.Inf(1), math.Inf(-1)
	xMin, xMax := math.MaxInt, math.MinInt
	for _, run := range runs {
		xMin, xMax = min(xMin, run.Steps[0]), max(xMax, run.Steps[len(run.Steps)-1])
		for _, d := range run.Distance {
			lo, hi = math.Min(lo, d), math.Max(hi, d)
		}
		if run.Reference > 0 {
			lo, hi = math.Min(lo, run.Reference), math.Max(hi, run.Reference)
		}
	}
	if xMin == xMax {
		xMin, xMax = xMin-1, xMax+1
	}

	for i, run := range runs {
		logDistance := make([]float64, len(run.Distance))
		for j, d := range run.Distance {
			logDistance[j] = math.Log10(d)
		}
		line, err := stepLine(run.Steps, logDistance, seriesStyle(i))
		if err != nil {
			return nil, fmt.Errorf("figures: Convergence: run %q: %w", run.Label, err)
		}
		p.Add(line)
		legend.Add(figureText(run.Label), line)
		if len(run.Steps) == 1 {
			// A line through one point draws nothing, so mark it.
			dot, err := plotter.NewScatter(line.XYs)
			if err != nil {
				return nil, fmt.Errorf("figures: Convergence: run %q: %w", run.Label, err)
			}
			dot.GlyphStyle = draw.GlyphStyle{
				Color: line.LineStyle.Color, Radius: vg.Points(3), Shape: draw.CircleGlyph{},
			}
			p.Add(dot)
		}
	}

	if err := addReferenceLines(p, &legend, runs, xMin, xMax); err != nil {
		return nil, err
	}

	p.X.Min, p.X.Max = float64(xMin), float64(xMax)
	setLogAxis(&p.Y, lo, hi)
	return &panelFigure{
		title:  "Convergence of DPR to the KL-regularised optimum",
		panels: []*plot.Plot{p},
		legend: legend,
	}, nil
}

// addReferenceLines draws the dashed reference lines from step xMin to
// xMax and adds their legend entry.
func addReferenceLines(p *plot.Plot, legend *plot.Legend, runs []ConvergenceRun,
	xMin, xMax int) error {
	add := func(value float64, style draw.LineStyle) error {
		style.Dashes = baselineDashes
		style.Width = vg.Points(1.2)
		y := math.Log10(value)
		line, err := stepLine([]int{xMin, xMax}, []float64{y, y}, style)
		if err != nil {
			return fmt.Errorf("figures: Convergence: reference %v: %w", value, err)
		}
		p.Add(line)
		return nil
	}

	label := ""
	if shared, ok := sharedReference(runs); ok {
		if err := add(shared, draw.LineStyle{Color: mutedColor}); err != nil {
			return err
		}
		for _, run := range runs {
			if run.Reference != 0 {
				label = referenceText(run)
				break
			}
		}
	} else {
		for i, run := range runs {
			if run.Reference == 0 {
				continue
			}
			if err := add(run.Reference, seriesStyle(i)); err != nil {
				return err
			}
			label = referenceText(run)
		}
	}
	if label != "" {
		legend.Add(figureText(label), sftBaselineThumbnail{})
	}
	return nil
}

// sharedReference returns the reference distance when every run that sets
// one gives the same value, and false when the runs differ or none sets one.
func sharedReference(runs []ConvergenceRun) (float64, bool) {
	shared := 0.0
	for _, run := range runs {
		if run.Reference == 0 {
			continue
		}
		if shared != 0 && run.Reference != shared {
			return 0, false
		}
		shared = run.Reference
	}
	return shared, shared != 0
}

func convergenceRows(runs []ConvergenceRun) [][]string {
	var rows [][]string
	for _, run := range runs {
		for j, step := range run.Steps {
			rows = append(rows, []string{
				run.Label, run.Metric, "distance", strconv.Itoa(step),
				formatFloat(run.Distance[j]), "",
			})
		}
		if run.Reference != 0 {
			rows = append(rows, []string{
				run.Label, run.Metric, "reference", "",
				formatFloat(run.Reference), referenceText(run),
			})
		}
	}
	return rows
}
