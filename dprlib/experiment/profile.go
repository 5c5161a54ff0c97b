// Package experiment runs the kit's pipelines end to end: SFT on SCAN
// demonstrations, the dense reward from two SFT checkpoints, DPR against SFT
// for several seeds, held-out evaluation, figures and a JSON summary.
package experiment

import (
	"fmt"
	"os"
	"strings"

	"github.com/dprkit/dprkit/dprlib/dpr"
	"github.com/dprkit/dprkit/dprlib/eval"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
	"github.com/dprkit/dprkit/dprlib/sft"
)

// Profile sizes a reproduction: data split, model, training budgets, seeds.
type Profile struct {
	Name string `json:"name"`
	// Split names the task that "dpr reproduce" runs: a SCAN split (see
	// scan.SplitNames; gen-* splits need no files) or an inflection task
	// (see TaskNames).
	Split string `json:"split"`
	// Seeds lists one full SFT + DPR run per seed.
	Seeds []uint64 `json:"seeds"`
	// Model is the transformer shape; its VocabSize is set from the tokenizer.
	Model policy.Config `json:"model"`
	SFT   sft.Config    `json:"sft"`
	DPR   dpr.Config    `json:"dpr"`
	// RefFraction picks π_ref: the SFT checkpoint after this share of the data.
	// It must be one of SFT.Fractions (or 0, the untrained model).
	RefFraction float64 `json:"ref_fraction"`
	// EvalCount is the number of held-out commands scored. They are drawn
	// with a fixed seed, so every run scores the same ones; 0 uses the whole
	// test split.
	EvalCount int `json:"eval_count"`
	// Decoding sets the decoding of held-out responses.
	Decoding eval.Options `json:"decoding"`
	// Tasks lists the tasks "dpr experiments" runs every ablation on (see
	// TaskNames). Split is the task of "dpr reproduce" alone.
	Tasks []string `json:"tasks"`
	// AblationDPR is the DPR run that the ablations vary, one setting at a
	// time. Its runs are scored once, after the last update.
	AblationDPR dpr.Config `json:"ablation_dpr"`
}

// sftFractions are the checkpoints every profile saves: the reference
// sweep needs all of them.
var sftFractions = []float64{0.1, 0.25, 0.5, 0.75, 0.9, 1}

// Smoke is the profile the tests use: a tiny model on 1% of SCAN, two seeds
// and a few DPR steps. It runs in seconds on 2 cores, and its scores carry
// no meaning.
func Smoke() Profile {
	s := sft.DefaultConfig()
	s.BatchSize, s.Epochs, s.WarmupSteps, s.LogEvery = 16, 3, 5, 2
	s.Adam.LearningRate = 3e-3
	s.Fractions = sftFractions
	d := dpr.DefaultConfig()
	d.Steps, d.PromptsPerStep, d.SamplesPerPrompt, d.EvalEvery = 6, 4, 2, 3
	d.MaxNewTokens = 24
	ablation := d
	ablation.Steps, ablation.EvalEvery = 4, 0
	dec := eval.Greedy()
	dec.MaxNewTokens = 24
	return Profile{
		Name:        "smoke",
		Split:       "gen-p1",
		Seeds:       []uint64{1, 2},
		Model:       policy.Config{Width: 32, Depth: 1, Heads: 2, Context: 64, MLPRatio: 2},
		SFT:         s,
		DPR:         d,
		RefFraction: 0.5,
		EvalCount:   32,
		Decoding:    dec,
		Tasks:       []string{"gen-p1", InflectionPrefix + "english"},
		AblationDPR: ablation,
	}
}

