//go:build browser

package browsertest

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ChromiumEnv is the environment variable that overrides the browser's path.
const ChromiumEnv = "DPR_CHROMIUM"

// chromiumNames are the executables that FindChromium looks for on PATH.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// debianChromium is the browser binary of Debian's chromium package. Its
// /usr/bin/chromium is a shell script that adds flags and Google API keys
// from /etc/chromium.d, among them --enable-remote-extensions, so the tests
// run the binary itself.
const debianChromium = "/usr/lib/chromium/chromium"

// FindChromium returns the path of the browser: the value of DPR_CHROMIUM
// when it is set, else Debian's /usr/lib/chromium/chromium when it exists,
// else the first of chromium, chromium-browser, google-chrome and
// google-chrome-stable on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv(ChromiumEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w; set it to the path of a Chromium executable", ChromiumEnv, p, err)
		}
		return p, nil
	}
	if _, err := os.Stat(debianChromium); err == nil {
		return debianChromium, nil
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("Chromium not found: neither %s nor any of %s on PATH. On Debian install it with "+
		"`apt-get install --no-install-recommends chromium`, or set %s to the browser's path",
		debianChromium, strings.Join(chromiumNames, ", "), ChromiumEnv)
}

// Browser is a headless Chromium whose pages may reach loopback addresses only.
type Browser struct {
	// Path is the executable, and Version the product name and version that
	// the browser reports, such as "Chrome/156.0.8078.114".
	Path    string
	Version string

	ctx    context.Context // the chromedp context of the browser's first tab
	cancel context.CancelFunc
	sink   *offHostSink
}

// StartBrowser starts headless Chromium. Every request that a page makes to
// a host other than a loopback address is blocked (see Page.Blocked), and
// the browser's proxy is a listener on 127.0.0.1 that rejects every request,
// so that nothing the browser sends reaches another host. Close stops the
// browser and removes its profile folder.
func StartBrowser(parent context.Context) (*Browser, error) {
	path, err := FindChromium()
	if err != nil {
		return nil, err
	}
	sink, err := startOffHostSink()
	if err != nil {
		return nil, err
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(1280, 1000),
		// Chromium sends requests to loopback addresses directly and all others
		// to this proxy.
		chromedp.Flag("proxy-server", "http://"+sink.addr),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("dns-prefetch-disable", true),
		chromedp.Flag("no-pings", true),
		// The first two are chromedp's defaults, which this flag replaces.
		// NetworkTimeServiceQuerying requests the time from clients2.google.com, and
		// AutofillServerCommunication sends the forms of a page, such as the
		// classic Notebook's, to content-autofill.googleapis.com.
		chromedp.Flag("disable-features",
			"Translate,BlinkGenPropertyTrees,NetworkTimeServiceQuerying,AutofillServerCommunication"),
	)

	allocCtx, allocCancel := chromedp.NewExecAllocator(parent, opts...)
	ctx, tabCancel := chromedp.NewContext(allocCtx)
	b := &Browser{Path: path, ctx: ctx, sink: sink}
	b.cancel = func() {
		tabCancel()
		allocCancel()
		sink.close()
	}

	version, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		b.cancel()
		return nil, fmt.Errorf("start Chromium %s: %w", path, err)
	}
	b.Version = version.Product
	return b, nil
}

// Close stops the browser and every page.
func (b *Browser) Close() { b.cancel() }

// OffHostRequest is a request that the browser tried to send to a host
// other than a loopback address, which its proxy rejected.
type OffHostRequest struct {
	// Line is "METHOD URL", or "CONNECT host:port" for https and wss.
	Line string

	// Background reports whether the host is one that Chromium contacts by
	// itself, with no page open (see backgroundDomains).
	Background bool
}

