package figures

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Heatmap is the per-token dense reward of one response.
type Heatmap struct {
	// Prompt is the command the response answers. It is shown under the
	// title and must not be empty.
	Prompt string

	// Tokens are the response tokens as text, one per position. A token
	// that is empty or only white space is shown quoted, such as " ".
	Tokens []string

	// Reward is the dense reward of each token, in nats:
	// r̂_t = log π_SFT(y_t|s_t) − log π_ref(y_t|s_t). Every value must be
	// finite.
	Reward []float64

	// Title heads the response. When empty, a single heat map is titled
	// "Dense reward per token" and the i-th of several "Response i".
	Title string
}

// heatmapData is the JSON file of a heat map figure.
type heatmapData struct {
	// ColorLimit is L in the colour scale [−L, L]: the largest |r̂_t| over
	// all responses, or 1 when every reward is 0.
	ColorLimit float64           `json:"color_limit"`
	Responses  []heatmapResponse `json:"responses"`
}

type heatmapResponse struct {
	Title     string    `json:"title"`
	Prompt    string    `json:"prompt"`
	Tokens    []string  `json:"tokens"`
	Reward    []float64 `json:"reward"`
	SumReward float64   `json:"sum_reward"`
}

// heatmapWidth is the width of every heat map figure.
const heatmapWidth = 8 * vg.Inch

// RewardHeatmap draws the dense reward of one response as a row of boxes,
// one per token, coloured by r̂_t on a diverging blue–red scale centred at 0
// with symmetric limits ±max|r̂_t|. Each box shows its token and value, with
// the position underneath. A token wider than a fifth of the row is
// shortened with an ellipsis in the image. Rows wrap to fit the 8-inch width, so a
// 50-token response takes several rows. The title heads the figure, the
// prompt and the summed reward follow, and a colour bar sits at the bottom.
//
// It writes NAME.svg, NAME.png and NAME.json to dir and returns the three
// paths. The JSON object has the fields color_limit and responses; each
// response has title, prompt, tokens, reward and sum_reward.
func RewardHeatmap(dir, name string, h Heatmap) ([]string, error) {
	return RewardHeatmaps(dir, name, []Heatmap{h})
}

// RewardHeatmaps draws several responses as RewardHeatmap does, one block
// under the other, on one shared colour scale, so that for instance an SFT
// response and a DPR response to the same prompt can be compared box by box.
// It writes the same three files, with one JSON response per heat map.
func RewardHeatmaps(dir, name string, maps []Heatmap) ([]string, error) {
	if err := checkOutput(dir, name); err != nil {
		return nil, err
	}
	if err := validateHeatmaps(maps); err != nil {
		return nil, err
	}

	data := heatmapRecords(maps)
	fig := newHeatmapFigure(data, heatmapWidth)
	writeData := func(path string) error { return writeJSON(path, data) }
	return saveWithData(fig, dir, name, heatmapWidth, fig.height, "json", writeData)
}

func validateHeatmaps(maps []Heatmap) error {
	if len(maps) == 0 {
		return fmt.Errorf("figures: RewardHeatmaps: no heat maps; pass at least one Heatmap")
	}
	for i, h := range maps {
		where := fmt.Sprintf("figures: RewardHeatmap: heat map %d", i)
		if strings.TrimSpace(h.Prompt) == "" {
			return fmt.Errorf("%s: Prompt is empty; pass the command the response answers", where)
		}
		if len(h.Tokens) == 0 {
			return fmt.Errorf("%s: Tokens is empty; pass at least one response token", where)
		}
		if len(h.Reward) != len(h.Tokens) {
			return fmt.Errorf("%s: Reward has %d values but Tokens has %d; "+
				"pass one reward per token", where, len(h.Reward), len(h.Tokens))
		}
		if err := checkFinite(where, "Reward", h.Reward); err != nil {
			return err
		}
	}
	return nil
}

// heatmapRecords fills in default titles, the summed rewards and the
// colour limit.
func heatmapRecords(maps []Heatmap) heatmapData {
	data := heatmapData{Responses: make([]heatmapResponse, len(maps))}
	for i, h := range maps {
		title := h.Title
		switch {
		case title != "":
		case len(maps) == 1:
			title = "Dense reward per token"
		default:
			title = "Response " + strconv.Itoa(i+1)
		}

		sum := 0.0
		for _, r := range h.Reward {
			sum += r
			data.ColorLimit = math.Max(data.ColorLimit, math.Abs(r))
		}
		data.Responses[i] = heatmapResponse{
			Title:     title,
			Prompt:    h.Prompt,
			Tokens:    h.Tokens,
			Reward:    h.Reward,
			SumReward: sum,
		}
	}
	if data.ColorLimit == 0 {
		data.ColorLimit = 1
	}
	return data
}

