//go:build browser

package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// liveNotebook is the notebook that TestLiveNotebook runs. Under the smoke
// profile it runs in about a minute once the run store has its results.
const liveNotebook = "03_gamma_ablation.ipynb"

// liveCopy is the copy that the server opens. It sits next to the original,
// so that ${GONB_DIR}/.. is still the repository root for the notebook's
// first cell, and the committed notebook never gets outputs written into it.
const liveCopy = ".browsertest-03.ipynb"

// kernelIdle is true once the classic Notebook page has loaded the notebook
// and its kernel is connected and idle. Before that, Jupyter.notebook and its
// kernel may be undefined.
const kernelIdle = `(function () {
  try {
    return Jupyter.notebook._fully_loaded && Jupyter.notebook.kernel.is_connected() &&
      document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
  } catch (err) {
    return false;
  }
})()`

// cellsDone is true when no code cell waits or runs (prompt In [*]) and the
// kernel is idle.
const cellsDone = `!Jupyter.notebook.get_cells().some(function (c) {
    return c.cell_type === "code" && c.input_prompt_number === "*";
  }) && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null`

// cellStates returns the prompt number and the output types of each code
// cell.
const cellStates = `Jupyter.notebook.get_cells().filter(function (c) {
    return c.cell_type === "code";
  }).map(function (c) {
    return {
      prompt: String(c.input_prompt_number),
      outputs: c.output_area.outputs.map(function (o) { return o.output_type; }),
    };
  })`

// unfoldPage lets the classic Notebook page grow to the notebook's height.
// The page scrolls the notebook inside #site, so a full-page screenshot
// would show only the window's height of it.
const unfoldPage = `(function () {
  document.body.style.position = "static";
  document.body.style.overflow = "visible";
  var site = document.getElementById("site");
  if (site) {
    site.style.height = "auto";
    site.style.overflow = "visible";
  }
  return true;
})()`

// liveScreenshot writes a screenshot of the whole notebook.
func liveScreenshot(t *testing.T, p *Page, dir, name string) {
	t.Helper()
	if _, err := Evaluate[bool](p, 10*time.Second, unfoldPage); err != nil {
		t.Errorf("unfold the page for a screenshot: %v", err)
	}
	screenshot(t, p, dir, name)
}

// liveCell is one code cell of the page after the run.
type liveCell struct {
	Prompt  string   `json:"prompt"`
	Outputs []string `json:"outputs"`
}

// liveTimeout returns the limit for running all cells: DPR_BROWSER_LIVE_TIMEOUT
// or 6 minutes.
func liveTimeout(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv("DPR_BROWSER_LIVE_TIMEOUT")
	if v == "" {
		return 6 * time.Minute
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("DPR_BROWSER_LIVE_TIMEOUT=%q is not a positive duration such as 6m", v)
	}
	return d
}

