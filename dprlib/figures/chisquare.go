package figures

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ChiSquareCurve measures how the χ²-regularised IQ-Learn objective, with
// φ(x) = x − x²/(4α), approaches SFT, whose objective has the linear
// φ(x) = x, as α grows.
type ChiSquareCurve struct {
	// Alpha are the regularisation strengths, positive and strictly
	// increasing.
	Alpha []float64

	// ObjectiveGap is J_χ²(Q_SFT) − J_SFT(Q_SFT) at each α, in nats: the
	// two objectives evaluated at the SFT solution. With the φ above it is
	// −Σ_t r_t²/(4α) per demonstration, so it is usually negative. Its
	// absolute value is drawn, and must be finite and positive.
	ObjectiveGap []float64

	// PolicyDistance is the distance between the policy that maximises
	// the χ² objective and the SFT policy at each α, finite and positive.
	PolicyDistance []float64

	// Metric names the distance in PolicyDistance, for example "total
	// variation". When empty, the axis reads "distance".
	Metric string
}

// chiSquareHeader is the CSV header of ChiSquare; objective_gap keeps its
// sign and abs_objective_gap is the plotted value.
var chiSquareHeader = []string{
	"alpha", "objective_gap", "abs_objective_gap", "policy_distance", "metric",
}

// ChiSquare draws two panels side by side against α on a log x axis, both
// with a log y axis: |J_χ² − J_SFT| at the SFT solution, and the distance
// between the χ² maximiser and the SFT policy. Each panel title gives the
// least-squares log–log slope of its curve when there are at least two
// points (−1 when the quantity falls as 1/α).
//
// It writes NAME.svg, NAME.png and NAME.csv to dir, with the CSV columns
// alpha, objective_gap, abs_objective_gap, policy_distance, metric, and
// returns the three paths.
func ChiSquare(dir, name string, c ChiSquareCurve) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateChiSquare(c); err != nil {
		return nil, err
	}

	fig, err := chiSquareFigure(c)
	if err != nil {
		return nil, err
	}
	writeData := func(path string) error {
		return writeCSV(path, chiSquareHeader, chiSquareRows(c))
	}
	return saveWithData(fig, dir, name, 8*vg.Inch, 4*vg.Inch, "csv", writeData)
}

func validateChiSquare(c ChiSquareCurve) error {
	const where = "figures: ChiSquare"
	if len(c.Alpha) == 0 {
		return fmt.Errorf("%s: Alpha is empty; pass at least one regularisation strength", where)
	}
	if err := checkPositive(where, "Alpha", c.Alpha); err != nil {
		return err
	}
	for j := 1; j < len(c.Alpha); j++ {
		if c.Alpha[j] <= c.Alpha[j-1] {
			return fmt.Errorf("%s: Alpha[%d] = %v does not follow Alpha[%d] = %v; "+
				"sort α in strictly increasing order", where, j, c.Alpha[j], j-1, c.Alpha[j-1])
		}
	}
	for _, f := range []struct {
		field  string
		values []float64
	}{{"ObjectiveGap", c.ObjectiveGap}, {"PolicyDistance", c.PolicyDistance}} {
		if len(f.values) != len(c.Alpha) {
			return fmt.Errorf("%s: %s has %d values but Alpha has %d; pass one value per α",
				where, f.field, len(f.values), len(c.Alpha))
		}
	}
	for j, g := range c.ObjectiveGap {
		if math.IsNaN(g) || math.IsInf(g, 0) || g == 0 {
			return fmt.Errorf("%s: ObjectiveGap[%d] = %v is invalid; its absolute value is "+
				"drawn on a log axis, so it must be finite and non-zero (drop the point)",
				where, j, g)
		}
	}
	return checkPositive(where, "PolicyDistance", c.PolicyDistance)
}

func chiSquareMetric(c ChiSquareCurve) string {
	if s := strings.TrimSpace(c.Metric); s != "" {
		return s
	}
	return "distance"
}

func chiSquareFigure(c ChiSquareCurve) (*gridFigure, error) {
	gaps := make([]float64, len(c.ObjectiveGap))
	for j, g := range c.ObjectiveGap {
		gaps[j] = math.Abs(g)
	}
	distanceLabel := figureText(chiSquareMetric(c)) + " (π_χ², π_SFT)"
	panels := []struct {
		title, yLabel string
		values        []float64
	}{
		{"Objective gap at the SFT solution", "|J_χ²(Q_SFT) − J_SFT(Q_SFT)| (nats)", gaps},
		{"χ² maximiser against the SFT policy", distanceLabel, c.PolicyDistance},
	}

	var plots []*plot.Plot
	for i, panel := range panels {
		title := panel.title
		if slope, ok := logLogSlope(c.Alpha, panel.values); ok {
			title += "\nlog–log slope " + formatSlope(slope)
		}
		p := newPlot(title, "α (log scale)", panel.yLabel)
		line, dots, err := logLogLine(c.Alpha, panel.values, seriesStyle(i), draw.CircleGlyph{})
		if err != nil {
			return nil, fmt.Errorf("figures: ChiSquare: %w", err)
		}
		p.Add(line, dots)

		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range panel.values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		setLogAxis(&p.X, c.Alpha[0], c.Alpha[len(c.Alpha)-1])
		setLogAxis(&p.Y, lo, hi)
		plots = append(plots, p)
	}
	return newGridFigure("χ²-regularised IQ-Learn against SFT", plots, 2, plot.Legend{}), nil
}

func chiSquareRows(c ChiSquareCurve) [][]string {
	rows := make([][]string, len(c.Alpha))
	metric := chiSquareMetric(c)
	for j, a := range c.Alpha {
		gap := c.ObjectiveGap[j]
		rows[j] = []string{
			formatFloat(a), formatFloat(gap), formatFloat(math.Abs(gap)),
			formatFloat(c.PolicyDistance[j]), metric,
		}
	}
	return rows
}
