package figures

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dprkit/dprkit/dprlib/stats"
)

// IntervalPoint is one setting of an ablation, such as "γ = 0.9", with the
// mean of a metric over seeds and its confidence interval.
type IntervalPoint struct {
	// Label names the setting. It becomes an x tick label and must be
	// unique within its series and not empty.
	Label string

	// Value is the mean over seeds with its interval, as returned by
	// stats.BootstrapMean or stats.PairedDifference. Mean, Low and High
	// must be finite with Low ≤ Mean ≤ High, N at least 1, and Level in
	// (0, 1) and the same for every interval of the figure.
	Value stats.Interval
}

// IntervalSeries is one method measured at several settings, such as DPR
// over a sweep of γ.
type IntervalSeries struct {
	// Name names the method in the legend, for example "DPR". It must be
	// unique within its panel and not empty. Series with the same name in
	// different panels share a colour and a marker.
	Name string

	// Points are the settings, in the order the series meets them.
	Points []IntervalPoint
}

// IntervalPanel is one metric of an ablation, such as held-out exact
// match, drawn against the settings.
type IntervalPanel struct {
	// Title heads the panel, and YLabel labels its y axis with the metric
	// and its unit. Both may be empty.
	Title, YLabel string

	// XLabel, when not empty, replaces the figure's XLabel on this panel.
	XLabel string

	// Series holds at least one series with at least one point.
	Series []IntervalSeries

	// Reference is an optional baseline, such as the SFT policy's score,
	// drawn as a dashed horizontal line over a band from Low to High. It
	// follows the rules of IntervalPoint.Value.
	Reference *stats.Interval

	// ReferenceName names Reference in the legend, for example "SFT". It
	// is required with a Reference and must be empty without one. Panels
	// whose references share a name share one legend entry.
	ReferenceName string
}

// IntervalFigure is a grid of IntervalPanels under one title.
type IntervalFigure struct {
	// Title heads the figure, and XLabel labels the x axis of every panel
	// with the quantity that varies, such as "discount γ". Both may be
	// empty.
	Title, XLabel string

	// Panels holds at least one panel.
	Panels []IntervalPanel

	// Columns is the number of panels per row, so that each row can hold
	// one task. 0 means intervalColumns.
	Columns int
}

// intervalColumns is the default number of panels in one row of an
// Intervals figure.
const intervalColumns = 3

// intervalsHeader is the CSV header of Intervals. kind is "setting" for a
// point of a series, whose name and label are the series name and the
// setting, and "reference" for a panel's reference, whose label is empty.
// panel counts from 0 in input order.
var intervalsHeader = []string{
	"panel", "panel_title", "kind", "name", "label", "mean", "ci_low", "ci_high", "level", "n",
}

// intervalsData is the JSON file of Intervals.
type intervalsData struct {
	Title  string `json:"title"`
	XLabel string `json:"x_label"`
	// Level is the confidence level shared by every interval.
	Level  float64             `json:"level"`
	Panels []intervalPanelData `json:"panels"`
}

type intervalPanelData struct {
	Title  string `json:"title"`
	YLabel string `json:"y_label"`
	// Labels are the settings in x order: the union of the series'
	// labels in the order they first appear.
	Labels    []string             `json:"labels"`
	Reference *intervalNamedValue  `json:"reference"`
	Series    []intervalSeriesData `json:"series"`
}

type intervalSeriesData struct {
	Name   string              `json:"name"`
	Points []intervalPointData `json:"points"`
}

// intervalPointData flattens the interval's fields next to the label.
type intervalPointData struct {
	Label string `json:"label"`
	stats.Interval
}

type intervalNamedValue struct {
	Name string `json:"name"`
	stats.Interval
}

