package figures

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Stability holds the observed-to-bound ratios of the two Lipschitz bounds
// of the inverse soft Bellman map, one ratio per random pair of logits
// Q1, Q2. A ratio of at most 1 respects its bound.
type Stability struct {
	// Reward are the ratios ‖r_Q1 − r_Q2‖∞ / ((1 + γ)·‖Q1 − Q2‖∞), with
	// r_Q(s, a) = Q(s, a) − γ·V_Q(s'). Each is finite and non-negative.
	Reward []float64

	// LogPolicy are the ratios ‖log π_Q1 − log π_Q2‖∞ / (2·‖Q1 − Q2‖∞),
	// with log π_Q(a|s) = Q(s, a) − V_Q(s). Each is finite and
	// non-negative.
	LogPolicy []float64
}

// stabilityBins is the number of histogram bins between 0 and the bound 1.
const stabilityBins = 20

// stabilityHeader is the CSV header of StabilityRatios: one row per bin,
// with quantity reward or log_policy. A bin holds the ratios in
// (bin_min, bin_max], and the first bin also holds 0.
var stabilityHeader = []string{"quantity", "bin_min", "bin_max", "count"}

// StabilityRatios draws two histograms side by side, of the reward ratios
// and of the log-policy ratios, each with 20 bins of width 0.05 between 0
// and 1 and a dark vertical line at 1 marked "bound". A ratio above 1
// breaks its bound. Such ratios fall in further bins of the same width,
// drawn in vermillion, and the panel title counts them. Each is also
// marked by a vermillion triangle on the x axis, so a single one stays
// visible.
//
// It writes NAME.svg, NAME.png and NAME.csv to dir, with the CSV columns
// quantity, bin_min, bin_max, count, and returns the three paths.
func StabilityRatios(dir, name string, s Stability) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateStability(s); err != nil {
		return nil, err
	}

	quantities := stabilityQuantities(s)
	fig, err := stabilityFigure(quantities)
	if err != nil {
		return nil, err
	}
	writeData := func(path string) error {
		return writeCSV(path, stabilityHeader, stabilityRows(quantities))
	}
	return saveWithData(fig, dir, name, 8*vg.Inch, 4*vg.Inch, "csv", writeData)
}

func validateStability(s Stability) error {
	for _, f := range []struct {
		field  string
		values []float64
	}{{"Reward", s.Reward}, {"LogPolicy", s.LogPolicy}} {
		where := "figures: StabilityRatios"
		if len(f.values) == 0 {
			return fmt.Errorf("%s: %s is empty; pass one ratio per random pair (Q1, Q2)",
				where, f.field)
		}
		for j, v := range f.values {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return fmt.Errorf("%s: %s[%d] = %v is invalid; a ratio of norms is finite "+
					"and non-negative (skip pairs with Q1 = Q2, whose ratio is 0/0)",
					where, f.field, j, v)
			}
		}
	}
	return nil
}

// stabilityQuantity is one histogram of StabilityRatios.
type stabilityQuantity struct {
	key    string // CSV name
	title  string
	xLabel string
	ratios []float64
	counts []int // counts[k] is the number of ratios in (k, k+1]/stabilityBins
}

func stabilityQuantities(s Stability) []stabilityQuantity {
	return []stabilityQuantity{
		{
			key: "reward", title: "Recovered reward",
			xLabel: "‖r_Q1 − r_Q2‖∞ / ((1 + γ)·‖Q1 − Q2‖∞)",
			ratios: s.Reward, counts: binRatios(s.Reward),
		},
		{
			key: "log_policy", title: "Log-policy",
			xLabel: "‖log π_Q1 − log π_Q2‖∞ / (2·‖Q1 − Q2‖∞)",
			ratios: s.LogPolicy, counts: binRatios(s.LogPolicy),
		},
	}
}

// binRatios counts ratios into bins of width 1/stabilityBins that are open
// on the left and closed on the right, so a ratio of exactly 1 lands in the
// last bin within the bound. There are at least stabilityBins bins, and
// more when a ratio exceeds 1.
func binRatios(ratios []float64) []int {
	counts := make([]int, stabilityBins)
	for _, v := range ratios {
		k := max(0, int(math.Ceil(v*stabilityBins))-1)
		for len(counts) <= k {
			counts = append(counts, 0)
		}
		counts[k]++
	}
	return counts
}