// OffHostRequests returns the requests that reached the rejecting proxy so
// far, in order. A test attributes the ones after a given index to the page
// that it loaded since.
func (b *Browser) OffHostRequests() []OffHostRequest {
	var out []OffHostRequest
	for _, r := range b.sink.requests() {
		out = append(out, OffHostRequest{Line: r.line, Background: isBackgroundHost(r.host)})
	}
	return out
}

// PageOffHostRequests returns the lines of the requests after the first
// skip ones that are not Chromium's background requests.
func (b *Browser) PageOffHostRequests(skip int) []string {
	var lines []string
	for i, r := range b.OffHostRequests() {
		if i >= skip && !r.Background {
			lines = append(lines, r.Line)
		}
	}
	return lines
}

// backgroundDomains are the domains of the services that Chromium contacts
// by itself, with no page open and with the flags of StartBrowser. Chromium
// 156 sent an on-demand component download to update.googleapis.com and a
// Google account check to accounts.google.com. A request of a page to these
// domains, such as a font from fonts.googleapis.com, is still caught by the
// page's own request blocking (Page.Blocked).
// NOTE: the list comes from one Chromium version. A newer one may use other
// domains, which then fail the tests until they are added here.
var backgroundDomains = []string{"google.com", "googleapis.com", "gstatic.com", "gvt1.com"}

// isBackgroundHost reports whether host is in one of backgroundDomains.
func isBackgroundHost(host string) bool {
	for _, domain := range backgroundDomains {
		if host == domain || strings.HasSuffix(host, "."+domain) {
			return true
		}
	}
	return false
}

// Page is one tab of a Browser. It records the requests that it blocked and
// the console messages of the page.
type Page struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	blocked []string
	console []chromedp.ConsoleMessage
}

// NewPage opens a tab that blocks every request to a host other than a
// loopback address. Close the page when done.
func (b *Browser) NewPage() (*Page, error) {
	ctx, cancel := chromedp.NewContext(b.ctx)
	p := &Page{ctx: ctx, cancel: cancel}
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("open a tab: %w", err)
	}
	// Subscribe before Fetch.enable, so that no paused request is missed.
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	messages := chromedp.Console(ctx)
	_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*"}},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("enable request interception: %w", err)
	}
	go p.filterRequests(paused)
	go p.recordConsole(messages)
	return p, nil
}

// Close closes the tab.
func (p *Page) Close() { p.cancel() }

// filterRequests lets each paused request through when it goes to a
// loopback address, and fails and records it otherwise.
func (p *Page) filterRequests(paused iter.Seq2[fetch.EventRequestPaused, error]) {
	for ev, err := range paused {
		if err != nil {
			return
		}
		if AllowedURL(ev.Request.URL) {
			_, _ = chromedp.Call(p.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			continue
		}
		p.mu.Lock()
		p.blocked = append(p.blocked, fmt.Sprintf("%s %s (%s)", ev.Request.Method, ev.Request.URL, ev.ResourceType))
		p.mu.Unlock()
		_, _ = chromedp.Call(p.ctx, fetch.FailRequest, fetch.FailRequestParams{
			RequestID:   ev.RequestID,
			ErrorReason: network.ErrorReasonBlockedByClient,
		})
	}
}

func (p *Page) recordConsole(messages iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range messages {
		if err != nil {
			return
		}
		p.mu.Lock()
		p.console = append(p.console, m)
		p.mu.Unlock()
	}
}

// AllowedURL reports whether a page may load rawURL: an http, https, ws or
// wss URL of a loopback address (127.0.0.0/8 or ::1), or a data, blob or
// about URL, which need no network.
func AllowedURL(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	case "http", "https", "ws", "wss":
		ip := net.ParseIP(u.Hostname())
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// Blocked returns the requests that the page tried to send to other hosts,
// as "METHOD URL (resource type)".
func (p *Page) Blocked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.blocked...)
}

// Console returns the console messages of the page so far: calls of the
// console API, uncaught exceptions and entries of the browser log, such as a
// failed request.
func (p *Page) Console() []chromedp.ConsoleMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), p.console...)
}