// TestLiveNotebook starts a classic Jupyter Notebook server on 127.0.0.1,
// opens a copy of notebook 03 in the browser, runs all cells with the GoNB
// kernel under the smoke profile and checks the outputs that appear.
func TestLiveNotebook(t *testing.T) {
	root := repoRoot(t)
	version := requireTool(t, "install Debian's jupyter-notebook "+
		"(`apt-get install --no-install-recommends jupyter-notebook`)", "jupyter", "notebook", "--version")
	t.Logf("jupyter notebook %s", version)
	kernels := requireTool(t, "run `bash dprlib/scripts/setup.sh`", "jupyter", "kernelspec", "list")
	if !regexp.MustCompile(`(?m)^\s+gonb\s`).MatchString(kernels) {
		t.Fatalf("the GoNB kernel is not registered (jupyter kernelspec list:\n%s\n); "+
			"run `bash dprlib/scripts/setup.sh`", kernels)
	}
	b := startBrowser(t)
	shots := screenshotDir(t, root)
	timeout := liveTimeout(t)

	original := filepath.Join(root, "notebooks", liveNotebook)
	summary, err := ReadNotebook(original)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(original)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(root, "notebooks", liveCopy)
	if err := os.WriteFile(copyPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Remove(copyPath); err != nil {
			t.Errorf("remove the notebook copy: %v", err)
		}
	})

	// The kernel inherits the server's environment; the kernelspec adds
	// GOTOOLCHAIN, GOEXPERIMENT and GOMLX_BACKEND (dprlib/scripts/setup.sh).
	env := []string{"DPR_PROFILE=smoke", "GOPROXY=off"}
	for _, name := range []string{"GOTOOLCHAIN", "GOEXPERIMENT", "GOMLX_BACKEND"} {
		t.Logf("%s=%s", name, os.Getenv(name))
	}
	server, err := StartNotebookServer(root, t.TempDir(), env, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := server.Stop(t.Logf); err != nil {
			t.Errorf("stop the notebook server: %v", err)
		}
		if t.Failed() {
			t.Logf("end of the notebook server's log %s:\n%s", server.LogPath, server.LogTail(40))
		}
	})
	t.Logf("notebook server at %s, log %s", server.URL, server.LogPath)

	offHostBefore := len(b.OffHostRequests())
	p := newPage(t, b)
	if err := p.Open(server.NotebookURL("notebooks/"+liveCopy), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(kernelIdle, 500*time.Millisecond, 2*time.Minute, nil); err != nil {
		liveScreenshot(t, p, shots, "live-03-kernel.jpg")
		logConsole(t, p)
		t.Fatalf("the kernel did not become idle: %v", err)
	}
	// The copy is deleted at the end, so saving it would only add writes.
	if _, err := Evaluate[bool](p, 10*time.Second, "Jupyter.notebook.set_autosave_interval(0), true"); err != nil {
		t.Fatal(err)
	}
	liveScreenshot(t, p, shots, "live-03-before.jpg")

	started := time.Now()
	if _, err := Evaluate[bool](p, 10*time.Second, "Jupyter.notebook.execute_all_cells(), true"); err != nil {
		t.Fatalf("run all cells: %v", err)
	}
	lastLog := time.Duration(0)
	progress := func(waited time.Duration) {
		if waited-lastLog < 30*time.Second {
			return
		}
		lastLog = waited
		cells, err := Evaluate[[]liveCell](p, 10*time.Second, cellStates)
		if err == nil {
			t.Logf("after %s: prompts %s", waited.Round(time.Second), prompts(cells))
		}
	}
	err = p.WaitFor(cellsDone, time.Second, timeout, progress)
	elapsed := time.Since(started)
	if err != nil {
		liveScreenshot(t, p, shots, "live-03-after.jpg")
		logConsole(t, p)
		t.Fatalf("the cells did not finish within %s: %v", timeout, err)
	}
	t.Logf("all cells of %s ran in %s", liveNotebook, elapsed.Round(time.Second))

	cells, err := Evaluate[[]liveCell](p, 10*time.Second, cellStates)
	if err != nil {
		t.Fatal(err)
	}
	report, err := p.InspectSettled(10 * time.Second)
	if err != nil {
		t.Fatalf("inspect the page: %v", err)
	}
	liveScreenshot(t, p, shots, "live-03-after.jpg")
	logConsole(t, p)
	t.Logf("prompts %s; %d images (%d from outputs), %d charts", prompts(cells), len(report.Images),
		report.OutputImages, len(report.Charts))

	if len(cells) != len(summary.CellOutputs) {
		t.Fatalf("the page has %d code cells, %s has %d", len(cells), liveNotebook, len(summary.CellOutputs))
	}
	for i, c := range cells {
		if !regexp.MustCompile(`^[0-9]+$`).MatchString(c.Prompt) {
			t.Errorf("code cell %d did not run: its prompt is In [%s]", i+1, c.Prompt)
		}
		if summary.CellOutputs[i] > 0 && len(c.Outputs) == 0 {
			t.Errorf("code cell %d has %d outputs in %s but none in the page", i+1, summary.CellOutputs[i], liveNotebook)
		}
		for _, kind := range c.Outputs {
			if kind == "error" {
				t.Errorf("code cell %d has an error output", i+1)
			}
		}
	}
	decoded := 0
	for _, img := range report.Images {
		if img.NaturalWidth > 0 {
			decoded++
		}
	}
	if report.OutputImages == 0 || decoded == 0 {
		t.Errorf("no figure appeared: %d images of outputs, %d decoded images", report.OutputImages, decoded)
	}
	for _, problem := range report.Problems() {
		t.Error(problem)
	}
	for _, r := range p.Blocked() {
		t.Errorf("the page tried to load from another host (blocked): %s", r)
	}
	for _, r := range b.PageOffHostRequests(offHostBefore) {
		t.Errorf("the browser tried to reach another host while it showed the notebook (rejected by its proxy): %s", r)
	}
}

// prompts returns the prompt numbers of the cells, with * for a running or
// waiting cell and - for one that has not run, such as "[1 2 * -]".
func prompts(cells []liveCell) string {
	var parts []string
	for _, c := range cells {
		switch c.Prompt {
		case "null", "undefined":
			parts = append(parts, "-")
		default:
			parts = append(parts, c.Prompt)
		}
	}
	return fmt.Sprintf("[%s]", strings.Join(parts, " "))
}
