// Package sft trains a policy by supervised fine-tuning on demonstrations:
// Adam on the prompt-masked negative log-likelihood
//
//	L(θ) = −(1/N) Σ_i Σ_{t ∈ response_i} log π_θ(y_t | s_t)
//
// where N is the number of response tokens in the batch. It saves a
// checkpoint each time a given fraction of the training examples has been
// seen. An early checkpoint serves as the reference π_ref of the dense
// reward, and the last one is π_SFT.
package sft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/internal/shuffle"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/progress"
	"github.com/gomlx/compute"
)

// Config sets an SFT run.
type Config struct {
	Adam policy.AdamConfig `json:"adam"`
	// BatchSize is the number of demonstrations per update.
	BatchSize int `json:"batch_size"`
	// Epochs is the number of passes over the training set; fractional
	// values stop part-way through the last pass.
	Epochs float64 `json:"epochs"`
	// WarmupSteps ramps the learning rate linearly from 0 over this many updates.
	WarmupSteps int `json:"warmup_steps"`
	// Schedule is "cosine" (decay to MinLRRatio·LearningRate at the end) or
	// "constant".
	Schedule string `json:"schedule"`
	// MinLRRatio is the final learning rate of the cosine schedule over the
	// peak one.
	MinLRRatio float64 `json:"min_lr_ratio"`
	// Fractions lists when to save checkpoints, as shares of all training
	// examples the run will see (Epochs × set size), increasing, in (0, 1].
	// The untrained model is always saved too, as fraction 0.
	Fractions []float64 `json:"fractions"`
	// Seed drives the data order. The model's own seed sets its weights.
	Seed uint64 `json:"seed"`
	// LogEvery is the number of updates averaged into one loss-curve point.
	LogEvery int `json:"log_every"`
}

// DefaultConfig returns the settings of the quick profile: batch 32, 10
// epochs, learning rate 1e-3 with 50 warm-up steps and cosine decay to 10%,
// checkpoints at 0.25, 0.5, 0.75 and 1.
func DefaultConfig() Config {
	return Config{
		Adam:        policy.DefaultAdam(),
		BatchSize:   32,
		Epochs:      10,
		WarmupSteps: 50,
		Schedule:    "cosine",
		MinLRRatio:  0.1,
		Fractions:   []float64{0.25, 0.5, 0.75, 1},
		Seed:        1,
		LogEvery:    10,
	}
}

// Validate reports the first setting that cannot run, naming the value and
// the fix.
func (c Config) Validate() error {
	if err := c.Adam.Validate(); err != nil {
		return err
	}
	switch {
	case c.BatchSize < 1:
		return fmt.Errorf("SFT batch size %d is invalid: it must be at least 1", c.BatchSize)
	case !(c.Epochs > 0) || math.IsInf(c.Epochs, 0):
		return fmt.Errorf("SFT epochs %g is invalid: it must be a positive number", c.Epochs)
	case c.WarmupSteps < 0:
		return fmt.Errorf("warm-up steps %d is invalid: it must be 0 or more", c.WarmupSteps)
	case c.Schedule != "cosine" && c.Schedule != "constant":
		return fmt.Errorf("learning-rate schedule %q is unknown: use \"cosine\" or \"constant\"", c.Schedule)
	case !(c.MinLRRatio >= 0 && c.MinLRRatio <= 1):
		return fmt.Errorf("minimum learning-rate ratio %g is invalid: it must be in [0, 1]", c.MinLRRatio)
	case c.LogEvery < 1:
		return fmt.Errorf("log interval %d is invalid: it must be at least 1 step", c.LogEvery)
	}
	return ValidateFractions(c.Fractions)
}

