// Package notebook holds the display helpers that keep the kit's GoNB
// notebooks short: one call shows a figure, a table or an error. Outside a
// notebook (tests, plain programs) they print text to standard output.
package notebook

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"

	"github.com/dprkit/dprkit/dprlib/progress"
	"github.com/janpfeifer/gonb/gonbui"
)

// Every display function waits (gonbui.Sync) until GoNB has taken its
// output: a cell whose program exits right after a large image could
// otherwise lose the displays still in the pipe.

// ShowPNG displays the PNG image at path inline.
func ShowPNG(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("show figure: %w", err)
	}
	if !gonbui.IsNotebook {
		fmt.Printf("[figure %s]\n", path)
		return nil
	}
	gonbui.DisplayPNG(data)
	gonbui.Sync()
	return nil
}

// ShowFigures displays every PNG among paths, in order.
func ShowFigures(paths []string) error {
	for _, p := range paths {
		if filepath.Ext(p) == ".png" {
			if err := ShowPNG(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// Markdown displays text formatted as Markdown.
func Markdown(text string) {
	if gonbui.IsNotebook {
		gonbui.DisplayMarkdown(text)
		gonbui.Sync()
		return
	}
	fmt.Println(text)
}

// Table displays rows under header as an HTML table.
func Table(header []string, rows [][]string) {
	if !gonbui.IsNotebook {
		fmt.Println(strings.Join(header, "\t"))
		for _, r := range rows {
			fmt.Println(strings.Join(r, "\t"))
		}
		return
	}
	var b strings.Builder
	b.WriteString("<table><thead><tr>")
	for _, h := range header {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range r {
			fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(c))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	gonbui.DisplayHTML(b.String())
	gonbui.Sync()
}

// Must stops the cell with a readable message when err is not nil. The cell
// exits with status 1, so a headless run of the notebook fails.
func Must(err error) {
	if err == nil {
		return
	}
	if gonbui.IsNotebook {
		gonbui.DisplayHTML(`<pre style="color:#b00020">error: ` + html.EscapeString(err.Error()) + `</pre>`)
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

// Progress returns a reporter that prints a line per tenth of each loop to
// standard output, which a notebook shows under the cell.
func Progress() progress.Reporter { return progress.NewLines(os.Stdout) }
