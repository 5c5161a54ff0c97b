package figures

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// IdentityError is one measured check of an identity or bound, such as
// SFT = IQ-Learn on the tree MDP after training.
type IdentityError struct {
	// Check names the identity or bound, for example "SFT = IQ-Learn".
	// It must not be empty.
	Check string

	// Level is the model the check was measured on, for example "tree MDP"
	// or "SCAN transformer". It may be empty.
	Level string

	// Stage is the state of the model at the measurement, for example
	// "initial" or "trained". It may be empty.
	Stage string

	// Error is the measured difference between the two sides of the
	// identity, in the identity's unit (nats for log-likelihoods). Its
	// absolute value is drawn, so the sign may be either. It must be
	// finite, and 0 marks an exact match.
	Error float64

	// Tolerance is the largest |Error| that passes the check, finite and
	// positive.
	Tolerance float64
}

// identityErrorsHeader is the CSV header of IdentityErrors. The row column
// counts from 0 at the top of the figure. status is pass, fail or exact
// (Error = 0, which passes). plotted_error is the x position of the dot:
// |error|, or the floor value for an exact row.
var identityErrorsHeader = []string{
	"row", "check", "level", "stage", "error", "abs_error", "tolerance", "status", "plotted_error",
}

// Layout of IdentityErrors, in points unless stated.
const (
	identityWidth       = 10 * vg.Inch
	identityRowPitch    = 0.4 * vg.Inch
	identityFixedHeight = 1.55 * vg.Inch
	// identityLabelWidth is the widest row label. A longer label is
	// shortened with an ellipsis in the image and kept whole in the CSV.
	identityLabelWidth = 3.4 * vg.Inch
	// identityBandHalf and identityTickHalf are half the heights of the
	// tolerance band and of its end tick, in rows.
	identityBandHalf = 0.16
	identityTickHalf = 0.32
)

var (
	passColor     = seriesColors[2] // bluish green
	failColor     = seriesColors[1] // vermillion
	bandColor     = color.Gray{Y: 0xE2}
	toleranceInk  = color.Gray{Y: 0x40}
	markerRadius  = vg.Points(3.6)
	exactRingLine = vg.Points(1.4)
)

// IdentityErrors draws a dot plot of |Error| on a log x axis, one row per
// check from top to bottom in input order. Each row is labelled with Check
// and, on a second line, "Level, Stage" (empty parts left out). A row's
// tolerance is a grey band from the left edge that ends in a dark tick, so
// a dot inside the band passes. Passing rows are green circles, failing
// rows vermillion triangles. An exact zero cannot sit on a log axis: it is
// drawn as an open circle at a floor value one decade below the smallest
// positive error or tolerance, and labelled "0 (exact)".
//
// The figure is 10 inches wide and grows by 0.4 inch per row. It writes
// NAME.svg, NAME.png and NAME.csv to dir, with the CSV columns of
// identityErrorsHeader, and returns the three paths.
func IdentityErrors(dir, name string, rows []IdentityError) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateIdentityErrors(rows); err != nil {
		return nil, err
	}

	floor := identityFloor(rows)
	fig, err := identityErrorsFigure(rows, floor)
	if err != nil {
		return nil, err
	}
	writeData := func(path string) error {
		return writeCSV(path, identityErrorsHeader, identityErrorsRows(rows, floor))
	}
	height := identityFixedHeight + vg.Length(len(rows))*identityRowPitch
	return saveWithData(fig, dir, name, identityWidth, height, "csv", writeData)
}

func validateIdentityErrors(rows []IdentityError) error {
	if len(rows) == 0 {
		return fmt.Errorf("figures: IdentityErrors: no rows; pass at least one IdentityError")
	}
	for i, row := range rows {
		where := fmt.Sprintf("figures: IdentityErrors: row %d (%s)", i, identityLabel(row))
		if strings.TrimSpace(row.Check) == "" {
			return fmt.Errorf("%s: Check is empty; name the identity or bound, "+
				"such as \"SFT = IQ-Learn\"", where)
		}
		if math.IsNaN(row.Error) || math.IsInf(row.Error, 0) {
			return fmt.Errorf("%s: Error = %v is not finite; pass the measured "+
				"difference between the two sides", where, row.Error)
		}
		if math.IsNaN(row.Tolerance) || math.IsInf(row.Tolerance, 0) || row.Tolerance <= 0 {
			return fmt.Errorf("%s: Tolerance = %v is invalid; it is drawn on a log axis, "+
				"so pass a finite positive tolerance such as 1e-12", where, row.Tolerance)
		}
	}
	return nil
}

