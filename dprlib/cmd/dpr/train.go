package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/dpr"
	"github.com/dprkit/dprkit/dprlib/eval"
	"github.com/dprkit/dprkit/dprlib/experiment"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
	"github.com/dprkit/dprkit/dprlib/sft"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

func runSFT(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "sft", "sft")
	def := experiment.Quick()
	split := fs.String("split", def.Split, "task to train on: a SCAN split gen-p1 … gen-p16 (generated, no files), "+
		"simple, length, simple-p1 … simple-p16 (official files), or inflection-english, -spanish, -german")
	dataDir := dataDirFlag(fs)
	out := fs.String("out", "", "folder for the checkpoints sft-<fraction>.ckpt and sft-log.json (required)")
	seed := fs.Uint64("seed", 1, "random seed of the initial weights and the data order")
	cfg := def.SFT
	fs.Float64Var(&cfg.Epochs, "epochs", cfg.Epochs, "passes over the training set (may be fractional)")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "demonstrations per update")
	fs.Float64Var(&cfg.Adam.LearningRate, "lr", cfg.Adam.LearningRate, "peak Adam learning rate")
	fs.IntVar(&cfg.WarmupSteps, "warmup", cfg.WarmupSteps, "updates of linear learning-rate warm-up")
	fs.StringVar(&cfg.Schedule, "schedule", cfg.Schedule, "learning-rate schedule after warm-up: cosine or constant")
	fs.Float64Var(&cfg.Adam.WeightDecay, "weight-decay", cfg.Adam.WeightDecay,
		"AdamW decay rate of matrices and embeddings (default 0, off)")
	fractions := floatList(cfg.Fractions)
	fs.Var(&fractions, "fractions", "checkpoint points as shares of all training examples the run sees, "+
		"increasing, in (0, 1], ending at 1; the untrained model is saved too, as sft-0.ckpt")
	fs.IntVar(&cfg.LogEvery, "log-every", cfg.LogEvery, "updates averaged into each loss-curve point")

	model := modelFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{errors.New("missing -out: name the folder for the checkpoints")}
	}
	if err := checkEmptyRunDir(*out); err != nil {
		return usageError{err}
	}
	cfg.Fractions, cfg.Seed = fractions, *seed
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}

	dir, err := datapath.Resolve(*dataDir)
	if err != nil {
		return err
	}
	task, err := experiment.LoadTask(dir, *split, 0)
	if err != nil {
		return err
	}
	model.VocabSize = task.Tokenizer.VocabSize()
	if err := model.Validate(); err != nil {
		return usageError{err}
	}
	m, err := policy.New(*model, *seed)
	if err != nil {
		return err
	}

	backend, err := device.Backend()
	if err != nil {
		return err
	}
	meta := policy.Metadata{Seed: *seed, Task: *split}
	if meta.Tokenizer, err = json.Marshal(task.Tokenizer); err != nil {
		return err
	}
	env.logger.Info("SFT", "split", *split, "examples", len(task.Demos), "params", model.NumParams(),
		"backend", device.Config())
	res, err := sft.Train(ctx, backend, m, task.Demos, cfg, *out, meta, env.progress)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%d updates in %.1f s (%.0f tokens/s), final loss %.4f\n",
		res.Steps, res.Seconds, res.TokensPerSecond, res.Loss[len(res.Loss)-1].Loss)
	for _, c := range res.Checkpoints {
		fmt.Fprintf(env.stdout, "fraction %-5g step %-6d %s\n", c.Fraction, c.Step, c.Path)
	}
	return nil
}

// dprOptions are the parsed flags of "dpr dpr".
type dprOptions struct {
	sftPath, refPath, split, dataDir, out string
	evalCount                             int
	cfg                                   dpr.Config
	// splitSet reports that -split was given, so it is not replaced by the
	// task recorded in the SFT checkpoint.
	splitSet bool
}

