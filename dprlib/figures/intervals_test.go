package figures

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/dprkit/dprkit/dprlib/stats"
)

// seedMean bootstraps the mean of per-seed values with the default
// options, failing the test on an error.
func seedMean(t *testing.T, values ...float64) stats.Interval {
	t.Helper()
	iv, err := stats.BootstrapMean(values, stats.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return iv
}

// sampleIntervalFigure imitates a γ sweep on SCAN over three seeds: held-out
// exact match in percent and the KL to the SFT policy, for DPR with and
// without its baseline, against the SFT policy. The variant without a
// baseline was not run at γ = 1, and only it was run at γ = 0.5, so the
// x order is the union of both series' settings.
func sampleIntervalFigure(t *testing.T) IntervalFigure {
	sft := seedMean(t, 61.5, 64, 66.5)
	exact := IntervalPanel{
		Title:  "Held-out exact match",
		YLabel: "exact match (%)",
		Series: []IntervalSeries{
			{Name: "DPR", Points: []IntervalPoint{
				{Label: "γ = 0.9", Value: seedMean(t, 66.1, 68.4, 70.2)},
				{Label: "γ = 0.99", Value: seedMean(t, 70.4, 73.9, 74.6)},
				{Label: "γ = 1", Value: seedMean(t, 71.2, 72.5, 76.8)},
			}},
			{Name: "DPR without baseline", Points: []IntervalPoint{
				{Label: "γ = 0.5", Value: seedMean(t, 58.3, 60.1, 65.2)},
				{Label: "γ = 0.9", Value: seedMean(t, 63, 65.8, 69.9)},
				{Label: "γ = 0.99", Value: seedMean(t, 66.7, 67.1, 72.4)},
			}},
		},
		Reference:     &sft,
		ReferenceName: "SFT",
	}
	kl := IntervalPanel{
		Title:  "KL(π_θ ‖ π_SFT) per token",
		YLabel: "nats / token",
		Series: []IntervalSeries{
			{Name: "DPR", Points: []IntervalPoint{
				{Label: "γ = 0.9", Value: seedMean(t, 0.041, 0.047, 0.052)},
				{Label: "γ = 0.99", Value: seedMean(t, 0.058, 0.061, 0.07)},
				{Label: "γ = 1", Value: seedMean(t, 0.063, 0.071, 0.074)},
			}},
		},
	}
	return IntervalFigure{
		Title:  "DPR over the discount γ",
		XLabel: "discount γ",
		Panels: []IntervalPanel{exact, kl},
	}
}

// checkDataPaths checks that paths are dir/name with the extensions .svg,
// .png, .csv and .json, in that order.
func checkDataPaths(t *testing.T, paths []string, dir, name string) {
	t.Helper()
	var want []string
	for _, ext := range []string{".svg", ".png", ".csv", ".json"} {
		want = append(want, filepath.Join(dir, name+ext))
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("paths = %q, want %q", paths, want)
	}
}

func TestIntervalsGolden(t *testing.T) {
	dir := outputDir(t)
	f := sampleIntervalFigure(t)
	paths, err := Intervals(dir, "intervals", f)
	if err != nil {
		t.Fatal(err)
	}
	checkDataPaths(t, paths, dir, "intervals")

	data := intervalsRecords(f, 0.95)
	fig, err := intervalsFigure(f, data)
	if err != nil {
		t.Fatal(err)
	}
	width, height := intervalsSize(fig.grid, intervalPanelWidth(data))
	checkImages(t, paths[0], paths[1], width, height, "DPR over the discount γ")
	checkGolden(t, paths[2], "intervals.csv")
	checkGolden(t, paths[3], "intervals.json")
}

func TestIntervalsJSON(t *testing.T) {
	paths, err := Intervals(t.TempDir(), "gamma", sampleIntervalFigure(t))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(paths[3])
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Level  float64 `json:"level"`
		Panels []struct {
			Labels    []string `json:"labels"`
			Reference *struct {
				Name string `json:"name"`
				stats.Interval
			} `json:"reference"`
			Series []struct {
				Name   string `json:"name"`
				Points []struct {
					Label string `json:"label"`
					stats.Interval
				} `json:"points"`
			} `json:"series"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Level != 0.95 {
		t.Errorf("level = %v, want 0.95", got.Level)
	}
	if len(got.Panels) != 2 {
		t.Fatalf("%d panels, want 2", len(got.Panels))
	}

	exact := got.Panels[0]
	wantLabels := []string{"γ = 0.9", "γ = 0.99", "γ = 1", "γ = 0.5"}
	if !slices.Equal(exact.Labels, wantLabels) {
		t.Errorf("labels = %q, want the first-seen order %q", exact.Labels, wantLabels)
	}
	if exact.Reference == nil || exact.Reference.Name != "SFT" {
		t.Fatalf("reference = %+v, want one named SFT", exact.Reference)
	}
	if ref := exact.Reference.Interval; ref.N != 3 || ref.Low != 61.5 || ref.High != 66.5 {
		t.Errorf("SFT reference = %v, want the range 61.5 to 66.5 of three seeds", ref)
	}
	point := exact.Series[1].Points[0]
	if point.Label != "γ = 0.5" || point.N != 3 || point.Level != 0.95 {
		t.Errorf("first point of the second series = %+v, want γ = 0.5 with n = 3, level 0.95",
			point)
	}
	if math.Abs(point.Mean-61.2) > 1e-12 {
		t.Errorf("mean = %v, want 61.2", point.Mean)
	}
	if got.Panels[1].Reference != nil {
		t.Errorf("KL panel reference = %+v, want null", got.Panels[1].Reference)
	}
	if !strings.Contains(string(raw), `"reference": null`) {
		t.Errorf("JSON lacks \"reference\": null for the panel without a reference:\n%s", raw)
	}
}

func TestIntervalsSinglePointAndSeed(t *testing.T) {
	one := stats.Interval{Mean: 0.4, Low: 0.4, High: 0.4, Level: 0.95, N: 1}
	f := IntervalFigure{Panels: []IntervalPanel{{
		Series: []IntervalSeries{{Name: "DPR", Points: []IntervalPoint{{Label: "all", Value: one}}}},
	}}}
	paths, err := Intervals(t.TempDir(), "single", f)
	if err != nil {
		t.Fatal(err)
	}
	data := intervalsRecords(f, 0.95)
	if note := intervalsNote(data); !strings.Contains(note, "mean over 1 seed.") {
		t.Errorf("note = %q, want it to say 1 seed", note)
	}
	csv, err := os.ReadFile(paths[2])
	if err != nil {
		t.Fatal(err)
	}
	want := "panel,panel_title,kind,name,label,mean,ci_low,ci_high,level,n\n" +
		"0,,setting,DPR,all,0.4,0.4,0.4,0.95,1\n"
	if string(csv) != want {
		t.Errorf("CSV = %q, want %q", csv, want)
	}
}

func TestIntervalsNote(t *testing.T) {
	at := func(level float64, n int) stats.Interval {
		return stats.Interval{Mean: 1, Low: 0, High: 2, Level: level, N: n}
	}
	ref := at(0.9, 5)
	f := IntervalFigure{Panels: []IntervalPanel{{
		Series: []IntervalSeries{{Name: "DPR", Points: []IntervalPoint{
			{Label: "a", Value: at(0.9, 3)}, {Label: "b", Value: at(0.9, 4)},
		}}},
		Reference: &ref, ReferenceName: "SFT",
	}}}
	level, err := validateIntervals(f)
	if err != nil {
		t.Fatal(err)
	}
	want := "Markers: mean over 3–5 seeds. Bars and bands: 90 % percentile-bootstrap " +
		"confidence interval."
	if got := intervalsNote(intervalsRecords(f, level)); got != want {
		t.Errorf("note = %q, want %q", got, want)
	}
}

func TestIntervalsLegendSharesNames(t *testing.T) {
	f := sampleIntervalFigure(t)
	f.Panels = append(f.Panels, f.Panels[0])
	paths, err := Intervals(t.TempDir(), "shared", f)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	// Series and references appear only in the legend, once each, even
	// though DPR and SFT appear in several panels.
	for _, name := range []string{">DPR<", ">DPR without baseline<", ">SFT<"} {
		if got := strings.Count(string(svg), name); got != 1 {
			t.Errorf("SVG contains %s %d times, want 1", name, got)
		}
	}
}

func TestDodgeOffsets(t *testing.T) {
	if got := dodgeOffsets(1); !slices.Equal(got, []float64{0}) {
		t.Errorf("dodgeOffsets(1) = %v, want [0]", got)
	}
	for n := 2; n <= 8; n++ {
		offsets := dodgeOffsets(n)
		if math.Abs(offsets[0]+offsets[n-1]) > 1e-12 {
			t.Errorf("n = %d: offsets %v are not centred on 0", n, offsets)
		}
		if spread := offsets[n-1] - offsets[0]; spread > 0.7 {
			t.Errorf("n = %d: spread %v, want at most 0.7 so categories stay apart", n, spread)
		}
		if !slices.IsSorted(offsets) {
			t.Errorf("n = %d: offsets %v are not increasing", n, offsets)
		}
	}
}

func TestIntervalLabelsCrowded(t *testing.T) {
	width := 3.3 * vg.Inch
	if intervalLabelsCrowded([]string{"0.9", "0.99", "1"}, 3, width) {
		t.Error("three short labels counted as crowded")
	}
	long := []string{
		"no baseline, γ = 0.9", "leave-one-out baseline", "batch-mean baseline",
		"value baseline", "no baseline, γ = 1", "reference from 25 % of SFT",
	}
	if !intervalLabelsCrowded(long, len(long), width) {
		t.Error("six long labels not counted as crowded")
	}
	f := IntervalFigure{Panels: []IntervalPanel{{Series: []IntervalSeries{{Name: "DPR"}}}}}
	for _, label := range long {
		f.Panels[0].Series[0].Points = append(f.Panels[0].Series[0].Points, IntervalPoint{
			Label: label, Value: stats.Interval{Mean: 1, Low: 0.5, High: 1.5, Level: 0.95, N: 3},
		})
	}
	data := intervalsRecords(f, 0.95)
	fig, err := intervalsFigure(f, data)
	if err != nil {
		t.Fatal(err)
	}
	if rot := fig.grid.panels[0][0].X.Tick.Label.Rotation; rot == 0 {
		t.Error("tick labels of a crowded panel are not rotated")
	}
	if _, err := Intervals(t.TempDir(), "crowded", f); err != nil {
		t.Fatal(err)
	}
}

func TestIntervalsYRange(t *testing.T) {
	f := sampleIntervalFigure(t)
	data := intervalsRecords(f, 0.95)
	fig, err := intervalsFigure(f, data)
	if err != nil {
		t.Fatal(err)
	}
	p := fig.grid.panels[0][0]
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range f.Panels[0].Series {
		for _, pt := range s.Points {
			lo, hi = math.Min(lo, pt.Value.Low), math.Max(hi, pt.Value.High)
		}
	}
	lo, hi = math.Min(lo, f.Panels[0].Reference.Low), math.Max(hi, f.Panels[0].Reference.High)
	if !(p.Y.Min < lo && p.Y.Max > hi) {
		t.Errorf("y axis [%v, %v] does not strictly contain the bars [%v, %v]",
			p.Y.Min, p.Y.Max, lo, hi)
	}

	flat := stats.Interval{Mean: 2, Low: 2, High: 2, Level: 0.95, N: 1}
	g := IntervalFigure{Panels: []IntervalPanel{{
		Series: []IntervalSeries{{Name: "DPR", Points: []IntervalPoint{{Label: "a", Value: flat}}}},
	}}}
	fig, err = intervalsFigure(g, intervalsRecords(g, 0.95))
	if err != nil {
		t.Fatal(err)
	}
	if y := fig.grid.panels[0][0].Y; !(y.Min < 2 && y.Max > 2) {
		t.Errorf("flat y axis = [%v, %v], want a range around 2", y.Min, y.Max)
	}
}

func TestIntervalsErrors(t *testing.T) {
	ok := func() stats.Interval {
		return stats.Interval{Mean: 0.7, Low: 0.65, High: 0.74, Level: 0.95, N: 3}
	}
	good := func() IntervalFigure {
		ref := ok()
		return IntervalFigure{Panels: []IntervalPanel{{
			Title: "exact match",
			Series: []IntervalSeries{{Name: "DPR", Points: []IntervalPoint{
				{Label: "γ = 0.9", Value: ok()}, {Label: "γ = 1", Value: ok()},
			}}},
			Reference: &ref, ReferenceName: "SFT",
		}}}
	}
	const point1 = `panel 0 ("exact match"), series 0 ("DPR"), point 1 ("γ = 1")`
	cases := []struct {
		name   string
		modify func(*IntervalFigure)
		want   string
	}{
		{"no panels", func(f *IntervalFigure) { f.Panels = nil }, "no panels"},
		{"no series", func(f *IntervalFigure) { f.Panels[0].Series = nil },
			`panel 0 ("exact match"): no series`},
		{"no points", func(f *IntervalFigure) { f.Panels[0].Series[0].Points = nil },
			`series 0 ("DPR"): no points`},
		{"empty name", func(f *IntervalFigure) { f.Panels[0].Series[0].Name = " " },
			"Name is empty"},
		{"repeated name", func(f *IntervalFigure) {
			f.Panels[0].Series = append(f.Panels[0].Series, f.Panels[0].Series[0])
		}, `series 1 ("DPR"): Name is repeated`},
		{"empty label", func(f *IntervalFigure) { f.Panels[0].Series[0].Points[1].Label = "" },
			"point 1 (\"\"): Label is empty"},
		{"repeated label", func(f *IntervalFigure) {
			f.Panels[0].Series[0].Points[1].Label = "γ = 0.9"
		}, "Label is repeated"},
		{"NaN mean", func(f *IntervalFigure) { f.Panels[0].Series[0].Points[1].Value.Mean = math.NaN() },
			point1 + ": Mean = NaN is not finite"},
		{"infinite high", func(f *IntervalFigure) {
			f.Panels[0].Series[0].Points[1].Value.High = math.Inf(1)
		}, point1 + ": High = +Inf is not finite"},
		{"low above mean", func(f *IntervalFigure) { f.Panels[0].Series[0].Points[1].Value.Low = 0.71 },
			point1 + ": Low = 0.71 is above Mean = 0.7"},
		{"mean above high", func(f *IntervalFigure) { f.Panels[0].Series[0].Points[1].Value.High = 0.69 },
			point1 + ": Mean = 0.7 is above High = 0.69"},
		{"no seeds", func(f *IntervalFigure) { f.Panels[0].Series[0].Points[1].Value.N = 0 },
			point1 + ": N = 0 is invalid"},
		{"zero level", func(f *IntervalFigure) { f.Panels[0].Series[0].Points[0].Value.Level = 0 },
			"Level = 0 is invalid"},
		{"mixed levels", func(f *IntervalFigure) { f.Panels[0].Series[0].Points[1].Value.Level = 0.9 },
			point1 + ": Level = 0.9 differs from the level 0.95"},
		{"reference without name", func(f *IntervalFigure) { f.Panels[0].ReferenceName = "" },
			"ReferenceName is empty"},
		{"name without reference", func(f *IntervalFigure) { f.Panels[0].Reference = nil },
			`ReferenceName is "SFT" but Reference is nil`},
		{"bad reference", func(f *IntervalFigure) { f.Panels[0].Reference.Low = 0.8 },
			`panel 0 ("exact match"), reference "SFT": Low = 0.8 is above Mean = 0.7`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := good()
			tc.modify(&f)
			dir := t.TempDir()
			_, err := Intervals(dir, "intervals", f)
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}

	_, err := Intervals("", "intervals", good())
	checkError(t, err, "output directory is empty")
}
