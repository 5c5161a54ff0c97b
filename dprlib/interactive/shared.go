package interactive

import (
	"bytes"
	"fmt"
)

// Options selects how the views are rendered. The zero value renders
// self-contained fragments, as the package-level functions do.
type Options struct {
	// SharedLibrary leaves ECharts out of every fragment. The charts then
	// draw with the library that ShowLibrary put in the page, and they wait
	// up to 5 s for it, because a page may run an earlier output's script
	// after a later one. Without that library a chart shows, in its place,
	// a message about the missing library. Rendering with SharedLibrary set
	// does not read the library file.
	SharedLibrary bool
}

// Shared is the Options value whose fragments rely on ShowLibrary:
//
//	notebook.Must(interactive.ShowLibrary()) // once, in an early cell
//	notebook.Must(interactive.Shared.ShowSFTLoss(curves))
var Shared = Options{SharedLibrary: true}

// RenderLibrary returns an HTML fragment with ECharts inline, guarded so
// that a page evaluates it once however many times it occurs, and a short
// visible note. It is the library part of a self-contained fragment, for
// the views rendered with Options.SharedLibrary.
func RenderLibrary() (string, error) {
	library, err := Library()
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	b.Grow(len(library) + 1024)
	b.WriteString("<div class=\"dprkit-echarts-library\" style=\"font:12px sans-serif;color:#606060\">")
	fmt.Fprintf(&b, "ECharts %s is inline here, once for the interactive charts below.\n", LibraryVersion)
	writeLibrary(&b, library)
	b.WriteString("</div>\n")
	return b.String(), nil
}

// ShowLibrary displays the fragment of RenderLibrary in a notebook, so that
// the notebook stores the ECharts library (about 1 MB) once. Call it in an
// early cell, before the views shown with Shared, and keep that cell's
// output: an HTML export or a reopened notebook draws the later charts
// with the library from that output. Running the cell again does not
// evaluate the library a second time. Outside a notebook ShowLibrary
// prints a one-line summary and does not read the library file.
func ShowLibrary() error {
	return show("ECharts "+LibraryVersion+" for the interactive views", RenderLibrary)
}
