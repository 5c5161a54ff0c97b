package figures

import (
	"bytes"
	"errors"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	update = flag.Bool("update", false, "rewrite the golden data files in testdata")
	keep   = flag.String("keep", "", "write the figures to this directory instead of a "+
		"temporary one, to look at them")
)

// outputDir returns the directory a test writes its figures to.
func outputDir(t *testing.T) string {
	t.Helper()
	if *keep != "" {
		return *keep
	}
	return t.TempDir()
}

// checkGolden compares the data file at path with testdata/GOLDEN, or
// rewrites the golden file when -update is set.
func checkGolden(t *testing.T, path, golden string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	goldenPath := filepath.Join("testdata", golden)
	if *update {
		if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("read golden file: %v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s; if the change is intended, run go test -update",
			path, goldenPath)
	}
}

// checkImages checks the SVG and PNG written for a figure of the given
// size in points: both non-empty, the PNG decodable at PNGDPI, the SVG
// containing title.
func checkImages(t *testing.T, svgPath, pngPath string, width, height vg.Length, title string) {
	t.Helper()
	svg, err := os.ReadFile(svgPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(svg) == 0 {
		t.Errorf("%s is empty", svgPath)
	}
	if !bytes.Contains(svg, []byte(title)) {
		t.Errorf("%s does not contain the title %q", svgPath, title)
	}

	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", pngPath, err)
	}
	wantW := int(width/vg.Inch*PNGDPI + 0.5)
	wantH := int(height/vg.Inch*PNGDPI + 0.5)
	if got := img.Bounds().Dx(); got != wantW {
		t.Errorf("%s width = %d px, want %d", pngPath, got, wantW)
	}
	if got := img.Bounds().Dy(); got != wantH {
		t.Errorf("%s height = %d px, want %d", pngPath, got, wantH)
	}
}

// checkPaths checks that paths are dir/name with the extensions .svg,
// .png and dataExt, in that order.
func checkPaths(t *testing.T, paths []string, dir, name, dataExt string) {
	t.Helper()
	want := []string{
		filepath.Join(dir, name+".svg"),
		filepath.Join(dir, name+".png"),
		filepath.Join(dir, name+"."+dataExt),
	}
	if len(paths) != len(want) {
		t.Fatalf("paths = %q, want %q", paths, want)
	}
	for i := range want {
		if paths[i] != want[i] {
			t.Errorf("paths[%d] = %q, want %q", i, paths[i], want[i])
		}
	}
}

func TestSFTLossGolden(t *testing.T) {
	dir := outputDir(t)
	paths, err := SFTLoss(dir, "sft_loss", sampleLossCurves())
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "sft_loss", "csv")
	checkImages(t, paths[0], paths[1], 7*vg.Inch, 4.5*vg.Inch, "SFT training loss")
	checkGolden(t, paths[2], "sft_loss.csv")
}

func TestSFTLossLinearScale(t *testing.T) {
	runs := []LossCurve{{
		Seed:        4,
		Steps:       []int{0, 10, 20},
		Loss:        []float64{0.9, 0.7, 0},
		Checkpoints: []Checkpoint{{Step: 15, Fraction: 0.5}},
	}}
	paths, err := SFTLoss(t.TempDir(), "linear", runs)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(paths[2])
	if err != nil {
		t.Fatal(err)
	}
	// The checkpoint row holds the loss interpolated halfway between 0.7
	// and 0, where the marker is drawn.
	if !strings.Contains(string(data), "4,checkpoint,15,0.35,0.5\n") {
		t.Errorf("CSV lacks the interpolated checkpoint row:\n%s", data)
	}
}

func TestDPRTrainingGolden(t *testing.T) {
	dir := outputDir(t)
	paths, err := DPRTraining(dir, "dpr_training", sampleDPRCurves())
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "dpr_training", "csv")
	checkImages(t, paths[0], paths[1], 7*vg.Inch, 8*vg.Inch, "DPR against SFT during training")
	checkGolden(t, paths[2], "dpr_training.csv")
}

func TestDPRTrainingWithoutEvaluations(t *testing.T) {
	runs := []DPRCurve{{
		Seed:          9,
		Steps:         []int{3},
		Reward:        []float64{0.5},
		KL:            []float64{0},
		SFTExactMatch: 50,
	}}
	if _, err := DPRTraining(t.TempDir(), "single", runs); err != nil {
		t.Fatal(err)
	}
}

