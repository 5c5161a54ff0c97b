package interactive

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/dprkit/dprkit/dprlib/figures"
)

// Layout of the heat map view.
const (
	// heatmapVisibleTokens is the most token positions that the view shows
	// before the reader zooms out, so that each cell has room for its token.
	heatmapVisibleTokens = 40
	// heatmapLabelRunes is the most characters of a token written in its
	// cell. The tooltip shows the whole token.
	heatmapLabelRunes = 8
	// heatmapRowHeight is the height of one response's row, in pixels.
	heatmapRowHeight = 48
)

// tipItem is a data item with tooltip text, which the "dprkit:tip"
// formatter of runtime.js shows: one line per "\n", the first in bold.
type tipItem struct {
	Name  string `json:"name,omitempty"`
	Value any    `json:"value"`
	Tip   string `json:"tip"`
}

// RenderHeatmap returns an HTML fragment with the dense reward of one
// response, the data of figures.RewardHeatmap: token positions on x, each
// cell coloured by r̂_t on a diverging blue–red scale centred at 0 with
// limits ±max|r̂_t|, and the token written in the cell. Hovering a cell
// shows its token, position and r̂_t to three decimals. The view starts on
// the first 40 tokens, and the slider or the mouse wheel moves or widens
// the window. Dragging the colour bar's handles hides the cells outside
// the chosen range.
//
// The fragment includes ECharts inline (see Library). RenderHeatmap
// validates h as figures.RewardHeatmap does.
func RenderHeatmap(h figures.Heatmap) (string, error) {
	return Options{}.RenderHeatmaps([]figures.Heatmap{h})
}

// RenderHeatmap returns the fragment of the function RenderHeatmap, with or
// without the library as o sets.
func (o Options) RenderHeatmap(h figures.Heatmap) (string, error) {
	return o.RenderHeatmaps([]figures.Heatmap{h})
}

// RenderHeatmaps returns the view of RenderHeatmap for several responses,
// one row each from the top, on one shared colour scale. An SFT response
// and a DPR response to the same prompt can so be compared token by token.
func RenderHeatmaps(maps []figures.Heatmap) (string, error) {
	return Options{}.RenderHeatmaps(maps)
}

// RenderHeatmaps returns the fragment of the function RenderHeatmaps, with
// or without the library as o sets.
func (o Options) RenderHeatmaps(maps []figures.Heatmap) (string, error) {
	if err := validateHeatmaps(maps); err != nil {
		return "", err
	}
	c, err := heatmapChart(maps)
	if err != nil {
		return "", err
	}
	return o.renderFragment("", c)
}

// ShowHeatmap displays the view of RenderHeatmap in a notebook. Outside a
// notebook it prints a one-line summary.
func ShowHeatmap(h figures.Heatmap) error {
	return Options{}.ShowHeatmaps([]figures.Heatmap{h})
}

// ShowHeatmap displays the view of o.RenderHeatmap in a notebook. Outside
// a notebook it prints a one-line summary.
func (o Options) ShowHeatmap(h figures.Heatmap) error {
	return o.ShowHeatmaps([]figures.Heatmap{h})
}

// ShowHeatmaps displays the view of RenderHeatmaps in a notebook. Outside
// a notebook it prints a one-line summary.
func ShowHeatmaps(maps []figures.Heatmap) error {
	return Options{}.ShowHeatmaps(maps)
}

// ShowHeatmaps displays the view of o.RenderHeatmaps in a notebook.
// Outside a notebook it prints a one-line summary.
func (o Options) ShowHeatmaps(maps []figures.Heatmap) error {
	if err := validateHeatmaps(maps); err != nil {
		return err
	}
	tokens := 0
	for _, h := range maps {
		tokens += len(h.Tokens)
	}
	summary := fmt.Sprintf("interactive dense reward heat map: %s, %s, colour limit ±%s nats",
		count(len(maps), "response"), count(tokens, "token"), formatValue(rewardLimit(maps)))
	return show(summary, func() (string, error) { return o.RenderHeatmaps(maps) })
}

