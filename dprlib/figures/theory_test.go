package figures

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func TestIdentityErrorsGolden(t *testing.T) {
	dir := outputDir(t)
	rows := sampleIdentityErrors()
	paths, err := IdentityErrors(dir, "identity_errors", rows)
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "identity_errors", "csv")
	height := identityFixedHeight + vg.Length(len(rows))*identityRowPitch
	checkImages(t, paths[0], paths[1], identityWidth, height,
		"Measured error of each identity against its tolerance")
	checkGolden(t, paths[2], "identity_errors.csv")
}

func TestIdentityErrorsTwentyRows(t *testing.T) {
	var rows []IdentityError
	for i := range 20 {
		rows = append(rows, IdentityError{
			Check: "check with a fairly long name number " + string(rune('A'+i)),
			Level: "SCAN transformer", Stage: "trained",
			Error: math.Pow(10, -float64(i)), Tolerance: 1e-6,
		})
	}
	dir := t.TempDir()
	paths, err := IdentityErrors(dir, "many", rows)
	if err != nil {
		t.Fatal(err)
	}
	height := identityFixedHeight + 20*identityRowPitch
	checkImages(t, paths[0], paths[1], identityWidth, height, "against its tolerance")
}

func TestIdentityErrorsAllExact(t *testing.T) {
	rows := []IdentityError{
		{Check: "a", Error: 0, Tolerance: 1e-12},
		{Check: "b", Error: 0, Tolerance: 3e-9},
	}
	if got := identityFloor(rows); got != 1e-13 {
		t.Errorf("floor = %v, want 1e-13, a decade below the smallest tolerance", got)
	}
	paths, err := IdentityErrors(t.TempDir(), "exact", rows)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(paths[2])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "0,a,,,0,0,1e-12,exact,1e-13\n") {
		t.Errorf("CSV lacks the exact row drawn at the floor:\n%s", data)
	}
}

func TestIdentityFloor(t *testing.T) {
	rows := []IdentityError{
		{Check: "a", Error: -2.2e-16, Tolerance: 1e-12},
		{Check: "b", Error: 0, Tolerance: 1e-4},
	}
	if got := identityFloor(rows); got != 1e-17 {
		t.Errorf("floor = %v, want 1e-17", got)
	}
	tiny := []IdentityError{{Check: "a", Error: 5e-324, Tolerance: 1}}
	if got := identityFloor(tiny); !(got > 0) {
		t.Errorf("floor of a subnormal error = %v, want a positive float64", got)
	}
}

func TestIdentityStatus(t *testing.T) {
	cases := []struct {
		row  IdentityError
		want string
	}{
		{IdentityError{Error: 0, Tolerance: 1e-12}, "exact"},
		{IdentityError{Error: -1e-12, Tolerance: 1e-12}, "pass"},
		{IdentityError{Error: 2e-12, Tolerance: 1e-12}, "fail"},
		{IdentityError{Error: -2e-12, Tolerance: 1e-12}, "fail"},
	}
	for _, tc := range cases {
		if got := identityStatus(tc.row); got != tc.want {
			t.Errorf("status(error %v, tolerance %v) = %q, want %q",
				tc.row.Error, tc.row.Tolerance, got, tc.want)
		}
	}
}

func TestIdentityTickLabel(t *testing.T) {
	sty := textStyle(tickSize, textColor)
	got := identityTickLabel(IdentityError{Check: " SFT = IQ-Learn ", Stage: "trained"}, sty)
	if got != "SFT = IQ-Learn\ntrained" {
		t.Errorf("label = %q, want check and stage on two lines", got)
	}
	if got := identityTickLabel(IdentityError{Check: "gap"}, sty); got != "gap" {
		t.Errorf("label without level or stage = %q, want one line", got)
	}
}

