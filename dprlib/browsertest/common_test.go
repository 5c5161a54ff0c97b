//go:build browser

package browsertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// repoRoot returns the repository root, two folders above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	return root
}

// requireTool fails the test when the command does not run, with the fix in
// the message.
func requireTool(t *testing.T, fix string, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("`%s %s` failed (%v): %s\n%s", name, strings.Join(args, " "), err, fix,
			strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out))
}

// startBrowser starts Chromium for the test and logs its version; it fails
// the test when Chromium is missing.
func startBrowser(t *testing.T) *Browser {
	t.Helper()
	b, err := StartBrowser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("browser: %s (%s)", b.Version, b.Path)
	t.Cleanup(func() {
		// The checks of each page report the other requests as problems.
		var background []string
		for _, r := range b.OffHostRequests() {
			if r.Background {
				background = append(background, r.Line)
			}
		}
		if len(background) > 0 {
			t.Logf("Chromium's own background requests, rejected by its proxy on 127.0.0.1:\n  %s",
				strings.Join(background, "\n  "))
		}
		b.Close()
	})
	return b
}

// newPage opens a tab that the test closes at its end.
func newPage(t *testing.T, b *Browser) *Page {
	t.Helper()
	p, err := b.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// screenshotDir returns the folder for screenshots, DPR_BROWSER_OUT or
// out/browser in the repository, and creates it.
func screenshotDir(t *testing.T, root string) string {
	t.Helper()
	dir := os.Getenv("DPR_BROWSER_OUT")
	if dir == "" {
		dir = filepath.Join(root, "out", "browser")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot writes a full-page screenshot to dir/name and logs its path.
func screenshot(t *testing.T, p *Page, dir, name string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := p.Screenshot(path); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", path)
}

// logConsole logs the page's console errors, warnings and exceptions, and
// returns the exceptions.
func logConsole(t *testing.T, p *Page) []string {
	t.Helper()
	var exceptions []string
	for _, m := range p.Console() {
		switch m.Type {
		case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
		default:
			continue
		}
		place := ""
		if m.URL != "" {
			place = " at " + shortURL(m.URL) + ":" + strconv.FormatInt(m.Line+1, 10)
		}
		t.Logf("console %s%s: %s", m.Type, place, m.Text)
		if m.IsException() {
			exceptions = append(exceptions, m.Text+place)
		}
	}
	return exceptions
}

// shortURL drops the query, which may hold a token, and long data URLs.
func shortURL(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	if len(u) > 100 {
		u = u[:100] + "…"
	}
	return u
}

// serveFolders starts a server on 127.0.0.1 that serves each folder under
// its URL prefix, such as "/" and "/javascript/", and an empty favicon, which
// the browser requests for every page.
func serveFolders(t *testing.T, folders map[string]string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	for prefix, dir := range folders {
		mux.Handle(prefix, http.StripPrefix(prefix, http.FileServer(http.Dir(dir))))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
