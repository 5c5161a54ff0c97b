package progress

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// update is one call of Display.Update.
type update struct{ id, html string }

// recordingDisplay records the calls of an HTML bar. syncs counts Sync
// calls, and updatesAtSync the updates sent before each of them.
type recordingDisplay struct {
	updates       []update
	syncs         int
	updatesAtSync []int
}

func (d *recordingDisplay) Update(id, html string) {
	d.updates = append(d.updates, update{id, html})
}

func (d *recordingDisplay) Sync() {
	d.syncs++
	d.updatesAtSync = append(d.updatesAtSync, len(d.updates))
}

// fakeClock is a clock that moves only when the test advances it.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// newTestHTML returns an HTML bar on a recording display and a fake clock,
// with display ids bar-1, bar-2, ...
func newTestHTML() (*HTML, *recordingDisplay, *fakeClock) {
	d := &recordingDisplay{}
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := NewHTML(d)
	h.now = clock.now
	ids := 0
	h.newID = func() string {
		ids++
		return "bar-" + string(rune('0'+ids))
	}
	return h, d, clock
}

// tagPattern matches an HTML tag.
var tagPattern = regexp.MustCompile(`<[^>]*>`)

// visibleText returns the text of an HTML fragment without its tags.
func visibleText(fragment string) string {
	return tagPattern.ReplaceAllString(fragment, "")
}

func TestRenderBarRunning(t *testing.T) {
	got := renderBar(barState{
		Title: "SFT", Done: 500, Total: 2000, Status: "loss 0.412", Elapsed: 20 * time.Second,
	})
	text := visibleText(got)
	for _, want := range []string{
		"SFT 500/2000 steps",
		"25%",
		"20s elapsed",
		"25.0 steps/s",
		"1m00s left",
		"loss 0.412",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("bar text %q does not contain %q", text, want)
		}
	}
	if !strings.Contains(got, "width:25.0%") {
		t.Errorf("the filled part is not 25.0%% wide: %s", got)
	}
	if !strings.Contains(got, colorRunning) {
		t.Errorf("a running bar does not use the running color %s: %s", colorRunning, got)
	}
	if strings.Contains(text, "done in") {
		t.Errorf("a running bar says it is done: %q", text)
	}
}

func TestRenderBarFinished(t *testing.T) {
	got := renderBar(barState{
		Title: "DPR", Done: 300, Total: 300, Elapsed: 125 * time.Second, Finished: true,
		Status: "reward 0.031 kl 0.020",
	})
	text := visibleText(got)
	for _, want := range []string{
		"DPR 300/300 steps", "100%", "done in 2m05s", "2.40 steps/s", "reward 0.031 kl 0.020",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("bar text %q does not contain %q", text, want)
		}
	}
	for _, unwanted := range []string{"left", "elapsed"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("a finished bar shows %q: %q", unwanted, text)
		}
	}
	if !strings.Contains(got, "width:100.0%") {
		t.Errorf("a finished bar is not full: %s", got)
	}
	if !strings.Contains(got, colorDone) {
		t.Errorf("a finished bar does not use the color %s: %s", colorDone, got)
	}
}

func TestRenderBarStoppedEarly(t *testing.T) {
	got := renderBar(barState{
		Title: "SFT", Done: 120, Total: 2000, Elapsed: 4 * time.Second, Finished: true,
	})
	text := visibleText(got)
	for _, want := range []string{"120/2000 steps", "6%", "stopped after 4.0s", "30.0 steps/s"} {
		if !strings.Contains(text, want) {
			t.Errorf("bar text %q does not contain %q", text, want)
		}
	}
	if !strings.Contains(got, colorStopped) {
		t.Errorf("a loop that ended early does not use the color %s: %s", colorStopped, got)
	}
}