func TestIdentityErrorsErrors(t *testing.T) {
	good := IdentityError{Check: "SFT = IQ-Learn", Level: "tree MDP", Error: 1e-16, Tolerance: 1e-12}
	cases := []struct {
		name   string
		modify func(*IdentityError)
		want   string
	}{
		{"empty check", func(r *IdentityError) { r.Check = " " }, "Check is empty"},
		{"NaN error", func(r *IdentityError) { r.Error = math.NaN() }, "Error = NaN is not finite"},
		{"infinite error", func(r *IdentityError) { r.Error = math.Inf(-1) }, "Error = -Inf"},
		{"zero tolerance", func(r *IdentityError) { r.Tolerance = 0 }, "Tolerance = 0 is invalid"},
		{"negative tolerance", func(r *IdentityError) { r.Tolerance = -1e-9 }, "Tolerance = -1e-09"},
		{"NaN tolerance", func(r *IdentityError) { r.Tolerance = math.NaN() }, "Tolerance = NaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			row := good
			tc.modify(&row)
			dir := t.TempDir()
			_, err := IdentityErrors(dir, "identity", []IdentityError{good, row})
			checkError(t, err, tc.want)
			checkError(t, err, "row 1")
			checkNothingWritten(t, dir)
		})
	}

	_, err := IdentityErrors(t.TempDir(), "identity", nil)
	checkError(t, err, "no rows")
	_, err = IdentityErrors("", "identity", []IdentityError{good})
	checkError(t, err, "output directory is empty")
}

func TestGammaGapGolden(t *testing.T) {
	dir := outputDir(t)
	series := sampleGammaGap()
	paths, err := GammaGap(dir, "gamma_gap", series)
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "gamma_gap", "csv")
	fig := newGridFigure("", make([]*plot.Plot, len(series)), gammaGapColumns, plot.Legend{})
	width, height := gammaGapSize(fig)
	checkImages(t, paths[0], paths[1], width, height,
		"Gap between the discounted IQ-Learn objective and SFT")
	checkGolden(t, paths[2], "gamma_gap.csv")
}

func TestGammaGapManySeries(t *testing.T) {
	base := sampleGammaGap()[0]
	var series []GammaGapSeries
	for _, label := range []string{"a", "b", "c", "d"} {
		s := base
		s.Label = label
		series = append(series, s)
	}
	fig := newGridFigure("", make([]*plot.Plot, len(series)), gammaGapColumns, plot.Legend{})
	if rows, cols := len(fig.panels), fig.columns(); rows != 2 || cols != 2 {
		t.Errorf("grid = %d × %d, want 2 rows of 2 for four series", rows, cols)
	}
	width, height := gammaGapSize(fig)
	paths, err := GammaGap(t.TempDir(), "four", series)
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, paths[0], paths[1], width, height, "discounted IQ-Learn")
}

func TestGammaGapFlatSeries(t *testing.T) {
	series := []GammaGapSeries{{
		Label: "γ = 1 only", Gamma: []float64{1}, Measured: []float64{0}, Formula: []float64{0},
	}}
	if _, err := GammaGap(t.TempDir(), "flat", series); err != nil {
		t.Fatal(err)
	}
}

func TestGammaGapTitle(t *testing.T) {
	s := GammaGapSeries{
		Label: "tree MDP", Gamma: []float64{0.5, 1},
		Measured: []float64{1.0000000000000002, 0}, Formula: []float64{1, 0},
	}
	want := "tree MDP\nmax |measured − formula| = 2.2e−16 nats"
	if got := formatError(2.4e-5); got != "2.4e−5" {
		t.Errorf("formatError(2.4e-5) = %q, want \"2.4e−5\"", got)
	}
	if got := formatError(0.031); got != "0.031" {
		t.Errorf("formatError(0.031) = %q, want \"0.031\"", got)
	}
	if got := formatError(0); got != "0" {
		t.Errorf("formatError(0) = %q, want \"0\"", got)
	}
	if got := gammaGapTitle(s); got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
}

