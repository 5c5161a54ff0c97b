// Package selfplay trains the two self-play baselines that DPR is compared
// with. Both contrast demonstrations y_w with responses y_l sampled from an
// opponent π_opp, through the log-ratio
//
//	Δ(y) = log π_θ(y|x) − log π_opp(y|x)
//
// summed over response tokens:
//
//	SPIN (self-play fine-tuning), per pair (y_w, y_l) of one prompt:
//	    L = −log σ(β·(Δ(y_w) − Δ(y_l)))
//	GSIL (generalised self-imitation), a logistic density-ratio loss:
//	    L = −log σ(β·Δ(y_w)) − log σ(−β·Δ(y_l))
//
// π_θ and π_opp both start as π_SFT. Every RefreshEvery steps π_opp becomes
// a copy of π_θ, which makes the opponent SPIN's previous iterate. The
// update is a weighted log-likelihood step whose weights are the exact
// derivatives of the loss (see objective), so it reuses policy.Trainer.
package selfplay

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/dpr"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/internal/shuffle"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/progress"
	"github.com/gomlx/compute"
)

// Method selects the self-play loss.
type Method string

const (
	// SPIN is the pairwise logistic loss on Δ(y_w) − Δ(y_l).
	SPIN Method = "spin"
	// GSIL is the logistic loss that classifies demonstrations against
	// samples by the density ratio Δ.
	GSIL Method = "gsil"
)

// ParseMethod validates a method name from a flag or config file.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case SPIN, GSIL:
		return m, nil
	}
	return "", fmt.Errorf("self-play method %q is unknown: use %q or %q", s, SPIN, GSIL)
}

// title is the method's name as shown in progress bars and errors.
func (m Method) title() string { return strings.ToUpper(string(m)) }

// Config sets a SPIN or GSIL run. The sampling and optimiser fields mean
// what they mean in dpr.Config, so that both methods can run at DPR's budget.
type Config struct {
	// Method is the loss: SPIN or GSIL.
	Method Method `json:"method"`
	// Steps is the number of policy updates.
	Steps int `json:"steps"`
	// PromptsPerStep is the number of demonstrations (and so prompts) per
	// update.
	PromptsPerStep int `json:"prompts_per_step"`
	// SamplesPerPrompt is the number of responses drawn from π_opp for each
	// prompt; each forms a pair with the prompt's demonstration.
	SamplesPerPrompt int `json:"samples_per_prompt"`
	// Temperature τ of sampling; it must be positive.
	Temperature float64 `json:"temperature"`
	// TopK and TopP truncate the sampling distribution; 0 turns each off.
	TopK int     `json:"top_k"`
	TopP float64 `json:"top_p"`
	// MaxNewTokens caps a sampled response's length, EOS included.
	MaxNewTokens int `json:"max_new_tokens"`
	// Beta is the logistic temperature β > 0 applied to the log-ratios.
	Beta float64 `json:"beta"`
	// RefreshEvery is the number of updates between opponent refreshes, when
	// π_opp becomes a copy of π_θ. 0 keeps π_opp = π_SFT for the whole run.
	RefreshEvery int `json:"refresh_every"`
	// Adam sets the optimiser; its learning rate is constant. The Adam
	// moments carry over a refresh.
	Adam policy.AdamConfig `json:"adam"`
	// EvalEvery is the number of updates between held-out evaluations; the
	// start and the end are always evaluated. 0 evaluates only those two.
	EvalEvery int `json:"eval_every"`
	// Seed drives the demonstration order and the sampling.
	Seed uint64 `json:"seed"`
}

// defaultIterations is the number of opponents (π_SFT, then one per refresh)
// that DefaultConfig and FromDPR give a run: the kit's choice.
const defaultIterations = 4

// DefaultConfig returns SPIN with β = 0.1, an opponent refresh every 25 of
// the 100 updates, and every sampling, optimiser, evaluation and seed
// setting taken from dpr.DefaultConfig.
func DefaultConfig() Config {
	return FromDPR(SPIN, dpr.DefaultConfig())
}

// FromDPR returns a config for method with the budget of the DPR config d:
// its steps, prompts per step, samples per prompt, sampling, optimiser,
// evaluation interval and seed. β is 0.1, and RefreshEvery splits the run
// into four opponents, ⌈Steps/4⌉ updates each.
func FromDPR(method Method, d dpr.Config) Config {
	return Config{
		Method:           method,
		Steps:            d.Steps,
		PromptsPerStep:   d.PromptsPerStep,
		SamplesPerPrompt: d.SamplesPerPrompt,
		Temperature:      d.Temperature,
		TopK:             d.TopK,
		TopP:             d.TopP,
		MaxNewTokens:     d.MaxNewTokens,
		Beta:             0.1,
		RefreshEvery:     max(1, (d.Steps+defaultIterations-1)/defaultIterations),
		Adam:             d.Adam,
		EvalEvery:        d.EvalEvery,
		Seed:             d.Seed,
	}
}

