package interactive

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/figures"
)

// number returns the JSON number v, failing the test when it is not one.
func number(t *testing.T, v any, what string) float64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%s is %T (%v), expected a number", what, v, v)
	}
	return f
}

// numbers returns the JSON list of numbers v.
func numbers(t *testing.T, v any, what string) []float64 {
	t.Helper()
	var out []float64
	for i, x := range list(t, v, what) {
		out = append(out, number(t, x, fmt.Sprintf("%s[%d]", what, i)))
	}
	return out
}

// index returns the axis index of a series, which JSON omits when it is 0.
func index(t *testing.T, series map[string]any, key string) int {
	t.Helper()
	v, ok := series[key]
	if !ok {
		return 0
	}
	return int(number(t, v, key))
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestDPRTrainingOption(t *testing.T) {
	runs := dprRuns()
	c := dprTrainingChart(runs)
	option := optionTree(t, c)

	series := list(t, option["series"], "series")
	if len(series) != 3*len(runs) {
		t.Fatalf("%d series, expected 3 per run (%d)", len(series), 3*len(runs))
	}
	for i, run := range runs {
		for k, values := range [][]float64{run.Reward, run.KL, run.ExactMatch} {
			s := object(t, series[3*i+k], "series")
			if s["name"] != seedName(run.Seed) {
				t.Errorf("series %d is named %v, expected %q", 3*i+k, s["name"], seedName(run.Seed))
			}
			if got := index(t, s, "xAxisIndex"); got != k {
				t.Errorf("series %d is on x axis %d, expected %d", 3*i+k, got, k)
			}
			if got := index(t, s, "yAxisIndex"); got != k {
				t.Errorf("series %d is on y axis %d, expected %d", 3*i+k, got, k)
			}
			color := object(t, s["lineStyle"], "lineStyle")["color"]
			if color != seriesColors[i] {
				t.Errorf("series %d has colour %v, expected %s", 3*i+k, color, seriesColors[i])
			}
			steps := run.Steps
			if k == dprExactMatchPanel {
				steps = run.EvalSteps
			}
			data, _ := s["data"].([]any)
			if len(data) != len(values) {
				t.Fatalf("series %d has %d points, expected %d", 3*i+k, len(data), len(values))
			}
			for j, item := range data {
				got := numbers(t, object(t, item, "point")["value"], "value")
				if want := []float64{float64(steps[j]), values[j]}; !reflect.DeepEqual(got, want) {
					t.Errorf("series %d point %d is %v, expected %v", 3*i+k, j, got, want)
				}
			}
		}
		em := object(t, series[3*i+dprExactMatchPanel], "exact-match series")
		mark := object(t, list(t, object(t, em["markLine"], "markLine")["data"], "markLine data")[0],
			"markLine item")
		if got := number(t, mark["yAxis"], "yAxis"); got != run.SFTExactMatch {
			t.Errorf("run %d: the SFT line is at %v, expected %v", i, got, run.SFTExactMatch)
		}
	}

	xAxes := list(t, option["xAxis"], "xAxis")
	if len(xAxes) != 3 {
		t.Fatalf("%d x axes, expected 3", len(xAxes))
	}
	for k, x := range xAxes {
		axis := object(t, x, "x axis")
		if axis["min"] != 0.0 || axis["max"] != 30.0 {
			t.Errorf("x axis %d spans %v to %v, expected 0 to 30", k, axis["min"], axis["max"])
		}
		if got := index(t, axis, "gridIndex"); got != k {
			t.Errorf("x axis %d is in grid %d", k, got)
		}
	}
	if got := object(t, list(t, option["yAxis"], "yAxis")[2], "y axis")["min"]; got != 0.0 {
		t.Errorf("the exact-match axis starts at %v, expected 0", got)
	}

	zooms := list(t, option["dataZoom"], "dataZoom")
	if len(zooms) != 2 {
		t.Fatalf("%d dataZoom components, expected inside and slider", len(zooms))
	}
	for i, want := range []string{"inside", "slider"} {
		zoom := object(t, zooms[i], "dataZoom")
		if zoom["type"] != want {
			t.Errorf("dataZoom %d is %v, expected %s", i, zoom["type"], want)
		}
		if got := numbers(t, zoom["xAxisIndex"], "xAxisIndex"); !reflect.DeepEqual(got, []float64{0, 1, 2}) {
			t.Errorf("dataZoom %d controls x axes %v, expected all three", i, got)
		}
	}
	tooltip := object(t, option["tooltip"], "tooltip")
	if tooltip["trigger"] != "axis" || tooltip["formatter"] != "dprkit:steps" {
		t.Errorf("tooltip is %v, expected the axis trigger and the dprkit:steps formatter", tooltip)
	}
	if got := len(list(t, option["title"], "title")); got != 4 {
		t.Errorf("%d titles, expected the chart's and one per panel", got)
	}
	baselines := c.context["baselines"].(map[string]any)["2"].(map[string]string)
	if got := baselines["seed 1"]; got != "SFT 41.50 %" {
		t.Errorf("the SFT note of seed 1 is %q, expected %q", got, "SFT 41.50 %")
	}
}

func TestSFTLossOption(t *testing.T) {
	curves := lossCurves()
	curves[1].Checkpoints = []figures.Checkpoint{{Step: 400, Fraction: 0.8}}
	option := optionTree(t, sftLossChart(curves))

	series := list(t, option["series"], "series")
	if len(series) != 2 {
		t.Fatalf("%d series, expected one per curve", len(series))
	}
	first := object(t, series[0], "series 0")
	data := list(t, first["data"], "data")
	if got := numbers(t, object(t, data[2], "point")["value"], "value"); !reflect.DeepEqual(got, []float64{200, 0.8}) {
		t.Errorf("point 2 of seed 7 is %v, expected [200 0.8]", got)
	}

	marks := list(t, object(t, first["markPoint"], "markPoint")["data"], "markPoint data")
	if len(marks) != 2 {
		t.Fatalf("seed 7 has %d checkpoint dots, expected 2", len(marks))
	}
	coord := numbers(t, object(t, marks[0], "mark")["coord"], "coord")
	// Step 150 lies halfway between the losses 1.9 at step 100 and 0.8 at 200.
	if coord[0] != 150 || !closeTo(coord[1], 1.35) {
		t.Errorf("the checkpoint at step 150 is drawn at %v, expected [150 1.35]", coord)
	}
	shared := object(t, marks[1], "mark")
	if shared["name"] != "1/0.8" {
		t.Errorf("the label of step 400 is %v, expected the fractions of both seeds, 1/0.8", shared["name"])
	}
	if object(t, shared["label"], "label")["show"] != true {
		t.Errorf("the label of step 400 is hidden on seed 7, the first seed with a checkpoint there")
	}
	other := object(t, list(t, object(t, object(t, series[1], "series 1")["markPoint"], "markPoint")["data"],
		"markPoint data")[0], "mark")
	if object(t, other["label"], "label")["show"] != false {
		t.Errorf("the label of step 400 is repeated on seed 8")
	}

	yAxis := object(t, list(t, option["yAxis"], "yAxis")[0], "y axis")
	if yAxis["type"] != "log" {
		t.Errorf("losses from 4.2 down to 0.28 give a %v axis, expected log", yAxis["type"])
	}
	flat := lossCurves()
	flat[0].Loss = []float64{2, 1.9, 1.5, 1.2, 1}
	flat[1].Loss = []float64{2, 1.5, 1}
	yAxis = object(t, list(t, optionTree(t, sftLossChart(flat))["yAxis"], "yAxis")[0], "y axis")
	if yAxis["type"] != "value" {
		t.Errorf("losses within a factor of 2 give a %v axis, expected value", yAxis["type"])
	}
	if got := len(list(t, option["dataZoom"], "dataZoom")); got != 2 {
		t.Errorf("%d dataZoom components, expected inside and slider", got)
	}
}

func TestIntervalsOption(t *testing.T) {
	f := intervalFigure()
	cs := intervalCharts(f, 0.95)
	if len(cs) != 2 {
		t.Fatalf("%d charts, expected one per panel", len(cs))
	}
	option := optionTree(t, cs[0])

	series := list(t, option["series"], "series")
	if len(series) != 3 {
		t.Fatalf("panel 0 has %d series, expected the reference and 2 methods", len(series))
	}
	reference := object(t, series[0], "reference")
	if reference["name"] != "SFT" {
		t.Errorf("the first series is %v, expected the reference SFT", reference["name"])
	}
	line := object(t, list(t, object(t, reference["markLine"], "markLine")["data"], "markLine data")[0], "item")
	if line["yAxis"] != 40.0 {
		t.Errorf("the reference line is at %v, expected the mean 40", line["yAxis"])
	}
	band := list(t, list(t, object(t, reference["markArea"], "markArea")["data"], "markArea data")[0], "band")
	if object(t, band[0], "band start")["yAxis"] != 38.0 || object(t, band[1], "band end")["yAxis"] != 42.5 {
		t.Errorf("the reference band is %v, expected 38 to 42.5", band)
	}
	wantTip := "SFT (reference)\nmean 40.00\n95 % CI [38.00, 42.50]\nn = 3 seeds"
	if line["name"] != wantTip {
		t.Errorf("the reference tooltip is %q, expected %q", line["name"], wantTip)
	}

	if got := list(t, object(t, list(t, option["xAxis"], "xAxis")[0], "x axis")["data"], "x data"); !reflect.DeepEqual(got, []any{"γ = 0.9", "γ = 1", "γ = 0.5"}) {
		t.Errorf("the settings are %v, expected the order of first appearance", got)
	}
	yAxis := object(t, list(t, option["yAxis"], "yAxis")[0], "y axis")
	if yAxis["min"] != 30.0 || yAxis["max"] != 55.0 {
		t.Errorf("the y axis spans %v to %v, expected 30 to 55", yAxis["min"], yAxis["max"])
	}

	points := []struct {
		series int
		value  []float64
		tip    string
	}{
		{1, []float64{0, 44, 42, 46, 3, -0.11}, "DPR · γ = 0.9\nmean 44.00\n95 % CI [42.00, 46.00]\nn = 3 seeds"},
		{1, []float64{1, 47.5, 45, 50, 3, -0.11}, "DPR · γ = 1\nmean 47.50\n95 % CI [45.00, 50.00]\nn = 3 seeds"},
		{2, []float64{1, 43, 40, 45, 3, 0.11}, "SFT+RL · γ = 1\nmean 43.00\n95 % CI [40.00, 45.00]\nn = 3 seeds"},
		{2, []float64{2, 39, 35, 41, 3, 0.11}, "SFT+RL · γ = 0.5\nmean 39.00\n95 % CI [35.00, 41.00]\nn = 3 seeds"},
	}
	seen := map[int]int{}
	for _, p := range points {
		s := object(t, series[p.series], "series")
		if s["type"] != "custom" || s["renderItem"] != "dprkit:intervalBar" {
			t.Errorf("series %d is %v with renderItem %v, expected a custom dprkit:intervalBar series",
				p.series, s["type"], s["renderItem"])
		}
		item := object(t, list(t, s["data"], "data")[seen[p.series]], "item")
		seen[p.series]++
		got := numbers(t, item["value"], "value")
		for k := range got {
			if !closeTo(got[k], p.value[k]) {
				t.Errorf("series %d: value %v, expected %v", p.series, got, p.value)
				break
			}
		}
		if item["tip"] != p.tip {
			t.Errorf("series %d: tooltip %q, expected %q", p.series, item["tip"], p.tip)
		}
	}

	// DPR keeps its colour in the second panel, which has no reference.
	second := list(t, optionTree(t, cs[1])["series"], "series")
	if len(second) != 1 {
		t.Fatalf("panel 1 has %d series, expected 1", len(second))
	}
	for i, s := range []any{series[1], second[0]} {
		if got := object(t, object(t, s, "series")["itemStyle"], "itemStyle")["color"]; got != seriesColors[0] {
			t.Errorf("DPR in panel %d has colour %v, expected %s", i, got, seriesColors[0])
		}
	}
}

func TestHeatmapOption(t *testing.T) {
	maps := heatmaps()
	option := optionTree(t, mustHeatmapChart(t, maps))

	series := list(t, option["series"], "series")
	if len(series) != 1 {
		t.Fatalf("%d series, expected 1", len(series))
	}
	data := list(t, object(t, series[0], "series")["data"], "data")
	if len(data) != 7 {
		t.Fatalf("%d cells, expected one per token (7)", len(data))
	}
	cells := []struct {
		i     int
		name  string
		value []float64
		tip   string
	}{
		{0, "The", []float64{0, 0, 0.1234}, "SFT\nposition 0: \"The\"\nr̂ = +0.123 nats\nprompt: add 2 and 3"},
		{1, " answer", []float64{1, 0, -0.5}, "SFT\nposition 1: \" answer\"\nr̂ = −0.500 nats\nprompt: add 2 and 3"},
		{2, `" "`, []float64{2, 0, 0}, "SFT\nposition 2: \" \"\nr̂ = +0.000 nats\nprompt: add 2 and 3"},
		{5, "<script>", []float64{5, 0, -0.0004}, "SFT\nposition 5: \"<script>\"\nr̂ = −0.000 nats\nprompt: add 2 and 3"},
		{6, "5", []float64{0, 1, 2.25}, "Response 2\nposition 0: \"5\"\nr̂ = +2.250 nats\nprompt: add 2 and 3"},
	}
	for _, c := range cells {
		item := object(t, data[c.i], "cell")
		if item["name"] != c.name {
			t.Errorf("cell %d is labelled %q, expected %q", c.i, item["name"], c.name)
		}
		if got := numbers(t, item["value"], "value"); !reflect.DeepEqual(got, c.value) {
			t.Errorf("cell %d has value %v, expected %v", c.i, got, c.value)
		}
		if item["tip"] != c.tip {
			t.Errorf("cell %d has tooltip %q, expected %q", c.i, item["tip"], c.tip)
		}
	}

	visualMap := object(t, list(t, option["visualMap"], "visualMap")[0], "visualMap")
	if visualMap["min"] != -2.25 || visualMap["max"] != 2.25 {
		t.Errorf("the colour scale spans %v to %v, expected ±2.25", visualMap["min"], visualMap["max"])
	}
	if got := list(t, object(t, visualMap["inRange"], "inRange")["color"], "colors"); len(got) != 3 {
		t.Errorf("the colour scale has %d colours, expected blue, grey and red", len(got))
	}
	yData := list(t, object(t, list(t, option["yAxis"], "yAxis")[0], "y axis")["data"], "y data")
	if !reflect.DeepEqual(yData, []any{"SFT", "Response 2"}) {
		t.Errorf("the rows are %v, expected the titles with the default for the untitled map", yData)
	}
	zoom := object(t, list(t, option["dataZoom"], "dataZoom")[0], "dataZoom")
	if _, ok := zoom["end"]; ok {
		t.Errorf("6 tokens start zoomed to %v %%, expected the whole row", zoom["end"])
	}
}

func TestHeatmapLongResponse(t *testing.T) {
	tokens := make([]string, 100)
	rewards := make([]float64, 100)
	for i := range tokens {
		tokens[i] = "tok"
	}
	tokens[3] = "abcdefghijkl"
	option := optionTree(t, mustHeatmapChart(t, []figures.Heatmap{{Prompt: "p", Tokens: tokens, Reward: rewards}}))

	zoom := object(t, list(t, option["dataZoom"], "dataZoom")[0], "dataZoom")
	if got := number(t, zoom["end"], "end"); !closeTo(got, 40) {
		t.Errorf("100 tokens start zoomed to %v %%, expected 40 %% (40 tokens)", got)
	}
	cell := object(t, list(t, object(t, list(t, option["series"], "series")[0], "series")["data"], "data")[3], "cell")
	if cell["name"] != "abcdefg…" {
		t.Errorf("a 12-character token is labelled %q, expected %q", cell["name"], "abcdefg…")
	}
	visualMap := object(t, list(t, option["visualMap"], "visualMap")[0], "visualMap")
	if visualMap["min"] != -1.0 || visualMap["max"] != 1.0 {
		t.Errorf("all-zero rewards give the scale %v to %v, expected ±1", visualMap["min"], visualMap["max"])
	}
	if title := object(t, option["title"], "title")["text"]; title != "Dense reward per token" {
		t.Errorf("a single untitled map is titled %v", title)
	}
}

func TestShowOutsideNotebook(t *testing.T) {
	// Outside a notebook no library is needed.
	t.Setenv(LibraryEnv, filepath.Join(t.TempDir(), "absent.js"))
	var out bytes.Buffer
	previous := summaryOutput
	summaryOutput = &out
	t.Cleanup(func() { summaryOutput = previous })

	checks := []struct {
		name string
		show func() error
		want string
	}{
		{"DPRTraining", func() error { return ShowDPRTraining(dprRuns()) },
			"[interactive DPR training: 2 runs, DPR steps 0 to 30]\n"},
		{"SFTLoss", func() error { return ShowSFTLoss(lossCurves()) },
			"[interactive SFT loss: 2 runs, SFT steps 0 to 400]\n"},
		{"Intervals", func() error { return ShowIntervals(intervalFigure()) },
			"[interactive intervals \"Discount sweep\": 2 panels, Markers: mean over 2–3 seeds. " +
				"Bars and bands: 95 % percentile-bootstrap confidence interval. " +
				"Hover a marker or a band for its values.]\n"},
		{"Heatmap", func() error { return ShowHeatmap(heatmaps()[1]) },
			"[interactive dense reward heat map: 1 response, 1 token, colour limit ±2.250 nats]\n"},
	}
	for _, c := range checks {
		out.Reset()
		if err := c.show(); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if out.String() != c.want {
			t.Errorf("%s printed %q, expected %q", c.name, out.String(), c.want)
		}
	}

	if err := ShowSFTLoss(nil); err == nil {
		t.Errorf("ShowSFTLoss(nil) succeeded, expected the validation error")
	}
}

func TestValidation(t *testing.T) {
	useFakeLibrary(t)
	nan := math.NaN()
	cases := []struct {
		name   string
		render func() (string, error)
		want   string
	}{
		{"no DPR runs", func() (string, error) { return RenderDPRTraining(nil) }, "no runs"},
		{"NaN reward", func() (string, error) {
			runs := dprRuns()
			runs[1].Reward[2] = nan
			return RenderDPRTraining(runs)
		}, "run 1 (seed 2): Reward[2] = NaN is not finite"},
		{"short KL", func() (string, error) {
			runs := dprRuns()
			runs[0].KL = runs[0].KL[:2]
			return RenderDPRTraining(runs)
		}, "KL has 2 values but Steps has 4"},
		{"repeated seed", func() (string, error) {
			runs := dprRuns()
			runs[1].Seed = 1
			return RenderDPRTraining(runs)
		}, "seed is repeated"},
		{"exact match above 100", func() (string, error) {
			runs := dprRuns()
			runs[0].ExactMatch[1] = 120
			return RenderDPRTraining(runs)
		}, "ExactMatch[1] = 120 is invalid"},
		{"unordered steps", func() (string, error) {
			runs := dprRuns()
			runs[0].Steps = []int{0, 20, 10, 30}
			return RenderDPRTraining(runs)
		}, "Steps[2] = 10 does not follow Steps[1] = 20"},
		{"negative loss", func() (string, error) {
			curves := lossCurves()
			curves[0].Loss[1] = -1
			return RenderSFTLoss(curves)
		}, "Loss[1] = -1 at step 100 is invalid"},
		{"empty loss steps", func() (string, error) {
			curves := lossCurves()
			curves[1].Steps, curves[1].Loss = nil, nil
			return RenderSFTLoss(curves)
		}, "Steps is empty"},
		{"checkpoint outside", func() (string, error) {
			curves := lossCurves()
			curves[0].Checkpoints[0].Step = 500
			return RenderSFTLoss(curves)
		}, "Checkpoints[0].Step = 500 is outside the logged steps 0..400"},
		{"no panels", func() (string, error) { return RenderIntervals(figures.IntervalFigure{}) }, "no panels"},
		{"interval out of order", func() (string, error) {
			f := intervalFigure()
			f.Panels[0].Series[0].Points[1].Value.Low = 48
			return RenderIntervals(f)
		}, `series 0 ("DPR"), point 1 ("γ = 1"): Low = 48 is above Mean = 47.5`},
		{"NaN mean", func() (string, error) {
			f := intervalFigure()
			f.Panels[1].Series[0].Points[0].Value.Mean = nan
			return RenderIntervals(f)
		}, "Mean = NaN is not finite"},
		{"mixed levels", func() (string, error) {
			f := intervalFigure()
			f.Panels[1].Series[0].Points[0].Value.Level = 0.9
			return RenderIntervals(f)
		}, "Level = 0.9 differs from the level 0.95"},
		{"reference without a name", func() (string, error) {
			f := intervalFigure()
			f.Panels[0].ReferenceName = ""
			return RenderIntervals(f)
		}, "ReferenceName is empty"},
		{"empty label", func() (string, error) {
			f := intervalFigure()
			f.Panels[0].Series[1].Points[0].Label = " "
			return RenderIntervals(f)
		}, "Label is empty"},
		{"no heat maps", func() (string, error) { return RenderHeatmaps(nil) }, "no heat maps"},
		{"empty prompt", func() (string, error) {
			h := heatmaps()[0]
			h.Prompt = ""
			return RenderHeatmap(h)
		}, "heat map 0: Prompt is empty"},
		{"NaN reward in heat map", func() (string, error) {
			maps := heatmaps()
			maps[1].Reward[0] = math.Inf(1)
			return RenderHeatmaps(maps)
		}, "heat map 1: Reward[0] = +Inf is not finite"},
		{"rewards and tokens differ", func() (string, error) {
			h := heatmaps()[0]
			h.Reward = h.Reward[:3]
			return RenderHeatmap(h)
		}, "Reward has 3 values but Tokens has 6"},
	}
	for _, c := range cases {
		fragment, err := c.render()
		if err == nil {
			t.Errorf("%s: rendered %d bytes, expected an error containing %q", c.name, len(fragment), c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	cases := []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{0.7312, "0.7312"},
		{52.3, "52.30"},
		{-0.12, "−0.1200"},
		{1234.6, "1235"},
		{123456, "1.235e+05"},
		{-0.0004, "−4.000e−04"},
	}
	for _, c := range cases {
		if got := formatValue(c.v); got != c.want {
			t.Errorf("formatValue(%v) = %q, expected %q", c.v, got, c.want)
		}
	}
}

func TestNiceRange(t *testing.T) {
	cases := []struct {
		lo, hi, wantLo, wantHi float64
	}{
		{35, 50, 30, 55},
		{0.7, 0.9, 0.65, 0.95},
		{40, 40, 37, 43},
		{0, 0, -0.0015, 0.0015},
		{-1.5, 2.5, -2, 3},
	}
	for _, c := range cases {
		lo, hi := niceRange(c.lo, c.hi)
		if lo != c.wantLo || hi != c.wantHi {
			t.Errorf("niceRange(%v, %v) = %v, %v, expected %v, %v", c.lo, c.hi, lo, hi, c.wantLo, c.wantHi)
		}
		if lo > c.lo || hi < c.hi {
			t.Errorf("niceRange(%v, %v) = %v, %v does not contain the data", c.lo, c.hi, lo, hi)
		}
	}
}

func TestDodgeOffsets(t *testing.T) {
	if got := dodgeOffsets(1); !reflect.DeepEqual(got, []float64{0}) {
		t.Errorf("dodgeOffsets(1) = %v, expected [0]", got)
	}
	got := dodgeOffsets(5)
	if !closeTo(got[0], -0.28) || !closeTo(got[2], 0) || !closeTo(got[4], 0.28) {
		t.Errorf("dodgeOffsets(5) = %v, expected 5 points 0.14 apart centred on 0", got)
	}
}
