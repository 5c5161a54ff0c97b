package experiment

import (
	"fmt"
	"strconv"

	"github.com/dprkit/dprkit/dprlib/reward"
)

// Ablation is one experiment: settings that each name a variant of the
// base DPR run, scored on every task for every seed.
type Ablation struct {
	// Name is the experiment's figure name, such as "gamma-ablation".
	Name string `json:"name"`
	// Question states the experiment's question in one sentence.
	Question string `json:"question"`
	// XLabel names what the settings vary.
	XLabel   string    `json:"x_label"`
	Settings []Setting `json:"settings"`
	// Extra lists further measurements drawn beside the exact match.
	Extra []Measure `json:"extra,omitempty"`
	// TrainPrompts also scores every setting on prompts DPR trained on.
	TrainPrompts bool `json:"train_prompts,omitempty"`
}

// Setting is one point of an ablation.
type Setting struct {
	Label   string  `json:"label"`
	Variant Variant `json:"variant"`
}

// Measure names a per-seed number reported beside the exact match.
type Measure string

// Measures an ablation can add.
const (
	// MeasureLength is the mean held-out response length in tokens.
	MeasureLength Measure = "length"
	// MeasureRewardScale is the mean |r̂_t| over the tokens of held-out
	// demonstrations, for the setting's reference checkpoint.
	MeasureRewardScale Measure = "mean-abs-reward"
	// MeasureRewardSNR is the mean of Σ_t r̂_t over held-out demonstrations
	// divided by its standard deviation across them.
	MeasureRewardSNR Measure = "reward-snr"
)

// Ablation names, which are also the names of their figures.
const (
	GammaAblation   = "gamma-ablation"
	ReferenceSweep  = "reference-sweep"
	BaselineRemoval = "baseline-removal"
	Temperature     = "temperature"
	Controls        = "controls"
)

// Gammas, ReferenceFractions and Temperatures are the settings swept.
var (
	Gammas             = []float64{1, 0.99, 0.95, 0.9, 0.8}
	ReferenceFractions = []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9}
	Temperatures       = []float64{0.7, 1, 1.3}
)

// BaseVariant returns the DPR run every ablation varies: the profile's
// ablation DPR config with π_ref at the profile's reference fraction.
func (p Profile) BaseVariant() Variant {
	return Variant{Method: MethodDPR, DPR: p.AblationDPR, RefFraction: p.RefFraction}
}

// Ablations returns the profile's experiments, in the order they run.
// Settings shared between them (γ = 1, the halfway reference, τ = 1) name
// the same variant, so the run store trains it once.
func (p Profile) Ablations() []Ablation {
	base := p.BaseVariant()
	format := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

	gamma := Ablation{Name: GammaAblation, XLabel: "return discount γ",
		Question: "Does discounting the dense return (γ < 1) hurt DPR, as the paper reports?"}
	for _, g := range Gammas {
		v := base
		v.DPR.Gamma = g
		gamma.Settings = append(gamma.Settings, Setting{"γ = " + format(g), v})
	}

	ref := Ablation{Name: ReferenceSweep, XLabel: "π_ref: share of the SFT data seen",
		Question: "Which SFT checkpoint makes the best reference π_ref? The paper reports the halfway one.",
		Extra:    []Measure{MeasureRewardScale, MeasureRewardSNR}}
	for _, f := range ReferenceFractions {
		v := base
		v.RefFraction = f
		label := format(f)
		if f == 0 {
			label = "0 (init)"
		}
		ref.Settings = append(ref.Settings, Setting{label, v})
	}

	removal := Ablation{Name: BaselineRemoval, XLabel: "per-token reward",
		Question: "What happens when the reference term is dropped and r̂_t = log π_SFT alone?",
		Extra:    []Measure{MeasureLength}}
	sftOnly := base
	sftOnly.DPR.Reward = reward.SFTOnly
	removal.Settings = []Setting{
		{"SFT (no DPR)", Variant{Method: MethodSFT}},
		{"log π_SFT − log π_ref", base},
		{"log π_SFT alone", sftOnly},
	}

	temp := Ablation{Name: Temperature, XLabel: "sampling temperature τ",
		Question: "How much does the DPR sampling temperature matter? The paper reports a small effect."}
	for _, tau := range Temperatures {
		v := base
		v.DPR.Temperature = tau
		temp.Settings = append(temp.Settings, Setting{"τ = " + format(tau), v})
	}

	controls := Ablation{Name: Controls, XLabel: "method, same updates and sequences per update",
		Question:     "Does DPR beat SFT, continued SFT, SPIN and GSIL at equal compute, held-out and in training?",
		TrainPrompts: true}
	cont, spin, gsil := base, base, base
	cont.Method, spin.Method, gsil.Method = MethodContinuedSFT, MethodSPIN, MethodGSIL
	controls.Settings = []Setting{
		{"SFT", Variant{Method: MethodSFT}},
		{"continued SFT", cont},
		{"DPR", base},
		{"SPIN", spin},
		{"GSIL", gsil},
	}
	return []Ablation{gamma, ref, removal, temp, controls}
}

// validateAblation reports a setting that cannot run.
func validateAblation(p Profile, a Ablation) error {
	for _, s := range a.Settings {
		if _, err := s.Variant.normalise(); err != nil {
			return fmt.Errorf("ablation %s, setting %q: %w", a.Name, s.Label, err)
		}
		if s.Variant.Method == MethodDPR && s.Variant.RefFraction != 0 &&
			!containsFraction(p.SFT.Fractions, s.Variant.RefFraction) {
			return fmt.Errorf("ablation %s, setting %q: reference fraction %g is not a saved SFT checkpoint: "+
				"add it to the profile's SFT fractions %v", a.Name, s.Label, s.Variant.RefFraction, p.SFT.Fractions)
		}
	}
	return nil
}