// Intervals draws means over seeds with their confidence intervals, one
// panel per IntervalPanel in a grid of up to three columns. The x axis of
// a panel is categorical, with one position per setting label in the
// order the labels first appear. Each point is a marker at the mean and an
// error bar from Low to High. Several series in a panel sit side by side
// around each position, each with its own colour and marker, named in a
// legend to the right. A panel's Reference is a grey dashed line at its
// mean over a grey band from Low to High. A line under the title states
// the confidence level and the number of seeds.
//
// It writes NAME.svg, NAME.png, NAME.csv and NAME.json to dir and returns
// the four paths in that order. The CSV has the columns of
// intervalsHeader. The JSON object has the fields title, x_label, level and
// panels. Each panel has title, y_label, labels (the x order), reference
// and series. The reference is null or an object with name, mean, ci_low,
// ci_high, level and n. Each series has a name and a list of points with
// label, mean, ci_low, ci_high, level and n.
func Intervals(dir, name string, f IntervalFigure) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	level, err := validateIntervals(f)
	if err != nil {
		return nil, err
	}

	data := intervalsRecords(f, level)
	fig, err := intervalsFigure(f, data)
	if err != nil {
		return nil, err
	}
	width, height := intervalsSize(fig.grid, intervalPanelWidth(data))
	return saveWithCSVAndJSON(fig, dir, name, width, height,
		intervalsHeader, intervalsRows(data), data)
}

// saveWithCSVAndJSON writes the images, then NAME.csv and NAME.json, and
// returns the paths as SVG, PNG, CSV, JSON.
func saveWithCSVAndJSON(d Drawer, dir, name string, width, height vg.Length,
	header []string, rows [][]string, data any) ([]string, error) {
	writeCSVData := func(path string) error { return writeCSV(path, header, rows) }
	paths, err := saveWithData(d, dir, name, width, height, "csv", writeCSVData)
	if err != nil {
		return nil, err
	}
	jsonPath := filepath.Join(dir, name+".json")
	if err := writeJSON(jsonPath, data); err != nil {
		return nil, err
	}
	return append(paths, jsonPath), nil
}

// validateIntervals checks f and returns the confidence level shared by
// all its intervals.
func validateIntervals(f IntervalFigure) (float64, error) {
	if len(f.Panels) == 0 {
		return 0, fmt.Errorf("figures: Intervals: no panels; pass at least one IntervalPanel")
	}
	level := math.NaN()
	check := func(where string, iv stats.Interval) error {
		if err := checkInterval(where, iv); err != nil {
			return err
		}
		if math.IsNaN(level) {
			level = iv.Level
		} else if iv.Level != level {
			return fmt.Errorf("%s: Level = %v differs from the level %v of the first "+
				"interval; compute every interval of a figure at one level", where, iv.Level, level)
		}
		return nil
	}

	for i, panel := range f.Panels {
		where := fmt.Sprintf("figures: Intervals: panel %d (%q)", i, panel.Title)
		if len(panel.Series) == 0 {
			return 0, fmt.Errorf("%s: no series; pass at least one IntervalSeries", where)
		}
		names := map[string]bool{}
		for j, s := range panel.Series {
			seriesWhere := fmt.Sprintf("%s, series %d (%q)", where, j, s.Name)
			name := strings.TrimSpace(s.Name)
			if name == "" {
				return 0, fmt.Errorf("%s: Name is empty; name the method, such as \"DPR\"",
					seriesWhere)
			}
			if names[name] {
				return 0, fmt.Errorf("%s: Name is repeated in the panel; "+
					"give each series of a panel its own name", seriesWhere)
			}
			names[name] = true
			if len(s.Points) == 0 {
				return 0, fmt.Errorf("%s: no points; pass at least one IntervalPoint", seriesWhere)
			}

			labels := map[string]bool{}
			for k, pt := range s.Points {
				pointWhere := fmt.Sprintf("%s, point %d (%q)", seriesWhere, k, pt.Label)
				label := strings.TrimSpace(pt.Label)
				if label == "" {
					return 0, fmt.Errorf("%s: Label is empty; name the setting, "+
						"such as \"γ = 0.9\"", pointWhere)
				}
				if labels[label] {
					return 0, fmt.Errorf("%s: Label is repeated in the series; "+
						"give each setting its own label", pointWhere)
				}
				labels[label] = true
				if err := check(pointWhere, pt.Value); err != nil {
					return 0, err
				}
			}
		}

		refName := strings.TrimSpace(panel.ReferenceName)
		switch {
		case panel.Reference == nil && refName != "":
			return 0, fmt.Errorf("%s: ReferenceName is %q but Reference is nil; "+
				"pass the reference interval or leave the name empty", where, panel.ReferenceName)
		case panel.Reference != nil && refName == "":
			return 0, fmt.Errorf("%s: ReferenceName is empty; name the reference, "+
				"such as \"SFT\"", where)
		case panel.Reference != nil:
			refWhere := fmt.Sprintf("%s, reference %q", where, panel.ReferenceName)
			if err := check(refWhere, *panel.Reference); err != nil {
				return 0, err
			}
		}
	}
	return level, nil
}

