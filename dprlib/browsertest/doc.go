// Package browsertest checks the kit's GoNB notebooks in a real browser,
// headless Chromium driven through the DevTools protocol (chromedp). Its
// tests and its code build only with the build tag browser, so a plain
// `go test ./...` compiles nothing here and needs no browser. Run them with
// one of:
//
//	bash dprlib/scripts/browser-test.sh
//	go test -tags browser -count=1 -v ./dprlib/browsertest/
//
// TestNotebookExports exports every notebooks/*.ipynb to HTML with
// `jupyter nbconvert` (the committed outputs, no execution) and loads each
// page. It checks that every image decoded, that the page shows one image
// per image output of the notebook, that every ECharts chart drew pixels or
// SVG paths, and that no cell shows an error. TestLiveNotebook starts a classic
// Jupyter Notebook server, runs every cell of notebook 03 with the GoNB
// kernel from the browser and checks the outputs that appear.
// TestExportChecksCatchFaults feeds the export checks notebooks with known
// faults, such as a broken image and a script from a CDN.
//
// The browser may reach 127.0.0.1 only. Every request of a page to another
// host is blocked and fails the test, and a proxy on 127.0.0.1 that rejects
// everything receives whatever else the browser sends off the machine.
//
// The tests fail, and do not skip, when a tool is missing: Chromium (Debian
// package chromium), the classic Notebook server (jupyter-notebook), MathJax
// and require.js (libjs-mathjax and libjs-requirejs, which come with
// jupyter-notebook), `jupyter nbconvert` and the GoNB kernel
// (dprlib/scripts/setup.sh).
//
// Environment:
//
//	DPR_BROWSER_OUT           folder of the screenshots (default out/browser in the repository)
//	DPR_BROWSER_NOTEBOOKS     glob of the notebooks to export (default notebooks/*.ipynb)
//	DPR_CHROMIUM              path of the browser (default /usr/lib/chromium/chromium, else chromium on PATH)
//	DPR_BROWSER_JS_DIR        folder with mathjax/ and requirejs/ (default /usr/share/javascript)
//	DPR_BROWSER_LIVE_TIMEOUT  limit for running all cells of notebook 03 (default 6m)
package browsertest
