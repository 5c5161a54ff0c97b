package interactive

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// echartsSHA256 is the SHA-256 of package/dist/echarts.min.js in the npm
// tarball of echarts 5.4.3, the file that setup.sh installs.
const echartsSHA256 = "1156429a16a38cb8604dcc6518c19406d4226142d908f8edd2e3531443c54d19"

// TestRealLibrary checks the installed echarts.min.js and the fragments
// that inline it. When node is on PATH, it also runs a fragment's library
// script next to require.js and draws every view with ECharts. It is the
// only test that needs the file, and it is skipped when set-up has not
// installed it.
func TestRealLibrary(t *testing.T) {
	path, err := LibraryPath()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("ECharts is not installed at %s; run `bash dprlib/scripts/setup.sh` to run this test",
			path)
	}
	library, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(library)
	if got := hex.EncodeToString(sum[:]); got != echartsSHA256 {
		t.Errorf("SHA-256 of %s is %s, expected %s (ECharts %s); rerun setup.sh",
			path, got, echartsSHA256, LibraryVersion)
	}

	fragments := renderAll(t)
	for name, fragment := range fragments {
		if got := strings.Count(fragment, string(library)); got != 1 {
			t.Errorf("%s: the library occurs %d times in the fragment, expected once", name, got)
		}
		checkNoExternalURL(t, name, fragment)
		t.Logf("%s: fragment of %d bytes, %d bytes without the library",
			name, len(fragment), len(fragment)-len(library))
	}

	t.Run("guard", func(t *testing.T) {
		checkGuardWithNode(t, fragments["SFTLoss"])
	})
	t.Run("draw", func(t *testing.T) {
		drawWithNode(t, path)
	})
}

// lookNode returns the path of node, or skips the test when it is absent.
func lookNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; install Node.js to run this part of the test")
	}
	return node
}

// checkGuardWithNode runs the library script of fragment twice next to a
// require.js define in Node.js, and checks that it sets window.echarts
// without calling define, and only on the first run.
func checkGuardWithNode(t *testing.T, fragment string) {
	node := lookNode(t)
	input := filepath.Join(t.TempDir(), "fragment.html")
	if err := os.WriteFile(input, []byte(fragment), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd := exec.Command(node, filepath.Join("testdata", "guard_check.js"), input)
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		t.Fatalf("node guard_check.js: %v\n%s", err, stderr.String())
	}
	var got struct {
		Defined       bool   `json:"defined"`
		Version       string `json:"version"`
		DefineCalls   int    `json:"defineCalls"`
		EvaluatedOnce bool   `json:"evaluatedOnce"`
	}
	if err := json.Unmarshal(output, &got); err != nil {
		t.Fatalf("decode the output of guard_check.js: %v\n%s", err, output)
	}
	if !got.Defined {
		t.Errorf("the library script did not define window.echarts next to require.js")
	}
	if got.Version != LibraryVersion {
		t.Errorf("window.echarts.version is %q, expected %s", got.Version, LibraryVersion)
	}
	if got.DefineCalls != 0 {
		t.Errorf("the library called require.js's define %d times, expected none", got.DefineCalls)
	}
	if !got.EvaluatedOnce {
		t.Errorf("a second run of the library script replaced window.echarts")
	}
}

