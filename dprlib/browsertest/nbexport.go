//go:build browser

package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// NotebookSummary is the part of an .ipynb file that the tests compare a
// page with.
type NotebookSummary struct {
	Path string

	// CellOutputs holds the number of outputs of each code cell, in order.
	CellOutputs []int

	// ImageOutputs counts the outputs that carry image/png or image/jpeg data.
	ImageOutputs int

	// ErrorOutputs holds "ename: evalue" of each error output.
	ErrorOutputs []string

	// HasMath reports whether a Markdown cell contains a $ sign, which MathJax
	// typesets.
	HasMath bool
}

// ReadNotebook reads the summary of the notebook at path (nbformat 4).
func ReadNotebook(path string) (NotebookSummary, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return NotebookSummary{}, err
	}
	var nb struct {
		NBFormat int `json:"nbformat"`
		Cells    []struct {
			CellType string          `json:"cell_type"`
			Source   json.RawMessage `json:"source"`
			Outputs  []struct {
				OutputType string                     `json:"output_type"`
				Data       map[string]json.RawMessage `json:"data"`
				EName      string                     `json:"ename"`
				EValue     string                     `json:"evalue"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		return NotebookSummary{}, fmt.Errorf("read notebook %s: %w", path, err)
	}
	if nb.NBFormat != 4 {
		return NotebookSummary{}, fmt.Errorf("read notebook %s: nbformat %d, expected 4", path, nb.NBFormat)
	}
	s := NotebookSummary{Path: path}
	for _, cell := range nb.Cells {
		switch cell.CellType {
		case "markdown":
			if hasMath(sourceText(cell.Source)) {
				s.HasMath = true
			}
		case "code":
			s.CellOutputs = append(s.CellOutputs, len(cell.Outputs))
			for _, out := range cell.Outputs {
				if out.OutputType == "error" {
					s.ErrorOutputs = append(s.ErrorOutputs, out.EName+": "+out.EValue)
				}
				_, png := out.Data["image/png"]
				_, jpeg := out.Data["image/jpeg"]
				if png || jpeg {
					s.ImageOutputs++
				}
			}
		}
	}
	return s, nil
}

// Patterns of Markdown: markdownCode matches code spans and fenced blocks,
// where a $ is not a math delimiter, and markdownMath matches TeX in $...$,
// $$...$$, \(...\) or \[...\].
var (
	markdownCode = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`")
	markdownMath = regexp.MustCompile(`(?s)\$\$.+?\$\$|\$[^$\n]+\$|\\\(.+?\\\)|\\\[.+?\\\]`)
)

// hasMath reports whether Markdown text contains math outside code.
func hasMath(markdown string) bool {
	return markdownMath.MatchString(markdownCode.ReplaceAllString(markdown, ""))
}

// sourceText returns a cell's source, which nbformat stores as a string or
// as a list of lines.
func sourceText(raw json.RawMessage) string {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text
	}
	var lines []string
	_ = json.Unmarshal(raw, &lines)
	return strings.Join(lines, "")
}

// ExportHTML converts the notebook to HTML in outDir with `jupyter nbconvert
// --to html`, without running it, and returns the path of the HTML file.
// The page loads MathJax and require.js from jsBase, a URL path such as
// "/javascript/" under which the page's server serves Debian's
// /usr/share/javascript. Without it, nbconvert writes a CDN URL or a file://
// URL, depending on how it was packaged.
func ExportHTML(ctx context.Context, notebook, outDir, jsBase string) (string, error) {
	cmd := exec.CommandContext(ctx, "jupyter", "nbconvert", "--to", "html",
		"--output-dir", outDir,
		"--HTMLExporter.mathjax_url="+jsBase+"mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
		"--HTMLExporter.require_js_url="+jsBase+"requirejs/require.min.js",
		notebook)
	output, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("jupyter nbconvert --to html %s: %w\n%s", notebook, err, output)
	}
	name := strings.TrimSuffix(filepath.Base(notebook), filepath.Ext(notebook)) + ".html"
	path := filepath.Join(outDir, name)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("jupyter nbconvert did not write %s:\n%s", path, output)
	}
	return path, nil
}

// JSDirEnv is the environment variable that overrides the folder that holds
// mathjax/MathJax.js and requirejs/require.min.js.
const JSDirEnv = "DPR_BROWSER_JS_DIR"

// FindJSDir returns the folder with MathJax 2 and require.js that the
// exported pages load: DPR_BROWSER_JS_DIR, or Debian's /usr/share/javascript.
func FindJSDir() (string, error) {
	dir := os.Getenv(JSDirEnv)
	if dir == "" {
		dir = "/usr/share/javascript"
	}
	for _, file := range []struct{ path, pkg string }{
		{"mathjax/MathJax.js", "libjs-mathjax"},
		{"requirejs/require.min.js", "libjs-requirejs"},
	} {
		if _, err := os.Stat(filepath.Join(dir, file.path)); err != nil {
			return "", fmt.Errorf("%s not found in %s: install Debian's %s (jupyter-notebook depends on it), "+
				"or set %s to a folder that has it", file.path, dir, file.pkg, JSDirEnv)
		}
	}
	return dir, nil
}
