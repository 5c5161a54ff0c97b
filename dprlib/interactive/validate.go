package interactive

import (
	"fmt"
	"math"
	"strings"

	"github.com/dprkit/dprkit/dprlib/figures"
	"github.com/dprkit/dprkit/dprlib/stats"
)

// The checks below apply the rules that package figures documents on its
// input types, so that a view rejects what the static figure rejects.

func validateDPRCurves(runs []figures.DPRCurve) error {
	if len(runs) == 0 {
		return fmt.Errorf("interactive: DPRTraining: no runs; pass at least one DPRCurve")
	}
	seen := map[int64]bool{}
	for i, run := range runs {
		where := fmt.Sprintf("interactive: DPRTraining: run %d (seed %d)", i, run.Seed)
		if seen[run.Seed] {
			return fmt.Errorf("%s: seed is repeated; give each curve its own seed", where)
		}
		seen[run.Seed] = true

		if err := checkSteps(where, "Steps", run.Steps); err != nil {
			return err
		}
		// Return is not drawn, but it is checked as package figures checks
		// it, when present.
		for _, s := range []struct {
			field    string
			values   []float64
			optional bool
		}{{"Reward", run.Reward, false}, {"KL", run.KL, false}, {"Return", run.Return, true}} {
			if s.optional && len(s.values) == 0 {
				continue
			}
			if len(s.values) != len(run.Steps) {
				return fmt.Errorf("%s: %s has %d values but Steps has %d; pass one value per step",
					where, s.field, len(s.values), len(run.Steps))
			}
			if err := checkFinite(where, s.field, s.values); err != nil {
				return err
			}
		}

		if len(run.EvalSteps) > 0 {
			if err := checkSteps(where, "EvalSteps", run.EvalSteps); err != nil {
				return err
			}
		}
		if len(run.ExactMatch) != len(run.EvalSteps) {
			return fmt.Errorf("%s: ExactMatch has %d values but EvalSteps has %d; "+
				"pass one exact match per evaluation step",
				where, len(run.ExactMatch), len(run.EvalSteps))
		}
		for j, v := range run.ExactMatch {
			if err := checkPercent(where, fmt.Sprintf("ExactMatch[%d]", j), v); err != nil {
				return err
			}
		}
		if err := checkPercent(where, "SFTExactMatch", run.SFTExactMatch); err != nil {
			return err
		}
	}
	return nil
}

func validateLossCurves(runs []figures.LossCurve) error {
	if len(runs) == 0 {
		return fmt.Errorf("interactive: SFTLoss: no runs; pass at least one LossCurve")
	}
	seen := map[int64]bool{}
	for i, run := range runs {
		where := fmt.Sprintf("interactive: SFTLoss: run %d (seed %d)", i, run.Seed)
		if seen[run.Seed] {
			return fmt.Errorf("%s: seed is repeated; give each curve its own seed", where)
		}
		seen[run.Seed] = true

		if err := checkSteps(where, "Steps", run.Steps); err != nil {
			return err
		}
		if len(run.Loss) != len(run.Steps) {
			return fmt.Errorf("%s: Loss has %d values but Steps has %d; pass one loss per step",
				where, len(run.Loss), len(run.Steps))
		}
		for j, v := range run.Loss {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return fmt.Errorf("%s: Loss[%d] = %v at step %d is invalid; "+
					"a negative log-likelihood must be finite and non-negative",
					where, j, v, run.Steps[j])
			}
		}

		first, last := run.Steps[0], run.Steps[len(run.Steps)-1]
		for j, cp := range run.Checkpoints {
			if cp.Step < first || cp.Step > last {
				return fmt.Errorf("%s: Checkpoints[%d].Step = %d is outside the logged steps "+
					"%d..%d; log the loss around every checkpoint", where, j, cp.Step, first, last)
			}
			if math.IsNaN(cp.Fraction) || cp.Fraction < 0 || cp.Fraction > 1 {
				return fmt.Errorf("%s: Checkpoints[%d].Fraction = %v is invalid; "+
					"pass the fraction of training completed, in [0, 1]", where, j, cp.Fraction)
			}
		}
	}
	return nil
}

func validateHeatmaps(maps []figures.Heatmap) error {
	if len(maps) == 0 {
		return fmt.Errorf("interactive: Heatmaps: no heat maps; pass at least one Heatmap")
	}
	for i, h := range maps {
		where := fmt.Sprintf("interactive: Heatmaps: heat map %d", i)
		if strings.TrimSpace(h.Prompt) == "" {
			return fmt.Errorf("%s: Prompt is empty; pass the command the response answers", where)
		}
		if len(h.Tokens) == 0 {
			return fmt.Errorf("%s: Tokens is empty; pass at least one response token", where)
		}
		if len(h.Reward) != len(h.Tokens) {
			return fmt.Errorf("%s: Reward has %d values but Tokens has %d; pass one reward per token",
				where, len(h.Reward), len(h.Tokens))
		}
		if err := checkFinite(where, "Reward", h.Reward); err != nil {
			return err
		}
	}
	return nil
}