func TestRewardHeatmapGolden(t *testing.T) {
	dir := outputDir(t)
	h := sampleHeatmap()
	paths, err := RewardHeatmap(dir, "reward_heatmap", h)
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "reward_heatmap", "json")
	height := newHeatmapFigure(heatmapRecords([]Heatmap{h}), heatmapWidth).height
	checkImages(t, paths[0], paths[1], heatmapWidth, height, h.Title)
	checkGolden(t, paths[2], "reward_heatmap.json")
}

func TestRewardHeatmapsGolden(t *testing.T) {
	dir := outputDir(t)
	maps := sampleHeatmapPair()
	paths, err := RewardHeatmaps(dir, "reward_heatmaps", maps)
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, paths, dir, "reward_heatmaps", "json")
	height := newHeatmapFigure(heatmapRecords(maps), heatmapWidth).height
	checkImages(t, paths[0], paths[1], heatmapWidth, height, "DPR policy")
	checkGolden(t, paths[2], "reward_heatmaps.json")
}

func TestRewardHeatmapWraps50Tokens(t *testing.T) {
	h := Heatmap{Prompt: "walk", Tokens: make([]string, 50), Reward: make([]float64, 50)}
	for i := range h.Tokens {
		h.Tokens[i] = "I_TURN_RIGHT"
	}
	fig := newHeatmapFigure(heatmapRecords([]Heatmap{h}), heatmapWidth)
	if fig.cellsPerRow < 5 || fig.cellsPerRow >= 50 {
		t.Errorf("cellsPerRow = %d, want 5 to 49 so 50 tokens wrap onto a few rows",
			fig.cellsPerRow)
	}
	if _, err := RewardHeatmap(t.TempDir(), "long", h); err != nil {
		t.Fatal(err)
	}
}

func TestHeatmapDefaults(t *testing.T) {
	single := heatmapRecords([]Heatmap{
		{Prompt: "run", Tokens: []string{"I_RUN"}, Reward: []float64{0}},
	})
	if got := single.Responses[0].Title; got != "Dense reward per token" {
		t.Errorf("single title = %q, want the default title", got)
	}
	if single.ColorLimit != 1 {
		t.Errorf("all-zero color limit = %v, want 1", single.ColorLimit)
	}

	pair := heatmapRecords([]Heatmap{
		{Prompt: "run", Tokens: []string{"I_RUN"}, Reward: []float64{-0.5}},
		{Prompt: "run", Tokens: []string{"I_RUN"}, Reward: []float64{0.25}, Title: "DPR"},
	})
	if got := pair.Responses[0].Title; got != "Response 1" {
		t.Errorf("first of two titles = %q, want \"Response 1\"", got)
	}
	if got := pair.Responses[1].Title; got != "DPR" {
		t.Errorf("second title = %q, want the given title", got)
	}
	if pair.ColorLimit != 0.5 {
		t.Errorf("color limit = %v, want max |reward| 0.5", pair.ColorLimit)
	}
}

