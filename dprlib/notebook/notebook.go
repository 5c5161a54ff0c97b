// Package notebook holds the display helpers that keep the kit's GoNB
// notebooks short: one call shows a figure, a table or an error. Outside a
// notebook (tests, plain programs) they print text to standard output.
package notebook

import (
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

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

// Must stops the cell with a readable message when err is not nil: a red
// "error: …" block under the cell and the same line on standard error. It
// first finishes the progress bars of Progress, so a loop that the error
// cut short shows where it stopped. The cell exits with status 1, so a
// headless run of the notebook fails.
func Must(err error) {
	if err == nil {
		return
	}
	stop(err)
}

// Recover stops the cell as Must does when the cell panics, with the
// panic's value and the function that panicked as the message in place of
// Go's goroutine dump. Library code can panic, for example on a shape error
// while GoMLX builds a graph, so defer it as the first statement of every
// cell that trains, evaluates or samples:
//
//	%%
//	defer notebook.Recover()
//	run, err := tourPipeline().SFT(context.Background(), 1)
//	notebook.Must(err)
//
// Must remains the check for returned errors. Recover has effect only when
// deferred directly, and it catches only panics of the goroutine that
// deferred it. A panic in a goroutine that library code started still ends
// the cell with a goroutine dump.
func Recover() {
	r := recover()
	if r == nil {
		return
	}
	stop(panicError(r, panicSite()))
}

// Run calls f and stops the cell as Must does when f returns an error or
// panics. It suits a cell whose work fits in one function:
//
//	notebook.Run(func() error {
//		_, err := pl.DPR(ctx, sftRun)
//		return err
//	})
func Run(f func() error) {
	defer Recover()
	Must(f())
}

// Standard error and exit are variables so that tests can observe them.
var (
	errorOutput io.Writer = os.Stderr
	exit                  = os.Exit
)

// stop finishes the open progress bars, shows err and exits with status 1.
func stop(err error) {
	finishBars()
	if gonbui.IsNotebook {
		gonbui.DisplayHTML(errorHTML(err))
		gonbui.Sync()
	}
	fmt.Fprintln(errorOutput, "error:", err)
	exit(1)
}

// errorHTML returns the red block that shows err under a cell.
func errorHTML(err error) string {
	return `<pre style="color:#b00020;white-space:pre-wrap">error: ` +
		html.EscapeString(err.Error()) + `</pre>`
}

// panicError returns the error that Recover shows for the panic value r,
// raised in the function described by site ("" when unknown). An error
// value stays in the chain of the result.
func panicError(r any, site string) error {
	where := "panic"
	if site != "" {
		where = "panic in " + site
	}
	if err, ok := r.(error); ok {
		return fmt.Errorf("%s: %w", where, err)
	}
	return fmt.Errorf("%s: %v", where, r)
}

// modulePrefix is cut from the function names in panic messages.
const modulePrefix = "github.com/dprkit/dprkit/"

// panicSite returns the function, file and line that raised the panic being
// recovered, as "dprlib/sft.Train (sft.go:274)", or "" when the stack holds
// no panic. Only the deferred function that recovers may call it, because
// the panicking frames are then still on the stack. The site is the first
// frame below runtime.gopanic that is not in package runtime, which skips
// the runtime function that raised a run-time error such as an index out
// of range.
func panicSite() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	panicking := false
	for {
		frame, more := frames.Next()
		if panicking && !strings.HasPrefix(frame.Function, "runtime.") {
			name := strings.TrimPrefix(frame.Function, modulePrefix)
			return fmt.Sprintf("%s (%s:%d)", name, filepath.Base(frame.File), frame.Line)
		}
		if frame.Function == "runtime.gopanic" {
			panicking = true
		}
		if !more {
			return ""
		}
	}
}

// Progress returns the reporter for library loops that a cell runs, such as
// pl.Progress = notebook.Progress(). In a GoNB notebook it draws one HTML
// bar per loop, updated in place at most about five times a second, which
// stays in the saved notebook with the final counts and total time (see
// progress.HTML). Elsewhere it prints a line per tenth of each loop to
// standard output.
func Progress() progress.Reporter {
	if !gonbui.IsNotebook {
		return progress.NewLines(os.Stdout)
	}
	bar := progress.NewHTML(gonbDisplay{})
	trackBar(bar)
	return bar
}

// gonbDisplay draws progress bars through GoNB.
type gonbDisplay struct{}

func (gonbDisplay) Update(id, html string) { gonbui.UpdateHTML(id, html) }
func (gonbDisplay) Sync()                  { gonbui.Sync() }

// bars holds the bars of Progress, which Must, Recover and Run finish
// before the cell exits. Library loops call Finish on return, but os.Exit
// runs no deferred call.
var bars struct {
	sync.Mutex
	list []*progress.HTML
}

func trackBar(bar *progress.HTML) {
	bars.Lock()
	defer bars.Unlock()
	bars.list = append(bars.list, bar)
}

// finishBars finishes every bar of Progress. Finish does nothing on a bar
// whose loop is over.
func finishBars() {
	bars.Lock()
	list := bars.list
	bars.Unlock()
	for _, bar := range list {
		bar.Finish()
	}
}