// checkInterval requires finite Mean, Low and High with Low ≤ Mean ≤ High,
// N ≥ 1 and Level in (0, 1).
func checkInterval(where string, iv stats.Interval) error {
	fields := []struct {
		name  string
		value float64
	}{{"Mean", iv.Mean}, {"Low", iv.Low}, {"High", iv.High}}
	for _, f := range fields {
		if math.IsNaN(f.value) || math.IsInf(f.value, 0) {
			return fmt.Errorf("%s: %s = %v is not finite; drop the diverged seeds "+
				"before computing the interval", where, f.name, f.value)
		}
	}
	if iv.Low > iv.Mean {
		return fmt.Errorf("%s: Low = %v is above Mean = %v; pass an interval with "+
			"Low ≤ Mean ≤ High, as stats.BootstrapMean returns", where, iv.Low, iv.Mean)
	}
	if iv.Mean > iv.High {
		return fmt.Errorf("%s: Mean = %v is above High = %v; pass an interval with "+
			"Low ≤ Mean ≤ High, as stats.BootstrapMean returns", where, iv.Mean, iv.High)
	}
	if iv.N < 1 {
		return fmt.Errorf("%s: N = %d is invalid; pass the number of seeds, at least 1",
			where, iv.N)
	}
	if math.IsNaN(iv.Level) || iv.Level <= 0 || iv.Level >= 1 {
		return fmt.Errorf("%s: Level = %v is invalid; pass the confidence level in (0, 1), "+
			"such as 0.95", where, iv.Level)
	}
	return nil
}

// intervalsRecords builds the JSON record of a validated figure, with the
// x order of each panel.
func intervalsRecords(f IntervalFigure, level float64) intervalsData {
	data := intervalsData{Title: f.Title, XLabel: f.XLabel, Level: level}
	for _, panel := range f.Panels {
		pd := intervalPanelData{Title: panel.Title, YLabel: panel.YLabel, Labels: []string{}}
		seen := map[string]bool{}
		for _, s := range panel.Series {
			sd := intervalSeriesData{Name: s.Name}
			for _, pt := range s.Points {
				if !seen[pt.Label] {
					seen[pt.Label] = true
					pd.Labels = append(pd.Labels, pt.Label)
				}
				sd.Points = append(sd.Points, intervalPointData{Label: pt.Label, Interval: pt.Value})
			}
			pd.Series = append(pd.Series, sd)
		}
		if panel.Reference != nil {
			pd.Reference = &intervalNamedValue{Name: panel.ReferenceName, Interval: *panel.Reference}
		}
		data.Panels = append(data.Panels, pd)
	}
	return data
}

func intervalsRows(data intervalsData) [][]string {
	var rows [][]string
	row := func(panel int, kind, name, label string, iv stats.Interval) []string {
		return []string{
			strconv.Itoa(panel), data.Panels[panel].Title, kind, name, label,
			formatFloat(iv.Mean), formatFloat(iv.Low), formatFloat(iv.High),
			formatFloat(iv.Level), strconv.Itoa(iv.N),
		}
	}
	for i, panel := range data.Panels {
		for _, s := range panel.Series {
			for _, pt := range s.Points {
				rows = append(rows, row(i, "setting", s.Name, pt.Label, pt.Interval))
			}
		}
		if panel.Reference != nil {
			rows = append(rows, row(i, "reference", panel.Reference.Name, "", panel.Reference.Interval))
		}
	}
	return rows
}

// intervalMarkers are the marker shapes of the series, in order. With
// seriesColors they keep series apart, and the shapes alone do so in
// grey-scale prints.
var intervalMarkers = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, diamondGlyph{},
}