func TestGammaGapErrors(t *testing.T) {
	good := func() GammaGapSeries {
		return GammaGapSeries{
			Label: "tree MDP", Gamma: []float64{0.5, 1},
			Measured: []float64{1, 0}, Formula: []float64{1, 0},
		}
	}
	cases := []struct {
		name   string
		modify func(*GammaGapSeries)
		want   string
	}{
		{"empty label", func(s *GammaGapSeries) { s.Label = "" }, "Label is empty"},
		{"empty gamma", func(s *GammaGapSeries) { s.Gamma, s.Measured, s.Formula = nil, nil, nil },
			"Gamma is empty"},
		{"gamma zero", func(s *GammaGapSeries) { s.Gamma[0] = 0 }, "Gamma[0] = 0 is invalid"},
		{"gamma above one", func(s *GammaGapSeries) { s.Gamma[1] = 1.5 }, "Gamma[1] = 1.5 is invalid"},
		{"gamma NaN", func(s *GammaGapSeries) { s.Gamma[0] = math.NaN() }, "Gamma[0] = NaN"},
		{"gamma order", func(s *GammaGapSeries) { s.Gamma = []float64{0.9, 0.5} },
			"Gamma[1] = 0.5 does not follow"},
		{"measured length", func(s *GammaGapSeries) { s.Measured = s.Measured[:1] },
			"Measured has 1 values but Gamma has 2"},
		{"formula length", func(s *GammaGapSeries) { s.Formula = nil },
			"Formula has 0 values but Gamma has 2"},
		{"NaN measured", func(s *GammaGapSeries) { s.Measured[1] = math.NaN() },
			"Measured[1] = NaN is not finite"},
		{"infinite formula", func(s *GammaGapSeries) { s.Formula[0] = math.Inf(1) },
			"Formula[0] = +Inf is not finite"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := good()
			tc.modify(&s)
			dir := t.TempDir()
			_, err := GammaGap(dir, "gap", []GammaGapSeries{s})
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}

	_, err := GammaGap(t.TempDir(), "gap", nil)
	checkError(t, err, "no series")
	_, err = GammaGap(t.TempDir(), "gap", []GammaGapSeries{good(), good()})
	checkError(t, err, "Label is repeated")
}

func TestRewardRecoveryGolden(t *testing.T) {
	dir := outputDir(t)
	paths, err := RewardRecovery(dir, "reward_recovery", sampleRecovery())
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "reward_recovery", "csv")
	checkImages(t, paths[0], paths[1], 8*vg.Inch, 4.5*vg.Inch,
		"Error of the reward recovered from SFT against the true reward")
	checkGolden(t, paths[2], "reward_recovery.csv")
}

func TestRewardRecoverySinglePoint(t *testing.T) {
	points := []RecoveryPoint{{Demonstrations: 100, Shaped: 0.2, Unshaped: 0.2}}
	if _, err := RewardRecovery(t.TempDir(), "single", points); err != nil {
		t.Fatal(err)
	}
}

func TestRewardRecoveryErrors(t *testing.T) {
	good := func() []RecoveryPoint {
		return []RecoveryPoint{
			{Demonstrations: 10, Shaped: 0.5, Unshaped: 0.9},
			{Demonstrations: 100, Shaped: 0.2, Unshaped: 0.7},
		}
	}
	cases := []struct {
		name   string
		modify func([]RecoveryPoint)
		want   string
	}{
		{"zero demonstrations", func(p []RecoveryPoint) { p[0].Demonstrations = 0 },
			"Demonstrations = 0 is invalid"},
		{"order", func(p []RecoveryPoint) { p[1].Demonstrations = 10 },
			"strictly increasing order of demonstrations"},
		{"zero shaped", func(p []RecoveryPoint) { p[1].Shaped = 0 }, "Shaped[0] = 0 is invalid"},
		{"negative unshaped", func(p []RecoveryPoint) { p[0].Unshaped = -0.1 },
			"Unshaped[0] = -0.1 is invalid"},
		{"NaN shaped", func(p []RecoveryPoint) { p[0].Shaped = math.NaN() }, "Shaped[0] = NaN"},
		{"infinite unshaped", func(p []RecoveryPoint) { p[1].Unshaped = math.Inf(1) },
			"Unshaped[0] = +Inf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			points := good()
			tc.modify(points)
			dir := t.TempDir()
			_, err := RewardRecovery(dir, "recovery", points)
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}

	_, err := RewardRecovery(t.TempDir(), "recovery", nil)
	checkError(t, err, "no points")
}

func TestConvergenceGolden(t *testing.T) {
	dir := outputDir(t)
	paths, err := Convergence(dir, "convergence", sampleConvergence())
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "convergence", "csv")
	checkImages(t, paths[0], paths[1], 7.5*vg.Inch, 4.5*vg.Inch,
		"Convergence of DPR to the KL-regularised optimum")
	checkGolden(t, paths[2], "convergence.csv")
}

