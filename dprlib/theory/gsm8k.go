package theory

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/gsm8k"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/sft"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// GSM8KConfig sizes the natural-language run: a small word-level model
// trained briefly on GSM8K solutions, question as prompt and worked answer
// as response.
type GSM8KConfig struct {
	// Examples is the number of training solutions, from the start of
	// train.jsonl; VocabularyWords the words kept before <unk>.
	Examples, VocabularyWords int
	Model                     policy.Config
	SFT                       sft.Config
	Seed                      uint64
}

// DefaultGSM8K returns 800 solutions of at most 192 tokens, a 2,000-word
// vocabulary, width 64 with 2 blocks, and one SFT epoch in batches of 16
// with checkpoints at half and all of the data.
func DefaultGSM8K() GSM8KConfig {
	s := sft.DefaultConfig()
	s.BatchSize, s.Epochs, s.WarmupSteps, s.LogEvery = 16, 1, 10, 5
	s.Adam.LearningRate = 3e-3
	s.Fractions = []float64{0.5, 1}
	return GSM8KConfig{
		Examples: 800, VocabularyWords: 2000,
		Model: policy.Config{Width: 64, Depth: 2, Heads: 4, Context: 192, MLPRatio: 2},
		SFT:   s, Seed: 1,
	}
}

// runGSM8K trains (or reuses) the GSM8K run and checks its checkpoints. It
// returns skipped checks when the GSM8K files are not in the data folder.
func runGSM8K(ctx context.Context, opts Options, log *slog.Logger) (*ModelReport, error) {
	cfg := opts.GSM8K
	examples, err := gsm8k.Load(opts.DataDir, "train")
	if err != nil {
		log.Info("theory: GSM8K checks skipped", "reason", err)
		return &ModelReport{Checks: []Check{Skip(NameIQLearn, LevelGSM8K,
			"GSM8K not found in the data folder; run \"dpr data fetch -dataset gsm8k\" or set --data-dir")}}, nil
	}
	examples = examples[:min(cfg.Examples, len(examples))]
	tok, err := tokenizer.New(gsm8k.Vocabulary(examples, cfg.VocabularyWords))
	if err != nil {
		return nil, err
	}
	demos, skipped, err := gsm8k.Encode(tok, examples, cfg.Model.Context)
	if err != nil {
		return nil, err
	}
	model := cfg.Model
	model.VocabSize = tok.VocabSize()

	sftCfg := cfg.SFT
	sftCfg.Seed = cfg.Seed
	key, err := jsonfile.Hash(struct {
		Config GSM8KConfig
		Vocab  int
	}{cfg, model.VocabSize})
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(opts.WorkDir, "gsm8k-"+key[:12])
	backend, err := device.Backend()
	if err != nil {
		return nil, err
	}
	if _, err := sft.ReadLog(dir); err != nil {
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		log.Info("theory: GSM8K SFT", "solutions", len(demos), "skipped_long", skipped,
			"vocabulary", model.VocabSize, "dir", dir)
		m, err := policy.New(model, cfg.Seed)
		if err != nil {
			return nil, err
		}
		meta := policy.Metadata{Seed: cfg.Seed}
		if meta.Tokenizer, err = json.Marshal(tok); err != nil {
			return nil, err
		}
		if _, err := sft.Train(ctx, backend, m, demos, sftCfg, dir, meta, opts.Progress); err != nil {
			return nil, err
		}
	}
	var stages []Stage
	for _, f := range []struct {
		name     string
		fraction float64
	}{{"untrained", 0}, {"half", 0.5}, {"trained", 1}} {
		m, _, err := policy.LoadCheckpoint(sft.CheckpointPath(dir, f.fraction))
		if err != nil {
			return nil, fmt.Errorf("GSM8K run %s is damaged (%w): delete it and run again", dir, err)
		}
		stages = append(stages, Stage{Name: f.name, Model: m})
	}
	scorer, err := policy.NewScorer(backend, model)
	if err != nil {
		return nil, err
	}
	checked := demos[:min(opts.Demonstrations/2, len(demos))]
	log.Info("theory: GSM8K transformer", "demonstrations", len(checked))
	return RunModel(LevelGSM8K, scorer, stages, stages[1], checked, 16, cfg.Seed)
}