// drawWithNode draws every chart of the views in Node.js with ECharts'
// server-side SVG renderer and checks what it drew and what the tooltip
// formatters return.
func drawWithNode(t *testing.T, libraryPath string) {
	node := lookNode(t)
	cases := []struct {
		name  string
		chart chart
		// minTags are lower bounds on the count of SVG elements by tag.
		minTags map[string]int
		// tips are substrings that the tooltips of the series, in order,
		// must contain.
		tips []string
		// markerTips are substrings of the markLine and markArea
		// tooltips, in order.
		markerTips []string
	}{
		{
			name:    "DPRTraining",
			chart:   dprTrainingChart(dprRuns()),
			minTags: map[string]int{"path": 20, "text": 20},
			tips: []string{
				"<b>Mean dense reward per token (nats)</b><br>seed 1: \u22120.12 at step 0",
				"<b>KL(π_θ ‖ π_SFT) per token (nats)</b><br>seed 1: 0 at step 0",
				"seed 1: 41.5 at step 0 (SFT 41.50 %)",
				"seed 2: \u22120.1 at step 0",
				"seed 2: 0 at step 0",
			},
		},
		{
			name:    "SFTLoss",
			chart:   sftLossChart(lossCurves()),
			minTags: map[string]int{"path": 10},
			tips:    []string{"seed 7: 4.2 at step 0", "seed 8: 4.1 at step 0"},
		},
		{
			name:    "Intervals panel 0",
			chart:   intervalCharts(intervalFigure(), 0.95)[0],
			minTags: map[string]int{"circle": 4},
			tips: []string{
				"<b>DPR · γ = 0.9</b><br>mean 44.00<br>95 % CI [42.00, 46.00]<br>n = 3 seeds",
				"<b>SFT+RL · γ = 1</b>",
			},
			markerTips: []string{"<b>SFT (reference)</b><br>mean 40.00", "<b>SFT (reference)</b>"},
		},
		{
			name:    "Heatmaps",
			chart:   mustHeatmapChart(t, heatmaps()),
			minTags: map[string]int{"path": 7},
			tips:    []string{"<b>SFT</b><br>position 0: &quot;The&quot;<br>r̂ = +0.123 nats"},
		},
	}

	var specs []map[string]any
	for _, c := range cases {
		context := c.chart.context
		if context == nil {
			context = map[string]any{}
		}
		specs = append(specs, map[string]any{"option": c.chart.option, "context": context})
	}
	input := filepath.Join(t.TempDir(), "charts.json")
	data, err := json.Marshal(specs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, data, 0o644); err != nil {
		t.Fatal(err)
	}
	runtimePath, err := filepath.Abs("runtime.js")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "ssr_check.js"), libraryPath, runtimePath, input)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		t.Fatalf("node ssr_check.js: %v\n%s", err, stderr.String())
	}

	var results []struct {
		SVGLength  int            `json:"svgLength"`
		Tags       map[string]int `json:"tags"`
		Series     int            `json:"series"`
		Tips       []*string      `json:"tips"`
		MarkerTips []struct {
			Type string  `json:"type"`
			HTML *string `json:"html"`
		} `json:"markerTips"`
	}
	if err := json.Unmarshal(output, &results); err != nil {
		t.Fatalf("decode the output of ssr_check.js: %v\n%s", err, output)
	}
	if len(results) != len(cases) {
		t.Fatalf("ssr_check.js drew %d charts, expected %d", len(results), len(cases))
	}
	for i, c := range cases {
		got := results[i]
		for tag, least := range c.minTags {
			if got.Tags[tag] < least {
				t.Errorf("%s: the SVG has %d <%s> elements, expected at least %d (all tags: %v)",
					c.name, got.Tags[tag], tag, least, got.Tags)
			}
		}
		for j, want := range c.tips {
			if j >= len(got.Tips) || got.Tips[j] == nil {
				t.Errorf("%s: series %d has no tooltip, expected one containing %q", c.name, j, want)
				continue
			}
			if !strings.Contains(*got.Tips[j], want) {
				t.Errorf("%s: tooltip of series %d is %q, expected it to contain %q",
					c.name, j, *got.Tips[j], want)
			}
		}
		for j, want := range c.markerTips {
			if j >= len(got.MarkerTips) || got.MarkerTips[j].HTML == nil {
				t.Errorf("%s: marker %d has no tooltip, expected one containing %q", c.name, j, want)
				continue
			}
			if html := *got.MarkerTips[j].HTML; !strings.Contains(html, want) {
				t.Errorf("%s: tooltip of %s %d is %q, expected it to contain %q",
					c.name, got.MarkerTips[j].Type, j, html, want)
			}
		}
	}
}
