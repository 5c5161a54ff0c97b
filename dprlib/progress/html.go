package progress

import (
	"crypto/rand"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"
)

// Display is the output that an HTML bar draws on, such as a GoNB notebook
// cell.
type Display interface {
	// Update shows html in the output block with display id id. The first
	// call with an id creates the block, and later calls replace its
	// content.
	Update(id, html string)
	// Sync returns once the display has taken every update sent so far.
	Sync()
}

// MinUpdateInterval is the shortest time between two updates of an HTML
// bar, so at most about five updates a second reach the notebook. Start and
// Finish always update the bar.
const MinUpdateInterval = 200 * time.Millisecond

// HTML draws one HTML bar per loop and updates it in place: the loop's
// title, steps done and total, a percentage bar, steps per second, the
// elapsed and the estimated remaining time, and the last status of Step.
// The bar is plain HTML with inline CSS and no script, so a saved notebook
// and its HTML export show the last state that was drawn. Finish draws the
// final counts and the total time, then calls Display.Sync.
//
// An HTML is safe for use by several goroutines.
type HTML struct {
	display  Display
	interval time.Duration
	now      func() time.Time
	newID    func() string

	mu       sync.Mutex
	active   bool
	id       string
	start    time.Time
	lastDraw time.Time
	state    barState
}

// NewHTML returns a Reporter that draws on d. A notebook gets one from
// notebook.Progress, which passes GoNB's display.
func NewHTML(d Display) *HTML {
	return &HTML{
		display:  d,
		interval: MinUpdateInterval,
		now:      time.Now,
		newID:    func() string { return "dprkit-progress-" + rand.Text() },
	}
}

// Start begins a loop in a new bar. A loop still running is finished first.
func (h *HTML) Start(title string, total int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.active {
		h.finishLocked()
	}

	// The display id must be unique for the whole kernel session, because
	// GoNB updates any earlier block with the same id, even one of another
	// cell. Each cell runs as a new program, so a counter would repeat.
	h.id = h.newID()
	h.active = true
	h.start = h.now()
	h.state = barState{Title: title, Total: total}
	h.drawLocked()
}

// Step marks n more steps done and redraws the bar when MinUpdateInterval
// has passed since the last update.
func (h *HTML) Step(n int, status string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.active {
		return
	}
	h.state.Done += n
	h.state.Status = status
	if h.now().Sub(h.lastDraw) >= h.interval {
		h.drawLocked()
	}
}

// Finish draws the final state of the current loop and waits until the
// display has taken it. It does nothing when no loop is running, so it is
// safe to call more than once.
func (h *HTML) Finish() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.active {
		h.finishLocked()
	}
}

func (h *HTML) finishLocked() {
	h.state.Finished = true
	h.drawLocked()
	h.active = false
	h.display.Sync()
}

func (h *HTML) drawLocked() {
	now := h.now()
	h.state.Elapsed = now.Sub(h.start)
	h.lastDraw = now
	h.display.Update(h.id, renderBar(h.state))
}

// barState is the content of an HTML bar.
type barState struct {
	Title string
	// Done and Total count steps. A Total of 0 or less means the total is
	// unknown, and the bar then shows no percentage and no time left.
	Done, Total int
	// Status is the last status text of Step.
	Status string
	// Elapsed is the time since Start.
	Elapsed time.Duration
	// Finished is set by Finish. A finished loop with Done < Total ended
	// early, by an error or an early stop.
	Finished bool
}

// Colors of the bar's filled part, by state.
const (
	colorRunning = "#4c78a8"
	colorDone    = "#59a14f"
	colorStopped = "#f28e2b"
	colorTrack   = "#e0e0e0"
)

// renderBar returns the HTML of a bar in state s. All numbers are also in
// the text, so the bar stays readable where a sanitizer strips the CSS.
func renderBar(s barState) string {
	var parts []string
	known := s.Total > 0
	if known {
		parts = append(parts, formatPercent(s.Done, s.Total))
	}

	rate := 0.0
	if s.Done > 0 && s.Elapsed > 0 {
		rate = float64(s.Done) / s.Elapsed.Seconds()
	}
	switch {
	case s.Finished && known && s.Done < s.Total:
		parts = append(parts, "stopped after "+formatDuration(s.Elapsed))
	case s.Finished:
		parts = append(parts, "done in "+formatDuration(s.Elapsed))
	default:
		parts = append(parts, formatDuration(s.Elapsed)+" elapsed")
	}
	if rate > 0 {
		parts = append(parts, formatRate(rate)+" steps/s")
	}
	if !s.Finished && known {
		left := "time left unknown"
		if rate > 0 {
			remaining := float64(max(s.Total-s.Done, 0)) / rate
			left = formatDuration(time.Duration(remaining*float64(time.Second))) + " left"
		}
		parts = append(parts, left)
	}

	var b strings.Builder
	b.WriteString(`<div class="dprkit-progress" style="font-family:monospace;font-size:13px;` +
		`line-height:1.6;margin:2px 0">`)
	fmt.Fprintf(&b, "<b>%s</b> ", html.EscapeString(s.Title))
	if known {
		fmt.Fprintf(&b, "%d/%d steps", s.Done, s.Total)
		writeTrack(&b, s)
		b.WriteString(" ")
	} else {
		fmt.Fprintf(&b, "%d steps · ", s.Done)
	}
	b.WriteString(strings.Join(parts, " · "))
	if s.Status != "" {
		fmt.Fprintf(&b, ` · <span style="color:#606060">%s</span>`, html.EscapeString(s.Status))
	}
	b.WriteString("</div>")
	return b.String()
}

// writeTrack writes the graphical bar: a grey track filled to the fraction
// done, in the color of the loop's state.
func writeTrack(b *strings.Builder, s barState) {
	fraction := min(max(float64(s.Done)/float64(s.Total), 0), 1)
	color := colorRunning
	if s.Finished {
		color = colorDone
		if s.Done < s.Total {
			color = colorStopped
		}
	}
	fmt.Fprintf(b, `<span style="display:inline-block;width:240px;height:10px;margin:0 8px;`+
		`vertical-align:middle;background-color:%s;border-radius:3px;overflow:hidden">`+
		`<span style="display:block;height:100%%;width:%.1f%%;background-color:%s"></span></span>`,
		colorTrack, 100*fraction, color)
}

// formatPercent returns done/total as a whole percentage. It shows 100 %
// only when the loop is complete, and 0 % only when nothing is done.
func formatPercent(done, total int) string {
	p := 100 * float64(done) / float64(total)
	switch {
	case done >= total:
		return "100%"
	case done <= 0:
		return "0%"
	case p < 1:
		return "<1%"
	case p > 99:
		return ">99%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// formatRate returns a rate with two or three significant digits.
func formatRate(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f", r)
	case r >= 10:
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.2f", r)
}

// formatDuration returns d as 4.2s below 10 s, and above as 42s, 3m07s or
// 2h05m.
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < 9950*time.Millisecond {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	m := (s + 30) / 60
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}