// heatmapFigure draws heat map blocks and a colour bar. Its layout is fixed
// at construction, because the figure height depends on how many rows the
// tokens wrap onto.
type heatmapFigure struct {
	data     heatmapData
	colorMap palette.DivergingColorMap

	titleStyle, promptStyle, noteStyle text.Style
	tokenStyle, valueStyle, indexStyle text.Style

	contentWidth   vg.Length
	cellWidth      vg.Length
	cellsPerRow    int
	promptLines    [][]string // wrapped prompt caption of each response
	height         vg.Length
	colorBarHeight vg.Length
}

// Layout sizes in points.
const (
	cellHeight   = vg.Length(32)
	cellGap      = vg.Length(3)
	cellPadding  = vg.Length(4)
	minCellWidth = vg.Length(36)
	// minCellsPerRow is the fewest cells a full row holds. A token too
	// wide for that cell width is shortened with an ellipsis in the image,
	// and kept whole in the JSON.
	minCellsPerRow = 5
	rowGap         = vg.Length(5)
	blockGap       = vg.Length(16)
	lineGap        = vg.Length(3)
)

func newHeatmapFigure(data heatmapData, width vg.Length) *heatmapFigure {
	f := &heatmapFigure{
		data:           data,
		colorMap:       moreland.SmoothBlueRed(),
		titleStyle:     boldStyle(13, textColor),
		promptStyle:    textStyle(10.5, textColor),
		noteStyle:      textStyle(9, mutedColor),
		tokenStyle:     textStyle(9, textColor),
		valueStyle:     textStyle(8, textColor),
		indexStyle:     textStyle(6.5, mutedColor),
		contentWidth:   width - 2*margin,
		colorBarHeight: 56,
	}
	f.colorMap.SetMin(-data.ColorLimit)
	f.colorMap.SetMax(data.ColorLimit)
	f.colorMap.SetConvergePoint(0)

	f.cellWidth = minCellWidth
	for _, r := range data.Responses {
		for i, tok := range r.Tokens {
			w := max(f.tokenStyle.Width(displayToken(tok)), f.valueStyle.Width(formatReward(r.Reward[i])))
			f.cellWidth = max(f.cellWidth, w+2*cellPadding)
		}
	}
	// An unusually long token would otherwise force one cell per row. Cap
	// the width so at least minCellsPerRow fit, and let fitText shorten the
	// few tokens that overflow.
	maxWidth := (f.contentWidth - (minCellsPerRow-1)*cellGap) / minCellsPerRow
	f.cellWidth = min(f.cellWidth, maxWidth)
	f.cellsPerRow = max(1, int((f.contentWidth+cellGap)/(f.cellWidth+cellGap)))

	// When a response wraps, widen the cells so that full rows span the
	// whole width instead of leaving a ragged gap on the right.
	for _, r := range data.Responses {
		if len(r.Tokens) > f.cellsPerRow {
			n := vg.Length(f.cellsPerRow)
			f.cellWidth = (f.contentWidth - (n-1)*cellGap) / n
			break
		}
	}

	f.height = 2 * margin
	for i, r := range data.Responses {
		if i > 0 {
			f.height += blockGap
		}
		lines := wrapWords("prompt: "+r.Prompt, f.promptStyle, f.contentWidth)
		f.promptLines = append(f.promptLines, lines)
		f.height += f.headerHeight(lines)
		rows := (len(r.Tokens) + f.cellsPerRow - 1) / f.cellsPerRow
		f.height += vg.Length(rows) * f.rowPitch()
	}
	f.height += f.colorBarHeight
	return f
}

func (f *heatmapFigure) rowPitch() vg.Length {
	return cellHeight + f.indexStyle.Height("0") + rowGap + 2
}

func (f *heatmapFigure) headerHeight(promptLines []string) vg.Length {
	h := f.titleStyle.Height("A") + lineGap
	h += vg.Length(len(promptLines)) * (f.promptStyle.Height("A") + lineGap)
	h += f.noteStyle.Height("A") + 2*lineGap
	return h
}

// Draw implements Drawer.
func (f *heatmapFigure) Draw(c draw.Canvas) {
	left := c.Min.X + margin
	y := c.Max.Y - margin
	for i, r := range f.data.Responses {
		if i > 0 {
			y -= blockGap
		}
		y = f.drawHeader(c, left, y, r, f.promptLines[i])
		y = f.drawCells(c, left, y, r)
	}
	f.drawColorBar(c, y)
}

// drawHeader draws the title, prompt and summary lines of r from the top
// y downwards and returns the y below them.
func (f *heatmapFigure) drawHeader(c draw.Canvas, left, y vg.Length,
	r heatmapResponse, promptLines []string) vg.Length {
	line := func(sty text.Style, s string) {
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: left, Y: y}, s)
		y -= sty.Height(s) + lineGap
	}
	line(f.titleStyle, r.Title)
	for _, l := range promptLines {
		line(f.promptStyle, l)
	}
	line(f.noteStyle, fmt.Sprintf("%d tokens, summed dense reward %s nats",
		len(r.Tokens), formatReward(r.SumReward)))
	return y - lineGap
}