// intervalSeriesStyle returns the marker of the i-th series name of a
// figure. Colours and shapes cycle with coprime periods (seven and four),
// so the first 28 series all differ.
func intervalSeriesStyle(i int) draw.GlyphStyle {
	return draw.GlyphStyle{
		Color:  seriesColors[i%len(seriesColors)],
		Radius: vg.Points(3.4),
		Shape:  intervalMarkers[i%len(intervalMarkers)],
	}
}

var (
	referenceBandColor = color.NRGBA{R: 0x60, G: 0x60, B: 0x60, A: 0x30}
	referenceLineStyle = draw.LineStyle{
		Color: mutedColor, Width: vg.Points(1.2), Dashes: baselineDashes,
	}
)

// intervalBarWidth is the line width of an error bar.
var intervalBarWidth = vg.Points(1.4)

// dodgeOffsets returns the x offsets, in category widths, of n series
// drawn side by side around a category position: evenly spaced, centred on
// 0, and spanning at most 0.7 of the gap between categories.
func dodgeOffsets(n int) []float64 {
	step := math.Min(0.22, 0.7/float64(n))
	offsets := make([]float64, n)
	for j := range offsets {
		offsets[j] = (float64(j) - float64(n-1)/2) * step
	}
	return offsets
}

// notedGrid draws a figure title, a line of notes in small grey type under
// it, and a grid of panels below.
type notedGrid struct {
	title, note string
	grid        *gridFigure
}

func intervalsFigure(f IntervalFigure, data intervalsData) (*notedGrid, error) {
	styleIndex := map[string]int{}
	var styleOrder []string
	for _, panel := range f.Panels {
		for _, s := range panel.Series {
			if _, ok := styleIndex[s.Name]; !ok {
				styleIndex[s.Name] = len(styleOrder)
				styleOrder = append(styleOrder, s.Name)
			}
		}
	}
	maxLabels := 0
	for _, pd := range data.Panels {
		maxLabels = max(maxLabels, len(pd.Labels))
	}
	panelWidth := intervalPanelWidth(data)

	legend := newLegend()
	for _, name := range styleOrder {
		legend.Add(figureText(name), intervalThumbnail{intervalSeriesStyle(styleIndex[name])})
	}
	referenceNames := map[string]bool{}
	var panels []*plot.Plot
	for i, panel := range f.Panels {
		xLabel := f.XLabel
		if panel.XLabel != "" {
			xLabel = panel.XLabel
		}
		p, err := intervalPanelPlot(panel, data.Panels[i], xLabel, styleIndex,
			maxLabels, panelWidth)
		if err != nil {
			return nil, fmt.Errorf("figures: Intervals: panel %d (%q): %w", i, panel.Title, err)
		}
		panels = append(panels, p)
		if panel.Reference != nil && !referenceNames[panel.ReferenceName] {
			referenceNames[panel.ReferenceName] = true
			legend.Add(figureText(panel.ReferenceName), referenceThumbnail{})
		}
	}

	columns := intervalColumns
	if f.Columns > 0 {
		columns = f.Columns
	}
	return &notedGrid{
		title: figureText(f.Title),
		note:  intervalsNote(data),
		grid:  newGridFigure("", panels, columns, legend),
	}, nil
}

// intervalsNote states what the markers and bars show, for example
// "Markers: mean over 3 seeds. Bars and bands: 95 % percentile-bootstrap
// confidence interval."
func intervalsNote(data intervalsData) string {
	lo, hi := math.MaxInt, 0
	each := func(iv stats.Interval) { lo, hi = min(lo, iv.N), max(hi, iv.N) }
	for _, pd := range data.Panels {
		for _, s := range pd.Series {
			for _, pt := range s.Points {
				each(pt.Interval)
			}
		}
		if pd.Reference != nil {
			each(pd.Reference.Interval)
		}
	}
	seeds := strconv.Itoa(lo) + " seeds"
	switch {
	case lo == 1 && hi == 1:
		seeds = "1 seed"
	case lo != hi:
		seeds = fmt.Sprintf("%d–%d seeds", lo, hi)
	}
	level := strconv.FormatFloat(100*data.Level, 'g', 4, 64)
	return fmt.Sprintf("Markers: mean over %s. Bars and bands: %s %% percentile-bootstrap "+
		"confidence interval.", seeds, level)
}

