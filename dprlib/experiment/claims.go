package experiment

import (
	"fmt"
	"strings"

	"github.com/dprkit/dprkit/dprlib/stats"
)

// Claim is the kit's reading, on one task, of one claim of Li et al.,
// "Beyond Imitation: Recovering Dense Rewards from Demonstrations" (arXiv
// 2510.02493).
type Claim struct {
	Task  string `json:"task"`
	Claim string `json:"claim"`
	// Verdict is "confirmed", "not confirmed" (the data contradict it) or
	// "inconclusive" (the intervals cannot tell).
	Verdict string `json:"verdict"`
	// Evidence gives the numbers behind the verdict.
	Evidence string `json:"evidence"`
}

// Verdicts.
const (
	Confirmed    = "confirmed"
	NotConfirmed = "not confirmed"
	Inconclusive = "inconclusive"
)

// Claim texts, and the ablation each comes from.
const (
	claimGamma       = "γ = 1 gives the best DPR score"
	claimReference   = "the halfway checkpoint is the best π_ref"
	claimRemoval     = "dropping log π_ref (r̂ = log π_SFT) changes DPR's score"
	claimLength      = "dropping log π_ref biases the response length"
	claimTemperature = "the sampling temperature has a small effect"
	claimDPR         = "DPR beats SFT on held-out prompts"
)

var claimAblation = map[string]string{
	claimGamma: GammaAblation, claimReference: ReferenceSweep, claimRemoval: BaselineRemoval, claimLength: BaselineRemoval,
	claimTemperature: Temperature, claimDPR: Controls,
}

// smallEffect is the largest spread of exact match (0.02, two percentage
// points) that counts as the "small effect" of the sampling temperature.
const smallEffect = 0.02

// Claims checks the claims of arXiv 2510.02493 against res, task by task: γ = 1 is
// best, the halfway reference is best, removing the reference term changes
// the score and adds length, the temperature matters little, and DPR beats
// SFT. A comparison between two settings is paired by seed.
func Claims(res *Results) []Claim {
	var out []Claim
	for _, tr := range res.Tasks {
		for _, ar := range tr.Ablations {
			switch ar.Name {
			case GammaAblation:
				out = append(out, bestClaim(tr.Task, ar, "γ = 1", claimGamma))
			case ReferenceSweep:
				out = append(out, bestClaim(tr.Task, ar, "0.5", claimReference))
			case BaselineRemoval:
				out = append(out, removalClaims(tr.Task, ar)...)
			case Temperature:
				out = append(out, temperatureClaim(tr.Task, ar))
			case Controls:
				out = append(out, dprClaim(tr.Task, ar))
			}
		}
	}
	return out
}

func settingByLabel(ar AblationResults, label string) (SettingResults, bool) {
	for _, s := range ar.Settings {
		if s.Label == label {
			return s, true
		}
	}
	return SettingResults{}, false
}

// pairedBetween returns the interval of the exact match of a minus that of
// b, over the seeds both have.
func pairedBetween(a, b SettingResults) (stats.Interval, error) {
	return pairedBySeed(a, b, func(o SeedOutcome) float64 { return o.ExactMatch })
}

// pairedLength returns the interval of the held-out response length of a
// minus that of b, over the seeds both have.
func pairedLength(a, b SettingResults) (stats.Interval, error) {
	return pairedBySeed(a, b, func(o SeedOutcome) float64 { return o.Length })
}

// pairedBySeed returns the interval of value(a) − value(b), pairing the
// per-seed outcomes of the two settings by seed.
func pairedBySeed(a, b SettingResults, value func(SeedOutcome) float64) (stats.Interval, error) {
	bySeed := map[uint64]float64{}
	for _, o := range b.PerSeed {
		bySeed[o.Seed] = value(o)
	}
	var xs, ys []float64
	for _, o := range a.PerSeed {
		if v, ok := bySeed[o.Seed]; ok {
			xs, ys = append(xs, value(o)), append(ys, v)
		}
	}
	if len(xs) == 0 {
		return stats.Interval{}, fmt.Errorf("settings %q and %q share no seed", a.Label, b.Label)
	}
	return stats.PairedDifference(xs, ys, stats.DefaultOptions())
}

func points(iv stats.Interval) string {
	return fmt.Sprintf("%+.1f [%+.1f, %+.1f]", 100*iv.Mean, 100*iv.Low, 100*iv.High)
}

// bestClaim checks that the setting labelled best beats every other one:
// confirmed when each paired difference has an interval above 0, not
// confirmed when some other setting is better with an interval above 0.
func bestClaim(task string, ar AblationResults, best, claim string) Claim {
	c := Claim{Task: task, Claim: claim, Verdict: Inconclusive}
	b, ok := settingByLabel(ar, best)
	if !ok {
		c.Evidence = fmt.Sprintf("no setting %q was run", best)
		return c
	}
	allAbove, anyBelow := true, false
	var parts []string
	for _, s := range ar.Settings {
		if s.Label == best {
			continue
		}
		d, err := pairedBetween(b, s)
		if err != nil {
			c.Evidence = err.Error()
			return c
		}
		parts = append(parts, fmt.Sprintf("vs %s %s", s.Label, points(d)))
		allAbove = allAbove && d.Low > 0
		anyBelow = anyBelow || d.High < 0
	}
	switch {
	case anyBelow:
		c.Verdict = NotConfirmed
	case allAbove:
		c.Verdict = Confirmed
	}
	c.Evidence = fmt.Sprintf("%s scores %s; paired differences (points): %s", best,
		b.ExactMatch.Format(100, 1), strings.Join(parts, ", "))
	return c
}