// Quick is the default profile: width 64, 2 blocks, 4 heads on gen-p8
// (1,672 training commands), 40 SFT epochs (2,090 updates of 32), 200 DPR
// updates, 3 seeds, 500 held-out commands.
func Quick() Profile {
	s := sft.DefaultConfig()
	s.Epochs = 40
	s.Adam.LearningRate = 3e-3
	s.LogEvery = 20
	s.Fractions = sftFractions
	d := dpr.DefaultConfig()
	d.Steps, d.EvalEvery = 200, 25
	ablation := d
	ablation.Steps, ablation.EvalEvery = 100, 0
	return Profile{
		Name:        "quick",
		Split:       "gen-p8",
		Seeds:       []uint64{1, 2, 3},
		Model:       policy.DefaultConfig(0),
		SFT:         s,
		DPR:         d,
		RefFraction: 0.5,
		EvalCount:   500,
		Decoding:    eval.Greedy(),
		Tasks:       []string{"gen-p8", InflectionPrefix + "english", InflectionPrefix + "spanish"},
		AblationDPR: ablation,
	}
}

// Full is the long profile for a GPU or a night: the quick model and data,
// 5 seeds, 1,000 DPR updates, every held-out command.
func Full() Profile {
	p := Quick()
	p.Name = "full"
	p.Seeds = []uint64{1, 2, 3, 4, 5}
	p.DPR.Steps, p.DPR.EvalEvery = 1000, 100
	p.AblationDPR.Steps = 500
	p.EvalCount = 0
	return p
}

// ProfileNames lists the built-in profiles.
func ProfileNames() []string { return []string{"smoke", "quick", "full"} }

// ProfileByName returns a built-in profile.
func ProfileByName(name string) (Profile, error) {
	switch name {
	case "smoke":
		return Smoke(), nil
	case "quick":
		return Quick(), nil
	case "full":
		return Full(), nil
	}
	return Profile{}, fmt.Errorf("profile %q is unknown: use one of %s", name, strings.Join(ProfileNames(), ", "))
}

// ProfileEnvVar names the environment variable that picks the profile of
// the kit's notebooks. The test script sets it to smoke, so that CI runs
// every notebook in minutes.
const ProfileEnvVar = "DPR_PROFILE"

// ProfileFromEnv returns the built-in profile named by ProfileEnvVar, or
// the one named fallback when the variable is unset or empty.
func ProfileFromEnv(fallback string) (Profile, error) {
	name := os.Getenv(ProfileEnvVar)
	if name == "" {
		name = fallback
	}
	p, err := ProfileByName(name)
	if err != nil {
		return p, fmt.Errorf("%s: %w", ProfileEnvVar, err)
	}
	return p, nil
}

// Validate reports the first setting of p that cannot run.
func (p Profile) Validate() error {
	if len(p.Seeds) == 0 {
		return fmt.Errorf("profile %q has no seeds: give at least one", p.Name)
	}
	seen := map[uint64]bool{}
	for _, s := range p.Seeds {
		if seen[s] {
			return fmt.Errorf("profile %q lists seed %d twice", p.Name, s)
		}
		seen[s] = true
	}
	if err := p.SFT.Validate(); err != nil {
		return err
	}
	if err := p.DPR.Validate(); err != nil {
		return err
	}
	if err := p.AblationDPR.Validate(); err != nil {
		return fmt.Errorf("profile %q ablation DPR: %w", p.Name, err)
	}
	if p.EvalCount < 0 {
		return fmt.Errorf("evaluation count %d is invalid: use 0 (whole test split) or a positive count",
			p.EvalCount)
	}
	if p.Decoding.BatchSize < 1 {
		return fmt.Errorf("evaluation batch size %d is invalid: it must be at least 1", p.Decoding.BatchSize)
	}
	if p.RefFraction != 0 && !containsFraction(p.SFT.Fractions, p.RefFraction) {
		return fmt.Errorf("reference fraction %g is not a saved SFT checkpoint: use 0 or one of %v",
			p.RefFraction, p.SFT.Fractions)
	}
	if p.RefFraction == 1 && p.DPR.Reward == reward.LogRatio {
		return fmt.Errorf("reference fraction 1 is π_SFT itself, so the log-ratio reward would be 0 " +
			"everywhere: pick an earlier checkpoint such as 0.5")
	}
	return nil
}

func containsFraction(fs []float64, f float64) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}
