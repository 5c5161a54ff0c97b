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

// RecoveryPoint is the error of the reward recovered from a policy
// fine-tuned on a given number of demonstrations, against the true reward.
type RecoveryPoint struct {
	// Demonstrations is the number of SFT demonstrations, positive.
	// Points must be in strictly increasing order of it.
	Demonstrations int

	// Shaped is the error, in nats, after removing the potential-based
	// shaping γ·Φ(s') − Φ(s) that best fits the difference. Rewards that
	// differ by such a shaping give the same optimal policies, so this is
	// the part of the error that matters. Finite and positive.
	Shaped float64

	// Unshaped is the error, in nats, of the recovered reward as it is.
	// Finite and positive.
	Unshaped float64
}

// rewardRecoveryHeader is the CSV header of RewardRecovery; errors in nats.
var rewardRecoveryHeader = []string{"demonstrations", "shaped", "unshaped"}

// RewardRecovery draws the reward error against the number of SFT
// demonstrations on log–log axes: one line with dots for the error after
// removing the best potential-based shaping, and one with squares for the
// error without. Each legend entry gives the least-squares log–log slope of
// its line when there are at least two points (−0.5 is the 1/√N rate of a
// sample mean).
//
// It writes NAME.svg, NAME.png and NAME.csv to dir, with the CSV columns
// demonstrations, shaped, unshaped, and returns the three paths.
func RewardRecovery(dir, name string, points []RecoveryPoint) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateRecovery(points); err != nil {
		return nil, err
	}

	fig, err := rewardRecoveryFigure(points)
	if err != nil {
		return nil, err
	}
	writeData := func(path string) error {
		return writeCSV(path, rewardRecoveryHeader, rewardRecoveryRows(points))
	}
	return saveWithData(fig, dir, name, 8*vg.Inch, 4.5*vg.Inch, "csv", writeData)
}

func validateRecovery(points []RecoveryPoint) error {
	if len(points) == 0 {
		return fmt.Errorf("figures: RewardRecovery: no points; pass at least one RecoveryPoint")
	}
	for i, pt := range points {
		where := fmt.Sprintf("figures: RewardRecovery: point %d (%d demonstrations)",
			i, pt.Demonstrations)
		if pt.Demonstrations <= 0 {
			return fmt.Errorf("%s: Demonstrations = %d is invalid; it is drawn on a log axis, "+
				"so pass a positive count", where, pt.Demonstrations)
		}
		if i > 0 && pt.Demonstrations <= points[i-1].Demonstrations {
			return fmt.Errorf("%s: Demonstrations does not follow %d of point %d; "+
				"sort the points in strictly increasing order of demonstrations",
				where, points[i-1].Demonstrations, i-1)
		}
		if err := checkPositive(where, "Shaped", []float64{pt.Shaped}); err != nil {
			return err
		}
		if err := checkPositive(where, "Unshaped", []float64{pt.Unshaped}); err != nil {
			return err
		}
	}
	return nil
}

func rewardRecoveryFigure(points []RecoveryPoint) (*panelFigure, error) {
	p := newPlot("", "SFT demonstrations (log scale)", "reward error (nats, log scale)")
	n := make([]float64, len(points))
	shaped := make([]float64, len(points))
	unshaped := make([]float64, len(points))
	for i, pt := range points {
		n[i] = float64(pt.Demonstrations)
		shaped[i], unshaped[i] = pt.Shaped, pt.Unshaped
	}

	legend := newLegend()
	curves := []struct {
		values []float64
		label  string
		shape  draw.GlyphDrawer
	}{
		{shaped, "best potential shaping removed", draw.CircleGlyph{}},
		{unshaped, "shaping kept", draw.BoxGlyph{}},
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, curve := range curves {
		line, dots, err := logLogLine(n, curve.values, seriesStyle(i), curve.shape)
		if err != nil {
			return nil, fmt.Errorf("figures: RewardRecovery: %w", err)
		}
		p.Add(line, dots)
		label := curve.label
		if slope, ok := logLogSlope(n, curve.values); ok {
			label += " (slope " + formatSlope(slope) + ")"
		}
		legend.Add(label, line, dots)
		for _, v := range curve.values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}

	setLogAxis(&p.X, n[0], n[len(n)-1])
	setLogAxis(&p.Y, lo, hi)
	return &panelFigure{
		title:  "Error of the reward recovered from SFT against the true reward",
		panels: []*plot.Plot{p},
		legend: legend,
	}, nil
}

// logLogLine returns a line and markers through (log10 x, log10 y) in
// style, with markers of the given shape in the line's colour.
func logLogLine(x, y []float64, style draw.LineStyle,
	shape draw.GlyphDrawer) (*plotter.Line, *plotter.Scatter, error) {
	xys := make(plotter.XYs, len(x))
	for i := range x {
		xys[i] = plotter.XY{X: math.Log10(x[i]), Y: math.Log10(y[i])}
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, nil, err
	}
	line.LineStyle = style
	dots, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, nil, err
	}
	dots.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: vg.Points(3), Shape: shape}
	return line, dots, nil
}

func rewardRecoveryRows(points []RecoveryPoint) [][]string {
	rows := make([][]string, len(points))
	for i, pt := range points {
		rows[i] = []string{
			strconv.Itoa(pt.Demonstrations), formatFloat(pt.Shaped), formatFloat(pt.Unshaped),
		}
	}
	return rows
}
