// Package dpr improves a policy with Dense-Path REINFORCE: on-policy samples
// from π_θ (initialised from π_SFT) are scored with the dense reward
// r̂_t = log π_SFT(y_t|s_t) − log π_ref(y_t|s_t), a KL penalty to π_SFT is
// subtracted per token,
//
//	r̃_t = c·r̂_t − β·k(y_t, s_t)
//
// returns-to-go G_t = Σ_{k≥t} γ^(k−t)·r̃_k are formed, an optional baseline
// b_t is subtracted, and θ takes an Adam step on the surrogate
//
//	L(θ) = −(1/B) Σ_i Σ_t (G_t − b_t)·log π_θ(y_t|s_t)
//
// whose gradient is the REINFORCE estimate of −∇ E[Σ_t r̃_t].
package dpr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/internal/shuffle"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/progress"
	"github.com/dprkit/dprkit/dprlib/reward"
	"github.com/gomlx/compute"
)

// Config sets a DPR run. The paper (arXiv 2510.02493) does not state most of
// these values; DefaultConfig documents the kit's choices.
type Config struct {
	// Steps is the number of policy updates.
	Steps int `json:"steps"`
	// PromptsPerStep is the number of distinct prompts sampled per update.
	PromptsPerStep int `json:"prompts_per_step"`
	// SamplesPerPrompt is the number of responses drawn for each prompt.
	SamplesPerPrompt int `json:"samples_per_prompt"`
	// Temperature τ of sampling; it must be positive.
	Temperature float64 `json:"temperature"`
	// TopK and TopP truncate the sampling distribution; 0 turns each off.
	TopK int     `json:"top_k"`
	TopP float64 `json:"top_p"`
	// MaxNewTokens caps a response's length, EOS included.
	MaxNewTokens int `json:"max_new_tokens"`
	// Gamma is the discount γ ∈ (0, 1] of the returns-to-go.
	Gamma float64 `json:"gamma"`
	// Beta is the KL coefficient β ≥ 0.
	Beta float64 `json:"beta"`
	// KLEstimator is the per-token KL estimate put into the reward.
	KLEstimator KLEstimator `json:"kl_estimator"`
	// Baseline subtracts, per prompt and position, the mean return-to-go of
	// the prompt's other samples.
	Baseline bool `json:"baseline"`
	// Reward selects r̂: the log-ratio, or log π_SFT alone (baseline removal).
	Reward reward.Kind `json:"reward"`
	// RewardScale c multiplies r̂ before the KL penalty.
	RewardScale float64 `json:"reward_scale"`
	// VerifierWeight α mixes in a sequence-level verifier score v ∈ [0, 1],
	// paid on the last token: r̃_t = (1 − α)·c·r̂_t + α·v·[t = T] − β·k_t.
	// 0 (the default) is pure DPR; 1 is REINFORCE on the verifier alone.
	// A positive value needs Run.Verifier.
	VerifierWeight float64 `json:"verifier_weight"`
	// Adam sets the optimiser; its learning rate is constant during DPR.
	Adam policy.AdamConfig `json:"adam"`
	// EvalEvery is the number of updates between held-out evaluations; the
	// start and the end are always evaluated. 0 evaluates only those two.
	EvalEvery int `json:"eval_every"`
	// Seed drives the prompt order and the sampling.
	Seed uint64 `json:"seed"`
}

// DefaultConfig returns the quick-profile settings: 8 prompts × 4 samples per
// update, τ = 1, γ = 1, β = 0.1 with estimator k1, the leave-one-out
// baseline on, the log-ratio reward at scale 1, learning rate 3e-5.
func DefaultConfig() Config {
	adam := policy.DefaultAdam()
	adam.LearningRate = 3e-5
	return Config{
		Steps:            100,
		PromptsPerStep:   8,
		SamplesPerPrompt: 4,
		Temperature:      1,
		MaxNewTokens:     50,
		Gamma:            1,
		Beta:             0.1,
		KLEstimator:      K1,
		Baseline:         true,
		Reward:           reward.LogRatio,
		RewardScale:      1,
		Adam:             adam,
		EvalEvery:        20,
		Seed:             1,
	}
}

