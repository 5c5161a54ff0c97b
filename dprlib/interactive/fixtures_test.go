package interactive

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/dprkit/dprkit/dprlib/figures"
	"github.com/dprkit/dprkit/dprlib/stats"
)

// fakeLibrary replaces echarts.min.js in the tests that do not draw.
const fakeLibrary = `window.echarts = {init: function () { return {setOption: function () {}}; }};`

// useFakeLibrary points DPR_ECHARTS_JS at a file holding fakeLibrary.
func useFakeLibrary(t *testing.T) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "echarts.min.js")
	if err := os.WriteFile(path, []byte(fakeLibrary), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(LibraryEnv, path)
}

func dprRuns() []figures.DPRCurve {
	return []figures.DPRCurve{
		{
			Seed:          1,
			Steps:         []int{0, 10, 20, 30},
			Reward:        []float64{-0.12, -0.05, 0.02, 0.04},
			KL:            []float64{0, 0.011, 0.023, 0.031},
			EvalSteps:     []int{0, 30},
			ExactMatch:    []float64{41.5, 47.25},
			SFTExactMatch: 41.5,
		},
		{
			Seed:          2,
			Steps:         []int{0, 10, 20},
			Reward:        []float64{-0.1, -0.02, 0.03},
			KL:            []float64{0, 0.009, 0.02},
			SFTExactMatch: 39,
		},
	}
}

func lossCurves() []figures.LossCurve {
	return []figures.LossCurve{
		{
			Seed:        7,
			Steps:       []int{0, 100, 200, 300, 400},
			Loss:        []float64{4.2, 1.9, 0.8, 0.35, 0.3},
			Checkpoints: []figures.Checkpoint{{Step: 150, Fraction: 0.375}, {Step: 400, Fraction: 1}},
		},
		{
			Seed:        8,
			Steps:       []int{0, 200, 400},
			Loss:        []float64{4.1, 0.9, 0.28},
			Checkpoints: []figures.Checkpoint{{Step: 400, Fraction: 1}},
		},
	}
}

func interval(mean, low, high float64, n int) stats.Interval {
	return stats.Interval{Mean: mean, Low: low, High: high, Level: 0.95, N: n}
}

func intervalFigure() figures.IntervalFigure {
	sft := interval(40, 38, 42.5, 3)
	return figures.IntervalFigure{
		Title:  "Discount sweep",
		XLabel: "discount γ",
		Panels: []figures.IntervalPanel{
			{
				Title:  "Held-out exact match",
				YLabel: "exact match (%)",
				Series: []figures.IntervalSeries{
					{Name: "DPR", Points: []figures.IntervalPoint{
						{Label: "γ = 0.9", Value: interval(44, 42, 46, 3)},
						{Label: "γ = 1", Value: interval(47.5, 45, 50, 3)},
					}},
					{Name: "SFT+RL", Points: []figures.IntervalPoint{
						{Label: "γ = 1", Value: interval(43, 40, 45, 3)},
						{Label: "γ = 0.5", Value: interval(39, 35, 41, 3)},
					}},
				},
				Reference:     &sft,
				ReferenceName: "SFT",
			},
			{
				Title:  "Summed dense reward",
				YLabel: "nats",
				Series: []figures.IntervalSeries{
					{Name: "DPR", Points: []figures.IntervalPoint{
						{Label: "γ = 0.9", Value: interval(0.8, 0.7, 0.9, 2)},
					}},
				},
			},
		},
	}
}

func heatmaps() []figures.Heatmap {
	return []figures.Heatmap{
		{
			Prompt: "add 2 and 3",
			Tokens: []string{"The", " answer", " ", "is", " 5", "<script>"},
			Reward: []float64{0.1234, -0.5, 0, 0.25, 1.5, -0.0004},
			Title:  "SFT",
		},
		{
			Prompt: "add 2 and 3",
			Tokens: []string{"5"},
			Reward: []float64{2.25},
		},
	}
}

// optionTree returns the option of c as ECharts receives it: encoded to
// JSON and decoded again.
func optionTree(t *testing.T, c chart) map[string]any {
	t.Helper()
	data, err := json.Marshal(c.option)
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := json.Unmarshal(data, &tree); err != nil {
		t.Fatal(err)
	}
	return tree
}

// list returns v as a list, failing the test when it is not one.
func list(t *testing.T, v any, what string) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %T (%v), expected a list", what, v, v)
	}
	return l
}

// object returns v as an object, failing the test when it is not one.
func object(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T (%v), expected an object", what, v, v)
	}
	return m
}

// mustHeatmapChart returns the chart of maps, failing the test on an error.
func mustHeatmapChart(t *testing.T, maps []figures.Heatmap) chart {
	t.Helper()
	c, err := heatmapChart(maps)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
