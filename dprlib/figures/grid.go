package figures

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// gridFigure draws a figure title, plots in a grid with their data areas
// aligned, and a legend in a column to the right of the plots. It is
// panelFigure with columns, for panels that sit side by side.
type gridFigure struct {
	title string
	// panels[row][col]; every row has the same length, and a nil entry
	// leaves its tile blank.
	panels [][]*plot.Plot
	legend plot.Legend
}

// newGridFigure lays plots out row by row, at most maxColumns to a row.
func newGridFigure(title string, plots []*plot.Plot, maxColumns int,
	legend plot.Legend) *gridFigure {
	cols := min(len(plots), maxColumns)
	var rows [][]*plot.Plot
	for i := 0; i < len(plots); i += cols {
		row := make([]*plot.Plot, cols)
		copy(row, plots[i:min(i+cols, len(plots))])
		rows = append(rows, row)
	}
	return &gridFigure{title: title, panels: rows, legend: legend}
}

func (f *gridFigure) columns() int { return len(f.panels[0]) }

// Draw implements Drawer.
func (f *gridFigure) Draw(c draw.Canvas) {
	c = draw.Crop(c, margin, -margin, margin, -margin)

	if f.title != "" {
		sty := boldStyle(titleSize, textColor)
		sty.XAlign = draw.XCenter
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y}, f.title)
		c.Max.Y -= sty.Height(f.title) + vg.Points(8)
	}

	legendWidth := f.legend.Rectangle(c).Size().X
	if legendWidth > 0 {
		legendWidth += vg.Points(12)
	}
	area := draw.Crop(c, 0, -legendWidth, 0, 0)

	tiles := draw.Tiles{
		Rows: len(f.panels), Cols: f.columns(),
		PadX: vg.Points(18), PadY: vg.Points(14),
	}
	canvases := plot.Align(f.panels, tiles, area)
	for i, row := range f.panels {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}

	if legendWidth > 0 {
		top := f.panels[0][0].DataCanvas(canvases[0][0]).Max.Y
		legendArea := c
		legendArea.Min.X = area.Max.X + vg.Points(12)
		legendArea.Max.Y = top
		f.legend.Draw(legendArea)
	}
}