// Validate reports the first setting that cannot run, naming the value and
// the fix.
func (c Config) Validate() error {
	switch {
	case c.Steps < 0:
		return fmt.Errorf("DPR steps %d is invalid: it must be 0 or more", c.Steps)
	case c.PromptsPerStep < 1:
		return fmt.Errorf("prompts per step %d is invalid: it must be at least 1", c.PromptsPerStep)
	case c.SamplesPerPrompt < 1:
		return fmt.Errorf("samples per prompt %d is invalid: it must be at least 1", c.SamplesPerPrompt)
	case !(c.Temperature > 0) || math.IsInf(c.Temperature, 0):
		return fmt.Errorf("temperature τ = %g is invalid: it must be positive (τ = 1 samples π_θ itself)",
			c.Temperature)
	case !(c.Gamma > 0 && c.Gamma <= 1):
		return fmt.Errorf("discount γ = %g is outside (0, 1]: use 1 for the undiscounted return", c.Gamma)
	case !(c.Beta >= 0) || math.IsInf(c.Beta, 0):
		return fmt.Errorf("KL coefficient β = %g is invalid: it must be 0 or positive", c.Beta)
	case !(c.RewardScale > 0) || math.IsInf(c.RewardScale, 0):
		return fmt.Errorf("reward scale %g is invalid: it must be positive", c.RewardScale)
	case !(c.VerifierWeight >= 0 && c.VerifierWeight <= 1):
		return fmt.Errorf("verifier weight α = %g is outside [0, 1]: use 0 for the dense reward alone",
			c.VerifierWeight)
	case c.EvalEvery < 0:
		return fmt.Errorf("evaluation interval %d is invalid: use 0 (start and end only) or a step count",
			c.EvalEvery)
	case c.MaxNewTokens < 1:
		return fmt.Errorf("max new tokens %d is invalid: it must be at least 1", c.MaxNewTokens)
	}
	if _, err := ParseKLEstimator(string(c.KLEstimator)); err != nil {
		return err
	}
	if _, err := reward.ParseKind(string(c.Reward)); err != nil {
		return err
	}
	opts := policy.SampleOptions{Temperature: c.Temperature, TopK: c.TopK, TopP: c.TopP}
	if err := opts.Validate(); err != nil {
		return err
	}
	return c.Adam.Validate()
}

// StepLog records one update. Means are over response tokens of the batch
// unless stated.
type StepLog struct {
	Step int `json:"step"`
	// Reward is the mean dense reward r̂ per token (before scaling).
	Reward float64 `json:"reward"`
	// KL is the mean per-token KL estimate of the configured estimator.
	KL float64 `json:"kl"`
	// Return is the mean over responses of Σ_t r̃_t, the shaped return.
	Return float64 `json:"return"`
	// Length is the mean response length in tokens, EOS included.
	Length float64 `json:"length"`
	// Loss is the surrogate loss of the update.
	Loss float64 `json:"loss"`
	// Verifier is the mean verifier score of the samples; 0 when unused.
	Verifier float64 `json:"verifier,omitempty"`
}

// EvalPoint is a held-out score at a step.
type EvalPoint struct {
	Step       int     `json:"step"`
	ExactMatch float64 `json:"exact_match"`
}

// Result summarises a finished run.
type Result struct {
	Config  Config      `json:"config"`
	Log     []StepLog   `json:"log"`
	Evals   []EvalPoint `json:"evals"`
	Seconds float64     `json:"seconds"`
}

// LogName is the file, inside the output directory, that records a finished
// run's Result; it is written after the final checkpoint.
const LogName = "dpr-log.json"

// FinalCheckpoint is the file name of the trained policy.
const FinalCheckpoint = "dpr-final.ckpt"

// Evaluator scores a policy on held-out prompts and returns its exact match
// in [0, 1].
type Evaluator func(m *policy.Model) (float64, error)