func binEdge(k int) float64 { return float64(k) / stabilityBins }

func stabilityFigure(quantities []stabilityQuantity) (*gridFigure, error) {
	within := seriesColors[0]
	var panels []*plot.Plot
	xMax := 1.1
	for _, q := range quantities {
		xMax = math.Max(xMax, binEdge(len(q.counts))+0.05)
	}

	for i, q := range quantities {
		yLabel := ""
		if i == 0 {
			yLabel = "random pairs (Q1, Q2)"
		}
		p := newPlot(stabilityTitle(q), q.xLabel, yLabel)
		inside := &plotter.Histogram{Width: 1.0 / stabilityBins, FillColor: within}
		outside := &plotter.Histogram{Width: 1.0 / stabilityBins, FillColor: failColor}
		peak := 0
		for k, c := range q.counts {
			bin := plotter.HistogramBin{Min: binEdge(k), Max: binEdge(k + 1), Weight: float64(c)}
			if k < stabilityBins {
				inside.Bins = append(inside.Bins, bin)
			} else {
				outside.Bins = append(outside.Bins, bin)
			}
			peak = max(peak, c)
		}
		for _, h := range []*plotter.Histogram{inside, outside} {
			h.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(0.6)}
			if len(h.Bins) > 0 {
				p.Add(h)
			}
		}
		marks := boundMarks{}
		for _, v := range q.ratios {
			if v > 1 {
				marks.above = append(marks.above, v)
			}
		}
		p.Add(marks)

		p.X.Min, p.X.Max = 0, xMax
		// The headroom keeps the "bound" label clear of the tallest bar.
		p.Y.Min, p.Y.Max = 0, float64(peak)*1.18
		p.Y.Tick.Marker = integerTicks{}
		panels = append(panels, p)
	}
	title := "Observed change against the stability bound"
	return newGridFigure(title, panels, 2, plot.Legend{}), nil
}

// stabilityTitle is the panel title of q: its name, then the number of
// pairs, the largest ratio and how many ratios exceed the bound.
func stabilityTitle(q stabilityQuantity) string {
	largest, above := 0.0, 0
	for _, v := range q.ratios {
		largest = math.Max(largest, v)
		if v > 1 {
			above++
		}
	}
	var verdict string
	switch above {
	case 0:
		verdict = "none above the bound"
	case 1:
		verdict = "1 above the bound"
	default:
		verdict = strconv.Itoa(above) + " above the bound"
	}
	return fmt.Sprintf("%s\n%d pairs, max ratio %.3f, %s", q.title, len(q.ratios), largest, verdict)
}

// boundMarks draws the bound as a dark vertical line across the data area
// at ratio 1, labelled "bound" at its top left, and a vermillion triangle
// on the x axis at each ratio in above.
type boundMarks struct{ above []float64 }

// Plot implements plot.Plotter.
func (b boundMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(1)
	c.StrokeLine2(draw.LineStyle{Color: textColor, Width: vg.Points(1.4)}, x, c.Min.Y, x, c.Max.Y)
	sty := textStyle(noteSize+1, textColor)
	sty.XAlign = draw.XRight
	sty.YAlign = draw.YTop
	c.FillText(sty, vg.Point{X: x - vg.Points(3), Y: c.Max.Y - vg.Points(2)}, "bound")

	triangle := draw.GlyphStyle{Color: failColor, Radius: vg.Points(4), Shape: draw.PyramidGlyph{}}
	for _, v := range b.above {
		c.DrawGlyph(triangle, vg.Point{X: trX(v), Y: c.Min.Y + vg.Points(5)})
	}
}

// integerTicks are the default ticks with the fractional ones dropped,
// for an axis of counts.
type integerTicks struct{}

func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, t := range (trimmedTicks{}).Ticks(lo, hi) {
		if t.Value == math.Trunc(t.Value) {
			ticks = append(ticks, t)
		} else {
			ticks = append(ticks, plot.Tick{Value: t.Value})
		}
	}
	return ticks
}

func stabilityRows(quantities []stabilityQuantity) [][]string {
	var rows [][]string
	for _, q := range quantities {
		for k, c := range q.counts {
			rows = append(rows, []string{
				q.key, formatFloat(binEdge(k)), formatFloat(binEdge(k + 1)), strconv.Itoa(c),
			})
		}
	}
	return rows
}
