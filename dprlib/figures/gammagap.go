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

// GammaGapSeries is the gap between the discounted IQ-Learn objective and
// the log-likelihood on one model, measured at several discounts γ.
//
// For a demonstration s_1, y_1, …, s_T, y_T with soft values V(s_t),
//
//	J_γ(Q) − Σ_t log π(y_t|s_t) = (1 − γ)·Σ_{t≥2} V(s_t),
//
// so the gap vanishes at γ = 1, where SFT is inverse soft-Q learning.
type GammaGapSeries struct {
	// Label names the model, for example "tree MDP" or "transformer". It
	// titles the series' panel and must be unique and not empty.
	Label string

	// Gamma are the discounts, strictly increasing, in (0, 1].
	Gamma []float64

	// Measured is J_γ − Σ_t log π(y_t|s_t) computed from the model at each
	// γ, in nats, summed over the demonstrations.
	Measured []float64

	// Formula is (1 − γ)·Σ_{t≥2} V(s_t) at each γ, in nats, summed over
	// the same demonstrations.
	Formula []float64
}

// gammaGapColumns is the most panels in one row of GammaGap. A third
// column would leave too little width for the panel titles.
const gammaGapColumns = 2

// gammaGapHeader is the CSV header of GammaGap; difference is measured −
// formula. All values but gamma are in nats.
var gammaGapHeader = []string{"series", "gamma", "measured", "formula", "difference"}

// GammaGap draws, for each series, the measured gap J_γ − log-likelihood as
// open circles and the formula (1 − γ)·Σ_{t≥2} V(s_t) as a line, against γ.
//
// Each series gets its own panel with its own y axis, two panels to a row,
// because the gap scales with Σ V. A transformer's soft values are
// logsumexps over its whole vocabulary and can be orders of magnitude
// larger than those of a small tabular MDP, so a shared y axis would
// flatten the smaller series onto the x axis. Each panel's title gives the
// largest |measured − formula|.
//
// It writes NAME.svg, NAME.png and NAME.csv to dir, with the CSV columns
// series, gamma, measured, formula, difference, and returns the three
// paths.
func GammaGap(dir, name string, series []GammaGapSeries) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateGammaGap(series); err != nil {
		return nil, err
	}

	fig, err := gammaGapFigure(series)
	if err != nil {
		return nil, err
	}
	writeData := func(path string) error {
		return writeCSV(path, gammaGapHeader, gammaGapRows(series))
	}
	width, height := gammaGapSize(fig)
	return saveWithData(fig, dir, name, width, height, "csv", writeData)
}

// gammaGapSize is 3.4 inches per panel column plus the legend column, and
// 3.6 inches per panel row plus the title.
func gammaGapSize(fig *gridFigure) (vg.Length, vg.Length) {
	width := 2.6*vg.Inch + vg.Length(fig.columns())*3.4*vg.Inch
	height := 0.5*vg.Inch + vg.Length(len(fig.panels))*3.6*vg.Inch
	return width, height
}

func validateGammaGap(series []GammaGapSeries) error {
	if len(series) == 0 {
		return fmt.Errorf("figures: GammaGap: no series; pass at least one GammaGapSeries")
	}
	seen := map[string]bool{}
	for i, s := range series {
		where := fmt.Sprintf("figures: GammaGap: series %d (%q)", i, s.Label)
		label := strings.TrimSpace(s.Label)
		if label == "" {
			return fmt.Errorf("%s: Label is empty; name the model, such as \"tree MDP\"", where)
		}
		if seen[label] {
			return fmt.Errorf("%s: Label is repeated; give each series its own label", where)
		}
		seen[label] = true

		if len(s.Gamma) == 0 {
			return fmt.Errorf("%s: Gamma is empty; pass at least one discount", where)
		}
		for j, g := range s.Gamma {
			if math.IsNaN(g) || g <= 0 || g > 1 {
				return fmt.Errorf("%s: Gamma[%d] = %v is invalid; a discount lies in (0, 1]",
					where, j, g)
			}
			if j > 0 && g <= s.Gamma[j-1] {
				return fmt.Errorf("%s: Gamma[%d] = %v does not follow Gamma[%d] = %v; "+
					"sort the discounts in strictly increasing order",
					where, j, g, j-1, s.Gamma[j-1])
			}
		}
		for _, f := range []struct {
			field  string
			values []float64
		}{{"Measured", s.Measured}, {"Formula", s.Formula}} {
			if len(f.values) != len(s.Gamma) {
				return fmt.Errorf("%s: %s has %d values but Gamma has %d; "+
					"pass one value per discount", where, f.field, len(f.values), len(s.Gamma))
			}
			if err := checkFinite(where, f.field, f.values); err != nil {
				return err
			}
		}
	}
	return nil
}

