package figures

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/stats"
)

// sampleGamingRuns imitates five DPR runs logged every 10 steps: Σ r̂ per
// response rises in all of them, while the verifier's acceptance falls in
// the two runs with the weakest KL penalty. Each run's flag comes from
// stats.GamingFlag, as a pipeline would set it.
func sampleGamingRuns() []GamingRun {
	specs := []struct {
		label       string
		rewardGain  float64
		verifierEnd float64
		window      int
	}{
		{"β = 0.1, seed 1", 6, 0.74, 5},
		{"β = 0.1, seed 2", 5.5, 0.76, 5},
		{"β = 0.01, seed 1", 14, 0.41, 5},
		{"β = 0.01, seed 2", 12.5, 0.47, 5},
		{"β = 0.1, reference from 25 % of SFT training, seed 3", 5.8, 0.75, 0},
	}
	var runs []GamingRun
	for i, spec := range specs {
		run := GamingRun{Label: spec.label, Window: spec.window}
		seed := float64(i + 1)
		for k := range 31 {
			progress := float64(k) / 30
			reward := 9.2 + spec.rewardGain*(1-math.Exp(-3*progress)) + 0.35*wiggle(float64(k), seed)
			verifier := 0.62 + (spec.verifierEnd-0.62)*progress*progress +
				0.015*wiggle(float64(k), seed+2)
			run.Steps = append(run.Steps, 10*k)
			run.Reward = append(run.Reward, round6(reward))
			run.Verifier = append(run.Verifier, round6(verifier))
		}
		run.Flagged, _, _ = stats.GamingFlag(run.Reward, run.Verifier, 10)
		runs = append(runs, run)
	}
	return runs
}

func TestRewardGamingFixtureFlags(t *testing.T) {
	var flagged []string
	for _, run := range sampleGamingRuns() {
		if run.Flagged {
			flagged = append(flagged, run.Label)
		}
	}
	want := []string{"β = 0.01, seed 1", "β = 0.01, seed 2"}
	if !slices.Equal(flagged, want) {
		t.Errorf("flagged runs = %q, want %q", flagged, want)
	}
}

func TestRewardGamingGolden(t *testing.T) {
	dir := outputDir(t)
	runs := sampleGamingRuns()
	paths, err := RewardGaming(dir, "reward_gaming", runs)
	if err != nil {
		t.Fatal(err)
	}
	checkDataPaths(t, paths, dir, "reward_gaming")

	fig, err := gamingFigure(gamingRecords(runs))
	if err != nil {
		t.Fatal(err)
	}
	width, height := gamingSize(fig.grid)
	checkImages(t, paths[0], paths[1], width, height, "Reward gaming")
	checkGolden(t, paths[2], "reward_gaming.csv")
	checkGolden(t, paths[3], "reward_gaming.json")

	svg, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(svg), gamingFlagText); got < 2 {
		t.Errorf("SVG shows %q %d times, want once per flagged run and in the legend",
			gamingFlagText, got)
	}
}

func TestRewardGamingLayout(t *testing.T) {
	fig, err := gamingFigure(gamingRecords(sampleGamingRuns()))
	if err != nil {
		t.Fatal(err)
	}
	// Five runs: four columns, and two pairs of reward and verifier rows.
	if got := fig.grid.columns(); got != 4 {
		t.Errorf("%d columns, want 4", got)
	}
	if got := len(fig.grid.panels); got != 4 {
		t.Fatalf("%d panel rows, want 4", got)
	}
	if fig.grid.panels[2][1] != nil || fig.grid.panels[3][1] != nil {
		t.Error("the second group has a panel in column 1, want only the fifth run in column 0")
	}

	flaggedTitle := fig.grid.panels[0][2].Title
	if !strings.Contains(flaggedTitle.Text, gamingFlagText) {
		t.Errorf("title of a flagged run = %q, want it to contain %q", flaggedTitle.Text, gamingFlagText)
	}
	if flaggedTitle.TextStyle.Color != gamingFlaggedColor {
		t.Errorf("title colour of a flagged run = %v, want %v",
			flaggedTitle.TextStyle.Color, gamingFlaggedColor)
	}
	if plain := fig.grid.panels[0][0].Title.Text; strings.Contains(plain, gamingFlagText) {
		t.Errorf("title of an unflagged run = %q, want no flag", plain)
	}

	if !strings.HasPrefix(fig.note, "2 of 5 runs flagged.") {
		t.Errorf("note = %q, want it to count 2 of 5 flagged runs", fig.note)
	}
	for _, r := range gamingFlagText {
		if !hasGlyph(r) {
			t.Errorf("the figure font has no glyph for %q in the flag text", r)
		}
	}
}

