package experiment

import (
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/stats"
)

// setting builds a setting from per-seed exact matches and lengths, with
// its interval, and its difference to sft.
func setting(t *testing.T, label string, em, length, sft []float64) SettingResults {
	t.Helper()
	s := SettingResults{Label: label, Extra: map[Measure]stats.Interval{}}
	for i := range em {
		s.PerSeed = append(s.PerSeed, SeedOutcome{Seed: uint64(i + 1), ExactMatch: em[i], Length: length[i]})
	}
	var err error
	if s.ExactMatch, err = stats.BootstrapMean(em, stats.DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	if s.Delta, err = stats.PairedDifference(em, sft, stats.DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	if s.Extra[MeasureLength], err = stats.BootstrapMean(length, stats.DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	return s
}

func claimFor(t *testing.T, claims []Claim, text string) Claim {
	t.Helper()
	for _, c := range claims {
		if c.Claim == text {
			return c
		}
	}
	t.Fatalf("no claim %q among %d", text, len(claims))
	return Claim{}
}

func TestClaimsVerdicts(t *testing.T) {
	sft := []float64{0.70, 0.80, 0.75}
	same := []float64{10, 10, 10}
	res := &Results{Tasks: []TaskResults{{Task: "toy", Ablations: []AblationResults{
		{Name: GammaAblation, Settings: []SettingResults{
			setting(t, "γ = 1", []float64{0.74, 0.84, 0.79}, same, sft),
			setting(t, "γ = 0.9", []float64{0.72, 0.82, 0.77}, same, sft),
		}},
		{Name: ReferenceSweep, Settings: []SettingResults{
			setting(t, "0.5", []float64{0.70, 0.80, 0.75}, same, sft),
			setting(t, "0.25", []float64{0.73, 0.83, 0.78}, same, sft),
		}},
		{Name: BaselineRemoval, Settings: []SettingResults{
			setting(t, "log π_SFT − log π_ref", []float64{0.70, 0.80, 0.75}, same, sft),
			setting(t, "log π_SFT alone", []float64{0.70, 0.81, 0.74}, []float64{12, 13, 12.5}, sft),
		}},
		{Name: Temperature, Settings: []SettingResults{
			setting(t, "τ = 0.7", []float64{0.70, 0.80, 0.75}, same, sft),
			setting(t, "τ = 1", []float64{0.705, 0.805, 0.745}, same, sft),
		}},
		{Name: Controls, Settings: []SettingResults{
			setting(t, "DPR", []float64{0.65, 0.76, 0.70}, same, sft),
		}},
	}}}}
	claims := Claims(res)
	cases := []struct{ claim, verdict string }{
		{claimGamma, Confirmed},
		{claimReference, NotConfirmed},
		{claimRemoval, Inconclusive},
		{claimLength, Confirmed},
		{claimTemperature, Confirmed},
		{claimDPR, NotConfirmed},
	}
	for _, c := range cases {
		got := claimFor(t, claims, c.claim)
		if got.Verdict != c.verdict {
			t.Errorf("%q: verdict %q, want %q (evidence: %s)", c.claim, got.Verdict, c.verdict, got.Evidence)
		}
		if got.Task != "toy" || got.Evidence == "" {
			t.Errorf("%q: task %q, evidence %q", c.claim, got.Task, got.Evidence)
		}
	}
	if e := claimFor(t, claims, claimGamma).Evidence; !strings.Contains(e, "vs γ = 0.9 +2.0") {
		t.Errorf("gamma evidence lacks the paired difference: %s", e)
	}
	res.Claims = claims
	if got := ClaimsAbout(res, BaselineRemoval); len(got) != 2 {
		t.Errorf("%d claims about baseline removal, want 2", len(got))
	}
}