// Open navigates to pageURL and waits for the load event, at most timeout.
func (p *Page) Open(pageURL string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		return fmt.Errorf("open %s: %w", pageURL, err)
	}
	return nil
}

// Evaluate runs the JavaScript expression in the page, waits for the promise
// when it returns one, at most timeout, and decodes the result into T.
func Evaluate[T any](p *Page, timeout time.Duration, expression string) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
}

// WaitFor evaluates the JavaScript condition every interval until it is
// true, and fails when timeout passes first. progress, when not nil, is
// called after each false evaluation with the time waited so far.
func (p *Page) WaitFor(condition string, interval, timeout time.Duration, progress func(time.Duration)) error {
	started := time.Now()
	for {
		ok, err := Evaluate[bool](p, 30*time.Second, "Boolean("+condition+")")
		if err != nil {
			return fmt.Errorf("evaluate %q: %w", condition, err)
		}
		if ok {
			return nil
		}
		waited := time.Since(started)
		if waited > timeout {
			return fmt.Errorf("%q still false after %s", condition, timeout)
		}
		if progress != nil {
			progress(waited)
		}
		select {
		case <-p.ctx.Done():
			return p.ctx.Err()
		case <-time.After(interval):
		}
	}
}

// Screenshot writes a JPEG image of the whole page, beyond the viewport, to
// path.
func (p *Page) Screenshot(path string) error {
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	data, err := chromedp.Run(ctx, chromedp.FullScreenshot(85))
	if err != nil {
		return fmt.Errorf("screenshot for %s: %w", path, err)
	}
	return os.WriteFile(path, data, 0o644)
}

//go:embed inspect.js
var inspectJS string

// PageReport is the result of inspect.js in a notebook page.
type PageReport struct {
	// Images are all <img> elements of the page.
	Images []ImageInfo `json:"images"`

	// OutputImages counts the <img> elements of image/png and image/jpeg
	// outputs.
	OutputImages int `json:"outputImages"`

	// Charts are the ECharts chart elements and the elements of the kit's
	// interactive views.
	Charts []ChartInfo `json:"charts"`

	// SVGOutputs are the elements of image/svg+xml outputs.
	SVGOutputs []SVGInfo `json:"svgOutputs"`

	// Errors are the texts of the error displays and failed cells in the page.
	Errors []string `json:"errors"`

	// Math counts the formulas that MathJax typeset and holds the ones it
	// could not parse.
	Math struct {
		Rendered int      `json:"rendered"`
		Failed   []string `json:"failed"`
	} `json:"math"`
}

// ImageInfo describes one <img> element.
type ImageInfo struct {
	Source        string `json:"source"`
	NaturalWidth  int    `json:"naturalWidth"`
	NaturalHeight int    `json:"naturalHeight"`
	Complete      bool   `json:"complete"`
}

// ChartInfo describes one chart element.
type ChartInfo struct {
	ID string `json:"id"`

	// Instance reports whether ECharts initialized a chart on the element.
	Instance bool `json:"instance"`

	Canvases int `json:"canvases"`

	// InkPixels counts the canvas pixels that are not fully transparent.
	InkPixels int `json:"inkPixels"`

	SVGPaths int `json:"svgPaths"`

	// Width and Height are the element's size in CSS pixels.
	Width  int `json:"width"`
	Height int `json:"height"`

	// ReadError is the error of reading a canvas's pixels, if any.
	ReadError string `json:"readError"`
}

// Drawn reports whether the chart drew any pixel or SVG path.
func (c ChartInfo) Drawn() bool { return c.InkPixels > 0 || c.SVGPaths > 0 }

// SVGInfo describes the element of one image/svg+xml output.
type SVGInfo struct {
	HasSVG bool `json:"hasSVG"`
	Width  int  `json:"width"`
	Height int  `json:"height"`
	Shapes int  `json:"shapes"`
}