func TestRenderBarBeforeFirstStep(t *testing.T) {
	text := visibleText(renderBar(barState{Title: "SFT", Total: 50}))
	for _, want := range []string{"0/50 steps", "0%", "0.0s elapsed", "time left unknown"} {
		if !strings.Contains(text, want) {
			t.Errorf("bar text %q does not contain %q", text, want)
		}
	}
	if strings.Contains(text, "steps/s") {
		t.Errorf("a bar with no step done shows a rate: %q", text)
	}
}

func TestRenderBarUnknownTotal(t *testing.T) {
	got := renderBar(barState{Title: "eval", Done: 40, Elapsed: 2 * time.Second})
	text := visibleText(got)
	if !strings.Contains(text, "eval 40 steps") {
		t.Errorf("bar text %q does not show the count", text)
	}
	if strings.Contains(text, "%") {
		t.Errorf("a loop of unknown total shows a percentage: %q", text)
	}
	if strings.Contains(text, "left") {
		t.Errorf("a loop of unknown total shows a time left: %q", text)
	}
	if strings.Contains(got, "width:") {
		t.Errorf("a loop of unknown total draws a track: %s", got)
	}
}

func TestRenderBarOvershoot(t *testing.T) {
	got := renderBar(barState{Title: "x", Done: 12, Total: 10, Elapsed: time.Second})
	if !strings.Contains(got, "width:100.0%") {
		t.Errorf("a bar past its total is not capped at 100%%: %s", got)
	}
	if !strings.Contains(visibleText(got), "0.0s left") {
		t.Errorf("a bar past its total does not show 0.0s left: %q", visibleText(got))
	}
}

func TestRenderBarEscapesText(t *testing.T) {
	got := renderBar(barState{Title: "<i>SFT</i>", Total: 2, Status: "a<b & c"})
	for _, unwanted := range []string{"<i>", "a<b"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("%q reached the HTML unescaped: %s", unwanted, got)
		}
	}
	for _, want := range []string{"&lt;i&gt;SFT&lt;/i&gt;", "a&lt;b &amp; c"} {
		if !strings.Contains(got, want) {
			t.Errorf("the bar does not contain the escaped text %q: %s", want, got)
		}
	}
}

func TestRenderBarHasNoScript(t *testing.T) {
	got := strings.ToLower(renderBar(barState{Title: "SFT", Done: 1, Total: 2, Elapsed: time.Second}))
	for _, unwanted := range []string{"<script", "onload", "javascript:", "http"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("the bar contains %q: %s", unwanted, got)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0.0s"},
		{0, "0.0s"},
		{4200 * time.Millisecond, "4.2s"},
		{9960 * time.Millisecond, "10s"},
		{42 * time.Second, "42s"},
		{59600 * time.Millisecond, "1m00s"},
		{187 * time.Second, "3m07s"},
		{2*time.Hour + 5*time.Minute + 10*time.Second, "2h05m"},
		{26 * time.Hour, "26h00m"},
	}
	for _, c := range cases {
		if got := formatDuration(c.d); got != c.want {
			t.Errorf("formatDuration(%v) = %q, expected %q", c.d, got, c.want)
		}
	}
}

func TestFormatRate(t *testing.T) {
	cases := []struct {
		rate float64
		want string
	}{
		{0.123, "0.12"}, {2.5, "2.50"}, {12.34, "12.3"}, {1234.5, "1234"},
	}
	for _, c := range cases {
		if got := formatRate(c.rate); got != c.want {
			t.Errorf("formatRate(%v) = %q, expected %q", c.rate, got, c.want)
		}
	}
}

func TestFormatPercent(t *testing.T) {
	cases := []struct {
		done, total int
		want        string
	}{
		{0, 10, "0%"}, {1, 1000, "<1%"}, {1, 4, "25%"}, {999, 1000, ">99%"}, {10, 10, "100%"},
		{11, 10, "100%"},
	}
	for _, c := range cases {
		if got := formatPercent(c.done, c.total); got != c.want {
			t.Errorf("formatPercent(%d, %d) = %q, expected %q", c.done, c.total, got, c.want)
		}
	}
}

