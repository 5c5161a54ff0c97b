package theory

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/dprkit/dprkit/dprlib/experiment"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/progress"
)

// Options sets a full theory run.
type Options struct {
	Tree TreeConfig
	// SCAN is the profile of the SCAN transformer whose checkpoints are
	// checked; only its first seed is used.
	SCAN experiment.Profile
	// Demonstrations is the number of training demonstrations checked on
	// each transformer.
	Demonstrations int
	// WorkDir keeps the transformer runs; finished ones are reused.
	WorkDir string
	// GSM8K sizes the natural-language run.
	GSM8K GSM8KConfig
	// DataDir holds the official datasets (GSM8K); without them the GSM8K
	// checks are skipped.
	DataDir  string
	Progress progress.Reporter
	Logger   *slog.Logger
}

// SCANProfile returns the small SCAN run used by the theory checks: width
// 48, 2 blocks, 8 epochs of gen-p4 (836 commands), checkpoints at 0, 0.5, 1.
// It trains in seconds, and every identity must hold at any parameters.
func SCANProfile() experiment.Profile {
	p := experiment.Smoke()
	p.Name = "theory"
	p.Split = "gen-p4"
	p.Seeds = []uint64{1}
	p.Model = policy.Config{Width: 48, Depth: 2, Heads: 4, Context: 64, MLPRatio: 2}
	p.SFT.Epochs, p.SFT.BatchSize, p.SFT.WarmupSteps = 8, 32, 20
	p.SFT.Fractions = []float64{0.5, 1}
	return p
}

// DefaultOptions returns the tree suite, the SCAN profile and 64
// demonstrations per transformer.
func DefaultOptions(workDir, dataDir string) Options {
	return Options{Tree: DefaultTree(), SCAN: SCANProfile(), GSM8K: DefaultGSM8K(), Demonstrations: 64,
		WorkDir: workDir, DataDir: dataDir}
}

// Report gathers every check and the data behind the figures.
type Report struct {
	Checks  []Check      `json:"checks"`
	Tree    *TreeReport  `json:"-"`
	SCAN    *ModelReport `json:"-"`
	GSM8K   *ModelReport `json:"-"`
	Seconds float64      `json:"seconds"`
}

// Failed returns the checks that did not pass.
func (r *Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.Pass() {
			out = append(out, c)
		}
	}
	return out
}

// Run runs the tree suite and the checks on the SCAN and GSM8K transformers.
func Run(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rep := &Report{}
	log.Info("theory: tree MDP", "vocab", opts.Tree.Vocab, "horizon", opts.Tree.Horizon)
	tree, err := RunTree(opts.Tree)
	if err != nil {
		return nil, fmt.Errorf("tree MDP: %w", err)
	}
	rep.Tree = tree
	rep.Checks = append(rep.Checks, tree.Checks...)

	scan, err := runSCAN(ctx, opts, log)
	if err != nil {
		return nil, fmt.Errorf("SCAN transformer: %w", err)
	}
	rep.SCAN = scan
	rep.Checks = append(rep.Checks, scan.Checks...)

	natural, err := runGSM8K(ctx, opts, log)
	if err != nil {
		return nil, fmt.Errorf("GSM8K transformer: %w", err)
	}
	rep.GSM8K = natural
	rep.Checks = append(rep.Checks, natural.Checks...)
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// runSCAN trains (or reuses) the small SCAN run and checks its checkpoints.
func runSCAN(ctx context.Context, opts Options, log *slog.Logger) (*ModelReport, error) {
	pl, err := experiment.NewPipeline(opts.SCAN, opts.DataDir, opts.WorkDir)
	if err != nil {
		return nil, err
	}
	pl.Progress, pl.Logger = opts.Progress, log
	run, err := pl.SFT(ctx, opts.SCAN.Seeds[0])
	if err != nil {
		return nil, err
	}
	var stages []Stage
	for _, f := range []struct {
		name     string
		fraction float64
	}{{"untrained", 0}, {"half", 0.5}, {"trained", 1}} {
		m, err := run.Checkpoint(f.fraction)
		if err != nil {
			return nil, err
		}
		stages = append(stages, Stage{Name: f.name, Model: m})
	}
	scorer, err := policy.NewScorer(pl.Backend, pl.Profile.Model)
	if err != nil {
		return nil, err
	}
	demos := pl.Task.Demos[:min(opts.Demonstrations, len(pl.Task.Demos))]
	log.Info("theory: SCAN transformer", "demonstrations", len(demos), "run", run.Dir)
	return RunModel(LevelSCAN, scorer, stages, stages[1], demos, 32, opts.SCAN.Seeds[0])
}
