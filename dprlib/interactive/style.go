package interactive

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// seriesColors is the palette of package figures, the Okabe–Ito
// colour-blind-safe palette without its yellow, in the same order, so that a
// seed or a method keeps its colour between the static and the interactive
// figure.
var seriesColors = []string{
	"#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000",
}

const (
	textColor  = "#202020"
	mutedColor = "#606060"
	// referenceBandColor is the grey of a reference interval's band.
	referenceBandColor = "rgba(96,96,96,0.19)"
)

// Diverging colour scale of the dense reward, from −L through 0 to +L: the
// ends and the middle of Moreland's smooth blue–red map, which package
// figures uses for its heat maps.
var rewardColors = []string{"#3b4cc0", "#dddddd", "#b40426"}

// seriesColor returns the colour of the i-th series.
func seriesColor(i int) string { return seriesColors[i%len(seriesColors)] }

// seriesLineType returns the line type of the i-th series: solid for the
// first cycle of colours, dashed for the second, and so on, as in package
// figures.
func seriesLineType(i int) string {
	if (i/len(seriesColors))%2 == 1 {
		return "dashed"
	}
	return "solid"
}

// seedName names a run in legends and tooltips, as package figures does.
func seedName(seed int64) string { return "seed " + strconv.FormatInt(seed, 10) }

// baseOptions returns the options that every chart shares: its title, a
// white background, the series palette, a legend under the title, and a
// toolbox to reset the zoom and save a PNG.
func baseOptions(title, subtitle string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{BackgroundColor: "#ffffff"}),
		charts.WithColorsOpts(seriesColors),
		charts.WithTitleOpts(opts.Title{
			Title:         title,
			Subtitle:      subtitle,
			Left:          "10",
			TitleStyle:    &opts.TextStyle{FontSize: 14, Color: textColor},
			SubtitleStyle: &opts.TextStyle{FontSize: 11, Color: mutedColor},
		}),
		charts.WithLegendOpts(opts.Legend{Type: "scroll", Top: "30", Left: "center"}),
		charts.WithToolboxOpts(opts.Toolbox{
			Show:  opts.Bool(true),
			Right: "20",
			Feature: &opts.ToolBoxFeature{
				Restore:     &opts.ToolBoxFeatureRestore{Show: opts.Bool(true), Title: "reset zoom"},
				SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Title: "save as PNG", Type: "png"},
			},
		}),
	}
}

// stepZoom returns the zoom of step curves on the x axes given: a slider
// at the bottom of the chart, and the mouse wheel or a pinch inside it.
func stepZoom(xAxes []int) charts.GlobalOpts {
	return charts.WithDataZoomOpts(
		opts.DataZoom{Type: "inside", XAxisIndex: xAxes},
		opts.DataZoom{Type: "slider", XAxisIndex: xAxes},
	)
}

// formatValue prints v with four significant digits, in exponent form below
// 1e-3 and from 1e5 on, using the minus sign U+2212.
func formatValue(v float64) string {
	a := math.Abs(v)
	var s string
	switch {
	case a == 0:
		s = "0"
	case a < 1e-3 || a >= 1e5:
		s = strconv.FormatFloat(v, 'e', 3, 64)
	default:
		decimals := max(0, 3-int(math.Floor(math.Log10(a))))
		s = strconv.FormatFloat(v, 'f', decimals, 64)
	}
	return strings.ReplaceAll(s, "-", "−")
}

// withFields returns the JSON list of objects v, such as a go-echarts
// option list, with fields added to each object, for the ECharts options
// that go-echarts' types do not have.
func withFields(v any, fields map[string]any) ([]map[string]any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var objects []map[string]any
	if err := json.Unmarshal(data, &objects); err != nil {
		return nil, err
	}
	for _, object := range objects {
		for key, value := range fields {
			object[key] = value
		}
	}
	return objects, nil
}