func TestSFTLossErrors(t *testing.T) {
	good := func() LossCurve {
		return LossCurve{Seed: 1, Steps: []int{0, 10}, Loss: []float64{2, 1}}
	}
	cases := []struct {
		name string
		runs func() []LossCurve
		want string
	}{
		{"no runs", func() []LossCurve { return nil }, "no runs"},
		{"empty steps", func() []LossCurve {
			r := good()
			r.Steps, r.Loss = nil, nil
			return []LossCurve{r}
		}, "Steps is empty"},
		{"length mismatch", func() []LossCurve {
			r := good()
			r.Loss = r.Loss[:1]
			return []LossCurve{r}
		}, "Loss has 1 values but Steps has 2"},
		{"NaN loss", func() []LossCurve {
			r := good()
			r.Loss[1] = math.NaN()
			return []LossCurve{r}
		}, "Loss[1] = NaN"},
		{"negative loss", func() []LossCurve {
			r := good()
			r.Loss[0] = -0.1
			return []LossCurve{r}
		}, "Loss[0] = -0.1"},
		{"steps not increasing", func() []LossCurve {
			r := good()
			r.Steps[1] = 0
			return []LossCurve{r}
		}, "strictly increasing"},
		{"repeated seed", func() []LossCurve { return []LossCurve{good(), good()} }, "seed is repeated"},
		{"checkpoint outside", func() []LossCurve {
			r := good()
			r.Checkpoints = []Checkpoint{{Step: 11, Fraction: 1}}
			return []LossCurve{r}
		}, "Checkpoints[0].Step = 11 is outside"},
		{"fraction above one", func() []LossCurve {
			r := good()
			r.Checkpoints = []Checkpoint{{Step: 10, Fraction: 25}}
			return []LossCurve{r}
		}, "Fraction = 25"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := SFTLoss(dir, "loss", tc.runs())
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}
}

func TestDPRTrainingErrors(t *testing.T) {
	good := func() DPRCurve {
		return DPRCurve{
			Seed: 1, Steps: []int{0, 1}, Reward: []float64{0.1, 0.2}, KL: []float64{0, 0.01},
			EvalSteps: []int{0, 1}, ExactMatch: []float64{50, 60}, SFTExactMatch: 50,
		}
	}
	cases := []struct {
		name   string
		modify func(*DPRCurve)
		want   string
	}{
		{"empty steps", func(r *DPRCurve) { r.Steps, r.Reward, r.KL = nil, nil, nil }, "Steps is empty"},
		{"reward length", func(r *DPRCurve) { r.Reward = r.Reward[:1] }, "Reward has 1 values"},
		{"kl length", func(r *DPRCurve) { r.KL = nil }, "KL has 0 values"},
		{"return length", func(r *DPRCurve) { r.Return = []float64{1} }, "Return has 1 values"},
		{"infinite kl", func(r *DPRCurve) { r.KL[1] = math.Inf(1) }, "KL[1] = +Inf is not finite"},
		{"NaN reward", func(r *DPRCurve) { r.Reward[0] = math.NaN() }, "Reward[0] = NaN"},
		{"eval length", func(r *DPRCurve) { r.ExactMatch = r.ExactMatch[:1] },
			"ExactMatch has 1 values"},
		{"eval steps order", func(r *DPRCurve) { r.EvalSteps = []int{1, 0} }, "EvalSteps[1] = 0"},
		{"fraction not percent", func(r *DPRCurve) { r.ExactMatch[1] = 160 }, "ExactMatch[1] = 160"},
		{"sft exact match", func(r *DPRCurve) { r.SFTExactMatch = -1 }, "SFTExactMatch = -1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.modify(&r)
			dir := t.TempDir()
			_, err := DPRTraining(dir, "dpr", []DPRCurve{r})
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}

	_, err := DPRTraining(t.TempDir(), "dpr", nil)
	checkError(t, err, "no runs")
	_, err = DPRTraining(t.TempDir(), "dpr", []DPRCurve{good(), good()})
	checkError(t, err, "seed is repeated")
}

func TestRewardHeatmapErrors(t *testing.T) {
	cases := []struct {
		name string
		h    Heatmap
		want string
	}{
		{"empty prompt", Heatmap{Tokens: []string{"a"}, Reward: []float64{1}}, "Prompt is empty"},
		{"no tokens", Heatmap{Prompt: "p"}, "Tokens is empty"},
		{"length mismatch", Heatmap{Prompt: "p", Tokens: []string{"a", "b"}, Reward: []float64{1}},
			"Reward has 1 values but Tokens has 2"},
		{"NaN reward", Heatmap{Prompt: "p", Tokens: []string{"a"}, Reward: []float64{math.NaN()}},
			"Reward[0] = NaN"},
		{"infinite reward", Heatmap{Prompt: "p", Tokens: []string{"a"}, Reward: []float64{math.Inf(-1)}},
			"Reward[0] = -Inf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := RewardHeatmap(dir, "heat", tc.h)
			checkError(t, err, tc.want)
			checkNothingWritten(t, dir)
		})
	}

	_, err := RewardHeatmaps(t.TempDir(), "heat", nil)
	checkError(t, err, "no heat maps")
}

func TestOutputErrors(t *testing.T) {
	runs := sampleLossCurves()[:1]
	cases := []struct {
		name, dir, file, want string
	}{
		{"empty dir", "", "loss", "output directory is empty"},
		{"blank dir", "  ", "loss", "output directory is empty"},
		{"empty name", t.TempDir(), "", "figure name is empty"},
		{"name with directory", t.TempDir(), "a/loss", `figure name "a/loss" is invalid`},
		{"dot dot name", t.TempDir(), "..", `figure name ".." is invalid`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SFTLoss(tc.dir, tc.file, runs)
			checkError(t, err, tc.want)
		})
	}
}