// intervalPanelPlot draws one panel. maxLabels is the most settings in any
// panel of the figure, which with panelWidth sets the space for each tick
// label.
func intervalPanelPlot(panel IntervalPanel, pd intervalPanelData, xLabel string,
	styleIndex map[string]int, maxLabels int, panelWidth vg.Length) (*plot.Plot, error) {
	title := wrapTitle(panel.Title, panelWidth-0.3*vg.Inch)
	p := newPlot(title, figureText(xLabel), figureText(panel.YLabel))
	position := map[string]int{}
	ticks := make(rowTicks, len(pd.Labels))
	for k, label := range pd.Labels {
		position[label] = k
		ticks[k] = plot.Tick{Value: float64(k), Label: figureText(label)}
	}

	lo, hi := math.Inf(1), math.Inf(-1)
	if ref := panel.Reference; ref != nil {
		p.Add(referenceBand{*ref})
		lo, hi = ref.Low, ref.High
	}

	offsets := dodgeOffsets(len(panel.Series))
	for j, s := range panel.Series {
		bars := make(intervalBars, len(s.Points))
		for k, pt := range s.Points {
			bars[k] = intervalBar{
				x:        float64(position[pt.Label]) + offsets[j],
				interval: pt.Value,
			}
			lo, hi = math.Min(lo, pt.Value.Low), math.Max(hi, pt.Value.High)
		}
		glyph := intervalSeriesStyle(styleIndex[s.Name])
		errorBars, err := plotter.NewYErrorBars(bars)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", s.Name, err)
		}
		errorBars.LineStyle = draw.LineStyle{Color: glyph.Color, Width: intervalBarWidth}
		errorBars.CapWidth = vg.Points(6)
		markers, err := plotter.NewScatter(bars)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", s.Name, err)
		}
		markers.GlyphStyle = glyph
		p.Add(errorBars, markers)
	}

	// Pad the y range by 8 % of the data span on each side so that caps
	// and markers at the extremes stay inside the data area.
	pad := 0.08 * (hi - lo)
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	padFlatRange(&p.Y)

	p.X.Min, p.X.Max = -0.5, float64(len(pd.Labels))-0.5
	p.X.Tick.Marker = ticks
	if intervalLabelsCrowded(pd.Labels, maxLabels, panelWidth) {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
	return p, nil
}

// intervalPanelWidth returns the width of one panel: 3.3 inches, or more
// when the panels hold many settings and series, so that the markers of
// neighbouring settings keep about 0.25 inch plus 0.12 inch per series
// apart.
func intervalPanelWidth(data intervalsData) vg.Length {
	maxLabels, maxSeries := 0, 0
	for _, pd := range data.Panels {
		maxLabels = max(maxLabels, len(pd.Labels))
		maxSeries = max(maxSeries, len(pd.Series))
	}
	perSetting := 0.25*vg.Inch + vg.Length(maxSeries)*0.12*vg.Inch
	return max(3.3*vg.Inch, intervalAxisWidth+vg.Length(maxLabels)*perSetting)
}

// intervalAxisWidth is the part of a panel's width taken by its y axis,
// tick labels and padding, an estimate.
const intervalAxisWidth = 0.9 * vg.Inch

// intervalLabelsCrowded reports whether the widest tick label of a panel
// is wider than the space between two settings, in which case the labels
// are rotated.
func intervalLabelsCrowded(labels []string, maxLabels int, panelWidth vg.Length) bool {
	sty := textStyle(tickSize, textColor)
	widest := vg.Length(0)
	for _, label := range labels {
		widest = max(widest, sty.Width(figureText(label)))
	}
	slot := (panelWidth - intervalAxisWidth) / vg.Length(max(maxLabels, 1))
	return widest > slot-vg.Points(4)
}

// intervalsSize returns the figure size: 2.2 inches for the legend plus
// panelWidth per panel column, and 1 inch for the title and note plus
// 3.2 inches per panel row.
func intervalsSize(grid *gridFigure, panelWidth vg.Length) (vg.Length, vg.Length) {
	width := 2.2*vg.Inch + vg.Length(grid.columns())*panelWidth
	height := 1.0*vg.Inch + vg.Length(len(grid.panels))*3.2*vg.Inch
	return width, height
}

