package experiment

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/dpr"
	"github.com/dprkit/dprkit/dprlib/eval"
	"github.com/dprkit/dprkit/dprlib/figures"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/progress"
	"github.com/dprkit/dprkit/dprlib/reward"
	"github.com/dprkit/dprkit/dprlib/sft"
	"github.com/dprkit/dprkit/dprlib/stats"
)

// Options sets where a reproduction reads and writes.
type Options struct {
	Profile Profile
	// DataDir holds the official SCAN files; unused for gen-* splits.
	DataDir string
	// WorkDir receives checkpoints, training logs and evaluation reports. A
	// stage whose configuration hash matches a finished one there is reused.
	WorkDir string
	// OutDir receives the figures, their data and summary.json.
	OutDir   string
	Progress progress.Reporter
	// Logger reports stages; nil discards.
	Logger *slog.Logger
	// StoredOnly redraws from the run store and trains nothing: a missing
	// stage is an error wrapping ErrNotStored.
	StoredOnly bool
}

// SeedResult is one seed's SFT and DPR outcome on the held-out commands.
type SeedResult struct {
	Seed uint64 `json:"seed"`
	// SFTExactMatch and DPRExactMatch are shares in [0, 1].
	SFTExactMatch float64 `json:"sft_exact_match"`
	DPRExactMatch float64 `json:"dpr_exact_match"`
	// SFTEditDistance and DPREditDistance are mean token edit distances.
	SFTEditDistance float64 `json:"sft_edit_distance"`
	DPREditDistance float64 `json:"dpr_edit_distance"`
	// SFTTokensPerSecond is the training throughput of the SFT run.
	SFTTokensPerSecond float64 `json:"sft_tokens_per_second"`
	SFTSeconds         float64 `json:"sft_seconds"`
	DPRSeconds         float64 `json:"dpr_seconds"`
	// Dir is the seed's folder under the work directory.
	Dir string `json:"dir"`
}

// Stats summarises one number over seeds.
type Stats struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	// Std is the sample standard deviation (n − 1 denominator); 0 for n = 1.
	Std float64 `json:"std"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// Describe returns the statistics of xs.
func Describe(xs []float64) Stats {
	s := Stats{N: len(xs), Min: math.Inf(1), Max: math.Inf(-1)}
	if len(xs) == 0 {
		return Stats{}
	}
	for _, x := range xs {
		s.Mean += x
		s.Min = math.Min(s.Min, x)
		s.Max = math.Max(s.Max, x)
	}
	s.Mean /= float64(len(xs))
	if len(xs) > 1 {
		for _, x := range xs {
			s.Std += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(s.Std / float64(len(xs)-1))
	}
	return s
}

// Machine records where a run happened.
type Machine struct {
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go_version"`
	Backend   string `json:"backend"`
}

func currentMachine() Machine {
	return Machine{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(),
		GoVersion: runtime.Version(), Backend: device.Config()}
}

// Summary is the JSON written by Reproduce.
type Summary struct {
	Profile    Profile      `json:"profile"`
	ConfigHash string       `json:"config_hash"`
	Machine    Machine      `json:"machine"`
	EvalCount  int          `json:"eval_count"`
	Seeds      []SeedResult `json:"seeds"`
	// SFTExactMatch, DPRExactMatch and Improvement (DPR − SFT, paired by
	// seed) summarise exact match over seeds.
	SFTExactMatch Stats `json:"sft_exact_match"`
	DPRExactMatch Stats `json:"dpr_exact_match"`
	Improvement   Stats `json:"improvement"`
	// The same as 95% percentile-bootstrap intervals, as every ablation
	// reports them; ImprovementCI resamples seeds jointly.
	SFTExactMatchCI stats.Interval `json:"sft_exact_match_ci"`
	DPRExactMatchCI stats.Interval `json:"dpr_exact_match_ci"`
	ImprovementCI   stats.Interval `json:"improvement_ci"`
	Figures         []string       `json:"figures"`
}

// SummaryName is the file Reproduce writes into the output directory.
const SummaryName = "summary.json"