// Run holds what a DPR run needs besides its Config.
type Run struct {
	Backend compute.Backend
	// SFT is π_SFT: the reward's first term, the KL anchor and π_θ's start.
	SFT *policy.Model
	// Ref is π_ref; nil is allowed only for the SFT-only reward.
	Ref *policy.Model
	// Prompts are the training prompts (BOS … SEP), drawn in a seeded order.
	Prompts [][]int32
	// EOS and Pad are the tokenizer's ids.
	EOS, Pad int32
	// Eval, when set, is called at step 0, every EvalEvery steps and at the end.
	Eval Evaluator
	// Verifier scores a whole response (EOS included when produced) in
	// [0, 1]; it is needed when Config.VerifierWeight > 0.
	Verifier func(prompt, response []int32) float64
	// Dir receives the final checkpoint and the log; empty writes nothing.
	Dir string
	// Meta is copied into the final checkpoint.
	Meta     policy.Metadata
	Progress progress.Reporter
}

// Train runs DPR and returns the trained policy π_θ with the run's log.
func Train(ctx context.Context, run Run, cfg Config) (*policy.Model, *Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	if len(run.Prompts) == 0 {
		return nil, nil, errors.New("DPR has no training prompts: the prompt set is empty")
	}
	ctxLen := run.SFT.Config.Context
	for _, p := range run.Prompts {
		if len(p)+cfg.MaxNewTokens > ctxLen {
			return nil, nil, fmt.Errorf("a prompt of %d tokens plus max new tokens %d exceeds the model "+
				"context %d: lower max new tokens to at most %d", len(p), cfg.MaxNewTokens, ctxLen, ctxLen-len(p))
		}
	}
	rows := cfg.PromptsPerStep * cfg.SamplesPerPrompt
	need := max(run.SFT.Config.TrainingBytes(rows, ctxLen), run.SFT.Config.SamplingBytes(rows))
	if err := policy.CheckMemory(need, device.TotalMemory(),
		fmt.Sprintf("a DPR update on %d × %d samples", cfg.PromptsPerStep, cfg.SamplesPerPrompt),
		"lower the prompts per step or the samples per prompt"); err != nil {
		return nil, nil, err
	}
	if cfg.VerifierWeight > 0 && run.Verifier == nil {
		return nil, nil, fmt.Errorf("verifier weight α = %g needs a verifier: set Run.Verifier, or use α = 0",
			cfg.VerifierWeight)
	}
	scorer, err := policy.NewScorer(run.Backend, run.SFT.Config)
	if err != nil {
		return nil, nil, err
	}
	dense, err := reward.NewScorer(scorer, cfg.Reward, run.SFT, run.Ref)
	if err != nil {
		return nil, nil, err
	}
	sampler, err := policy.NewSampler(run.Backend, run.SFT.Config)
	if err != nil {
		return nil, nil, err
	}
	theta, err := run.SFT.Clone()
	if err != nil {
		return nil, nil, err
	}
	trainer, err := policy.NewTrainer(run.Backend, theta, cfg.Adam)
	if err != nil {
		return nil, nil, err
	}
	rep := progress.Or(run.Progress)
	res := &Result{Config: cfg}
	evaluate := func(step int) error {
		if run.Eval == nil {
			return nil
		}
		em, err := run.Eval(theta)
		if err != nil {
			return fmt.Errorf("evaluate DPR policy at step %d: %w", step, err)
		}
		res.Evals = append(res.Evals, EvalPoint{step, em})
		return nil
	}
	if err := evaluate(0); err != nil {
		return nil, nil, err
	}

	rng := rand.New(rand.NewPCG(cfg.Seed, 0xd9_5a_3e))
	order := shuffle.New(run.Prompts, cfg.Seed, 0x9_0_0d)
	opts := policy.SampleOptions{Temperature: cfg.Temperature, TopK: cfg.TopK, TopP: cfg.TopP,
		MaxNewTokens: cfg.MaxNewTokens, EOS: run.EOS, Pad: run.Pad}
	start := time.Now()
	rep.Start("DPR", cfg.Steps)
	defer rep.Finish()
	for step := 1; step <= cfg.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("DPR stopped at step %d: %w", step, err)
		}
		log, err := updateOnce(cfg, trainer, sampler, dense, order.Next(cfg.PromptsPerStep), opts, rng, run)
		if err != nil {
			return nil, nil, fmt.Errorf("DPR step %d: %w", step, err)
		}
		log.Step = step
		res.Log = append(res.Log, log)
		if (cfg.EvalEvery > 0 && step%cfg.EvalEvery == 0) || step == cfg.Steps {
			if err := evaluate(step); err != nil {
				return nil, nil, err
			}
		}
		rep.Step(1, fmt.Sprintf("reward %.3f kl %.3f", log.Reward, log.KL))
	}
	res.Seconds = time.Since(start).Seconds()

	if run.Dir != "" {
		meta := run.Meta
		meta.Kind, meta.Step, meta.Fraction = "dpr", cfg.Steps, 1
		if meta.Train, err = json.Marshal(cfg); err != nil {
			return nil, nil, err
		}
		if err := policy.SaveCheckpoint(filepath.Join(run.Dir, FinalCheckpoint), theta, meta); err != nil {
			return nil, nil, err
		}
		if err := jsonfile.Write(filepath.Join(run.Dir, LogName), res); err != nil {
			return nil, nil, err
		}
	}
	return theta, res, nil
}