// Inspect runs inspect.js in the page.
func (p *Page) Inspect() (PageReport, error) {
	return Evaluate[PageReport](p, 30*time.Second, inspectJS)
}

// InspectSettled runs Inspect until every chart has drawn, because ECharts
// can draw after the load event, or until timeout passes, and returns the
// last report.
func (p *Page) InspectSettled(timeout time.Duration) (PageReport, error) {
	deadline := time.Now().Add(timeout)
	for {
		report, err := p.Inspect()
		if err != nil {
			return report, err
		}
		settled := true
		for _, c := range report.Charts {
			if !c.Drawn() {
				settled = false
			}
		}
		if settled || time.Now().After(deadline) {
			return report, nil
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// Problems lists what is wrong in the page independently of the notebook it
// came from: images that did not decode, charts that drew nothing, SVG
// outputs with no visible picture, error displays and math that MathJax
// could not parse.
func (r PageReport) Problems() []string {
	var problems []string
	for _, img := range r.Images {
		if img.NaturalWidth == 0 {
			problems = append(problems, fmt.Sprintf("image %q did not decode (naturalWidth 0, complete %t)",
				img.Source, img.Complete))
		}
	}
	for _, c := range r.Charts {
		switch {
		case c.ReadError != "":
			problems = append(problems, fmt.Sprintf("chart %q: cannot read its canvas: %s", c.ID, c.ReadError))
		case !c.Instance && c.Canvases == 0 && c.SVGPaths == 0:
			problems = append(problems, fmt.Sprintf("chart element %q has no ECharts instance: its script did not run "+
				"or failed (see the console messages)", c.ID))
		case !c.Drawn():
			problems = append(problems, fmt.Sprintf("chart %q is blank: %d canvases with no drawn pixel and no SVG path "+
				"(element %dx%d px)", c.ID, c.Canvases, c.Width, c.Height))
		}
	}
	for i, s := range r.SVGOutputs {
		if !s.HasSVG || s.Width == 0 || s.Height == 0 || s.Shapes == 0 {
			problems = append(problems, fmt.Sprintf("image/svg+xml output %d shows nothing (svg element %t, "+
				"%dx%d px, %d shapes); display SVG as text/html (gonbui.DisplaySVG) or as PNG",
				i+1, s.HasSVG, s.Width, s.Height, s.Shapes))
		}
	}
	problems = append(problems, r.Errors...)
	for _, m := range r.Math.Failed {
		problems = append(problems, "MathJax could not typeset: "+m)
	}
	return problems
}

// offHostSink is the browser's proxy. It listens on 127.0.0.1, records the
// target of every request and responds with 403 Forbidden, so that no
// request reaches another host.
type offHostSink struct {
	addr   string
	server *http.Server

	mu   sync.Mutex
	seen []sinkRequest
}

// sinkRequest is one request that reached the proxy.
type sinkRequest struct {
	host string // without the port
	line string // "METHOD target"
}

func startOffHostSink() (*offHostSink, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1 for the browser's proxy: %w", err)
	}
	s := &offHostSink{addr: listener.Addr().String()}
	s.server = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			target := r.Host
			if r.Method != http.MethodConnect {
				target = r.URL.String()
			}
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			s.mu.Lock()
			s.seen = append(s.seen, sinkRequest{host: host, line: r.Method + " " + target})
			s.mu.Unlock()
			http.Error(w, "browsertest: requests to hosts other than 127.0.0.1 are rejected", http.StatusForbidden)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := s.server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.mu.Lock()
			s.seen = append(s.seen, sinkRequest{line: "proxy stopped: " + err.Error()})
			s.mu.Unlock()
		}
	}()
	return s, nil
}

func (s *offHostSink) requests() []sinkRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkRequest(nil), s.seen...)
}

func (s *offHostSink) close() { _ = s.server.Close() }