// removalClaims checks what dropping the reference term does: to the
// exact match, and to the held-out response length, each paired by seed.
func removalClaims(task string, ar AblationResults) []Claim {
	score := Claim{Task: task, Claim: claimRemoval, Verdict: Inconclusive}
	length := Claim{Task: task, Claim: claimLength, Verdict: Inconclusive}
	full, ok1 := settingByLabel(ar, "log π_SFT − log π_ref")
	alone, ok2 := settingByLabel(ar, "log π_SFT alone")
	if !ok1 || !ok2 {
		score.Evidence = "the baseline-removal settings were not run"
		length.Evidence = score.Evidence
		return []Claim{score, length}
	}
	d, err := pairedBetween(alone, full)
	if err != nil {
		score.Evidence, length.Evidence = err.Error(), err.Error()
		return []Claim{score, length}
	}
	if d.Low > 0 || d.High < 0 {
		score.Verdict = Confirmed
	}
	score.Evidence = fmt.Sprintf("exact match, log π_SFT alone minus the log-ratio: %s points", points(d))

	l, err := pairedLength(alone, full)
	if err != nil {
		length.Evidence = err.Error()
		return []Claim{score, length}
	}
	if l.Low > 0 || l.High < 0 {
		length.Verdict = Confirmed
	}
	length.Evidence = fmt.Sprintf("mean held-out response length %s tokens against %s; paired difference "+
		"%+.2f [%+.2f, %+.2f] tokens", alone.Extra[MeasureLength].Format(1, 2), full.Extra[MeasureLength].Format(1, 2),
		l.Mean, l.Low, l.High)
	return []Claim{score, length}
}

func temperatureClaim(task string, ar AblationResults) Claim {
	c := Claim{Task: task, Claim: claimTemperature, Verdict: Inconclusive}
	lo, hi := 1.0, 0.0
	for _, s := range ar.Settings {
		lo, hi = min(lo, s.ExactMatch.Mean), max(hi, s.ExactMatch.Mean)
	}
	var parts []string
	significant := false
	for i, a := range ar.Settings {
		for _, b := range ar.Settings[i+1:] {
			d, err := pairedBetween(a, b)
			if err != nil {
				c.Evidence = err.Error()
				return c
			}
			significant = significant || d.Low > smallEffect || d.High < -smallEffect
			parts = append(parts, fmt.Sprintf("%s − %s %s", a.Label, b.Label, points(d)))
		}
	}
	switch {
	case significant:
		c.Verdict = NotConfirmed
	case hi-lo <= smallEffect:
		c.Verdict = Confirmed
	}
	c.Evidence = fmt.Sprintf("means span %.1f points (small: at most %.0f); paired differences: %s",
		100*(hi-lo), 100*smallEffect, strings.Join(parts, ", "))
	return c
}

func dprClaim(task string, ar AblationResults) Claim {
	c := Claim{Task: task, Claim: claimDPR, Verdict: Inconclusive}
	d, ok := settingByLabel(ar, "DPR")
	if !ok {
		c.Evidence = "no DPR setting was run"
		return c
	}
	switch {
	case d.Delta.Low > 0:
		c.Verdict = Confirmed
	case d.Delta.High < 0:
		c.Verdict = NotConfirmed
	}
	c.Evidence = fmt.Sprintf("DPR − SFT %s points held-out", points(d.Delta))
	if d.TrainDelta != nil {
		c.Evidence += fmt.Sprintf(", %s on training prompts", points(*d.TrainDelta))
	}
	if cont, ok := settingByLabel(ar, "continued SFT"); ok {
		if v, err := pairedBetween(d, cont); err == nil {
			c.Evidence += fmt.Sprintf("; DPR − continued SFT %s", points(v))
		}
	}
	return c
}

// claimsMarkdown renders the claims as a table.
func claimsMarkdown(claims []Claim) string {
	if len(claims) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("## The paper's claims\n\nA claim is confirmed when every paired interval that bears on it " +
		"lies on its side of 0, not confirmed when one lies on the other side, and inconclusive otherwise. " +
		"The temperature claim is the exception: it is confirmed when the means of all temperatures lie " +
		"within 2 points of each other, and not confirmed when a paired difference lies wholly beyond " +
		"2 points. The evidence column gives each difference with its sign.\n\n")
	b.WriteString("| task | claim | verdict | evidence |\n|---|---|---|---|\n")
	for _, c := range claims {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.Task, c.Claim, c.Verdict, c.Evidence)
	}
	b.WriteString("\n")
	return b.String()
}