func gammaGapFigure(series []GammaGapSeries) (*gridFigure, error) {
	lineStyle := seriesStyle(0)
	dotStyle := draw.GlyphStyle{
		Color: seriesColors[1], Radius: vg.Points(3.4), Shape: ringGlyph{width: vg.Points(1.3)},
	}

	var panels []*plot.Plot
	for i, s := range series {
		yLabel := ""
		if i%gammaGapColumns == 0 {
			yLabel = "J_γ − log-likelihood (nats)"
		}
		p := newPlot(gammaGapTitle(s), "discount γ", yLabel)
		formula := make(plotter.XYs, len(s.Gamma))
		measured := make(plotter.XYs, len(s.Gamma))
		for j, g := range s.Gamma {
			formula[j] = plotter.XY{X: g, Y: s.Formula[j]}
			measured[j] = plotter.XY{X: g, Y: s.Measured[j]}
		}
		line, err := plotter.NewLine(formula)
		if err != nil {
			return nil, fmt.Errorf("figures: GammaGap: series %q: %w", s.Label, err)
		}
		line.LineStyle = lineStyle
		dots, err := plotter.NewScatter(measured)
		if err != nil {
			return nil, fmt.Errorf("figures: GammaGap: series %q: %w", s.Label, err)
		}
		dots.GlyphStyle = dotStyle
		p.Add(line, dots)
		padFlatRange(&p.Y)
		// The x axis always reaches γ = 1, where the gap vanishes.
		p.X.Max = 1
		if s.Gamma[0] == 1 {
			p.X.Min = 0.9
		}
		panels = append(panels, p)
	}

	legend := newLegend()
	legend.Add("measured J_γ − Σ_t log π(y_t|s_t)", glyphThumbnail{dotStyle})
	legend.Add("formula (1 − γ)·Σ_{t≥2} V(s_t)", lineThumbnail{lineStyle})
	return newGridFigure("Gap between the discounted IQ-Learn objective and SFT",
		panels, gammaGapColumns, legend), nil
}

// gammaGapTitle is the panel title of s: its label and, on a second line,
// the largest |measured − formula|.
func gammaGapTitle(s GammaGapSeries) string {
	worst := 0.0
	for j := range s.Gamma {
		worst = math.Max(worst, math.Abs(s.Measured[j]-s.Formula[j]))
	}
	return fmt.Sprintf("%s\nmax |measured − formula| = %s nats",
		figureText(s.Label), formatError(worst))
}

// formatError prints an error magnitude with two significant digits, as
// "2.4e−5" in the style of the log-axis labels, or "0".
func formatError(v float64) string {
	s := strconv.FormatFloat(v, 'g', 2, 64)
	mantissa, exponent, found := strings.Cut(s, "e")
	if !found {
		return s
	}
	e, err := strconv.Atoi(exponent)
	if err != nil {
		return s // unreachable: FormatFloat writes a decimal exponent
	}
	return strings.Replace(mantissa+"e"+strconv.Itoa(e), "-", "−", -1)
}

// padFlatRange widens an axis whose data are all equal, which gonum/plot
// would otherwise draw with a zero-height range.
func padFlatRange(axis *plot.Axis) {
	if axis.Max > axis.Min {
		return
	}
	pad := math.Max(math.Abs(axis.Min)*0.1, 1e-3)
	axis.Min -= pad
	axis.Max += pad
}

// lineThumbnail is a legend sample that shows one line style.
type lineThumbnail struct{ style draw.LineStyle }

func (l lineThumbnail) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.style, c.Min.X, y, c.Max.X, y)
}

func gammaGapRows(series []GammaGapSeries) [][]string {
	var rows [][]string
	for _, s := range series {
		for j, g := range s.Gamma {
			rows = append(rows, []string{
				s.Label, formatFloat(g), formatFloat(s.Measured[j]),
				formatFloat(s.Formula[j]), formatFloat(s.Measured[j] - s.Formula[j]),
			})
		}
	}
	return rows
}
