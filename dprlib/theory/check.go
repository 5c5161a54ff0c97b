// Package theory checks, numerically, each identity and inequality behind
// the claim that SFT is inverse soft-Q learning in the token MDP: exactly on
// an enumerable tree MDP (package tokenmdp) and to float32 rounding on
// transformers trained by the kit.
//
// Every check returns a Check: the measured quantity, the bound it must
// respect, and whether it did. Each check takes its ingredients as
// arguments, so a test can feed it a purpose-made violation and see it fail.
package theory

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode"
)

// Levels of evidence.
const (
	LevelTree  = "tree MDP"
	LevelSCAN  = "SCAN transformer"
	LevelGSM8K = "GSM8K transformer"
)

// Check is one measured identity or inequality.
type Check struct {
	Name  string `json:"name"`
	Level string `json:"level"`
	// Stage names the parameters checked, such as "untrained" or "trained".
	Stage string `json:"stage,omitempty"`
	// Measured is the error, margin or ratio; Bound is what it must not
	// exceed (Relation "≤") or fall below (Relation "≥").
	Measured float64 `json:"measured"`
	Relation string  `json:"relation"`
	Bound    float64 `json:"bound"`
	// Detail describes Measured, such as "max |J − Σ log π| over 200 demonstrations".
	Detail string `json:"detail"`
	// Skipped is set, with the reason, when the check could not run.
	Skipped string `json:"skipped,omitempty"`
}

// Pass reports whether Measured respects Bound. NaN never passes, and a
// skipped check does not count as a failure.
func (c Check) Pass() bool {
	if c.Skipped != "" {
		return true
	}
	switch c.Relation {
	case "≤":
		return c.Measured <= c.Bound
	case "≥":
		return c.Measured >= c.Bound
	}
	return false
}

// Status returns "pass", "FAIL" or "skipped".
func (c Check) Status() string {
	switch {
	case c.Skipped != "":
		return "skipped"
	case c.Pass():
		return "pass"
	}
	return "FAIL"
}

func atMost(name, detail string, measured, bound float64) Check {
	return Check{Name: name, Measured: measured, Relation: "≤", Bound: bound, Detail: detail}
}

func atLeast(name, detail string, measured, bound float64) Check {
	return Check{Name: name, Measured: measured, Relation: "≥", Bound: bound, Detail: detail}
}

// at fills in the level and stage of c.
func (c Check) at(level, stage string) Check {
	c.Level, c.Stage = level, stage
	return c
}

// Skip returns a skipped check with its reason.
func Skip(name, level, reason string) Check {
	return Check{Name: name, Level: level, Relation: "≤", Measured: math.NaN(), Skipped: reason}
}

// MarshalJSON writes c with a measured value that is NaN or infinite (a
// skipped or broken check) as null, since JSON has no such numbers.
func (c Check) MarshalJSON() ([]byte, error) {
	type plain Check
	out := struct {
		plain
		Measured *float64 `json:"measured"`
	}{plain: plain(c)}
	if !math.IsNaN(c.Measured) && !math.IsInf(c.Measured, 0) {
		out.Measured = &c.Measured
	}
	return json.Marshal(out)
}

// Column widths of a printed row, in characters on screen.
const (
	nameWidth  = 46
	levelWidth = 18
	stageWidth = 16
)

// Header returns the column titles that match String.
func Header() string {
	return pad("check", nameWidth) + " " + pad("level", levelWidth) + " " + pad("stage", stageWidth) +
		fmt.Sprintf(" %12s   %-9s %s", "measured", "bound", "result")
}

// String formats c as one table row.
func (c Check) String() string {
	row := pad(c.Name, nameWidth) + " " + pad(c.Level, levelWidth) + " " + pad(c.Stage, stageWidth)
	if c.Skipped != "" {
		return row + " skipped: " + c.Skipped
	}
	return row + fmt.Sprintf(" %12.3g %s %-9.3g %s", c.Measured, c.Relation, c.Bound, c.Status())
}

// pad fills s with spaces to width characters on screen; combining marks,
// such as the hat of r̂, take no width.
func pad(s string, width int) string {
	n := 0
	for _, r := range s {
		if !unicode.Is(unicode.Mn, r) {
			n++
		}
	}
	if n >= width {
		return s
	}
	return s + strings.Repeat(" ", width-n)
}