// heatmapChart builds the chart of validated heat maps.
func heatmapChart(maps []figures.Heatmap) (chart, error) {
	titles := heatmapTitles(maps)
	limit := rewardLimit(maps)
	longest := 0
	for _, h := range maps {
		longest = max(longest, len(h.Tokens))
	}

	title, subtitle := "Dense reward per token", fmt.Sprintf(
		"%d responses on one colour scale. Hover a token for r̂; zoom with the slider.", len(maps))
	if len(maps) == 1 {
		title = titles[0]
		subtitle = "prompt: " + shorten(maps[0].Prompt, 110) +
			" · summed dense reward " + formatValue(sum(maps[0].Reward)) + " nats"
	}

	hm := charts.NewHeatMap()
	hm.SetGlobalOptions(baseOptions(title, subtitle)...)
	positions := make([]string, longest)
	for j := range positions {
		positions[j] = strconv.Itoa(j)
	}
	// An end of 0 is left out of the option, and ECharts shows the whole row.
	zoomEnd := float32(0)
	if longest > heatmapVisibleTokens {
		zoomEnd = float32(100 * float64(heatmapVisibleTokens) / float64(longest))
	}
	hm.SetGlobalOptions(
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{
			Top: "80", Bottom: "90", Left: "20", Right: "110", ContainLabel: opts.Bool(true),
		}),
		charts.WithXAxisOpts(opts.XAxis{
			Type: "category", Data: positions,
			Name: "token position", NameLocation: "middle", NameGap: 28,
			SplitArea: &opts.SplitArea{Show: opts.Bool(false)},
		}),
		charts.WithYAxisOpts(opts.YAxis{
			Type: "category", Data: titles, Inverse: opts.Bool(true),
			AxisLabel: &opts.AxisLabel{Width: 150, Overflow: "truncate"},
		}),
		charts.WithDataZoomOpts(
			opts.DataZoom{Type: "inside", XAxisIndex: []int{0}, End: zoomEnd},
			opts.DataZoom{Type: "slider", XAxisIndex: []int{0}, End: zoomEnd},
		),
		charts.WithVisualMapOpts(opts.VisualMap{
			Type: "continuous", Calculable: opts.Bool(true),
			Min: float32(-limit), Max: float32(limit),
			Text:    []string{"r̂ (nats)", ""},
			InRange: &opts.VisualMapInRange{Color: rewardColors},
			Orient:  "vertical", Right: "15", Top: "middle",
		}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: "dprkit:tip"}),
	)

	var items []tipItem
	for row, h := range maps {
		for j, tok := range h.Tokens {
			items = append(items, tipItem{
				Name:  shorten(displayToken(tok), heatmapLabelRunes),
				Value: []any{j, row, h.Reward[j]},
				Tip:   heatmapTip(titles[row], h, j),
			})
		}
	}
	hm.AddSeries("dense reward r̂", nil, charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.Data = items
		// Without a colour, ECharts picks dark or light text for each cell.
		s.Label = &opts.Label{Show: opts.Bool(true), Formatter: "{b}", FontSize: 10}
		s.LabelLayout = &opts.LabelLayout{HideOverlap: opts.Bool(true)}
		s.ItemStyle = &opts.ItemStyle{BorderColor: "#ffffff", BorderWidth: 1}
	}))

	option := hm.JSON()
	// The handles of the colour bar print their values with visualMap's
	// precision, which go-echarts' VisualMap type lacks. Without it they
	// print 0 decimals, so a limit of 0.8 would read 1.
	visualMap, err := withFields(option["visualMap"], map[string]any{"precision": 3})
	if err != nil {
		return chart{}, fmt.Errorf("interactive: heat map colour bar: %w", err)
	}
	option["visualMap"] = visualMap

	height := 170 + heatmapRowHeight*len(maps)
	return chart{option: option, height: max(height, 260)}, nil
}

// heatmapTip is the tooltip text of token j of h.
func heatmapTip(title string, h figures.Heatmap, j int) string {
	reward := strings.Replace(fmt.Sprintf("%+.3f", h.Reward[j]), "-", "−", 1)
	return strings.Join([]string{
		title,
		fmt.Sprintf("position %d: %s", j, strconv.Quote(h.Tokens[j])),
		"r̂ = " + reward + " nats",
		"prompt: " + shorten(h.Prompt, 80),
	}, "\n")
}

// heatmapTitles returns the title of each heat map, with the defaults of
// package figures: "Dense reward per token" for a single untitled map and
// "Response i" for the i-th of several.
func heatmapTitles(maps []figures.Heatmap) []string {
	titles := make([]string, len(maps))
	for i, h := range maps {
		switch {
		case h.Title != "":
			titles[i] = h.Title
		case len(maps) == 1:
			titles[i] = "Dense reward per token"
		default:
			titles[i] = "Response " + strconv.Itoa(i+1)
		}
	}
	return titles
}

// rewardLimit returns L of the colour scale [−L, L]: the largest |r̂_t|
// over all maps, or 1 when every reward is 0.
func rewardLimit(maps []figures.Heatmap) float64 {
	limit := 0.0
	for _, h := range maps {
		for _, r := range h.Reward {
			limit = math.Max(limit, math.Abs(r))
		}
	}
	if limit == 0 {
		return 1
	}
	return limit
}

// displayToken returns tok, or tok quoted when it is empty or only white
// space, so that its cell does not look blank.
func displayToken(tok string) string {
	if strings.TrimSpace(tok) == "" {
		return strconv.Quote(tok)
	}
	return tok
}

// shorten returns s cut to at most n characters, the last being "…" when
// it was cut.
func shorten(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n-1]) + "…"
}

// count returns n and noun, with an "s" unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func sum(values []float64) float64 {
	total := 0.0
	for _, v := range values {
		total += v
	}
	return total
}
