package interactive

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// renderAllShared renders every view with Shared.
func renderAllShared(t *testing.T) map[string]string {
	t.Helper()
	fragments := map[string]string{}
	add := func(name string, fragment string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fragments[name] = fragment
	}
	fragment, err := Shared.RenderDPRTraining(dprRuns())
	add("DPRTraining", fragment, err)
	fragment, err = Shared.RenderSFTLoss(lossCurves())
	add("SFTLoss", fragment, err)
	fragment, err = Shared.RenderIntervals(intervalFigure())
	add("Intervals", fragment, err)
	fragment, err = Shared.RenderHeatmap(heatmaps()[0])
	add("Heatmap", fragment, err)
	fragment, err = Shared.RenderHeatmaps(heatmaps())
	add("Heatmaps", fragment, err)
	return fragments
}

func TestSharedFragmentHasNoLibrary(t *testing.T) {
	useFakeLibrary(t)
	for name, fragment := range renderAllShared(t) {
		checkNoExternalURL(t, name, fragment)
		for _, unwanted := range []string{
			fakeLibrary, libraryGuard, "(function (define, exports, module) {", "ECharts " + LibraryVersion,
		} {
			if strings.Contains(fragment, unwanted) {
				t.Errorf("%s: the fragment contains %q", name, unwanted)
			}
		}
		if !strings.Contains(fragment, "dprkitCharts.mount(") {
			t.Errorf("%s: the fragment mounts no chart", name)
		}
	}
}

func TestSharedRenderNeedsNoLibraryFile(t *testing.T) {
	t.Setenv(LibraryEnv, filepath.Join(t.TempDir(), "absent", "echarts.min.js"))
	renderAllShared(t)
}

func TestSharedFragmentMatchesSelfContained(t *testing.T) {
	// Apart from the library and the random element ids, the two kinds of
	// fragment are the same.
	useFakeLibrary(t)
	full, err := RenderSFTLoss(lossCurves())
	if err != nil {
		t.Fatal(err)
	}
	shared, err := Shared.RenderSFTLoss(lossCurves())
	if err != nil {
		t.Fatal(err)
	}
	library := full[strings.Index(full, "<script>") : strings.Index(full, "</script>\n")+len("</script>\n")]
	if !strings.Contains(library, fakeLibrary) {
		t.Fatalf("the first <script> of the self-contained fragment is not the library: %q", library)
	}
	got := elementID.ReplaceAllString(shared, "ID")
	want := elementID.ReplaceAllString(strings.Replace(full, library, "", 1), "ID")
	if got != want {
		at := 0
		for at < min(len(got), len(want)) && got[at] == want[at] {
			at++
		}
		t.Errorf("the shared fragment differs from the self-contained one without its library "+
			"from byte %d: %q against %q", at, got[at:min(at+80, len(got))], want[at:min(at+80, len(want))])
	}
}

// elementID matches the random element id of a chart.
var elementID = regexp.MustCompile(`dprkit-chart-[0-9a-f]{16}`)

func TestSharedChartsWaitForLibrary(t *testing.T) {
	useFakeLibrary(t)
	fragment, err := Shared.RenderSFTLoss(lossCurves())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"var libraryPolls = 100;",
		"if (!window.echarts && libraryTries < libraryPolls) {",
		"setTimeout(start, pollMs);",
		"interactive.ShowLibrary()",
	} {
		if !strings.Contains(fragment, want) {
			t.Errorf("the chart script does not contain %q", want)
		}
	}
}

func TestRenderLibraryIsGuarded(t *testing.T) {
	useFakeLibrary(t)
	got, err := RenderLibrary()
	if err != nil {
		t.Fatal(err)
	}
	checkNoExternalURL(t, "RenderLibrary", got)
	if n := strings.Count(got, fakeLibrary); n != 1 {
		t.Errorf("the library occurs %d times, expected once", n)
	}
	guard := strings.Index(got, libraryGuard)
	wrapper := strings.Index(got, "(function (define, exports, module) {")
	library := strings.Index(got, fakeLibrary)
	if !(guard >= 0 && guard < wrapper && wrapper < library) {
		t.Errorf("expected the guard, the define-hiding wrapper and the library in that order; "+
			"found them at %d, %d, %d", guard, wrapper, library)
	}
	if strings.Contains(got, "dprkitCharts") {
		t.Errorf("the library fragment contains chart code")
	}
	if !strings.Contains(got, "ECharts "+LibraryVersion+" is inline here") {
		t.Errorf("the library fragment has no visible note: %q", got)
	}
}

func TestRenderLibraryMissingFile(t *testing.T) {
	t.Setenv(LibraryEnv, filepath.Join(t.TempDir(), "echarts.min.js"))
	_, err := RenderLibrary()
	if err == nil || !strings.Contains(err.Error(), "bash dprlib/scripts/setup.sh") {
		t.Errorf("RenderLibrary without the library returned %v, expected the set-up hint", err)
	}
}

