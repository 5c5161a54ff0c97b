// Package interactive shows the kit's figures as interactive ECharts views
// in GoNB notebooks: hover values on the ablation sweeps, zoom on the
// training curves, and the dense reward r̂_t of each token on hover. The
// static gonum/plot figures of package figures remain the figures of
// record; these views take the same input types.
//
// Each view has a RenderX function that returns a self-contained HTML
// fragment and a ShowX function that displays it in the notebook. A
// fragment works with no network. It carries ECharts 5.4.3 inline, the
// version that go-echarts v2.6.7 targets, guarded so that the library is
// evaluated only once per page, and loads nothing from a file or URL. The chart options
// are built with go-echarts' option types, but none of go-echarts' HTML
// templates are used, because they load ECharts from a CDN.
//
// ECharts itself is read from a file that set-up downloads and verifies
// once (`bash dprlib/scripts/setup.sh`): the path in the environment
// variable DPR_ECHARTS_JS, or by default
// ${XDG_CACHE_HOME:-$HOME/.cache}/dprkit/echarts-5.4.3/echarts.min.js.
// Nothing in this package downloads anything.
//
// A cell shows a view in one call, for example:
//
//	notebook.Must(interactive.ShowSFTLoss(curves))
//
// Outside a notebook, a ShowX function prints a one-line summary instead
// and does not need the ECharts file.
//
// The library adds about 1 MB to each fragment. A notebook that shows
// several views would therefore store the library once per view, although
// the browser evaluates it only once. The Options value Shared renders the
// same views without the library: ShowLibrary, called once in an early
// cell, stores it, and each chart of a later cell waits up to 5 s for
// window.echarts before it draws. Such a fragment takes about 10 to 20 KB
// and, like the others, references no URL. A notebook that shows more
// than one view should use this pattern:
//
//	// an early cell
//	notebook.Must(interactive.ShowLibrary())
//
//	// any later cell
//	notebook.Must(interactive.Shared.ShowSFTLoss(curves))
//
// The charts of a Shared view draw only in a page that also holds the
// output of ShowLibrary: a JupyterLab or classic notebook page after that
// cell ran or with its saved output, and the HTML export of nbconvert.
// A single cell copied on its own needs the self-contained functions.
package interactive
