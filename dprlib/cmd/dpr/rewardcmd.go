package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
	"github.com/dprkit/dprkit/dprlib/scan"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

func runReward(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "reward", "reward")
	sftPath := fs.String("sft", "", "π_SFT checkpoint (required)")
	refPath := fs.String("ref", "", "π_ref checkpoint, an earlier SFT checkpoint (required)")
	command := fs.String("command", "", "SCAN command, e.g. \"jump twice after walk left\" (required)")
	response := fs.String("response", "", "space-separated actions to score (default: the correct ones)")

	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *sftPath == "" || *refPath == "" || *command == "" {
		return usageError{errors.New("-sft, -ref and -command are required")}
	}
	actions := strings.Fields(*response)
	if *response == "" {
		var err error
		if actions, err = scan.Interpret(*command); err != nil {
			return usageError{err}
		}
	}

	sftModel, _, err := loadPolicy(*sftPath, "π_SFT", tokenizer.ForSCAN(), "SCAN")
	if err != nil {
		return err
	}
	if filepath.Clean(*refPath) == filepath.Clean(*sftPath) {
		return usageError{fmt.Errorf("-ref and -sft are the same file %s, so the dense reward would be 0 "+
			"everywhere: give an earlier checkpoint as -ref, such as sft-0.5.ckpt", *refPath)}
	}
	refModel, err := loadReference(*refPath, *sftPath, sftModel, tokenizer.ForSCAN(), "SCAN")
	if err != nil {
		return err
	}
	tok := tokenizer.ForSCAN()
	ids, promptLen, err := tok.EncodeExample(strings.Fields(*command), actions)
	if err != nil {
		return usageError{err}
	}

	backend, err := device.Backend()
	if err != nil {
		return err
	}
	scorer, err := policy.NewScorer(backend, sftModel.Config)
	if err != nil {
		return err
	}
	dense, err := reward.NewScorer(scorer, reward.LogRatio, sftModel, refModel)
	if err != nil {
		return err
	}
	seq := policy.Sequence{Tokens: ids, PromptLen: promptLen}
	d, err := dense.Score([]policy.Sequence{seq}, 1)
	if err != nil {
		return err
	}

	words := tok.Decode(seq.Response())
	fmt.Fprintf(env.stdout, "dense reward of %q (nats)\n", *command)
	fmt.Fprintf(env.stdout, "%-14s %12s %12s %10s\n", "token", "log π_SFT", "log π_ref", "r̂")
	for t, w := range words {
		fmt.Fprintf(env.stdout, "%-14s %12.4f %12.4f %10.4f\n", w, d.SFTLogProb[0][t], d.RefLogProb[0][t],
			d.Reward[0][t])
	}
	fmt.Fprintf(env.stdout, "%-14s %12.4f %12.4f %10.4f\n", "sum", reward.Sum(d.SFTLogProb[0]),
		reward.Sum(d.RefLogProb[0]), reward.Sum(d.Reward[0]))
	return nil
}