// Reproduce runs SFT, the dense reward and DPR against SFT for every seed of
// the profile, then writes the figures and summary.json into opts.OutDir.
func Reproduce(ctx context.Context, opts Options) (*Summary, error) {
	start := time.Now()
	p := opts.Profile
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if opts.WorkDir == "" || opts.OutDir == "" {
		return nil, fmt.Errorf("reproduce needs a work directory and an output directory")
	}
	// Fail now, not after hours of training, if an output folder cannot exist.
	for _, dir := range []string{opts.OutDir, opts.WorkDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create output folder %s: %w; give -work and -out folder paths that "+
				"can be created", dir, err)
		}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pl, err := NewPipeline(p, opts.DataDir, opts.WorkDir)
	if err != nil {
		return nil, err
	}
	pl.Progress, pl.Logger, pl.StoredOnly = opts.Progress, log, opts.StoredOnly
	p = pl.Profile
	hash, err := jsonfile.Hash(p)
	if err != nil {
		return nil, err
	}
	log.Info("reproduce", "profile", p.Name, "split", p.Split, "train", len(pl.Task.Demos),
		"eval", len(pl.Task.Eval), "seeds", len(p.Seeds), "backend", device.Config())

	sum := &Summary{Profile: p, ConfigHash: hash, EvalCount: len(pl.Task.Eval), Machine: currentMachine()}
	var lossCurves []figures.LossCurve
	var dprCurves []figures.DPRCurve
	var heatmaps []figures.Heatmap
	for i, seed := range p.Seeds {
		r, err := pl.runSeed(ctx, seed)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", seed, err)
		}
		sum.Seeds = append(sum.Seeds, r.result)
		lossCurves = append(lossCurves, LossCurve(r.sft.Result))
		dprCurves = append(dprCurves, DPRCurve(seed, r.dpr.Result, r.result.SFTExactMatch))
		if i == 0 {
			heatmaps, err = pl.RewardHeatmaps(r.sft, r.sftEval)
			if err != nil {
				return nil, err
			}
		}
	}

	var sftEM, dprEM, diff []float64
	for _, r := range sum.Seeds {
		sftEM = append(sftEM, r.SFTExactMatch)
		dprEM = append(dprEM, r.DPRExactMatch)
		diff = append(diff, r.DPRExactMatch-r.SFTExactMatch)
	}
	sum.SFTExactMatch, sum.DPRExactMatch, sum.Improvement = Describe(sftEM), Describe(dprEM), Describe(diff)
	boot := stats.DefaultOptions()
	if sum.SFTExactMatchCI, err = stats.BootstrapMean(sftEM, boot); err != nil {
		return nil, err
	}
	if sum.DPRExactMatchCI, err = stats.BootstrapMean(dprEM, boot); err != nil {
		return nil, err
	}
	if sum.ImprovementCI, err = stats.PairedDifference(dprEM, sftEM, boot); err != nil {
		return nil, err
	}

	for _, write := range []func() ([]string, error){
		func() ([]string, error) { return figures.SFTLoss(opts.OutDir, "sft-loss", lossCurves) },
		func() ([]string, error) { return figures.DPRTraining(opts.OutDir, "dpr-training", dprCurves) },
		func() ([]string, error) { return figures.RewardHeatmaps(opts.OutDir, "reward-heatmap", heatmaps) },
	} {
		paths, err := write()
		if err != nil {
			return nil, fmt.Errorf("write figure: %w", err)
		}
		sum.Figures = append(sum.Figures, paths...)
	}
	if err := jsonfile.Write(filepath.Join(opts.OutDir, SummaryName), sum); err != nil {
		return nil, err
	}
	log.Info("reproduce finished", "seconds", math.Round(time.Since(start).Seconds()),
		"sft_exact_match", sum.SFTExactMatch.Mean, "dpr_exact_match", sum.DPRExactMatch.Mean)
	return sum, nil
}

// seedRun holds the stages and scores of one seed.
type seedRun struct {
	result  SeedResult
	sft     *SFTRun
	sftEval eval.Result
	dpr     *DPRRun
}

// runSeed trains (or reuses) SFT, evaluates it, runs (or reuses) DPR and
// evaluates the DPR policy.
func (pl *Pipeline) runSeed(ctx context.Context, seed uint64) (*seedRun, error) {
	s, err := pl.SFT(ctx, seed)
	if err != nil {
		return nil, err
	}
	out := &seedRun{sft: s, result: SeedResult{Seed: seed, Dir: s.Dir,
		SFTTokensPerSecond: s.Result.TokensPerSecond, SFTSeconds: s.Result.Seconds}}
	out.sftEval, err = pl.Evaluate(ctx, s.Model, seed, filepath.Join(s.Dir, "eval-sft.json"),
		sft.CheckpointPath(s.Dir, 1))
	if err != nil {
		return nil, err
	}
	out.result.SFTExactMatch = out.sftEval.ExactMatch
	out.result.SFTEditDistance = out.sftEval.MeanEditDistance
	pl.log().Info("SFT evaluated", "seed", seed, "exact_match", out.sftEval.ExactMatch)

	if out.dpr, err = pl.DPR(ctx, s); err != nil {
		return nil, err
	}
	out.result.DPRSeconds = out.dpr.Result.Seconds
	dprEval, err := pl.Evaluate(ctx, out.dpr.Model, seed, filepath.Join(out.dpr.Dir, "eval-dpr.json"),
		filepath.Join(out.dpr.Dir, dpr.FinalCheckpoint))
	if err != nil {
		return nil, err
	}
	out.result.DPRExactMatch, out.result.DPREditDistance = dprEval.ExactMatch, dprEval.MeanEditDistance
	pl.log().Info("DPR evaluated", "seed", seed, "exact_match", dprEval.ExactMatch)
	return out, nil
}

