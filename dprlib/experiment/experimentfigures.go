package experiment

import (
	"fmt"

	"github.com/dprkit/dprkit/dprlib/figures"
	"github.com/dprkit/dprkit/dprlib/stats"
)

// percent rescales a share in [0, 1] to percent.
func percent(iv stats.Interval) stats.Interval {
	iv.Mean, iv.Low, iv.High = 100*iv.Mean, 100*iv.Low, 100*iv.High
	return iv
}

// measureLabels names each extra measurement on a figure axis.
var measureLabels = map[Measure]string{
	MeasureLength:      "response length (tokens)",
	MeasureRewardScale: "mean |r̂_t| on demonstrations (nats)",
	MeasureRewardSNR:   "mean Σr̂ / std Σr̂ on demonstrations",
}

// measureTitles names each extra measurement in a panel title.
var measureTitles = map[Measure]string{
	MeasureLength:      "response length",
	MeasureRewardScale: "size of r̂",
	MeasureRewardSNR:   "signal-to-noise of Σr̂",
}

// ablationFigure lays out one ablation: for every task, the held-out exact
// match against π_SFT's band, the paired difference to π_SFT, then each
// extra measurement.
func ablationFigure(abl Ablation, res *Results) (figures.IntervalFigure, error) {
	// One row per task: exact match, the paired difference, then the extras.
	f := figures.IntervalFigure{Title: abl.Question, XLabel: abl.XLabel, Columns: 2 + len(abl.Extra)}
	for _, tr := range res.Tasks {
		var ar *AblationResults
		for i := range tr.Ablations {
			if tr.Ablations[i].Name == abl.Name {
				ar = &tr.Ablations[i]
			}
		}
		if ar == nil {
			return f, fmt.Errorf("task %s has no results for %s", tr.Task, abl.Name)
		}
		held := figures.IntervalSeries{Name: "held-out prompts"}
		train := figures.IntervalSeries{Name: "training prompts"}
		delta := figures.IntervalSeries{Name: "held-out prompts"}
		trainDelta := figures.IntervalSeries{Name: "training prompts"}
		extra := map[Measure]*figures.IntervalSeries{}
		for _, s := range ar.Settings {
			held.Points = append(held.Points, figures.IntervalPoint{Label: s.Label, Value: percent(s.ExactMatch)})
			delta.Points = append(delta.Points, figures.IntervalPoint{Label: s.Label, Value: percent(s.Delta)})
			if s.TrainExactMatch != nil {
				train.Points = append(train.Points,
					figures.IntervalPoint{Label: s.Label, Value: percent(*s.TrainExactMatch)})
				trainDelta.Points = append(trainDelta.Points,
					figures.IntervalPoint{Label: s.Label, Value: percent(*s.TrainDelta)})
			}
			for _, m := range abl.Extra {
				if extra[m] == nil {
					extra[m] = &figures.IntervalSeries{Name: "held-out prompts"}
				}
				extra[m].Points = append(extra[m].Points, figures.IntervalPoint{Label: s.Label, Value: s.Extra[m]})
			}
		}
		sft := percent(tr.SFT)
		emPanel := figures.IntervalPanel{Title: tr.Task, YLabel: "exact match (%)",
			Series: []figures.IntervalSeries{held}, Reference: &sft, ReferenceName: "π_SFT, held-out"}
		zero := stats.Interval{Level: sft.Level, N: sft.N}
		deltaPanel := figures.IntervalPanel{Title: tr.Task + ": difference to π_SFT, paired by seed",
			YLabel: "Δ exact match (points)", Series: []figures.IntervalSeries{delta}, Reference: &zero,
			ReferenceName: "no change"}
		if len(train.Points) > 0 {
			emPanel.Series = append(emPanel.Series, train)
			deltaPanel.Series = append(deltaPanel.Series, trainDelta)
		}
		f.Panels = append(f.Panels, emPanel, deltaPanel)
		for _, m := range abl.Extra {
			f.Panels = append(f.Panels, figures.IntervalPanel{Title: tr.Task + ": " + measureTitles[m], YLabel: measureLabels[m],
				Series: []figures.IntervalSeries{*extra[m]}})
		}
	}
	return f, nil
}

// AblationFigure returns the figure of the named ablation from res, for
// drawing it another way, such as the interactive notebook views.
func AblationFigure(res *Results, name string) (figures.IntervalFigure, error) {
	for _, abl := range res.Profile.Ablations() {
		if abl.Name == name {
			return ablationFigure(abl, res)
		}
	}
	return figures.IntervalFigure{}, fmt.Errorf("ablation %q is unknown: use one of %v", name, ExperimentNames())
}

// writeExperimentFigures draws the figure of every experiment that ran.
func writeExperimentFigures(dir string, res *Results, ablations []Ablation, only map[string]bool) ([]string, error) {
	var paths []string
	for _, abl := range ablations {
		f, err := ablationFigure(abl, res)
		if err != nil {
			return nil, err
		}
		out, err := figures.Intervals(dir, abl.Name, f)
		if err != nil {
			return nil, fmt.Errorf("figure %s: %w", abl.Name, err)
		}
		paths = append(paths, out...)
	}
	if only[CreditAssignment] {
		out, err := creditFigure(dir, res)
		if err != nil {
			return nil, err
		}
		paths = append(paths, out...)
	}
	if only[RewardGaming] {
		var runs []figures.GamingRun
		for _, tr := range res.Tasks {
			for _, g := range gamingShown(tr.Gaming) {
				steps := make([]int, len(g.Reward))
				for i := range steps {
					steps[i] = i + 1
				}
				runs = append(runs, figures.GamingRun{
					Label: fmt.Sprintf("%s: %s, seed %d", tr.Task, g.Setting, g.Seed),
					Steps: steps, Reward: g.Reward, Verifier: g.Verifier, Flagged: g.Flagged,
				})
			}
		}
		out, err := figures.RewardGaming(dir, RewardGaming, runs)
		if err != nil {
			return nil, fmt.Errorf("figure %s: %w", RewardGaming, err)
		}
		paths = append(paths, out...)
	}
	return paths, nil
}

// gamingShown picks the three runs the reward-gaming figure draws for a
// task, so that it stays readable. They are the first run of the first
// seed, which is the base DPR run when the γ ablation ran, and that seed's
// log π_SFT-only run, the reward likeliest to game. The third is the
// flagged run whose verifier score fell fastest. experiments.json keeps
// every run with its flag.
func gamingShown(all []GamingResult) []GamingResult {
	if len(all) == 0 {
		return nil
	}
	shown := []GamingResult{all[0]}
	worst := -1
	for i, g := range all[1:] {
		i++
		if g.Ablation == BaselineRemoval && g.Seed == all[0].Seed {
			shown = append(shown, g)
			continue
		}
		if g.Flagged && (worst < 0 || g.VerifierSlope < all[worst].VerifierSlope) {
			worst = i
		}
	}
	if worst >= 0 {
		shown = append(shown, all[worst])
	}
	return shown
}