func TestHTMLRateLimitsUpdates(t *testing.T) {
	h, d, clock := newTestHTML()
	h.Start("SFT", 2000)
	for range 2000 {
		clock.advance(time.Millisecond)
		h.Step(1, "loss 0.5")
	}
	h.Finish()

	// 2 s of steps at one update per 200 ms, plus Start and Finish.
	if got := len(d.updates); got < 10 || got > 12 {
		t.Errorf("2000 steps over 2 s sent %d updates, expected 10 to 12", got)
	}
	for i, u := range d.updates {
		if u.id != "bar-1" {
			t.Errorf("update %d went to display id %q, expected bar-1", i, u.id)
		}
	}
	last := visibleText(d.updates[len(d.updates)-1].html)
	for _, want := range []string{"2000/2000 steps", "done in 2.0s", "1000 steps/s", "loss 0.5"} {
		if !strings.Contains(last, want) {
			t.Errorf("final bar %q does not contain %q", last, want)
		}
	}
}

func TestHTMLSyncsOnlyAtFinish(t *testing.T) {
	h, d, clock := newTestHTML()
	h.Start("SFT", 10)
	for range 10 {
		clock.advance(time.Second)
		h.Step(1, "")
	}
	if d.syncs != 0 {
		t.Errorf("Sync was called %d times before Finish, expected none", d.syncs)
	}
	h.Finish()
	if d.syncs != 1 {
		t.Fatalf("Sync was called %d times after Finish, expected once", d.syncs)
	}
	if d.updatesAtSync[0] != len(d.updates) {
		t.Errorf("Sync came before the final update")
	}

	h.Finish()
	if d.syncs != 1 {
		t.Errorf("a second Finish synced again (%d syncs)", d.syncs)
	}
	if d.updatesAtSync[0] != len(d.updates) {
		t.Errorf("a second Finish drew the bar again")
	}
	h.Step(1, "late")
	if strings.Contains(d.updates[len(d.updates)-1].html, "late") {
		t.Errorf("a Step after Finish redrew the bar")
	}
}

func TestHTMLNewBarPerLoop(t *testing.T) {
	h, d, clock := newTestHTML()
	h.Start("SFT", 4)
	clock.advance(time.Second)
	h.Step(2, "")
	h.Start("DPR", 8)
	clock.advance(time.Second)
	h.Step(8, "")
	h.Finish()

	var firstFinal, secondFinal string
	for _, u := range d.updates {
		switch u.id {
		case "bar-1":
			firstFinal = u.html
		case "bar-2":
			secondFinal = u.html
		default:
			t.Errorf("update to unexpected display id %q", u.id)
		}
	}
	for _, want := range []string{"SFT 2/4 steps", "stopped after"} {
		if text := visibleText(firstFinal); !strings.Contains(text, want) {
			t.Errorf("the first loop's final bar %q does not contain %q", text, want)
		}
	}
	for _, want := range []string{"DPR 8/8 steps", "done in"} {
		if text := visibleText(secondFinal); !strings.Contains(text, want) {
			t.Errorf("the second loop's final bar %q does not contain %q", text, want)
		}
	}
	if d.syncs != 2 {
		t.Errorf("Sync was called %d times, expected once per finished loop (2)", d.syncs)
	}
}

func TestHTMLStartDrawsAtOnce(t *testing.T) {
	h, d, _ := newTestHTML()
	h.Start("SFT", 100)
	if len(d.updates) != 1 {
		t.Fatalf("Start sent %d updates, expected 1", len(d.updates))
	}
	if text := visibleText(d.updates[0].html); !strings.Contains(text, "SFT 0/100 steps") {
		t.Errorf("the first bar is %q", text)
	}
}

func TestHTMLIDsDiffer(t *testing.T) {
	h := NewHTML(&recordingDisplay{})
	a, b := h.newID(), h.newID()
	if a == b {
		t.Errorf("two display ids are both %q", a)
	}
	if !strings.HasPrefix(a, "dprkit-progress-") {
		t.Errorf("display id %q does not start with dprkit-progress-", a)
	}
}