func TestConvergenceOwnReferences(t *testing.T) {
	runs := []ConvergenceRun{
		{Label: "β = 0.1", Metric: "KL", Steps: []int{0, 10}, Distance: []float64{0.3, 0.01},
			Reference: 0.3},
		{Label: "β = 0.5", Metric: "KL", Steps: []int{0, 10}, Distance: []float64{0.1, 0.02},
			Reference: 0.1},
		{Label: "no reference", Metric: "KL", Steps: []int{5}, Distance: []float64{0.05}},
	}
	if _, ok := sharedReference(runs); ok {
		t.Error("sharedReference = ok for references 0.3 and 0.1, want false")
	}
	paths, err := Convergence(t.TempDir(), "own", runs)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(paths[2])
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"β = 0.1,KL,reference,,0.3,π_SFT\n",
		"β = 0.5,KL,reference,,0.1,π_SFT\n",
		"no reference,KL,distance,5,0.05,\n",
	} {
		if !strings.Contains(string(data), row) {
			t.Errorf("CSV lacks the row %q:\n%s", row, data)
		}
	}
	if strings.Contains(string(data), "no reference,KL,reference") {
		t.Errorf("CSV has a reference row for a run without a Reference:\n%s", data)
	}
}

func TestSharedReference(t *testing.T) {
	runs := []ConvergenceRun{{Reference: 0}, {Reference: 0.2}, {Reference: 0.2}}
	if got, ok := sharedReference(runs); !ok || got != 0.2 {
		t.Errorf("sharedReference = %v, %v, want 0.2, true", got, ok)
	}
	if _, ok := sharedReference([]ConvergenceRun{{}, {}}); ok {
		t.Error("sharedReference without references = ok, want false")
	}
}

func TestConvergenceErrors(t *testing.T) {
	good := func() ConvergenceRun {
		return ConvergenceRun{
			Label: "seed 1", Metric: "total variation",
			Steps: []int{0, 10}, Distance: []float64{0.3, 0.1}, Reference: 0.3,
		}
	}
	cases := []struct {
		name   string
		modify func(*ConvergenceRun)
		want   string
	}{
		{"empty label", func(r *ConvergenceRun) { r.Label = " " }, "Label is empty"},
		{"empty metric", func(r *ConvergenceRun) { r.Metric = "" }, "Metric is empty"},
		{"empty steps", func(r *ConvergenceRun) { r.Steps, r.Distance = nil, nil }, "Steps is empty"},
		{"steps order", func(r *ConvergenceRun) { r.Steps = []int{10, 0} }, "strictly increasing"},
		{"length", func(r *ConvergenceRun) { r.Distance = r.Distance[:1] },
			"Distance has 1 values but Steps has 2"},
		{"zero distance", func(r *ConvergenceRun) { r.Distance[1] = 0 },
			"Distance[1] = 0 is invalid; it is drawn on a log axis"},
		{"NaN distance", func(r *ConvergenceRun) { r.Distance[0] = math.NaN() }, "Distance[0] = NaN"},
		{"negative reference", func(r *ConvergenceRun) { r.Reference = -1 }, "Reference = -1 is invalid"},
		{"infinite reference", func(r *ConvergenceRun) { r.Reference = math.Inf(1) },
			"Reference = +Inf is invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.modify(&r)
			dir := t.TempDir()
			_, err := Convergence(dir, "convergence", []ConvergenceRun{r})
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}

	_, err := Convergence(t.TempDir(), "convergence", nil)
	checkError(t, err, "no runs")
	_, err = Convergence(t.TempDir(), "convergence", []ConvergenceRun{good(), good()})
	checkError(t, err, "Label is repeated")

	other := good()
	other.Label, other.Metric = "seed 2", "KL"
	_, err = Convergence(t.TempDir(), "convergence", []ConvergenceRun{good(), other})
	checkError(t, err, `Metric "KL" differs from "total variation"`)

	other = good()
	other.Label, other.ReferenceLabel = "seed 2", "π_ref"
	_, err = Convergence(t.TempDir(), "convergence", []ConvergenceRun{good(), other})
	checkError(t, err, `ReferenceLabel "π_ref" differs from "π_SFT"`)
}

func TestStabilityRatiosGolden(t *testing.T) {
	dir := outputDir(t)
	paths, err := StabilityRatios(dir, "stability_ratios", sampleStability())
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "stability_ratios", "csv")
	checkImages(t, paths[0], paths[1], 8*vg.Inch, 4*vg.Inch,
		"Observed change against the stability bound")
	checkGolden(t, paths[2], "stability_ratios.csv")
}

