package interactive

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// runtimeJS resolves the named functions of an option and mounts a chart.
//
//go:embed runtime.js
var runtimeJS string

// chart is one ECharts instance of a fragment.
type chart struct {
	// option is the ECharts option, from a go-echarts chart's JSON method.
	// Functions appear in it as names that runtime.js resolves.
	option map[string]any

	// context holds the values that the named functions read, such as the
	// panel names of a step tooltip. It may be nil.
	context map[string]any

	// height is the height of the chart's element, in CSS pixels. Its
	// width follows the notebook's output area.
	height int

	// style is extra CSS for the chart's element, such as its flex layout
	// in a row of panels.
	style string
}

// libraryGuard is the once-per-page guard in front of the inline library.
const libraryGuard = `if (typeof window.echarts === "undefined") {`

// writeLibrary writes the inline ECharts library as a <script> element. The
// library is evaluated only when window.echarts is not yet defined, so a
// page of several fragments evaluates it once. Its UMD header registers
// with require.js or CommonJS when either is defined, which would leave
// window.echarts undefined. Jupyter's classic notebook and the HTML export
// of nbconvert 6.5 load require.js. The parameters define, exports and
// module shadow those globals, so the library always sets window.echarts.
func writeLibrary(b *bytes.Buffer, library []byte) {
	fmt.Fprintf(b, "<script>\n/* ECharts %s, Apache License 2.0, inline so that the chart "+
		"needs no network. */\n", LibraryVersion)
	b.WriteString(libraryGuard + "\n")
	b.WriteString("(function (define, exports, module) {\n")
	b.Write(library)
	b.WriteString("\n}).call(window);\n}\n</script>\n")
}

// writeChart writes the element and the script of one chart.
func writeChart(b *bytes.Buffer, c chart) error {
	option, err := marshalScriptJSON(c.option)
	if err != nil {
		return fmt.Errorf("interactive: encode the chart option: %w", err)
	}
	context := c.context
	if context == nil {
		context = map[string]any{}
	}
	contextJSON, err := marshalScriptJSON(context)
	if err != nil {
		return fmt.Errorf("interactive: encode the chart context: %w", err)
	}
	id, err := newElementID()
	if err != nil {
		return err
	}

	// The text inside the element shows where scripts do not run, such as
	// in an untrusted notebook or a static preview. The chart replaces it.
	fmt.Fprintf(b, "<div id=\"%s\" class=\"dprkit-chart\" style=\"height:%dpx;%s\">"+
		"Interactive chart: run the notebook in Jupyter to see it.</div>\n",
		id, c.height, html.EscapeString(c.style))
	b.WriteString("<script>\n(function () {\n")
	b.WriteString(runtimeJS)
	fmt.Fprintf(b, "dprkitCharts.mount(%q,\n%s,\n%s,\ndocument.currentScript);\n",
		id, option, contextJSON)
	b.WriteString("})();\n</script>\n")
	return nil
}

// marshalScriptJSON encodes v as JSON that is safe inside a <script>
// element: encoding/json writes <, > and & as \u003c, \u003e and \u0026,
// so no "</script" can occur, and U+2028 and U+2029 as escapes.
func marshalScriptJSON(v any) ([]byte, error) {
	return json.Marshal(v)
}

// newElementID returns a random element id. A counter would not do,
// because every GoNB cell runs as a new program and all cells share one
// page.
func newElementID() (string, error) {
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("interactive: make an element id: %w", err)
	}
	return "dprkit-chart-" + hex.EncodeToString(raw[:]), nil
}

// renderFragment returns the HTML fragment of charts under an optional
// header (HTML, already escaped): the inline library once, unless
// o.SharedLibrary is set, then each chart. Several charts sit side by side
// and wrap onto new rows.
func (o Options) renderFragment(header string, charts ...chart) (string, error) {
	var library []byte
	if !o.SharedLibrary {
		var err error
		if library, err = Library(); err != nil {
			return "", err
		}
	}
	var b bytes.Buffer
	b.Grow(len(library) + 64<<10)
	b.WriteString("<div class=\"dprkit-interactive\">\n")
	if !o.SharedLibrary {
		writeLibrary(&b, library)
	}
	b.WriteString(header)
	if len(charts) > 1 {
		b.WriteString("<div style=\"display:flex;flex-wrap:wrap;gap:8px\">\n")
	}
	for _, c := range charts {
		if err := writeChart(&b, c); err != nil {
			return "", err
		}
	}
	if len(charts) > 1 {
		b.WriteString("</div>\n")
	}
	b.WriteString("</div>\n")
	return b.String(), nil
}

// summaryOutput receives the one-line summaries that the ShowX functions
// print outside a notebook.
var summaryOutput io.Writer = os.Stdout

// show displays the fragment that render returns in a notebook, and waits
// until GoNB has taken it: a cell whose program exits right after a large
// output could otherwise lose it. Outside a notebook it prints summary as
// one line and does not call render, so it needs no ECharts file.
func show(summary string, render func() (string, error)) error {
	if !gonbui.IsNotebook {
		fmt.Fprintln(summaryOutput, "["+summary+"]")
		return nil
	}
	fragment, err := render()
	if err != nil {
		return err
	}
	gonbui.DisplayHTML(fragment)
	gonbui.Sync()
	return nil
}

// headerHTML returns a title and a note in small grey type as HTML, or ""
// when both are empty.
func headerHTML(title, note string) string {
	var b strings.Builder
	if title != "" {
		fmt.Fprintf(&b, "<div style=\"font:bold 15px sans-serif;margin:4px 0\">%s</div>\n",
			html.EscapeString(title))
	}
	if note != "" {
		fmt.Fprintf(&b, "<div style=\"font:12px sans-serif;color:#606060;margin:2px 0 6px\">%s</div>\n",
			html.EscapeString(note))
	}
	return b.String()
}
