package dpr

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
)

func TestReturnsToGo(t *testing.T) {
	cases := []struct {
		rewards []float64
		gamma   float64
		want    []float64
	}{
		{[]float64{1, 2, 3}, 1, []float64{6, 5, 3}},
		{[]float64{1, 2, 3}, 0.5, []float64{1 + 0.5*2 + 0.25*3, 2 + 0.5*3, 3}},
		{nil, 1, []float64{}},
	}
	for _, c := range cases {
		got := ReturnsToGo(c.rewards, c.gamma)
		if len(got) != len(c.want) {
			t.Fatalf("ReturnsToGo(%v, %g) = %v, want %v", c.rewards, c.gamma, got, c.want)
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Errorf("ReturnsToGo(%v, %g) = %v, want %v", c.rewards, c.gamma, got, c.want)
				break
			}
		}
	}
}

func TestLeaveOneOutBaseline(t *testing.T) {
	returns := [][]float64{{3, 1}, {6}, {0, 2, 4}}
	got := LeaveOneOutBaseline(returns)
	// Position 0: others' mean; position 1: a missing return counts as 0.
	want := [][]float64{{3, 1}, {1.5}, {4.5, 0.5, 0}}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("sample %d: baseline %v, want %v", i, got[i], want[i])
		}
	}
	single := LeaveOneOutBaseline([][]float64{{5, 5}})
	if !slices.Equal(single[0], []float64{0, 0}) {
		t.Errorf("one sample: baseline %v, want zeros", single[0])
	}
}

func TestKLEstimators(t *testing.T) {
	logPolicy, logSFT := math.Log(0.5), math.Log(0.25)
	d := logPolicy - logSFT
	if got := K1.Estimate(logPolicy, logSFT); math.Abs(got-d) > 1e-12 {
		t.Errorf("k1 = %g, want %g", got, d)
	}
	if got := K2.Estimate(logPolicy, logSFT); math.Abs(got-d*d/2) > 1e-12 {
		t.Errorf("k2 = %g, want %g", got, d*d/2)
	}
	// k3 = π_SFT/π_θ − 1 − log(π_SFT/π_θ) = 0.5 − 1 + log 2.
	if got, want := K3.Estimate(logPolicy, logSFT), -0.5+math.Log(2); math.Abs(got-want) > 1e-12 {
		t.Errorf("k3 = %g, want %g", got, want)
	}
	if got := K3.Estimate(1, 1); got != 0 {
		t.Errorf("k3 of equal policies = %g, want 0", got)
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		change func(*Config)
		want   string
	}{
		{func(c *Config) { c.Beta = -0.1 }, "β = -0.1"},
		{func(c *Config) { c.Gamma = 0 }, "γ = 0 is outside (0, 1]"},
		{func(c *Config) { c.Gamma = 1.5 }, "γ = 1.5 is outside (0, 1]"},
		{func(c *Config) { c.Temperature = 0 }, "τ = 0"},
		{func(c *Config) { c.Temperature = -1 }, "τ = -1"},
		{func(c *Config) { c.KLEstimator = "k4" }, `"k4" is unknown`},
		{func(c *Config) { c.Reward = "dense" }, `"dense" is unknown`},
		{func(c *Config) { c.SamplesPerPrompt = 0 }, "samples per prompt 0"},
	}
	for _, c := range cases {
		cfg := DefaultConfig()
		c.change(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error = %v, want it to contain %q", err, c.want)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config rejected: %v", err)
	}
}

func tinyModels(t *testing.T) (sft, ref *policy.Model) {
	t.Helper()
	cfg := policy.Config{VocabSize: 9, Width: 16, Depth: 1, Heads: 2, Context: 16, MLPRatio: 2}
	var err error
	if sft, err = policy.New(cfg, 1); err != nil {
		t.Fatal(err)
	}
	if ref, err = policy.New(cfg, 2); err != nil {
		t.Fatal(err)
	}
	return sft, ref
}

func TestTrainWritesCheckpointAndLog(t *testing.T) {
	sft, ref := tinyModels(t)
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Steps, cfg.PromptsPerStep, cfg.SamplesPerPrompt, cfg.MaxNewTokens, cfg.EvalEvery = 3, 2, 3, 6, 2
	cfg.Adam.LearningRate = 1e-3
	evals := 0
	run := Run{
		Backend: device.MustBackend(), SFT: sft, Ref: ref,
		Prompts: [][]int32{{1, 4, 2}, {1, 5, 6, 2}, {1, 7, 2}},
		EOS:     3, Pad: 0, Dir: dir,
		Eval: func(*policy.Model) (float64, error) { evals++; return 0.5, nil },
	}
	theta, res, err := Train(context.Background(), run, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Log) != 3 {
		t.Errorf("logged %d steps, want 3", len(res.Log))
	}
	// Step 0, step 2 (every 2) and the final step 3.
	if evals != 3 || len(res.Evals) != 3 {
		t.Errorf("evaluated %d times (%d points), want 3", evals, len(res.Evals))
	}
	for _, l := range res.Log {
		if math.IsNaN(l.Reward) || math.IsNaN(l.KL) || l.Length < 1 || l.Length > 6 {
			t.Errorf("step %d log %+v is implausible", l.Step, l)
		}
	}
	if math.Abs(res.Log[0].KL) > 1e-4 {
		t.Errorf("KL at the first step = %g, want 0 up to rounding: π_θ starts as π_SFT", res.Log[0].KL)
	}
	back, meta, err := policy.LoadCheckpoint(filepath.Join(dir, FinalCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	if meta.Kind != "dpr" || back.Config != theta.Config {
		t.Errorf("final checkpoint metadata %+v", meta)
	}
	if _, err := ReadLog(dir); err != nil {
		t.Error(err)
	}
}

func TestTrainNeedsReference(t *testing.T) {
	sft, _ := tinyModels(t)
	run := Run{Backend: device.MustBackend(), SFT: sft, Prompts: [][]int32{{1, 4, 2}}, EOS: 3}
	short := DefaultConfig()
	short.MaxNewTokens = 8
	_, _, err := Train(context.Background(), run, short)
	if err == nil || !strings.Contains(err.Error(), "reference checkpoint") {
		t.Errorf("error = %v, want it to ask for π_ref", err)
	}
	cfg := short
	cfg.Steps, cfg.Reward = 1, reward.SFTOnly
	if _, _, err := Train(context.Background(), run, cfg); err != nil {
		t.Errorf("the SFT-only reward should run without π_ref: %v", err)
	}
}

func TestTrainRejectsResponsesPastContext(t *testing.T) {
	sft, ref := tinyModels(t)
	run := Run{Backend: device.MustBackend(), SFT: sft, Ref: ref, Prompts: [][]int32{{1, 4, 5, 2}}, EOS: 3}
	cfg := DefaultConfig()
	cfg.MaxNewTokens = 13
	_, _, err := Train(context.Background(), run, cfg)
	if err == nil || !strings.Contains(err.Error(), "at most 12") {
		t.Errorf("error = %v, want it to cap max new tokens at 12", err)
	}
}