func TestStabilityRatiosAboveBound(t *testing.T) {
	s := Stability{Reward: []float64{0.5, 1, 1.01, 1.3}, LogPolicy: []float64{0, 0.2}}
	paths, err := StabilityRatios(t.TempDir(), "broken", s)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(paths[2])
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"reward,0.95,1,1\n", "reward,1,1.05,1\n", "reward,1.25,1.3,1\n", "log_policy,0,0.05,1\n",
	} {
		if !strings.Contains(string(data), row) {
			t.Errorf("CSV lacks the bin row %q:\n%s", row, data)
		}
	}
	svg, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "2 above the bound") {
		t.Errorf("%s does not count the 2 reward ratios above the bound", paths[0])
	}
}

func TestBinRatios(t *testing.T) {
	counts := binRatios([]float64{0, 0.05, 0.050001, 0.999, 1, 1.0000001})
	if len(counts) != stabilityBins+1 {
		t.Fatalf("len(counts) = %d, want %d: one extra bin above the bound",
			len(counts), stabilityBins+1)
	}
	want := map[int]int{0: 2, 1: 1, stabilityBins - 1: 2, stabilityBins: 1}
	for k, c := range counts {
		if c != want[k] {
			t.Errorf("counts[%d] = %d, want %d", k, c, want[k])
		}
	}
}

func TestStabilityRatiosErrors(t *testing.T) {
	cases := []struct {
		name string
		s    Stability
		want string
	}{
		{"empty reward", Stability{LogPolicy: []float64{0.5}}, "Reward is empty"},
		{"empty log policy", Stability{Reward: []float64{0.5}}, "LogPolicy is empty"},
		{"NaN ratio", Stability{Reward: []float64{math.NaN()}, LogPolicy: []float64{0.5}},
			"Reward[0] = NaN is invalid"},
		{"negative ratio", Stability{Reward: []float64{0.5}, LogPolicy: []float64{0.1, -0.2}},
			"LogPolicy[1] = -0.2 is invalid"},
		{"infinite ratio", Stability{Reward: []float64{math.Inf(1)}, LogPolicy: []float64{0.5}},
			"Reward[0] = +Inf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := StabilityRatios(dir, "stability", tc.s)
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}
}

func TestChiSquareGolden(t *testing.T) {
	dir := outputDir(t)
	paths, err := ChiSquare(dir, "chi_square", sampleChiSquare())
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "chi_square", "csv")
	checkImages(t, paths[0], paths[1], 8*vg.Inch, 4*vg.Inch, "χ²-regularised IQ-Learn against SFT")
	checkGolden(t, paths[2], "chi_square.csv")
}

func TestChiSquareDefaultMetric(t *testing.T) {
	c := ChiSquareCurve{Alpha: []float64{1}, ObjectiveGap: []float64{0.5}, PolicyDistance: []float64{0.1}}
	paths, err := ChiSquare(t.TempDir(), "default", c)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(paths[2])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "1,0.5,0.5,0.1,distance\n") {
		t.Errorf("CSV lacks the row with the default metric:\n%s", data)
	}
}