// updateOnce samples, scores and applies one policy update.
func updateOnce(cfg Config, trainer *policy.Trainer, sampler *policy.Sampler, dense *reward.Scorer,
	prompts [][]int32, opts policy.SampleOptions, rng *rand.Rand, run Run) (StepLog, error) {
	theta := trainer.Model
	expanded := make([][]int32, 0, len(prompts)*cfg.SamplesPerPrompt)
	for _, p := range prompts {
		for range cfg.SamplesPerPrompt {
			expanded = append(expanded, p)
		}
	}
	responses, policyLogProbs, err := sampler.Generate(theta, expanded, opts, rng)
	if err != nil {
		return StepLog{}, err
	}
	seqs := make([]policy.Sequence, len(expanded))
	for i, p := range expanded {
		seqs[i] = policy.Sequence{Tokens: append(append([]int32{}, p...), responses[i]...), PromptLen: len(p)}
	}
	scores, err := dense.Score(seqs, len(seqs))
	if err != nil {
		return StepLog{}, err
	}

	var log StepLog
	tokens := 0
	returns := make([][]float64, len(seqs))
	for i := range seqs {
		shaped := make([]float64, len(responses[i]))
		verdict := 0.0
		if run.Verifier != nil {
			verdict = run.Verifier(expanded[i], responses[i])
			log.Verifier += verdict / float64(len(seqs))
		}
		for t := range shaped {
			r := float64(scores.Reward[i][t])
			kl := cfg.KLEstimator.Estimate(float64(policyLogProbs[i][t]), float64(scores.SFTLogProb[i][t]))
			shaped[t] = (1-cfg.VerifierWeight)*cfg.RewardScale*r - cfg.Beta*kl
			if t == len(shaped)-1 {
				shaped[t] += cfg.VerifierWeight * verdict
			}
			log.Reward += r
			log.KL += kl
			log.Return += shaped[t]
		}
		tokens += len(shaped)
		returns[i] = ReturnsToGo(shaped, cfg.Gamma)
	}
	log.Reward /= float64(tokens)
	log.KL /= float64(tokens)
	log.Return /= float64(len(seqs))
	log.Length = float64(tokens) / float64(len(seqs))

	advantages := returns
	if cfg.Baseline {
		advantages = make([][]float64, len(seqs))
		for lo := 0; lo < len(seqs); lo += cfg.SamplesPerPrompt {
			group := returns[lo : lo+cfg.SamplesPerPrompt]
			base := LeaveOneOutBaseline(group)
			for j := range group {
				adv := make([]float64, len(group[j]))
				for t := range adv {
					adv[t] = group[j][t] - base[j][t]
				}
				advantages[lo+j] = adv
			}
		}
	}

	batch, _, err := policy.SequenceBatch(seqs, theta.Config.Context, run.Pad)
	if err != nil {
		return StepLog{}, err
	}
	steps := batch.Length - 1
	weights := make([]float32, batch.Rows*steps)
	for i, s := range seqs {
		for t, a := range advantages[i] {
			weights[i*steps+s.PromptLen-1+t] = float32(a / float64(len(seqs)))
		}
	}
	out, err := trainer.Step(batch, weights)
	if err != nil {
		return StepLog{}, err
	}
	log.Loss = out.Loss
	return log, nil
}

// ReadLog reads the Result a finished run wrote into dir.
func ReadLog(dir string) (*Result, error) {
	var res Result
	if err := jsonfile.Read(filepath.Join(dir, LogName), &res); err != nil {
		return nil, err
	}
	return &res, nil
}
