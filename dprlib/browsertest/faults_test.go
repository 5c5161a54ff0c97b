//go:build browser

package browsertest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// smallPNG returns a valid 8×8 PNG image, base64-encoded as in an .ipynb.
func smallPNG(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	img.Set(2, 2, color.RGBA{R: 0xc0, A: 0xff})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// writeNotebook writes an nbformat 4 notebook with a Markdown cell and one
// code cell with outputs to dir/name.ipynb.
func writeNotebook(t *testing.T, dir, name, markdown string, outputs ...map[string]any) string {
	t.Helper()
	if outputs == nil {
		outputs = []map[string]any{}
	}
	for _, o := range outputs {
		if o["output_type"] == "display_data" {
			o["metadata"] = map[string]any{}
		}
	}
	nb := map[string]any{
		"nbformat":       4,
		"nbformat_minor": 5,
		"metadata": map[string]any{
			"kernelspec": map[string]any{"name": "gonb", "display_name": "Go (gonb)", "language": "go"},
		},
		"cells": []any{
			map[string]any{"cell_type": "markdown", "id": "m1", "metadata": map[string]any{}, "source": markdown},
			map[string]any{"cell_type": "code", "id": "c1", "metadata": map[string]any{}, "execution_count": 1,
				"source": "%%\nfmt.Println(1)", "outputs": outputs},
		},
	}
	data, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".ipynb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func display(data map[string]any) map[string]any {
	return map[string]any{"output_type": "display_data", "data": data}
}

// drawnChart is an element like an ECharts chart, with a canvas that its
// script draws on.
const drawnChart = `<div id="drawn" style="height:60px"><canvas width="60" height="60"></canvas></div>
<script>
(function () {
  var element = document.getElementById("drawn");
  var g = element.querySelector("canvas").getContext("2d");
  g.fillStyle = "#3366cc";
  g.fillRect(5, 5, 40, 40);
  element.setAttribute("_echarts_instance_", "ec_drawn");
})();
</script>`

// TestExportChecksCatchFaults runs the checks of TestNotebookExports on
// notebooks with one known fault each, and on a notebook with none.
func TestExportChecksCatchFaults(t *testing.T) {
	f := newExportFixture(t)
	dir := t.TempDir()
	pngData := smallPNG(t)

	cases := []struct {
		name     string
		markdown string
		outputs  []map[string]any
		want     string // a substring of one problem; "" for none
	}{
		{
			name:     "clean",
			markdown: "# Clean\n\nA formula: $x^2 + 1$.",
			outputs: []map[string]any{
				display(map[string]any{"image/png": pngData, "text/plain": "<image>"}),
				display(map[string]any{"text/html": "<table><tr><td>1</td></tr></table>"}),
				display(map[string]any{"text/html": drawnChart}),
				{"output_type": "stream", "name": "stdout", "text": "step 10/10\n"},
			},
			want: "",
		},
		{
			name:    "broken-image",
			outputs: []map[string]any{display(map[string]any{"image/png": base64.StdEncoding.EncodeToString([]byte("not a PNG"))})},
			want:    "did not decode",
		},
		{
			name: "image-hidden-by-html",
			outputs: []map[string]any{display(map[string]any{
				"image/png": pngData, "text/html": "<b>the HTML wins</b>",
			})},
			want: "shows 0 images of image outputs, but the notebook has 1",
		},
		{
			name: "script-from-cdn",
			outputs: []map[string]any{display(map[string]any{
				"text/html": `<script src="https://cdn.jsdelivr.net/npm/echarts@5.4.3/dist/echarts.min.js"></script>`,
			})},
			want: "blocked): GET https://cdn.jsdelivr.net/npm/echarts@5.4.3/dist/echarts.min.js",
		},
		{
			name: "blank-chart",
			outputs: []map[string]any{display(map[string]any{
				"text/html": `<div id="blank" _echarts_instance_="ec_blank" style="height:60px"><canvas width="60" height="60"></canvas></div>`,
			})},
			want: `chart "blank" is blank`,
		},
		{
			name: "chart-script-never-ran",
			outputs: []map[string]any{display(map[string]any{
				"text/html": `<div id="dprkit-chart-00" class="dprkit-chart" style="height:60px">Interactive chart: run the notebook in Jupyter to see it.</div>`,
			})},
			want: `chart element "dprkit-chart-00" has no ECharts instance`,
		},
		{
			name: "must-error",
			outputs: []map[string]any{display(map[string]any{
				"text/html": `<pre style="color:#b00020">error: data folder not found</pre>`,
			})},
			want: "error display: error: data folder not found",
		},
		{
			name:    "failed-cell",
			outputs: []map[string]any{{"output_type": "stream", "name": "stderr", "text": "exit status 1\n"}},
			want:    "standard error: exit status 1",
		},
		{
			name: "error-output",
			outputs: []map[string]any{{"output_type": "error", "ename": "ERROR", "evalue": "failed to run",
				"traceback": []string{"failed to run"}}},
			want: "error output in the notebook: ERROR: failed to run",
		},
		{
			name: "svg-output",
			outputs: []map[string]any{display(map[string]any{
				"image/svg+xml": `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40"><rect width="60" height="30" fill="#c00"/></svg>`,
			})},
			want: "image/svg+xml output 1 shows nothing",
		},
		{
			name:     "math-typo",
			markdown: `A formula with a missing brace: $x^{2 + 1$.`,
			want:     `MathJax could not typeset`,
		},
		{
			name: "script-exception",
			outputs: []map[string]any{display(map[string]any{
				"text/html": `<script>throw new Error("chart runtime failed")</script>`,
			})},
			want: "uncaught JavaScript exception: Uncaught Error: chart runtime failed",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			markdown := tc.markdown
			if markdown == "" {
				markdown = "# " + tc.name
			}
			notebook := writeNotebook(t, dir, tc.name, markdown, tc.outputs...)
			problems := f.check(t, notebook, "")
			if tc.want == "" {
				if len(problems) > 0 {
					t.Errorf("a notebook with no fault has problems:\n  %s", strings.Join(problems, "\n  "))
				}
				return
			}
			found := false
			for _, p := range problems {
				if strings.Contains(p, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem contains %q; problems:\n  %s", tc.want, strings.Join(problems, "\n  "))
			}
		})
	}
}
