package figures

import (
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// seriesColors is the Okabe–Ito colour-blind-safe palette without its
// yellow, which is too pale on white.
var seriesColors = []color.Color{
	color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
	color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
	color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
	color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
	color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
}

var (
	textColor  = color.Gray{Y: 0x20}
	mutedColor = color.Gray{Y: 0x60}
)

// sans is the typeface of all figure text; gonum/plot embeds it.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Font sizes in points.
const (
	titleSize  = 14
	panelSize  = 11.5
	labelSize  = 11
	tickSize   = 9.5
	legendSize = 10
	noteSize   = 8
)

func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{Font: font.From(sans, size), Color: c, Handler: plot.DefaultTextHandler}
}

// restyle sets the font and colour of sty and keeps its alignment, which
// gonum/plot chooses per element (centred axis labels, right-aligned y tick
// labels).
func restyle(sty *text.Style, size vg.Length, c color.Color) {
	sty.Font = font.From(sans, size)
	sty.Color = c
}

func boldStyle(size vg.Length, c color.Color) text.Style {
	sty := textStyle(size, c)
	sty.Font.Weight = xfont.WeightBold
	return sty
}

// seriesStyle returns the line style of the i-th series. After the palette's
// seven colours are used up the colours repeat with a dot-dash pattern, so
// that no two of the first fourteen series look alike.
func seriesStyle(i int) draw.LineStyle {
	sty := draw.LineStyle{
		Color: seriesColors[i%len(seriesColors)],
		Width: vg.Points(1.6),
	}
	if (i/len(seriesColors))%2 == 1 {
		sty.Dashes = []vg.Length{vg.Points(7), vg.Points(2), vg.Points(1.5), vg.Points(2)}
	}
	return sty
}

// baselineDashes is the dash pattern of reference lines such as the SFT
// exact match in DPRTraining.
var baselineDashes = []vg.Length{vg.Points(5), vg.Points(3)}

// newPlot returns a plot that uses the package's fonts, a light grid and no
// built-in legend, because panelFigure draws the legend outside the data.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	restyle(&p.Title.TextStyle, panelSize, textColor)
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Title.Padding = vg.Points(6)
	for _, axis := range []*plot.Axis{&p.X, &p.Y} {
		restyle(&axis.Label.TextStyle, labelSize, textColor)
		restyle(&axis.Tick.Label, tickSize, textColor)
		axis.Padding = vg.Points(3)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Tick.Marker = trimmedTicks{}
	p.Y.Tick.Marker = trimmedTicks{}
	p.Add(gridLines())
	return p
}

// seedLabel is the legend text of one seed's series.
func seedLabel(seed int64) string {
	return "seed " + strconv.FormatInt(seed, 10)
}

// formatFloat is the CSV and label representation of v: the shortest
// decimal that parses back to the same float64.
func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// unlabelledTicks keeps the tick marks of Ticker but drops their labels. The
// upper panels of a stacked figure use it so the shared x axis is labelled
// only once, at the bottom.
type unlabelledTicks struct{ plot.Ticker }

func (t unlabelledTicks) Ticks(min, max float64) []plot.Tick {
	ticks := t.Ticker.Ticks(min, max)
	for i := range ticks {
		ticks[i].Label = ""
	}
	return ticks
}

// trimmedTicks are gonum/plot's default ticks with trailing zeros cut from
// their labels, so that 72.50 reads 72.5.
type trimmedTicks struct{}

func (trimmedTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i, tick := range ticks {
		if strings.Contains(tick.Label, ".") && !strings.ContainsAny(tick.Label, "eE") {
			ticks[i].Label = strings.TrimRight(strings.TrimRight(tick.Label, "0"), ".")
		}
	}
	return ticks
}

// log10Ticks labels an axis whose values are log10 of the data with the
// data values: 1, 2 and 5 times each power of ten when the axis spans at
// most three decades, and only the powers of ten beyond that.
//
// Plotting log10 values on a linear axis gives the same picture as
// plot.LogScale, but gonum/plot v0.17.0 centres the axis label's glyph box
// at the linear mean of the range on a log axis, which leaves a wide blank
// band above a long y label.
type log10Ticks struct{}

func (log10Ticks) Ticks(lo, hi float64) []plot.Tick {
	labelled := []float64{1, 2, 5}
	if hi-lo > 3 {
		labelled = []float64{1}
	}
	const slack = 1e-9
	var ticks []plot.Tick
	for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
		for m := 1.0; m < 10; m++ {
			pos := e + math.Log10(m)
			if pos < lo-slack || pos > hi+slack {
				continue
			}
			tick := plot.Tick{Value: pos}
			if slices.Contains(labelled, m) {
				tick.Label = strconv.FormatFloat(m*math.Pow(10, e), 'g', 3, 64)
			}
			ticks = append(ticks, tick)
		}
	}
	return ticks
}