// ValidateFractions checks that checkpoint fractions are strictly increasing,
// inside (0, 1], and end at 1, the final model π_SFT.
func ValidateFractions(fractions []float64) error {
	if len(fractions) == 0 {
		return errors.New("no checkpoint fractions given: list at least one, e.g. 0.5,1")
	}
	for i, f := range fractions {
		if !(f > 0 && f <= 1) {
			return fmt.Errorf("checkpoint fraction %g is outside (0, 1]: "+
				"give shares of the training data, such as 0.25,0.5,0.75,1", f)
		}
		if i > 0 && f <= fractions[i-1] {
			return fmt.Errorf("checkpoint fractions must increase, but %g follows %g: sort them, "+
				"without repeats", f, fractions[i-1])
		}
	}
	if last := fractions[len(fractions)-1]; last != 1 {
		return fmt.Errorf("checkpoint fractions end at %g, so the final model would not be saved: "+
			"end the list with 1", last)
	}
	return nil
}

// CheckpointPath returns the file name used for the checkpoint at fraction f
// in dir, such as dir/sft-0.5.ckpt; fraction 0 is the untrained model.
func CheckpointPath(dir string, f float64) string {
	return filepath.Join(dir, "sft-"+strconv.FormatFloat(f, 'g', -1, 64)+".ckpt")
}

// maxSteps bounds the updates of one run, so that a mistyped epoch count
// fails at once instead of running for years.
const maxSteps = 100_000_000

// Checkpoint records one saved model.
type Checkpoint struct {
	Fraction     float64 `json:"fraction"`
	Step         int     `json:"step"`
	ExamplesSeen int     `json:"examples_seen"`
	Path         string  `json:"path"`
}

// LossPoint is the mean training loss over the LogEvery updates ending at Step.
type LossPoint struct {
	Step         int     `json:"step"`
	ExamplesSeen int     `json:"examples_seen"`
	Loss         float64 `json:"loss"`
}

// Result summarises a finished run.
type Result struct {
	Config      Config       `json:"config"`
	Examples    int          `json:"examples"`
	Steps       int          `json:"steps"`
	Checkpoints []Checkpoint `json:"checkpoints"`
	Loss        []LossPoint  `json:"loss"`
	// Tokens counts non-padding tokens processed by training steps.
	Tokens int `json:"tokens"`
	// Seconds is the wall time of the training steps, checkpoints included.
	Seconds float64 `json:"seconds"`
	// TokensPerSecond is Tokens / Seconds.
	TokensPerSecond float64 `json:"tokens_per_second"`
}

// LogName is the file, inside the output directory, that records a finished
// run's Result. It is written last, so its presence marks a complete run.
const LogName = "sft-log.json"