func TestChiSquareErrors(t *testing.T) {
	good := func() ChiSquareCurve {
		return ChiSquareCurve{
			Alpha: []float64{1, 10}, ObjectiveGap: []float64{-0.9, -0.09},
			PolicyDistance: []float64{0.2, 0.03},
		}
	}
	cases := []struct {
		name   string
		modify func(*ChiSquareCurve)
		want   string
	}{
		{"empty alpha", func(c *ChiSquareCurve) { c.Alpha = nil }, "Alpha is empty"},
		{"zero alpha", func(c *ChiSquareCurve) { c.Alpha[0] = 0 }, "Alpha[0] = 0 is invalid"},
		{"alpha order", func(c *ChiSquareCurve) { c.Alpha[1] = 1 }, "Alpha[1] = 1 does not follow"},
		{"gap length", func(c *ChiSquareCurve) { c.ObjectiveGap = c.ObjectiveGap[:1] },
			"ObjectiveGap has 1 values but Alpha has 2"},
		{"distance length", func(c *ChiSquareCurve) { c.PolicyDistance = nil },
			"PolicyDistance has 0 values but Alpha has 2"},
		{"zero gap", func(c *ChiSquareCurve) { c.ObjectiveGap[1] = 0 }, "ObjectiveGap[1] = 0 is invalid"},
		{"NaN gap", func(c *ChiSquareCurve) { c.ObjectiveGap[0] = math.NaN() }, "ObjectiveGap[0] = NaN"},
		{"zero distance", func(c *ChiSquareCurve) { c.PolicyDistance[0] = 0 },
			"PolicyDistance[0] = 0 is invalid; it is drawn on a log axis"},
		{"NaN alpha", func(c *ChiSquareCurve) { c.Alpha[1] = math.NaN() }, "Alpha[1] = NaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.modify(&c)
			dir := t.TempDir()
			_, err := ChiSquare(dir, "chi", c)
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}
}

func TestLogTicksNarrow(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   []string
	}{
		{0.02, 2, []string{"0.02", "0.05", "0.1", "0.2", "0.5", "1", "2"}},
		{1, 10000, []string{"1", "10", "100", "1000", "10000"}},
		{0.3, 0.9, []string{"0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"}},
	}
	for _, tc := range cases {
		got := tickLabels(logTicks{}.Ticks(math.Log10(tc.lo), math.Log10(tc.hi)))
		if !slices.Equal(got, tc.want) {
			t.Errorf("labels from %v to %v = %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestLogTicksWide(t *testing.T) {
	got := tickLabels(logTicks{}.Ticks(-17.3, -1.3))
	// Sixteen decades need a label every third power of ten to keep at
	// most maxDecadeLabels labels, at exponents divisible by three.
	want := []string{"1e−15", "1e−12", "1e−9", "1e−6", "0.001"}
	if !slices.Equal(got, want) {
		t.Errorf("labels over 16 decades = %q, want %q", got, want)
	}
	if n := len(logTicks{}.Ticks(-17.3, -1.3)); n != 16 {
		t.Errorf("%d ticks over 16 decades, want one per power of ten (16)", n)
	}
}

func tickLabels(ticks []plot.Tick) []string {
	var labels []string
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	return labels
}

func TestFormatLogTick(t *testing.T) {
	cases := []struct {
		m, e int
		want string
	}{
		{1, 0, "1"}, {5, 2, "500"}, {1, 4, "10000"}, {1, 5, "1e5"},
		{2, -1, "0.2"}, {1, -3, "0.001"}, {1, -4, "1e−4"}, {5, -17, "5e−17"},
	}
	for _, tc := range cases {
		if got := formatLogTick(tc.m, tc.e); got != tc.want {
			t.Errorf("formatLogTick(%d, %d) = %q, want %q", tc.m, tc.e, got, tc.want)
		}
	}
}

func TestLogBounds(t *testing.T) {
	cases := []struct {
		lo, hi, wantLo, wantHi float64
	}{
		{0.031, 0.27, 0.03, 0.3},
		{1e-12, 1e-4, 1e-12, 1e-4},
		{10, 10000, 10, 10000},
		{0.5, 0.5, 0.4, 0.6},
	}
	for _, tc := range cases {
		lo, hi := logBounds(tc.lo, tc.hi)
		if math.Abs(lo-math.Log10(tc.wantLo)) > 1e-9 || math.Abs(hi-math.Log10(tc.wantHi)) > 1e-9 {
			t.Errorf("logBounds(%v, %v) = %v, %v, want log10 of %v, %v",
				tc.lo, tc.hi, math.Pow(10, lo), math.Pow(10, hi), tc.wantLo, tc.wantHi)
		}
	}
}

func TestLogLogSlope(t *testing.T) {
	x := []float64{1, 10, 100, 1000}
	y := []float64{2, 0.2, 0.02, 0.002}
	if got, ok := logLogSlope(x, y); !ok || math.Abs(got+1) > 1e-12 {
		t.Errorf("slope = %v, %v, want −1, true", got, ok)
	}
	if _, ok := logLogSlope([]float64{5}, []float64{1}); ok {
		t.Error("slope of one point = ok, want false")
	}
}

func TestFigureText(t *testing.T) {
	cases := map[string]string{
		"χ² objective":   "χ² objective",
		"α = 10⁶":        "α = 10⁶",
		"c ~ N(0, 10⁻⁶)": "c ~ N(0, 10^−6)",
		"10⁹ steps":      "10^9 steps",
		"Σ_t r̂_t":       "Σ_t rˆ_t",
		"xⁿ, xⁿ⁺¹":       "xⁿ, x^n+1",
	}
	for in, want := range cases {
		if got := figureText(in); got != want {
			t.Errorf("figureText(%q) = %q, want %q", in, got, want)
		}
	}
	if !hasGlyph(spacingHat) {
		t.Error("the figure typeface has no spacing circumflex; pick another replacement for r̂")
	}
}