// parseDPRFlags registers and parses the flags of "dpr dpr" and checks them.
func parseDPRFlags(env *environment, args []string) (*dprOptions, error) {
	fs := newFlagSet(env, "dpr", "dpr")
	def := experiment.Quick()
	o := &dprOptions{cfg: def.DPR}
	fs.StringVar(&o.sftPath, "sft", "", "π_SFT checkpoint: the reward's first term, the KL anchor and the start (required)")
	fs.StringVar(&o.refPath, "ref", "", "π_ref checkpoint, an earlier SFT checkpoint (required unless -reward sft-only)")
	fs.StringVar(&o.split, "split", def.Split, "task (SCAN split or inflection-<language>) whose training "+
		"prompts are the DPR prompts and whose held-out prompts are scored")
	dataDir := dataDirFlag(fs)
	fs.StringVar(&o.out, "out", "", "folder for dpr-final.ckpt, dpr-log.json and eval-dpr.json (required)")

	cfg := &o.cfg
	fs.IntVar(&cfg.Steps, "steps", cfg.Steps, "policy updates")
	fs.IntVar(&cfg.PromptsPerStep, "prompts-per-step", cfg.PromptsPerStep, "distinct prompts per update")
	fs.IntVar(&cfg.SamplesPerPrompt, "samples-per-prompt", cfg.SamplesPerPrompt, "responses sampled per prompt")
	fs.Float64Var(&cfg.Temperature, "tau", cfg.Temperature, "sampling temperature τ > 0")
	fs.IntVar(&cfg.TopK, "top-k", cfg.TopK, "sample among the k most likely tokens only; 0 is off")
	fs.Float64Var(&cfg.TopP, "top-p", cfg.TopP, "nucleus sampling mass in (0, 1]; 0 is off")
	fs.IntVar(&cfg.MaxNewTokens, "max-new-tokens", cfg.MaxNewTokens,
		"longest response in tokens, EOS included; prompt and response must fit the model context")
	fs.Float64Var(&cfg.Gamma, "gamma", cfg.Gamma, "discount γ ∈ (0, 1] of the returns-to-go")
	fs.Float64Var(&cfg.Beta, "beta", cfg.Beta, "KL coefficient β ≥ 0 of the per-token penalty to π_SFT")
	kl := fs.String("kl", string(cfg.KLEstimator), "KL estimator in the reward: k1, k2 or k3")
	fs.BoolVar(&cfg.Baseline, "baseline", cfg.Baseline, "subtract the mean return-to-go of the prompt's "+
		"other samples (with one sample per prompt the baseline is 0)")
	rewardKind := fs.String("reward", string(cfg.Reward), "dense reward: log-ratio (log π_SFT − log π_ref) "+
		"or sft-only (log π_SFT, the baseline-removal variant)")
	fs.Float64Var(&cfg.RewardScale, "reward-scale", cfg.RewardScale, "factor c on r̂ before the KL penalty")
	fs.Float64Var(&cfg.VerifierWeight, "verifier-weight", cfg.VerifierWeight, "weight α ∈ [0, 1] of the SCAN "+
		"verifier's 0/1 score paid at the last token, the dense reward getting 1 − α; 1 is a verifier-only "+
		"control (default 0, the dense reward alone)")
	fs.Float64Var(&cfg.Adam.LearningRate, "lr", cfg.Adam.LearningRate, "Adam learning rate (constant)")
	fs.IntVar(&cfg.EvalEvery, "eval-every", cfg.EvalEvery,
		"updates between held-out evaluations; 0 scores only the start and end")
	fs.IntVar(&o.evalCount, "eval-count", def.EvalCount, "held-out commands scored (fixed random subset); 0 scores all")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed of the prompt order and the sampling")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}

	o.dataDir = *dataDir
	fs.Visit(func(f *flag.Flag) { o.splitSet = o.splitSet || f.Name == "split" })
	cfg.KLEstimator, cfg.Reward = dpr.KLEstimator(*kl), reward.Kind(*rewardKind)
	switch {
	case o.sftPath == "":
		return nil, usageError{errors.New("missing -sft: give the final SFT checkpoint, e.g. run/sft-1.ckpt")}
	case cfg.Reward == reward.SFTOnly && o.refPath != "":
		return nil, usageError{errors.New("-ref is unused with -reward sft-only, whose reward is log π_SFT " +
			"alone: drop -ref, or use -reward log-ratio")}
	case o.refPath != "" && filepath.Clean(o.refPath) == filepath.Clean(o.sftPath):
		return nil, usageError{fmt.Errorf("-ref and -sft are the same file %s, so the dense reward would "+
			"be 0 everywhere: give an earlier checkpoint as -ref, such as sft-0.5.ckpt", o.refPath)}
	case o.out == "":
		return nil, usageError{errors.New("missing -out: name the folder for the DPR checkpoint and log")}
	case o.evalCount < 0:
		return nil, usageError{fmt.Errorf("-eval-count %d is invalid: use 0 (all) or a positive count", o.evalCount)}
	}
	if err := cfg.Validate(); err != nil {
		return nil, usageError{err}
	}
	return o, nil
}