// Draw implements Drawer.
func (f *notedGrid) Draw(c draw.Canvas) {
	top := c.Max.Y - margin
	if f.title != "" {
		sty := boldStyle(titleSize, textColor)
		sty.XAlign = draw.XCenter
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: c.Center().X, Y: top}, f.title)
		top -= sty.Height(f.title) + vg.Points(4)
	}
	sty := textStyle(noteSize+1, mutedColor)
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YTop
	c.FillText(sty, vg.Point{X: c.Center().X, Y: top}, f.note)
	top -= sty.Height(f.note)

	// The grid draws its own margin, which separates it from the note.
	c.Max.Y = top
	f.grid.Draw(c)
}

// wrapTitle rewrites a panel title for the figure typeface and breaks it
// into lines no wider than width.
func wrapTitle(title string, width vg.Length) string {
	lines := wrapWords(figureText(title), boldStyle(panelSize, textColor), width)
	return strings.Join(lines, "\n")
}

// intervalBar is one point of a series: its x position and its interval.
type intervalBar struct {
	x        float64
	interval stats.Interval
}

// intervalBars implements plotter.XYer and plotter.YErrorer, so that one
// value feeds both the markers and the error bars.
type intervalBars []intervalBar

func (b intervalBars) Len() int { return len(b) }

func (b intervalBars) XY(i int) (float64, float64) { return b[i].x, b[i].interval.Mean }

// YError returns the distances from the mean down to Low and up to High.
func (b intervalBars) YError(i int) (float64, float64) {
	iv := b[i].interval
	return iv.Mean - iv.Low, iv.High - iv.Mean
}

// referenceBand draws a reference interval across the whole data area: a
// grey band from Low to High and a dashed line at Mean.
type referenceBand struct{ interval stats.Interval }

// Plot implements plot.Plotter.
func (r referenceBand) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	band := vg.Rectangle{
		Min: vg.Point{X: c.Min.X, Y: trY(r.interval.Low)},
		Max: vg.Point{X: c.Max.X, Y: trY(r.interval.High)},
	}
	c.SetColor(referenceBandColor)
	c.Fill(band.Path())
	y := trY(r.interval.Mean)
	c.StrokeLine2(referenceLineStyle, c.Min.X, y, c.Max.X, y)
}

// intervalThumbnail is the legend sample of a series: an error bar with
// caps behind the series' marker.
type intervalThumbnail struct{ style draw.GlyphStyle }

func (t intervalThumbnail) Thumbnail(c *draw.Canvas) {
	mid := c.Center()
	h := (c.Max.Y - c.Min.Y) / 2
	bar := draw.LineStyle{Color: t.style.Color, Width: intervalBarWidth}
	c.StrokeLine2(bar, mid.X, mid.Y-0.9*h, mid.X, mid.Y+0.9*h)
	for _, y := range []vg.Length{mid.Y - 0.9*h, mid.Y + 0.9*h} {
		c.StrokeLine2(bar, mid.X-vg.Points(3), y, mid.X+vg.Points(3), y)
	}
	c.DrawGlyph(t.style, mid)
}

// referenceThumbnail is the legend sample of a reference: a grey band
// behind a dashed line.
type referenceThumbnail struct{}

func (referenceThumbnail) Thumbnail(c *draw.Canvas) {
	mid := c.Center().Y
	h := (c.Max.Y - c.Min.Y) / 2
	band := vg.Rectangle{
		Min: vg.Point{X: c.Min.X, Y: mid - 0.6*h},
		Max: vg.Point{X: c.Max.X, Y: mid + 0.6*h},
	}
	c.SetColor(referenceBandColor)
	c.Fill(band.Path())
	c.StrokeLine2(referenceLineStyle, c.Min.X, mid, c.Max.X, mid)
}

// diamondGlyph is a filled square turned by 45°.
type diamondGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.25
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y})
	p.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X - r, Y: pt.Y})
	p.Close()
	c.SetColor(sty.Color)
	c.Fill(p)
}
