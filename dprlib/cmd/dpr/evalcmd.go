package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/eval"
	"github.com/dprkit/dprkit/dprlib/experiment"
	"github.com/dprkit/dprkit/dprlib/policy"
)

func runEval(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "eval", "eval")
	def := experiment.Quick()
	ckpt := fs.String("checkpoint", "", "policy checkpoint to score (required)")
	split := fs.String("split", def.Split, "task whose held-out prompts are scored: a SCAN split or "+
		experiment.InflectionPrefix+"<language>")
	dataDir := dataDirFlag(fs)
	count := fs.Int("eval-count", def.EvalCount, "held-out prompts scored (fixed random subset); 0 scores all")
	opts := eval.Greedy()
	fs.Float64Var(&opts.Temperature, "tau", 0, "decoding temperature: 0 is greedy, τ > 0 samples")
	fs.IntVar(&opts.TopK, "top-k", 0, "sample among the k most likely tokens only; 0 is off")
	fs.Float64Var(&opts.TopP, "top-p", 0, "nucleus sampling mass in (0, 1]; 0 is off")
	fs.IntVar(&opts.MaxNewTokens, "max-new-tokens", opts.MaxNewTokens,
		"longest response in tokens, EOS included; 0 allows up to the model context")
	fs.IntVar(&opts.BatchSize, "batch", opts.BatchSize, "commands decoded together")
	fs.Uint64Var(&opts.Seed, "seed", 1, "random seed of sampled decoding")
	out := fs.String("out", "", "write the report with every prediction to this JSON file")
	show := fs.Int("show", 5, "print this many wrong predictions")

	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ckpt == "" {
		return usageError{errors.New("missing -checkpoint: give a .ckpt file from dpr sft or dpr dpr")}
	}
	switch {
	case *count < 0:
		return usageError{fmt.Errorf("-eval-count %d is invalid: use 0 (all) or a positive count", *count)}
	case opts.BatchSize < 1:
		return usageError{fmt.Errorf("-batch %d is invalid: decode at least 1 command at a time", opts.BatchSize)}
	case *show < 0:
		return usageError{fmt.Errorf("-show %d is invalid: use 0 or a positive count", *show)}
	}
	if err := checkOutputFile(*out); err != nil {
		return usageError{err}
	}
	if err := (policy.SampleOptions{Temperature: opts.Temperature, TopK: opts.TopK, TopP: opts.TopP,
		MaxNewTokens: opts.MaxNewTokens}).Validate(); err != nil {
		return usageError{err}
	}

	splitSet := false
	fs.Visit(func(f *flag.Flag) { splitSet = splitSet || f.Name == "split" })
	m, meta, err := readCheckpoint(*ckpt, "policy")
	if err != nil {
		return err
	}
	*split = checkpointTask(env, *ckpt, meta, *split, splitSet)
	dir, err := datapath.Resolve(*dataDir)
	if err != nil {
		return err
	}
	task, err := experiment.LoadTask(dir, *split, *count)
	if err != nil {
		return err
	}
	if err := checkTokenizer(*ckpt, "policy", m, meta, task.Tokenizer, task.Name); err != nil {
		return err
	}

	backend, err := device.Backend()
	if err != nil {
		return err
	}
	sampler, err := policy.NewSampler(backend, m.Config)
	if err != nil {
		return err
	}
	res, err := (&eval.Evaluator{Sampler: sampler, Tokenizer: task.Tokenizer}).Evaluate(ctx, m, task.Eval, opts)
	if err != nil {
		return err
	}

	fmt.Fprintf(env.stdout, "%s (%s, step %d): exact match %.1f%%, mean edit distance %.2f tokens, "+
		"%d held-out prompts of %s, %.1f s\n", *ckpt, meta.Kind, meta.Step, 100*res.ExactMatch,
		res.MeanEditDistance, res.Count, *split, res.Seconds)
	shown := 0
	for _, p := range res.Predictions {
		if p.ExactMatch || shown >= *show {
			continue
		}
		shown++
		fmt.Fprintf(env.stdout, "  %q\n    got  %s\n    want %s\n", p.Prompt,
			strings.Join(p.Response, " "), strings.Join(p.Expected, " "))
	}
	if *out != "" {
		report := eval.Report{Config: meta, Seed: opts.Seed, Checkpoint: *ckpt, Split: *split, Decoding: opts,
			Result: res}
		if err := eval.WriteReport(*out, report); err != nil {
			return err
		}
	}
	return nil
}