// LossCurve converts an SFT log into the loss figure's input.
func LossCurve(res *sft.Result) figures.LossCurve {
	c := figures.LossCurve{Seed: int64(res.Config.Seed)}
	for _, pt := range res.Loss {
		c.Steps = append(c.Steps, pt.Step)
		c.Loss = append(c.Loss, pt.Loss)
	}
	for _, ck := range res.Checkpoints {
		if ck.Fraction > 0 {
			c.Checkpoints = append(c.Checkpoints, figures.Checkpoint{Step: ck.Step, Fraction: ck.Fraction})
		}
	}
	return c
}

// DPRCurve converts a DPR log into the training figure's input; exact match
// becomes a percentage.
func DPRCurve(seed uint64, res *dpr.Result, sftExactMatch float64) figures.DPRCurve {
	c := figures.DPRCurve{Seed: int64(seed), SFTExactMatch: 100 * sftExactMatch}
	for _, l := range res.Log {
		c.Steps = append(c.Steps, l.Step)
		c.Reward = append(c.Reward, l.Reward)
		c.KL = append(c.KL, l.KL)
		c.Return = append(c.Return, l.Return)
	}
	for _, e := range res.Evals {
		c.EvalSteps = append(c.EvalSteps, e.Step)
		c.ExactMatch = append(c.ExactMatch, 100*e.ExactMatch)
	}
	return c
}

// RewardHeatmaps picks a held-out command that π_SFT got wrong in sftEval
// and returns the dense reward of the correct demonstration and of π_SFT's
// own response, with π_ref at the profile's reference fraction. If π_SFT was
// right on every command, it returns the first demonstration alone.
func (pl *Pipeline) RewardHeatmaps(s *SFTRun, sftEval eval.Result) ([]figures.Heatmap, error) {
	task, p := pl.Task, pl.Profile
	if len(sftEval.Predictions) == 0 {
		return nil, fmt.Errorf("reward heat-map: the SFT evaluation has no predictions to pick a command from")
	}
	ref, err := s.Checkpoint(p.RefFraction)
	if err != nil {
		return nil, damagedStage(s.Dir, err)
	}
	if len(sftEval.Predictions) != len(task.Eval) {
		return nil, fmt.Errorf("reward heat-map: the SFT evaluation has %d predictions for %d held-out prompts",
			len(sftEval.Predictions), len(task.Eval))
	}
	at := 0
	for i, pr := range sftEval.Predictions {
		if !pr.ExactMatch {
			at = i
			break
		}
	}
	pick := sftEval.Predictions[at]
	prompt, err := task.Tokenizer.EncodePrompt(task.Eval[at].Prompt)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		title string
		words []string
	}
	cands := []candidate{{"demonstration (correct)", append(append([]string{}, pick.Expected...), "<eos>")}}
	if !pick.ExactMatch {
		words := append([]string{}, pick.Response...)
		if pick.EOS {
			words = append(words, "<eos>")
		}
		cands = append(cands, candidate{"π_SFT greedy response (wrong)", words})
	}
	var seqs []policy.Sequence
	for _, c := range cands {
		ids := append([]int32{}, prompt...)
		for _, w := range c.words {
			id, ok := task.Tokenizer.ID(w)
			if !ok {
				return nil, fmt.Errorf("reward heat-map: token %q is not in the vocabulary", w)
			}
			ids = append(ids, id)
		}
		seqs = append(seqs, policy.Sequence{Tokens: ids, PromptLen: len(prompt)})
	}
	scorer, err := policy.NewScorer(pl.Backend, p.Model)
	if err != nil {
		return nil, err
	}
	dense, err := reward.NewScorer(scorer, reward.LogRatio, s.Model, ref)
	if err != nil {
		return nil, err
	}
	scores, err := dense.Score(seqs, len(seqs))
	if err != nil {
		return nil, err
	}
	var maps []figures.Heatmap
	for i, c := range cands {
		values := make([]float64, len(scores.Reward[i]))
		for t, v := range scores.Reward[i] {
			values[t] = float64(v)
		}
		maps = append(maps, figures.Heatmap{
			Prompt: pick.Prompt, Tokens: c.words, Reward: values,
			Title: fmt.Sprintf("%s, seed %d, reference at %g of the data", c.title, s.Seed, p.RefFraction),
		})
	}
	return maps, nil
}

// ReadSummary reads a summary.json written by Reproduce.
func ReadSummary(path string) (*Summary, error) {
	var s Summary
	if err := jsonfile.Read(path, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