func runDPR(ctx context.Context, env *environment, args []string) error {
	o, err := parseDPRFlags(env, args)
	if err != nil {
		return err
	}
	cfg := o.cfg

	sftModel, meta, err := readCheckpoint(o.sftPath, "π_SFT")
	if err != nil {
		return err
	}
	o.split = checkpointTask(env, o.sftPath, meta, o.split, o.splitSet)
	dir, err := datapath.Resolve(o.dataDir)
	if err != nil {
		return err
	}
	task, err := experiment.LoadTask(dir, o.split, o.evalCount)
	if err != nil {
		return err
	}
	if err := checkTokenizer(o.sftPath, "π_SFT", sftModel, meta, task.Tokenizer, task.Name); err != nil {
		return err
	}
	var refModel *policy.Model
	if cfg.Reward == reward.LogRatio {
		if o.refPath == "" {
			return usageError{errors.New("missing -ref: the log-ratio reward needs an earlier SFT " +
				"checkpoint such as sft-0.5.ckpt, or pass -reward sft-only")}
		}
		if refModel, err = loadReference(o.refPath, o.sftPath, sftModel, task.Tokenizer, task.Name); err != nil {
			return err
		}
	}
	backend, err := device.Backend()
	if err != nil {
		return err
	}
	sampler, err := policy.NewSampler(backend, sftModel.Config)
	if err != nil {
		return err
	}
	evaluator := &eval.Evaluator{Sampler: sampler, Tokenizer: task.Tokenizer}
	decoding := eval.Greedy()
	meta.Seed = cfg.Seed
	run := dpr.Run{
		Backend: backend, SFT: sftModel, Ref: refModel, Prompts: task.Prompts,
		EOS: tokenizer.EOSID, Pad: tokenizer.PadID, Dir: o.out, Meta: meta, Progress: env.progress,
		Verifier: task.Verifier(),
		Eval: func(m *policy.Model) (float64, error) {
			r, err := evaluator.Evaluate(ctx, m, task.Eval, decoding)
			return r.ExactMatch, err
		},
	}
	theta, res, err := dpr.Train(ctx, run, cfg)
	if err != nil {
		return err
	}

	final, err := evaluator.Evaluate(ctx, theta, task.Eval, decoding)
	if err != nil {
		return err
	}
	report := eval.Report{Config: cfg, Seed: cfg.Seed, Checkpoint: filepath.Join(o.out, dpr.FinalCheckpoint),
		Split: o.split, Decoding: decoding, Result: final}
	if err := eval.WriteReport(filepath.Join(o.out, "eval-dpr.json"), report); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%d updates in %.1f s; held-out exact match %.1f%% → %.1f%% on %d commands\n",
		cfg.Steps, res.Seconds, 100*res.Evals[0].ExactMatch, 100*final.ExactMatch, final.Count)
	return nil
}

// dataDirFlag registers -data-dir, the folder of the official datasets.
func dataDirFlag(fs *flag.FlagSet) *string {
	return fs.String("data-dir", "", "folder holding the official datasets (default $DPR_DATA_DIR, "+
		"then shared/data beside the repository, then the user cache)")
}