func TestShowLibraryOutsideNotebook(t *testing.T) {
	t.Setenv(LibraryEnv, filepath.Join(t.TempDir(), "absent.js"))
	var out bytes.Buffer
	previous := summaryOutput
	summaryOutput = &out
	t.Cleanup(func() { summaryOutput = previous })

	if err := ShowLibrary(); err != nil {
		t.Fatal(err)
	}
	if want := "[ECharts 5.4.3 for the interactive views]\n"; out.String() != want {
		t.Errorf("ShowLibrary printed %q, expected %q", out.String(), want)
	}
	out.Reset()
	if err := Shared.ShowSFTLoss(lossCurves()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "[interactive SFT loss: 2 runs") {
		t.Errorf("Shared.ShowSFTLoss printed %q, expected the summary of ShowSFTLoss", out.String())
	}
}

// waitResult is the output of testdata/wait_check.js.
type waitResult struct {
	Charts int `json:"charts"`
	Draws  []struct {
		ID string `json:"id"`
		At int    `json:"at"`
	} `json:"draws"`
	Texts []string `json:"texts"`
	End   int      `json:"end"`
}

// runWaitCheck runs the chart scripts of fragment in Node.js with virtual
// timers, with window.echarts appearing at libraryAt ms, or never when
// libraryAt is negative.
func runWaitCheck(t *testing.T, fragment string, libraryAt int) waitResult {
	t.Helper()
	node := lookNode(t)
	input := filepath.Join(t.TempDir(), "fragment.html")
	if err := os.WriteFile(input, []byte(fragment), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "wait_check.js"), input,
		strconv.Itoa(libraryAt))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		t.Fatalf("node wait_check.js: %v\n%s", err, stderr.String())
	}
	var got waitResult
	if err := json.Unmarshal(output, &got); err != nil {
		t.Fatalf("decode the output of wait_check.js: %v\n%s", err, output)
	}
	if got.Charts != 2 {
		t.Fatalf("wait_check.js found %d charts, expected 2", got.Charts)
	}
	return got
}

func TestSharedChartsDrawWhenLibraryComes(t *testing.T) {
	useFakeLibrary(t)
	fragment, err := Shared.RenderIntervals(intervalFigure())
	if err != nil {
		t.Fatal(err)
	}
	for _, libraryAt := range []int{0, 1000, 4900} {
		got := runWaitCheck(t, fragment, libraryAt)
		if len(got.Draws) != 2 {
			t.Errorf("library at %d ms: %d charts drawn, expected 2 (texts %q)",
				libraryAt, len(got.Draws), got.Texts)
			continue
		}
		for _, d := range got.Draws {
			if d.At < libraryAt || d.At > libraryAt+50 {
				t.Errorf("library at %d ms: chart %s drawn at %d ms, expected within one poll (50 ms)",
					libraryAt, d.ID, d.At)
			}
		}
	}
}

func TestSharedChartsReportMissingLibrary(t *testing.T) {
	useFakeLibrary(t)
	fragment, err := Shared.RenderIntervals(intervalFigure())
	if err != nil {
		t.Fatal(err)
	}
	got := runWaitCheck(t, fragment, -1)
	if len(got.Draws) != 0 {
		t.Errorf("%d charts drawn without a library", len(got.Draws))
	}
	for i, text := range got.Texts {
		for _, want := range []string{"ECharts did not load", "interactive.ShowLibrary()"} {
			if !strings.Contains(text, want) {
				t.Errorf("chart %d shows %q, expected a message that contains %q", i, text, want)
			}
		}
	}
	if got.End < 4900 || got.End > 5100 {
		t.Errorf("the charts gave up waiting at %d ms, expected about 5000 ms", got.End)
	}
}

// TestRealLibraryFragment checks the library fragment of the installed
// echarts.min.js next to require.js in Node.js. It is skipped when set-up
// has not installed the file.
func TestRealLibraryFragment(t *testing.T) {
	path, err := LibraryPath()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("ECharts is not installed at %s; run `bash dprlib/scripts/setup.sh` to run this test",
			path)
	}
	fragment, err := RenderLibrary()
	if err != nil {
		t.Fatal(err)
	}
	checkNoExternalURL(t, "RenderLibrary", fragment)
	shared, err := Shared.RenderSFTLoss(lossCurves())
	if err != nil {
		t.Fatal(err)
	}
	full, err := RenderSFTLoss(lossCurves())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("library fragment %d bytes; SFTLoss fragment %d bytes shared, %d self-contained",
		len(fragment), len(shared), len(full))
	if len(shared) > 64<<10 {
		t.Errorf("the shared SFTLoss fragment has %d bytes, expected under 64 KiB", len(shared))
	}
	checkGuardWithNode(t, fragment)
}