// validateIntervals checks f and returns the confidence level that all its
// intervals share.
func validateIntervals(f figures.IntervalFigure) (float64, error) {
	if len(f.Panels) == 0 {
		return 0, fmt.Errorf("interactive: Intervals: no panels; pass at least one IntervalPanel")
	}
	level := math.NaN()
	check := func(where string, iv stats.Interval) error {
		if err := checkInterval(where, iv); err != nil {
			return err
		}
		if math.IsNaN(level) {
			level = iv.Level
		} else if iv.Level != level {
			return fmt.Errorf("%s: Level = %v differs from the level %v of the first interval; "+
				"compute every interval of a figure at one level", where, iv.Level, level)
		}
		return nil
	}

	for i, panel := range f.Panels {
		where := fmt.Sprintf("interactive: Intervals: panel %d (%q)", i, panel.Title)
		if len(panel.Series) == 0 {
			return 0, fmt.Errorf("%s: no series; pass at least one IntervalSeries", where)
		}
		names := map[string]bool{}
		for j, s := range panel.Series {
			seriesWhere := fmt.Sprintf("%s, series %d (%q)", where, j, s.Name)
			name := strings.TrimSpace(s.Name)
			if name == "" {
				return 0, fmt.Errorf("%s: Name is empty; name the method, such as \"DPR\"", seriesWhere)
			}
			if names[name] {
				return 0, fmt.Errorf("%s: Name is repeated in the panel; "+
					"give each series of a panel its own name", seriesWhere)
			}
			names[name] = true
			if len(s.Points) == 0 {
				return 0, fmt.Errorf("%s: no points; pass at least one IntervalPoint", seriesWhere)
			}

			labels := map[string]bool{}
			for k, pt := range s.Points {
				pointWhere := fmt.Sprintf("%s, point %d (%q)", seriesWhere, k, pt.Label)
				label := strings.TrimSpace(pt.Label)
				if label == "" {
					return 0, fmt.Errorf("%s: Label is empty; name the setting, such as \"γ = 0.9\"",
						pointWhere)
				}
				if labels[label] {
					return 0, fmt.Errorf("%s: Label is repeated in the series; "+
						"give each setting its own label", pointWhere)
				}
				labels[label] = true
				if err := check(pointWhere, pt.Value); err != nil {
					return 0, err
				}
			}
		}

		refName := strings.TrimSpace(panel.ReferenceName)
		switch {
		case panel.Reference == nil && refName != "":
			return 0, fmt.Errorf("%s: ReferenceName is %q but Reference is nil; "+
				"pass the reference interval or leave the name empty", where, panel.ReferenceName)
		case panel.Reference != nil && refName == "":
			return 0, fmt.Errorf("%s: ReferenceName is empty; name the reference, such as \"SFT\"",
				where)
		case panel.Reference != nil:
			refWhere := fmt.Sprintf("%s, reference %q", where, panel.ReferenceName)
			if err := check(refWhere, *panel.Reference); err != nil {
				return 0, err
			}
		}
	}
	return level, nil
}

// checkInterval requires finite Mean, Low and High with Low ≤ Mean ≤ High,
// N ≥ 1 and Level in (0, 1).
func checkInterval(where string, iv stats.Interval) error {
	for _, f := range []struct {
		name  string
		value float64
	}{{"Mean", iv.Mean}, {"Low", iv.Low}, {"High", iv.High}} {
		if math.IsNaN(f.value) || math.IsInf(f.value, 0) {
			return fmt.Errorf("%s: %s = %v is not finite; drop the diverged seeds "+
				"before computing the interval", where, f.name, f.value)
		}
	}
	if iv.Low > iv.Mean || iv.Mean > iv.High {
		return fmt.Errorf("%s: Low = %v, Mean = %v, High = %v are out of order; pass an "+
			"interval with Low ≤ Mean ≤ High, as stats.BootstrapMean returns",
			where, iv.Low, iv.Mean, iv.High)
	}
	if iv.N < 1 {
		return fmt.Errorf("%s: N = %d is invalid; pass the number of seeds, at least 1", where, iv.N)
	}
	if math.IsNaN(iv.Level) || iv.Level <= 0 || iv.Level >= 1 {
		return fmt.Errorf("%s: Level = %v is invalid; pass the confidence level in (0, 1), "+
			"such as 0.95", where, iv.Level)
	}
	return nil
}

// checkSteps requires a non-empty, strictly increasing list of steps.
func checkSteps(where, field string, steps []int) error {
	if len(steps) == 0 {
		return fmt.Errorf("%s: %s is empty; pass at least one step", where, field)
	}
	for j := 1; j < len(steps); j++ {
		if steps[j] <= steps[j-1] {
			return fmt.Errorf("%s: %s[%d] = %d does not follow %s[%d] = %d; "+
				"steps must be strictly increasing", where, field, j, steps[j], field, j-1, steps[j-1])
		}
	}
	return nil
}

func checkFinite(where, field string, values []float64) error {
	for j, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: %s[%d] = %v is not finite; "+
				"drop or fix the diverged values before plotting", where, field, j, v)
		}
	}
	return nil
}

func checkPercent(where, field string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 100 {
		return fmt.Errorf("%s: %s = %v is invalid; pass a percentage from 0 to 100 "+
			"(multiply a fraction by 100)", where, field, v)
	}
	return nil
}
