//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exportFixture is what the export tests share: the browser, a folder for
// the HTML files and a server on 127.0.0.1 that serves it at / and the
// MathJax and require.js folder at /javascript/.
type exportFixture struct {
	browser   *Browser
	server    *httptest.Server
	exportDir string
}

func newExportFixture(t *testing.T) *exportFixture {
	t.Helper()
	requireTool(t, "install Debian's jupyter-nbconvert, or run `bash dprlib/scripts/setup.sh`",
		"jupyter", "nbconvert", "--version")
	jsDir, err := FindJSDir()
	if err != nil {
		t.Fatal(err)
	}
	exportDir := t.TempDir()
	return &exportFixture{
		browser:   startBrowser(t),
		server:    serveFolders(t, map[string]string{"/": exportDir, "/javascript/": jsDir}),
		exportDir: exportDir,
	}
}

// mathJaxDone is a promise that resolves to true once MathJax 2 has typeset
// the page, and to false when the page has no MathJax.
const mathJaxDone = `new Promise(function (resolve) {
  if (!window.MathJax || !window.MathJax.Hub) { resolve(false); return; }
  window.MathJax.Hub.Queue(function () { resolve(true); });
})`

// check exports the notebook, loads the page and returns what is wrong with
// it. It writes a screenshot to shotsDir unless shotsDir is empty.
func (f *exportFixture) check(t *testing.T, notebook, shotsDir string) []string {
	t.Helper()
	summary, err := ReadNotebook(notebook)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	htmlPath, err := ExportHTML(ctx, notebook, f.exportDir, "/javascript/")
	if err != nil {
		t.Fatal(err)
	}

	started := time.Now()
	offHostBefore := len(f.browser.OffHostRequests())
	p := newPage(t, f.browser)
	if err := p.Open(f.server.URL+"/"+url.PathEscape(filepath.Base(htmlPath)), time.Minute); err != nil {
		t.Fatal(err)
	}
	mathJax, err := Evaluate[bool](p, 30*time.Second, mathJaxDone)
	if err != nil {
		t.Fatalf("wait for MathJax: %v", err)
	}
	report, err := p.InspectSettled(5 * time.Second)
	if err != nil {
		t.Fatalf("inspect the page: %v", err)
	}
	if shotsDir != "" {
		name := strings.TrimSuffix(filepath.Base(notebook), ".ipynb")
		screenshot(t, p, shotsDir, "export-"+name+".jpg")
	}
	exceptions := logConsole(t, p)

	drawn := 0
	for _, c := range report.Charts {
		if c.Drawn() {
			drawn++
		}
	}
	t.Logf("%s: %d images (%d from outputs, notebook has %d image outputs), %d charts (%d drawn), "+
		"%d formulas typeset, %d error displays; loaded and checked in %s",
		filepath.Base(notebook), len(report.Images), report.OutputImages, summary.ImageOutputs,
		len(report.Charts), drawn, report.Math.Rendered, len(report.Errors), time.Since(started).Round(time.Millisecond))

	problems := report.Problems()
	if report.OutputImages != summary.ImageOutputs {
		problems = append(problems, fmt.Sprintf("the page shows %d images of image outputs, but the notebook has %d "+
			"outputs with image/png or image/jpeg data (an output that also has text/html shows the HTML instead)",
			report.OutputImages, summary.ImageOutputs))
	}
	for _, e := range summary.ErrorOutputs {
		problems = append(problems, "error output in the notebook: "+e)
	}
	if summary.HasMath && !mathJax {
		problems = append(problems, "the notebook has math, but MathJax did not load (see the console messages)")
	} else if summary.HasMath && report.Math.Rendered == 0 {
		problems = append(problems, "the notebook has math, but MathJax typeset no formula")
	}
	for _, r := range p.Blocked() {
		problems = append(problems, "the page tried to load from another host (blocked): "+r)
	}
	for _, r := range f.browser.PageOffHostRequests(offHostBefore) {
		problems = append(problems, "the browser tried to reach another host while it showed the page "+
			"(rejected by its proxy): "+r)
	}
	for _, e := range exceptions {
		problems = append(problems, "uncaught JavaScript exception: "+e)
	}
	return problems
}

// TestNotebookExports exports every notebook with its committed outputs to
// HTML and checks each page in the browser.
func TestNotebookExports(t *testing.T) {
	root := repoRoot(t)
	pattern := os.Getenv("DPR_BROWSER_NOTEBOOKS")
	if pattern == "" {
		pattern = filepath.Join(root, "notebooks", "*.ipynb")
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatalf("DPR_BROWSER_NOTEBOOKS=%q: %v", pattern, err)
	}
	// filepath.Glob's * also matches names that start with a dot, such as the
	// copy that TestLiveNotebook opens, which is not a notebook of the kit.
	var notebooks []string
	for _, m := range matches {
		if !strings.HasPrefix(filepath.Base(m), ".") {
			notebooks = append(notebooks, m)
		}
	}
	if len(notebooks) == 0 {
		t.Fatalf("no notebooks match %s", pattern)
	}
	f := newExportFixture(t)
	shots := screenshotDir(t, root)
	for _, notebook := range notebooks {
		t.Run(strings.TrimSuffix(filepath.Base(notebook), ".ipynb"), func(t *testing.T) {
			for _, problem := range f.check(t, notebook, shots) {
				t.Error(problem)
			}
		})
	}
}
