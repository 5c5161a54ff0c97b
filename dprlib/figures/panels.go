package figures

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// margin is the blank border around every figure.
const margin = vg.Length(10)

// panelFigure draws a figure title, one or more plots stacked vertically
// with their data areas aligned, and a legend in a column to the right of
// the plots, so the legend never covers data.
type panelFigure struct {
	title  string
	panels []*plot.Plot
	legend plot.Legend
}

func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle = textStyle(legendSize, textColor)
	l.Top = true
	l.Left = true
	l.ThumbnailWidth = vg.Points(24)
	l.Padding = vg.Points(3)
	return l
}

// Draw implements Drawer.
func (f *panelFigure) Draw(c draw.Canvas) {
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

	rows := make([][]*plot.Plot, len(f.panels))
	for i, p := range f.panels {
		rows[i] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(f.panels), Cols: 1, PadY: vg.Points(10)}
	canvases := plot.Align(rows, tiles, area)
	for i, p := range f.panels {
		p.Draw(canvases[i][0])
	}

	if legendWidth > 0 {
		top := f.panels[0].DataCanvas(canvases[0][0]).Max.Y
		legendArea := c
		legendArea.Min.X = area.Max.X + vg.Points(12)
		legendArea.Max.Y = top
		f.legend.Draw(legendArea)
	}
}

// gridLines returns faint grid lines at the major ticks of both axes.
func gridLines() *plotter.Grid {
	g := plotter.NewGrid()
	faint := color.Gray{Y: 0xE4}
	g.Vertical.Color = faint
	g.Horizontal.Color = faint
	g.Vertical.Width = vg.Points(0.6)
	g.Horizontal.Width = vg.Points(0.6)
	return g
}