// identityLabel joins the non-empty parts of the row's name with commas.
func identityLabel(row IdentityError) string {
	var parts []string
	for _, s := range []string{row.Check, row.Level, row.Stage} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// identityTickLabel is the two-line y tick label of row: Check, then Level
// and Stage, each shortened to identityLabelWidth.
func identityTickLabel(row IdentityError, sty text.Style) string {
	label := fitText(figureText(strings.TrimSpace(row.Check)), sty, identityLabelWidth)
	where := identityLabel(IdentityError{Level: row.Level, Stage: row.Stage})
	if where != "" {
		label += "\n" + fitText(figureText(where), sty, identityLabelWidth)
	}
	return label
}

// identityFloor returns the x position of exact zeros: the power of ten one
// decade below the smallest positive |Error| or Tolerance, but no lower
// than 1e−323, the smallest power of ten a float64 holds.
func identityFloor(rows []IdentityError) float64 {
	smallest := math.Inf(1)
	for _, row := range rows {
		if e := math.Abs(row.Error); e > 0 {
			smallest = math.Min(smallest, e)
		}
		smallest = math.Min(smallest, row.Tolerance)
	}
	return math.Pow(10, math.Max(math.Floor(math.Log10(smallest))-1, -323))
}

func identityStatus(row IdentityError) string {
	switch e := math.Abs(row.Error); {
	case e == 0:
		return "exact"
	case e <= row.Tolerance:
		return "pass"
	default:
		return "fail"
	}
}

// identityX is the plotted |Error| of row: the floor for an exact zero.
func identityX(row IdentityError, floor float64) float64 {
	if row.Error == 0 {
		return floor
	}
	return math.Abs(row.Error)
}

func identityErrorsFigure(rows []IdentityError, floor float64) (*panelFigure, error) {
	p := newPlot("", "|measured error| (log scale)", "")
	n := len(rows)
	rowY := func(i int) float64 { return float64(n - 1 - i) }

	labelStyle := textStyle(tickSize, textColor)
	ticks := make(rowTicks, n)
	marks := toleranceMarks{}
	var pass, fail, exact plotter.XYs
	var exactLabels plotter.XYLabels
	hi := 0.0
	for i, row := range rows {
		y := rowY(i)
		ticks[i] = plot.Tick{Value: y, Label: identityTickLabel(row, labelStyle)}
		marks.y = append(marks.y, y)
		marks.x = append(marks.x, math.Log10(row.Tolerance))
		hi = math.Max(hi, math.Max(math.Abs(row.Error), row.Tolerance))

		xy := plotter.XY{X: math.Log10(identityX(row, floor)), Y: y}
		switch identityStatus(row) {
		case "exact":
			exact = append(exact, xy)
			exactLabels.XYs = append(exactLabels.XYs, xy)
			exactLabels.Labels = append(exactLabels.Labels, "0 (exact)")
		case "pass":
			pass = append(pass, xy)
		default:
			fail = append(fail, xy)
		}
	}
	p.Add(marks)

	legend := newLegend()
	passStyle := draw.GlyphStyle{
		Color: passColor, Radius: markerRadius, Shape: draw.CircleGlyph{},
	}
	failStyle := draw.GlyphStyle{
		Color: failColor, Radius: markerRadius * 1.25, Shape: draw.PyramidGlyph{},
	}
	exactStyle := draw.GlyphStyle{
		Color: passColor, Radius: markerRadius, Shape: ringGlyph{width: exactRingLine},
	}
	floorText := formatLogTick(1, int(math.Round(math.Log10(floor))))
	groups := []struct {
		points plotter.XYs
		style  draw.GlyphStyle
		label  string
		always bool
	}{
		{pass, passStyle, "passes: |error| ≤ tolerance", true},
		{fail, failStyle, "fails: |error| > tolerance", true},
		{exact, exactStyle, "exact 0, drawn at " + floorText, false},
	}
	for _, g := range groups {
		if len(g.points) > 0 {
			s, err := plotter.NewScatter(g.points)
			if err != nil {
				return nil, fmt.Errorf("figures: IdentityErrors: %w", err)
			}
			s.GlyphStyle = g.style
			p.Add(s)
		}
		if g.always || len(g.points) > 0 {
			legend.Add(g.label, glyphThumbnail{g.style})
		}
	}
	legend.Add("tolerance", toleranceThumbnail{})

	if len(exactLabels.XYs) > 0 {
		labels, err := plotter.NewLabels(exactLabels)
		if err != nil {
			return nil, fmt.Errorf("figures: IdentityErrors: %w", err)
		}
		for i := range labels.TextStyle {
			sty := textStyle(noteSize+0.5, mutedColor)
			sty.YAlign = draw.YCenter
			labels.TextStyle[i] = sty
		}
		labels.Offset = vg.Point{X: markerRadius + vg.Points(3)}
		p.Add(labels)
	}

	// The left end sits half a decade below the floor so that the open
	// circles of exact rows clear the axis.
	setLogAxis(&p.X, floor/2, math.Min(hi*1.5, math.MaxFloat64))
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.Y.Tick.Marker = ticks
	p.Y.Tick.Length = 0

	return &panelFigure{
		title:  "Measured error of each identity against its tolerance",
		panels: []*plot.Plot{p},
		legend: legend,
	}, nil
}

// rowTicks places one labelled tick per row of a dot plot.
type rowTicks []plot.Tick

func (t rowTicks) Ticks(float64, float64) []plot.Tick { return t }

// toleranceMarks draws, for each row, a light band from the left edge of
// the data area to the row's tolerance and a dark tick at the tolerance.
// x holds log10 tolerances.
type toleranceMarks struct {
	y, x []float64
}

// Plot implements plot.Plotter.
func (m toleranceMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	tick := draw.LineStyle{Color: toleranceInk, Width: vg.Points(1.6)}
	for i := range m.x {
		x, y := trX(m.x[i]), m.y[i]
		band := vg.Rectangle{
			Min: vg.Point{X: c.Min.X, Y: trY(y - identityBandHalf)},
			Max: vg.Point{X: x, Y: trY(y + identityBandHalf)},
		}
		c.SetColor(bandColor)
		c.Fill(band.Path())
		c.StrokeLine2(tick, x, trY(y-identityTickHalf), x, trY(y+identityTickHalf))
	}
}

// toleranceThumbnail is the legend sample of a tolerance: band and tick.
type toleranceThumbnail struct{}

func (toleranceThumbnail) Thumbnail(c *draw.Canvas) {
	mid := c.Center().Y
	h := (c.Max.Y - c.Min.Y) / 2
	right := c.Max.X - vg.Points(2)
	band := vg.Rectangle{
		Min: vg.Point{X: c.Min.X, Y: mid - 0.35*h},
		Max: vg.Point{X: right, Y: mid + 0.35*h},
	}
	c.SetColor(bandColor)
	c.Fill(band.Path())
	tick := draw.LineStyle{Color: toleranceInk, Width: vg.Points(1.6)}
	c.StrokeLine2(tick, right, mid-0.8*h, right, mid+0.8*h)
}

// glyphThumbnail is a legend sample that shows one marker.
type glyphThumbnail struct{ style draw.GlyphStyle }

func (g glyphThumbnail) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(g.style, c.Center())
}

// ringGlyph is an open circle with a white centre, so that it hides the
// band and grid behind it.
type ringGlyph struct{ width vg.Length }

// DrawGlyph implements draw.GlyphDrawer.
func (g ringGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var disc vg.Path
	disc.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	disc.Arc(pt, sty.Radius, 0, 2*math.Pi)
	disc.Close()
	c.SetColor(color.White)
	c.Fill(disc)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: g.width})
	c.Stroke(disc)
}

func identityErrorsRows(rows []IdentityError, floor float64) [][]string {
	out := make([][]string, len(rows))
	for i, row := range rows {
		out[i] = []string{
			strconv.Itoa(i), row.Check, row.Level, row.Stage,
			formatFloat(row.Error), formatFloat(math.Abs(row.Error)),
			formatFloat(row.Tolerance), identityStatus(row),
			formatFloat(identityX(row, floor)),
		}
	}
	return out
}