// drawCells draws one box per token, wrapping rows at cellsPerRow, from
// the top y downwards and returns the y below the last row.
func (f *heatmapFigure) drawCells(c draw.Canvas, left, y vg.Length, r heatmapResponse) vg.Length {
	border := draw.LineStyle{Color: color.White, Width: vg.Points(1)}
	for i, tok := range r.Tokens {
		row, col := i/f.cellsPerRow, i%f.cellsPerRow
		x0 := left + vg.Length(col)*(f.cellWidth+cellGap)
		top := y - vg.Length(row)*f.rowPitch()
		box := vg.Rectangle{
			Min: vg.Point{X: x0, Y: top - cellHeight},
			Max: vg.Point{X: x0 + f.cellWidth, Y: top},
		}

		fill := f.cellColor(r.Reward[i])
		c.SetColor(fill)
		c.Fill(box.Path())
		c.SetLineStyle(border)
		c.Stroke(box.Path())

		ink := inkOn(fill)
		centre := x0 + f.cellWidth/2
		tokSty := f.tokenStyle
		tokSty.Color, tokSty.XAlign, tokSty.YAlign = ink, draw.XCenter, draw.YCenter
		label := fitText(displayToken(tok), tokSty, f.cellWidth-2*cellPadding/3)
		c.FillText(tokSty, vg.Point{X: centre, Y: top - cellHeight*0.36}, label)

		valSty := f.valueStyle
		valSty.Color, valSty.XAlign, valSty.YAlign = ink, draw.XCenter, draw.YCenter
		c.FillText(valSty, vg.Point{X: centre, Y: top - cellHeight*0.72}, formatReward(r.Reward[i]))

		idxSty := f.indexStyle
		idxSty.XAlign, idxSty.YAlign = draw.XCenter, draw.YTop
		c.FillText(idxSty, vg.Point{X: centre, Y: top - cellHeight - 2}, strconv.Itoa(i))
	}
	rows := (len(r.Tokens) + f.cellsPerRow - 1) / f.cellsPerRow
	return y - vg.Length(rows)*f.rowPitch()
}

func (f *heatmapFigure) cellColor(v float64) color.Color {
	col, err := f.colorMap.At(v)
	if err != nil {
		// Unreachable: the colour limit is the largest |v|.
		panic(fmt.Sprintf("figures: reward %v outside the colour scale ±%v: %v",
			v, f.data.ColorLimit, err))
	}
	return col
}

// drawColorBar draws the colour scale, centred, in the band between the
// bottom margin and y.
func (f *heatmapFigure) drawColorBar(c draw.Canvas, y vg.Length) {
	p := plot.New()
	p.Add(&plotter.ColorBar{ColorMap: f.colorMap})
	p.HideY()
	p.X.Padding = 0
	p.X.Label.Text = "dense reward log π_SFT(y_t|s_t) − log π_ref(y_t|s_t) (nats)"
	restyle(&p.X.Label.TextStyle, 10, textColor)
	restyle(&p.X.Tick.Label, 8.5, textColor)

	barWidth := min(5*vg.Inch, f.contentWidth)
	area := c
	area.Min.X = c.Center().X - barWidth/2
	area.Max.X = c.Center().X + barWidth/2
	area.Max.Y = y - 6
	area.Min.Y = c.Min.Y + margin
	p.Draw(area)
}

// displayToken returns tok, or tok quoted when it is empty or only white
// space so that the box does not look blank.
func displayToken(tok string) string {
	if strings.TrimSpace(tok) == "" {
		return strconv.Quote(tok)
	}
	return tok
}

// formatReward prints v with a sign and three significant digits or
// fewer, using the minus sign U+2212.
func formatReward(v float64) string {
	var s string
	switch a := math.Abs(v); {
	case a < 9.995:
		s = fmt.Sprintf("%+.2f", v)
	case a < 99.95:
		s = fmt.Sprintf("%+.1f", v)
	default:
		s = fmt.Sprintf("%+.0f", v)
	}
	return strings.Replace(s, "-", "−", 1)
}

// inkOn returns the text colour that reads best on background: white on
// dark colours, near-black on light ones.
func inkOn(background color.Color) color.Color {
	r, g, b, _ := background.RGBA()
	luma := (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xFFFF
	if luma < 0.5 {
		return color.White
	}
	return textColor
}

// fitText shortens s with a trailing ellipsis until it fits in width.
func fitText(s string, sty text.Style, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	runes := []rune(s)
	for n := len(runes) - 1; n > 0; n-- {
		short := string(runes[:n]) + "…"
		if sty.Width(short) <= width {
			return short
		}
	}
	return "…"
}

// wrapWords splits s at spaces into lines no wider than width. A single
// word wider than width gets a line of its own.
func wrapWords(s string, sty text.Style, width vg.Length) []string {
	var lines []string
	var current string
	for _, word := range strings.Fields(s) {
		candidate := word
		if current != "" {
			candidate = current + " " + word
		}
		if current != "" && sty.Width(candidate) > width {
			lines = append(lines, current)
			candidate = word
		}
		current = candidate
	}
	if current != "" {
		lines = append(lines, current)
	}
	return lines
}