func TestSaveErrors(t *testing.T) {
	p := plot.New()
	_, err := Save(nil, t.TempDir(), "x", vg.Inch, vg.Inch)
	checkError(t, err, "drawer is nil")
	_, err = Save(p, t.TempDir(), "x", 0, vg.Inch)
	checkError(t, err, "width and height must be positive")
	_, err = Save(p, t.TempDir(), "x", vg.Inch, vg.Length(math.NaN()))
	checkError(t, err, "width and height must be positive")

	dir := t.TempDir()
	_, err = Save(panicDrawer{}, dir, "x", vg.Inch, vg.Inch)
	checkError(t, err, "drawing failed: broken drawer")
	checkNothingWritten(t, dir)
}

func TestSavePlot(t *testing.T) {
	p := plot.New()
	p.Title.Text = "plain plot"
	dir := t.TempDir()
	paths, err := Save(p, dir, "plain", 3*vg.Inch, 2*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("paths = %q, want the SVG and PNG paths", paths)
	}
	checkImages(t, paths[0], paths[1], 3*vg.Inch, 2*vg.Inch, "plain plot")
}

type panicDrawer struct{}

func (panicDrawer) Draw(draw.Canvas) { panic(errors.New("broken drawer")) }

func checkError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
}

// checkNothingWritten checks that a rejected call left dir empty.
func checkNothingWritten(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("%s has %d entries after an error, want none", dir, len(entries))
	}
}

func TestInterpolateLoss(t *testing.T) {
	run := LossCurve{Steps: []int{0, 10, 30}, Loss: []float64{3, 1, 0.5}}
	cases := []struct {
		step int
		want float64
	}{{0, 3}, {5, 2}, {10, 1}, {20, 0.75}, {30, 0.5}}
	for _, tc := range cases {
		if got := interpolateLoss(run, tc.step); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("interpolateLoss(step %d) = %v, want %v", tc.step, got, tc.want)
		}
	}
}

func TestFormatReward(t *testing.T) {
	cases := map[float64]string{
		0:       "+0.00",
		0.4249:  "+0.42",
		-2.41:   "−2.41",
		-12.34:  "−12.3",
		150.2:   "+150",
		-0.0001: "−0.00",
	}
	for v, want := range cases {
		if got := formatReward(v); got != want {
			t.Errorf("formatReward(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestDisplayToken(t *testing.T) {
	cases := map[string]string{"I_JUMP": "I_JUMP", " ": `" "`, "": `""`, "\n": `"\n"`}
	for tok, want := range cases {
		if got := displayToken(tok); got != want {
			t.Errorf("displayToken(%q) = %q, want %q", tok, got, want)
		}
	}
}

func TestWrapWordsAndFitText(t *testing.T) {
	sty := textStyle(10, textColor)
	s := "jump around left twice after walk opposite right thrice"
	lines := wrapWords(s, sty, sty.Width("jump around left twice"))
	if len(lines) < 2 {
		t.Fatalf("wrapWords = %q, want several lines", lines)
	}
	if got := strings.Join(lines, " "); got != s {
		t.Errorf("joined lines = %q, want %q", got, s)
	}
	for _, l := range lines {
		if sty.Width(l) > sty.Width("jump around left twice") {
			t.Errorf("line %q is wider than the limit", l)
		}
	}

	short := fitText("I_TURN_RIGHT", sty, sty.Width("I_TURN"))
	if !strings.HasSuffix(short, "…") || sty.Width(short) > sty.Width("I_TURN") {
		t.Errorf("fitText = %q, want a truncated token ending in an ellipsis", short)
	}
}

func TestLog10Ticks(t *testing.T) {
	ticks := log10Ticks{}.Ticks(math.Log10(0.03), math.Log10(3.5))
	var labels []string
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	want := []string{"0.05", "0.1", "0.2", "0.5", "1", "2"}
	if strings.Join(labels, " ") != strings.Join(want, " ") {
		t.Errorf("labels = %q, want %q", labels, want)
	}

	wide := log10Ticks{}.Ticks(-4, 1)
	for _, tk := range wide {
		if tk.Label != "" && tk.Label != "0.0001" && tk.Label != "0.001" &&
			tk.Label != "0.01" && tk.Label != "0.1" && tk.Label != "1" && tk.Label != "10" {
			t.Errorf("label %q on a five-decade axis, want powers of ten only", tk.Label)
		}
	}
}