func TestRewardGamingVerifierAxis(t *testing.T) {
	fig, err := gamingFigure(gamingRecords(sampleGamingRuns()))
	if err != nil {
		t.Fatal(err)
	}
	for col := range 4 {
		y := fig.grid.panels[1][col].Y
		if y.Min < 0 || y.Max > 1 {
			t.Errorf("verifier axis %d = [%v, %v], want it within [0, 1]", col, y.Min, y.Max)
		}
		if y.Max-y.Min < 0.1-1e-12 {
			t.Errorf("verifier axis %d spans %v, want at least 0.1", col, y.Max-y.Min)
		}
	}

	cases := []struct{ lo, hi, wantLo, wantHi float64 }{
		{0.5, 0.52, 0.46, 0.56},
		{-0.01, 0.03, 0, 0.1},
		{0.97, 1.02, 0.9, 1},
		{0.2, 0.8, 0.2, 0.8},
	}
	for _, tc := range cases {
		axis := fig.grid.panels[1][0].Y
		axis.Min, axis.Max = tc.lo, tc.hi
		setVerifierRange(&axis)
		if math.Abs(axis.Min-tc.wantLo) > 1e-12 || math.Abs(axis.Max-tc.wantHi) > 1e-12 {
			t.Errorf("setVerifierRange([%v, %v]) = [%v, %v], want [%v, %v]",
				tc.lo, tc.hi, axis.Min, axis.Max, tc.wantLo, tc.wantHi)
		}
	}
}

func TestRewardGamingJSONFlags(t *testing.T) {
	paths, err := RewardGaming(t.TempDir(), "gaming", sampleGamingRuns())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(paths[3])
	if err != nil {
		t.Fatal(err)
	}
	var got gamingData
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	wantFlags := []bool{false, false, true, true, false}
	for i, run := range got.Runs {
		if run.Flagged != wantFlags[i] {
			t.Errorf("run %d (%s): flagged = %v, want %v", i, run.Label, run.Flagged, wantFlags[i])
		}
	}
	last := got.Runs[4]
	if last.Window != 1 {
		t.Errorf("window of an unsmoothed run = %d, want 1", last.Window)
	}
	if !slices.Equal(last.RewardSmoothed, last.Reward) {
		t.Error("reward_smoothed of an unsmoothed run differs from reward")
	}
}

func TestMovingAverage(t *testing.T) {
	xs := []float64{1, 2, 6, 4, 2}
	cases := []struct {
		window int
		want   []float64
	}{
		{1, []float64{1, 2, 6, 4, 2}},
		{3, []float64{1.5, 3, 4, 4, 3}},
		{5, []float64{3, 3.25, 3, 3.5, 4}},
	}
	for _, tc := range cases {
		got := movingAverage(xs, tc.window)
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-12 {
				t.Errorf("window %d: %v, want %v", tc.window, got, tc.want)
				break
			}
		}
	}
}

func TestRewardGamingSingleStep(t *testing.T) {
	runs := []GamingRun{{
		Label: "short", Steps: []int{0}, Reward: []float64{3}, Verifier: []float64{1},
	}}
	if _, err := RewardGaming(t.TempDir(), "short", runs); err != nil {
		t.Fatal(err)
	}
}

func TestRewardGamingErrors(t *testing.T) {
	good := func() GamingRun {
		return GamingRun{
			Label: "seed 1", Steps: []int{0, 10, 20},
			Reward: []float64{1, 2, 3}, Verifier: []float64{0.6, 0.5, 0.4}, Window: 3,
		}
	}
	const where = `run 0 ("seed 1")`
	cases := []struct {
		name   string
		modify func(*GamingRun)
		want   string
	}{
		{"empty label", func(r *GamingRun) { r.Label = "" }, "Label is empty"},
		{"no steps", func(r *GamingRun) { r.Steps, r.Reward, r.Verifier = nil, nil, nil },
			where + ": Steps is empty"},
		{"steps order", func(r *GamingRun) { r.Steps[2] = 5 }, "Steps[2] = 5 does not follow"},
		{"reward length", func(r *GamingRun) { r.Reward = r.Reward[:2] },
			where + ": Reward has 2 values but Steps has 3"},
		{"verifier length", func(r *GamingRun) { r.Verifier = nil }, "Verifier has 0 values"},
		{"NaN reward", func(r *GamingRun) { r.Reward[1] = math.NaN() }, "Reward[1] = NaN is not finite"},
		{"percent verifier", func(r *GamingRun) { r.Verifier[0] = 62 },
			where + ": Verifier[0] = 62 is invalid"},
		{"negative verifier", func(r *GamingRun) { r.Verifier[2] = -0.1 }, "Verifier[2] = -0.1"},
		{"negative window", func(r *GamingRun) { r.Window = -1 }, "Window = -1 is invalid"},
		{"even window", func(r *GamingRun) { r.Window = 2 }, "Window = 2 is even"},
		{"wide window", func(r *GamingRun) { r.Window = 5 }, "Window = 5 is wider than the 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.modify(&r)
			dir := t.TempDir()
			_, err := RewardGaming(dir, "gaming", []GamingRun{r})
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}

	_, err := RewardGaming(t.TempDir(), "gaming", nil)
	checkError(t, err, "no runs")
	_, err = RewardGaming(t.TempDir(), "gaming", []GamingRun{good(), good()})
	checkError(t, err, `run 1 ("seed 1"): Label is repeated`)
}