// Validate reports the first setting that cannot run, naming the value and
// the fix.
func (c Config) Validate() error {
	if _, err := ParseMethod(string(c.Method)); err != nil {
		return err
	}
	switch {
	case c.Steps < 0:
		return fmt.Errorf("%s steps %d is invalid: it must be 0 or more", c.Method.title(), c.Steps)
	case c.PromptsPerStep < 1:
		return fmt.Errorf("prompts per step %d is invalid: it must be at least 1", c.PromptsPerStep)
	case c.SamplesPerPrompt < 1:
		return fmt.Errorf("samples per prompt %d is invalid: it must be at least 1", c.SamplesPerPrompt)
	case !(c.Temperature > 0) || math.IsInf(c.Temperature, 0):
		return fmt.Errorf("temperature τ = %g is invalid: it must be positive (τ = 1 samples π_opp itself)",
			c.Temperature)
	case !(c.Beta > 0) || math.IsInf(c.Beta, 0):
		return fmt.Errorf("logistic temperature β = %g is invalid: it must be positive and finite "+
			"(β = 0 gives a zero gradient); the default is 0.1", c.Beta)
	case c.RefreshEvery < 0:
		return fmt.Errorf("opponent refresh interval %d is invalid: use 0 (keep π_SFT) or a step count",
			c.RefreshEvery)
	case c.EvalEvery < 0:
		return fmt.Errorf("evaluation interval %d is invalid: use 0 (start and end only) or a step count",
			c.EvalEvery)
	case c.MaxNewTokens < 1:
		return fmt.Errorf("max new tokens %d is invalid: it must be at least 1", c.MaxNewTokens)
	}
	opts := policy.SampleOptions{Temperature: c.Temperature, TopK: c.TopK, TopP: c.TopP}
	if err := opts.Validate(); err != nil {
		return err
	}
	return c.Adam.Validate()
}

// StepLog records one update. The loss, log-ratios, accuracy and gradient
// norm are taken at π_θ before the update, on the step's demonstrations and
// samples.
type StepLog struct {
	Step int `json:"step"`
	// Loss is the SPIN or GSIL loss (not the weighted surrogate).
	Loss float64 `json:"loss"`
	// DemoLogRatio is the mean Δ(y_w) over the demonstrations.
	DemoLogRatio float64 `json:"demo_log_ratio"`
	// SampleLogRatio is the mean Δ(y_l) over the samples.
	SampleLogRatio float64 `json:"sample_log_ratio"`
	// RewardAccuracy is the share of pairs with Δ(y_w) > Δ(y_l). It is 0
	// right after a refresh, where every Δ is 0.
	RewardAccuracy float64 `json:"reward_accuracy"`
	// Length is the mean sample length in tokens, EOS included.
	Length float64 `json:"length"`
	// GradNorm is the global L2 norm of the gradient before clipping.
	GradNorm float64 `json:"grad_norm"`
	// Opponent is the step whose π_θ served as π_opp; 0 is π_SFT.
	Opponent int `json:"opponent"`
}

// EvalPoint is a held-out score at a step, as DPR records it.
type EvalPoint = dpr.EvalPoint

// Result summarises a finished run.
type Result struct {
	Config  Config      `json:"config"`
	Log     []StepLog   `json:"log"`
	Evals   []EvalPoint `json:"evals"`
	Seconds float64     `json:"seconds"`
}

// LogName is the file, inside the output directory, that records a finished
// run's Result; it is written after the final checkpoint. The name does not
// depend on the method, so give SPIN and GSIL runs separate directories.
const LogName = "selfplay-log.json"

// FinalCheckpoint is the file name of the trained policy. Its metadata kind
// is the method, "spin" or "gsil".
const FinalCheckpoint = "selfplay-final.ckpt"

// Run holds what a SPIN or GSIL run needs besides its Config.
type Run struct {
	Backend compute.Backend
	// SFT is π_SFT: the start of π_θ and the first opponent. It is not changed.
	SFT *policy.Model
	// Demos are the training demonstrations (prompt BOS … SEP, response
	// … EOS), drawn in a seeded order.
	Demos []policy.Sequence
	// EOS and Pad are the tokenizer's ids.
	EOS, Pad int32
	// Dir receives the final checkpoint and the log; empty writes nothing.
	Dir string
	// Meta is copied into the final checkpoint.
	Meta     policy.Metadata
	Progress progress.Reporter
	// Eval, when set, is called at step 0, every EvalEvery steps and at the end.
	Eval dpr.Evaluator
}

