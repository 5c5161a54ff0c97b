package figures

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// The theory figures draw log axes the way chooseYScale does: they plot
// log10 of each value on a linear axis and label the ticks with the values
// themselves. logTicks extends log10Ticks to axes that span many decades,
// such as float64 round-off errors from 1e−17 up to a tolerance of 1e−3.

// maxDecadeLabels is the most labelled powers of ten on a wide log axis.
const maxDecadeLabels = 7

// logTicks labels an axis whose values are log10 of the data with the
// data values.
//
// On an axis of at most three decades it labels the sparsest of the
// mantissa sets {1}, {1, 2, 5} and {1, …, 9} that gives at least three
// labels, and puts unlabelled ticks at the other mantissas. On a wider
// axis it labels the powers of ten whose exponent is a multiple of k, the
// smallest step that keeps at most maxDecadeLabels labels. The other
// powers of ten get unlabelled ticks, and so do the mantissas 2 to 9 on an
// axis of up to six decades.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	const slack = 1e-9
	inRange := func(pos float64) bool { return pos >= lo-slack && pos <= hi+slack }
	first, last := int(math.Floor(lo+slack)), int(math.Ceil(hi-slack))

	if hi-lo > 3 {
		step := max(1, int(math.Ceil((hi-lo)/maxDecadeLabels)))
		mantissas := []int{1}
		if hi-lo <= 6 {
			mantissas = []int{1, 2, 3, 4, 5, 6, 7, 8, 9}
		}
		var ticks []plot.Tick
		for e := first; e <= last; e++ {
			for _, m := range mantissas {
				pos := float64(e) + math.Log10(float64(m))
				if !inRange(pos) {
					continue
				}
				tick := plot.Tick{Value: pos}
				if m == 1 && floorMod(e, step) == 0 {
					tick.Label = formatLogTick(1, e)
				}
				ticks = append(ticks, tick)
			}
		}
		return ticks
	}

	sets := [][]int{{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}
	var ticks []plot.Tick
	for _, labelled := range sets {
		ticks = ticks[:0]
		labels := 0
		for e := first; e <= last; e++ {
			for m := 1; m <= 9; m++ {
				pos := float64(e) + math.Log10(float64(m))
				if !inRange(pos) {
					continue
				}
				tick := plot.Tick{Value: pos}
				for _, l := range labelled {
					if l == m {
						tick.Label = formatLogTick(m, e)
						labels++
					}
				}
				ticks = append(ticks, tick)
			}
		}
		if labels >= 3 {
			break
		}
	}
	return ticks
}

func floorMod(a, b int) int {
	return ((a % b) + b) % b
}

// formatLogTick prints m·10^e as a plain decimal from 0.001 to 90000, and as
// "me−k" beyond, with the minus sign U+2212. Liberation Sans has no
// superscript zero, nine or minus, so powers of ten cannot be set as 10⁻ᵏ.
func formatLogTick(m, e int) string {
	switch {
	case e >= 0 && e <= 4:
		return strconv.Itoa(m) + strings.Repeat("0", e)
	case e < 0 && e >= -3:
		return "0." + strings.Repeat("0", -e-1) + strconv.Itoa(m)
	default:
		return strings.Replace(fmt.Sprintf("%de%d", m, e), "-", "−", 1)
	}
}

// logBounds returns the log10 range of an axis that shows values from lo
// to hi, both positive. The range reaches out to the nearest m·10^e, m an
// integer from 1 to 9, so that both ends carry a tick. When lo equals hi
// it reaches one mantissa step further either side.
func logBounds(lo, hi float64) (float64, float64) {
	down := func(v float64) float64 {
		e := math.Floor(math.Log10(v))
		m := math.Floor(v/math.Pow(10, e) + 1e-9)
		return e + math.Log10(max(m, 1))
	}
	up := func(v float64) float64 {
		e := math.Floor(math.Log10(v))
		m := math.Ceil(v/math.Pow(10, e) - 1e-9)
		return e + math.Log10(m)
	}
	l, h := down(lo), up(hi)
	if h-l < 1e-9 {
		l, h = down(lo*0.95), up(hi*1.05)
	}
	return l, h
}

// setLogAxis makes axis a log axis from lo to hi (data units, both
// positive) whose plotted coordinates are log10 values.
func setLogAxis(axis *plot.Axis, lo, hi float64) {
	axis.Min, axis.Max = logBounds(lo, hi)
	axis.Tick.Marker = logTicks{}
}

// logLogSlope returns the least-squares slope of log10 y against log10 x,
// and false when x holds fewer than two distinct values. Every value must
// be positive.
func logLogSlope(x, y []float64) (float64, bool) {
	n := float64(len(x))
	var sx, sy float64
	for i := range x {
		sx += math.Log10(x[i])
		sy += math.Log10(y[i])
	}
	mx, my := sx/n, sy/n
	var sxx, sxy float64
	for i := range x {
		dx := math.Log10(x[i]) - mx
		sxx += dx * dx
		sxy += dx * (math.Log10(y[i]) - my)
	}
	if sxx < 1e-12 {
		return 0, false
	}
	return sxy / sxx, true
}

// formatSlope prints a fitted slope with two decimals and the minus sign
// U+2212.
func formatSlope(s float64) string {
	return strings.Replace(fmt.Sprintf("%.2f", s), "-", "−", 1)
}

// checkPositive requires every value to be finite and positive, as a value
// drawn on a log axis must be.
func checkPositive(where, field string, values []float64) error {
	for j, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return fmt.Errorf("%s: %s[%d] = %v is invalid; it is drawn on a log axis, so "+
				"it must be finite and positive (drop it, or clip it to the smallest "+
				"value you trust)", where, field, j, v)
		}
	}
	return nil
}
