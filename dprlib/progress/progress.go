// Package progress shows how far a long loop has come. Library code reports
// through a Reporter; the command-line tool passes a terminal bar, notebooks
// pass an HTML bar (through notebook.Progress), and tests and quiet runs
// pass Silent.
package progress

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Reporter receives the progress of one loop at a time.
type Reporter interface {
	// Start begins a loop of total steps described by title.
	Start(title string, total int)
	// Step marks n more steps done; status is a short line such as "loss 0.41".
	Step(n int, status string)
	// Finish ends the current loop.
	Finish()
}

// Silent is a Reporter that shows nothing.
type Silent struct{}

func (Silent) Start(string, int) {}
func (Silent) Step(int, string)  {}
func (Silent) Finish()           {}

// Terminal draws a bar with steps per second and the estimated time left.
type Terminal struct {
	w     io.Writer
	title string
	bar   *progressbar.ProgressBar
}

// NewTerminal returns a Reporter that draws on w, usually os.Stderr.
func NewTerminal(w io.Writer) *Terminal { return &Terminal{w: w} }

func (t *Terminal) Start(title string, total int) {
	t.Finish()
	t.title = title
	t.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(t.w),
		progressbar.OptionSetDescription(title),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("steps"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(24),
		progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(t.w, "\n") }),
	)
}

func (t *Terminal) Step(n int, status string) {
	if t.bar == nil {
		return
	}
	if status != "" {
		t.bar.Describe(t.title + " · " + status)
	}
	_ = t.bar.Add(n)
}

func (t *Terminal) Finish() {
	if t.bar != nil {
		_ = t.bar.Finish()
		t.bar = nil
	}
}

// Or returns r, or Silent when r is nil.
func Or(r Reporter) Reporter {
	if r == nil {
		return Silent{}
	}
	return r
}

// Lines prints one line per tenth of a loop, with steps per second and the
// estimated time left: suited to logs and notebooks, where a redrawn bar
// would leave a line per redraw.
type Lines struct {
	w           io.Writer
	title       string
	total, done int
	nextReport  int
	start       time.Time
	lastStatus  string
}

// NewLines returns a Reporter that writes lines to w.
func NewLines(w io.Writer) *Lines { return &Lines{w: w} }

func (l *Lines) Start(title string, total int) {
	l.title, l.total, l.done, l.start, l.lastStatus = title, total, 0, time.Now(), ""
	l.nextReport = l.interval()
	fmt.Fprintf(l.w, "%s: %d steps\n", title, total)
}

func (l *Lines) interval() int { return max(1, l.total/10) }

func (l *Lines) Step(n int, status string) {
	l.done += n
	l.lastStatus = status
	if l.done >= l.nextReport && l.done < l.total {
		l.report()
		l.nextReport += l.interval()
	}
}

func (l *Lines) Finish() {
	if l.total > 0 && l.done > 0 {
		l.report()
	}
	l.total = 0
}

func (l *Lines) report() {
	elapsed := time.Since(l.start).Seconds()
	rate := float64(l.done) / elapsed
	left := time.Duration(float64(l.total-l.done)/rate) * time.Second
	fmt.Fprintf(l.w, "%s: %d/%d steps, %.1f steps/s, %s left  %s\n",
		l.title, l.done, l.total, rate, left.Round(time.Second), l.lastStatus)
}