// Train runs SPIN or GSIL and returns the trained policy π_θ with the run's
// log.
func Train(ctx context.Context, run Run, cfg Config) (*policy.Model, *Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	name := cfg.Method.title()
	if run.SFT == nil {
		return nil, nil, fmt.Errorf("%s needs the SFT model π_SFT: set Run.SFT", name)
	}
	if err := checkDemos(run.Demos, run.SFT.Config, cfg.MaxNewTokens, name); err != nil {
		return nil, nil, err
	}
	ctxLen := run.SFT.Config.Context
	samples := cfg.PromptsPerStep * cfg.SamplesPerPrompt
	rows := cfg.PromptsPerStep + samples
	need := max(run.SFT.Config.TrainingBytes(rows, ctxLen), run.SFT.Config.SamplingBytes(samples))
	if err := policy.CheckMemory(need, device.TotalMemory(),
		fmt.Sprintf("a %s update on %d demonstrations × %d samples", name, cfg.PromptsPerStep,
			cfg.SamplesPerPrompt),
		"lower the prompts per step or the samples per prompt"); err != nil {
		return nil, nil, err
	}

	scorer, err := policy.NewScorer(run.Backend, run.SFT.Config)
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
	u := &updater{
		cfg: cfg, trainer: trainer, scorer: scorer, sampler: sampler, opponent: run.SFT, pad: run.Pad,
		opts: policy.SampleOptions{Temperature: cfg.Temperature, TopK: cfg.TopK, TopP: cfg.TopP,
			MaxNewTokens: cfg.MaxNewTokens, EOS: run.EOS, Pad: run.Pad},
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x5e1f_91a7)),
	}

	rep := progress.Or(run.Progress)
	res := &Result{Config: cfg}
	evaluate := func(step int) error {
		if run.Eval == nil {
			return nil
		}
		em, err := run.Eval(theta)
		if err != nil {
			return fmt.Errorf("evaluate %s policy at step %d: %w", name, step, err)
		}
		res.Evals = append(res.Evals, EvalPoint{Step: step, ExactMatch: em})
		return nil
	}
	if err := evaluate(0); err != nil {
		return nil, nil, err
	}

	order := shuffle.New(run.Demos, cfg.Seed, 0xde_305)
	start := time.Now()
	rep.Start(name, cfg.Steps)
	defer rep.Finish()
	for step := 1; step <= cfg.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("%s stopped at step %d: %w", name, step, err)
		}
		log, err := u.step(order.Next(cfg.PromptsPerStep))
		if err != nil {
			return nil, nil, fmt.Errorf("%s step %d: %w", name, step, err)
		}
		log.Step = step
		res.Log = append(res.Log, log)
		if cfg.RefreshEvery > 0 && step%cfg.RefreshEvery == 0 && step < cfg.Steps {
			if err := u.refresh(step); err != nil {
				return nil, nil, fmt.Errorf("%s step %d: refresh the opponent: %w", name, step, err)
			}
		}
		if (cfg.EvalEvery > 0 && step%cfg.EvalEvery == 0) || step == cfg.Steps {
			if err := evaluate(step); err != nil {
				return nil, nil, err
			}
		}
		rep.Step(1, fmt.Sprintf("loss %.3f acc %.2f", log.Loss, log.RewardAccuracy))
	}
	res.Seconds = time.Since(start).Seconds()

	if run.Dir != "" {
		meta := run.Meta
		meta.Kind, meta.Step, meta.Fraction = string(cfg.Method), cfg.Steps, 1
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

// checkDemos rejects demonstrations that cannot be trained on or sampled for.
func checkDemos(demos []policy.Sequence, model policy.Config, maxNewTokens int, name string) error {
	if len(demos) == 0 {
		return fmt.Errorf("%s has no training demonstrations: the demonstration set is empty", name)
	}
	for i, s := range demos {
		if err := s.Validate(); err != nil {
			return fmt.Errorf("demonstration %d: %w", i, err)
		}
		if len(s.Tokens) > model.Context {
			return fmt.Errorf("demonstration %d has %d tokens, more than the model context %d: "+
				"drop it or raise the context", i, len(s.Tokens), model.Context)
		}
		if s.PromptLen+maxNewTokens > model.Context {
			return fmt.Errorf("the prompt of demonstration %d has %d tokens, which plus max new tokens %d "+
				"exceeds the model context %d: lower max new tokens to at most %d",
				i, s.PromptLen, maxNewTokens, model.Context, model.Context-s.PromptLen)
		}
		for j, id := range s.Tokens {
			if id < 0 || int(id) >= model.VocabSize {
				return fmt.Errorf("demonstration %d contains token id %d at position %d, outside the "+
					"vocabulary [0, %d): encode it with the model's tokenizer", i, id, j, model.VocabSize)
			}
		}
	}
	return nil
}

// ReadLog reads the Result a finished run wrote into dir.
func ReadLog(dir string) (*Result, error) {
	var res Result
	if err := jsonfile.Read(filepath.Join(dir, LogName), &res); err != nil {
		return nil, err
	}
	return &res, nil
}