// Train fine-tunes m in place on data and writes checkpoints and the run log
// into dir. meta is copied into every checkpoint with its fraction, step and
// examples seen filled in; put the tokenizer there.
func Train(ctx context.Context, backend compute.Backend, m *policy.Model, data []policy.Sequence,
	cfg Config, dir string, meta policy.Metadata, rep progress.Reporter) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errors.New("no training demonstrations: the training split is empty")
	}
	for i, s := range data {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("demonstration %d: %w", i, err)
		}
		if len(s.Tokens) > m.Config.Context {
			return nil, fmt.Errorf("demonstration %d has %d tokens, more than the model context %d: "+
				"raise the context", i, len(s.Tokens), m.Config.Context)
		}
	}
	trainer, err := policy.NewTrainer(backend, m, cfg.Adam)
	if err != nil {
		return nil, err
	}
	rep = progress.Or(rep)
	trainJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	meta.Kind, meta.Train = "sft", trainJSON

	totalExamples := math.Ceil(cfg.Epochs * float64(len(data)))
	if totalExamples/float64(cfg.BatchSize) > maxSteps {
		return nil, fmt.Errorf("%g epochs of %d demonstrations in batches of %d is more than %d updates: "+
			"lower the epochs", cfg.Epochs, len(data), cfg.BatchSize, maxSteps)
	}
	total := int(totalExamples)
	steps := (total + cfg.BatchSize - 1) / cfg.BatchSize
	if cfg.WarmupSteps >= steps {
		return nil, fmt.Errorf("warm-up of %d updates is not shorter than the run's %d updates: "+
			"lower the warm-up", cfg.WarmupSteps, steps)
	}
	longest := 0
	for _, s := range data {
		longest = max(longest, len(s.Tokens))
	}
	need := m.Config.TrainingBytes(cfg.BatchSize, policy.BucketLength(longest, m.Config.Context))
	if err := policy.CheckMemory(need, device.TotalMemory(),
		fmt.Sprintf("training on batches of %d", cfg.BatchSize), "lower the batch size or the model size"); err != nil {
		return nil, err
	}
	res := &Result{Config: cfg, Examples: len(data), Steps: steps}
	save := func(f float64, seen int) error {
		meta.Fraction, meta.Step, meta.ExamplesSeen = f, trainer.Steps, seen
		path := CheckpointPath(dir, f)
		if err := policy.SaveCheckpoint(path, m, meta); err != nil {
			return err
		}
		res.Checkpoints = append(res.Checkpoints, Checkpoint{f, trainer.Steps, seen, path})
		return nil
	}
	if err := save(0, 0); err != nil {
		return nil, err
	}

	order := shuffle.New(data, cfg.Seed, 0xda7a)
	nextFraction := 0
	seen := 0
	lossSum, lossCount := 0.0, 0
	start := time.Now()
	rep.Start("SFT", steps)
	defer rep.Finish()
	for step := 1; step <= steps; step++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("SFT stopped at step %d of %d: %w; the checkpoints already in %s are "+
				"complete, but the run is not (it has no %s)", step, steps, err, dir, LogName)
		}
		n := min(cfg.BatchSize, total-seen)
		batchSeqs := order.Next(n)
		batch, mask, err := policy.SequenceBatch(batchSeqs, m.Config.Context, 0)
		if err != nil {
			return nil, err
		}
		responseTokens := 0.0
		for _, v := range mask {
			responseTokens += float64(v)
		}
		for i := range mask {
			mask[i] /= float32(responseTokens)
		}
		out, err := trainer.StepWithRate(batch, mask, learningRate(cfg, step, steps))
		if err != nil {
			return nil, fmt.Errorf("SFT: %w", err)
		}
		seen += n
		for _, s := range batchSeqs {
			res.Tokens += len(s.Tokens)
		}
		lossSum += out.Loss
		lossCount++
		if lossCount == cfg.LogEvery || step == steps {
			res.Loss = append(res.Loss, LossPoint{step, seen, lossSum / float64(lossCount)})
			lossSum, lossCount = 0, 0
		}
		for nextFraction < len(cfg.Fractions) &&
			(float64(seen) >= cfg.Fractions[nextFraction]*float64(total) || step == steps) {
			if err := save(cfg.Fractions[nextFraction], seen); err != nil {
				return nil, err
			}
			nextFraction++
		}
		rep.Step(1, fmt.Sprintf("loss %.3f", out.Loss))
	}
	res.Seconds = time.Since(start).Seconds()
	res.TokensPerSecond = float64(res.Tokens) / res.Seconds
	if err := jsonfile.Write(filepath.Join(dir, LogName), res); err != nil {
		return nil, err
	}
	return res, nil
}

// learningRate is the step size at update step (1-based) of steps: a linear
// warm-up, then constant or cosine decay to MinLRRatio of the peak.
func learningRate(cfg Config, step, steps int) float64 {
	peak := cfg.Adam.LearningRate
	if step <= cfg.WarmupSteps {
		return peak * float64(step) / float64(cfg.WarmupSteps)
	}
	if cfg.Schedule == "constant" || steps <= cfg.WarmupSteps {
		return peak
	}
	progress := float64(step-cfg.WarmupSteps) / float64(steps-cfg.WarmupSteps)
	floor := cfg.MinLRRatio * peak
	return floor + (peak-floor)*0.5*(1+math.Cos(math.Pi*progress))
}

// ReadLog reads the Result a finished run wrote into dir.
func ReadLog(dir string) (*Result, error) {
	var res Result
	if err := jsonfile.Read(filepath.Join(dir, LogName), &res); err != nil {
		return nil, err
	}
	return &res, nil
}
