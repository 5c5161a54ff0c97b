package interactive

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// renderAll renders every view with the library that DPR_ECHARTS_JS names.
func renderAll(t *testing.T) map[string]string {
	t.Helper()
	fragments := map[string]string{}
	add := func(name string, fragment string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fragments[name] = fragment
	}
	fragment, err := RenderDPRTraining(dprRuns())
	add("DPRTraining", fragment, err)
	fragment, err = RenderSFTLoss(lossCurves())
	add("SFTLoss", fragment, err)
	fragment, err = RenderIntervals(intervalFigure())
	add("Intervals", fragment, err)
	fragment, err = RenderHeatmap(heatmaps()[0])
	add("Heatmap", fragment, err)
	fragment, err = RenderHeatmaps(heatmaps())
	add("Heatmaps", fragment, err)
	return fragments
}

var (
	// externalURL matches a src or href attribute whose value is an
	// absolute or protocol-relative URL.
	externalURL = regexp.MustCompile(`(?i)\b(src|href)\s*=\s*["']?\s*(https?:)?//`)
	// scriptSrc matches a <script> start tag with a src attribute.
	scriptSrc = regexp.MustCompile(`(?i)<script\b[^>]*\bsrc\b`)
)

// externalReferences returns the parts of fragment that could load
// anything from a file or a network.
func externalReferences(fragment string) []string {
	var found []string
	if m := externalURL.FindString(fragment); m != "" {
		found = append(found, "URL in an attribute: "+m)
	}
	if m := scriptSrc.FindString(fragment); m != "" {
		found = append(found, "script loaded from a file or URL: "+m)
	}
	if strings.Contains(strings.ToLower(fragment), "<link") {
		found = append(found, "<link> element")
	}
	return found
}

// checkNoExternalURL fails the test when fragment could load anything from
// a file or a network.
func checkNoExternalURL(t *testing.T, name, fragment string) {
	t.Helper()
	for _, found := range externalReferences(fragment) {
		t.Errorf("%s: the fragment has a %s", name, found)
	}
}

func TestFragmentHasNoExternalURL(t *testing.T) {
	useFakeLibrary(t)
	for name, fragment := range renderAll(t) {
		checkNoExternalURL(t, name, fragment)
	}
}

// TestExternalURLCheckFails makes sure that the URL check can fail.
func TestExternalURLCheckFails(t *testing.T) {
	for _, bad := range []string{
		`<script src="https://cdn.example/echarts.min.js"></script>`,
		`<script type="text/javascript" SRC='echarts.js'></script>`,
		`<img src=//cdn.example/x.png>`,
		`<a href="http://example.com">`,
		`<link rel="stylesheet" href="style.css">`,
	} {
		if len(externalReferences(bad)) == 0 {
			t.Errorf("externalReferences found nothing in %q", bad)
		}
	}
}

func TestFragmentGuardsLibraryOnce(t *testing.T) {
	useFakeLibrary(t)
	for name, fragment := range renderAll(t) {
		if got := strings.Count(fragment, fakeLibrary); got != 1 {
			t.Errorf("%s: the library occurs %d times, expected once", name, got)
		}
		if got := strings.Count(fragment, libraryGuard); got != 1 {
			t.Errorf("%s: the guard %q occurs %d times, expected once", name, libraryGuard, got)
		}
		guard := strings.Index(fragment, libraryGuard)
		wrapper := strings.Index(fragment, "(function (define, exports, module) {")
		library := strings.Index(fragment, fakeLibrary)
		mount := strings.Index(fragment, "dprkitCharts.mount(")
		if !(guard >= 0 && guard < wrapper && wrapper < library && library < mount) {
			t.Errorf("%s: expected the guard, the define-hiding wrapper, the library and the "+
				"first chart in that order; found them at %d, %d, %d, %d",
				name, guard, wrapper, library, mount)
		}
		if !strings.Contains(fragment, "}).call(window);") {
			t.Errorf("%s: the library wrapper is not called with window as this", name)
		}
	}
}

// mountCall matches the call that mounts a chart: its element id, option
// and context, each on one line.
var mountCall = regexp.MustCompile(`dprkitCharts\.mount\("([^"]+)",\n(.*),\n(.*),\ndocument\.currentScript\);`)

func TestFragmentMountsEachChart(t *testing.T) {
	useFakeLibrary(t)
	fragment, err := RenderIntervals(intervalFigure())
	if err != nil {
		t.Fatal(err)
	}
	calls := mountCall.FindAllStringSubmatch(fragment, -1)
	if len(calls) != 2 {
		t.Fatalf("found %d chart mounts, expected one per panel (2)", len(calls))
	}
	ids := map[string]bool{}
	for i, call := range calls {
		id := call[1]
		if ids[id] {
			t.Errorf("chart %d: element id %s is repeated", i, id)
		}
		ids[id] = true
		if !strings.Contains(fragment, `<div id="`+id+`"`) {
			t.Errorf("chart %d: no element with id %s", i, id)
		}
		var option, context map[string]any
		if err := json.Unmarshal([]byte(call[2]), &option); err != nil {
			t.Errorf("chart %d: the option is not JSON: %v", i, err)
		}
		if err := json.Unmarshal([]byte(call[3]), &context); err != nil {
			t.Errorf("chart %d: the context is not JSON: %v", i, err)
		}
		if got := len(list(t, option["series"], "series")); got < 1 {
			t.Errorf("chart %d: %d series", i, got)
		}
	}
	if got := strings.Count(fragment, "var dprkitCharts = "); got != 2 {
		t.Errorf("the runtime occurs %d times, expected once per chart (2)", got)
	}
}

func TestFragmentEscapesText(t *testing.T) {
	useFakeLibrary(t)
	maps := heatmaps()
	maps[0].Title = "</script><b>x</b>"
	fragment, err := RenderHeatmaps(maps)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(strings.ToLower(fragment), "</script") != strings.Count(fragment, "<script") {
		t.Errorf("a token or title ended a <script> element early")
	}
	if strings.Contains(fragment, "<b>x</b>") {
		t.Errorf("the title reached the HTML unescaped")
	}

	f := intervalFigure()
	f.Title = "<i>sweep</i> & more"
	fragment, err = RenderIntervals(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fragment, "&lt;i&gt;sweep&lt;/i&gt; &amp; more") {
		t.Errorf("the figure title is not escaped in the header")
	}
}

func TestElementIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id, err := newElementID()
		if err != nil {
			t.Fatal(err)
		}
		if seen[id] {
			t.Fatalf("element id %s repeated", id)
		}
		seen[id] = true
	}
}
