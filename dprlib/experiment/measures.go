package experiment

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
	"github.com/dprkit/dprkit/dprlib/stats"
)

// heldOutDemos returns the held-out prompts with their correct responses as
// sequences.
func (pl *Pipeline) heldOutDemos() ([]policy.Sequence, error) {
	seqs := make([]policy.Sequence, len(pl.Task.Eval))
	for i, it := range pl.Task.Eval {
		ids, promptLen, err := pl.Task.Tokenizer.EncodeExample(it.Prompt, it.Expected)
		if err != nil {
			return nil, fmt.Errorf("held-out prompt %q: %w", it.Text, err)
		}
		seqs[i] = policy.Sequence{Tokens: ids, PromptLen: promptLen}
	}
	return seqs, nil
}

// denseScorer returns the dense reward of the variant's kind with π_ref at
// its reference fraction.
func (pl *Pipeline) denseScorer(s *SFTRun, kind reward.Kind, refFraction float64) (*reward.Scorer, error) {
	scorer, err := policy.NewScorer(pl.Backend, s.Model.Config)
	if err != nil {
		return nil, err
	}
	var ref *policy.Model
	if kind == reward.LogRatio {
		if ref, err = s.Checkpoint(refFraction); err != nil {
			return nil, damagedStage(s.Dir, err)
		}
	}
	return reward.NewScorer(scorer, kind, s.Model, ref)
}

// rewardStatistics scores the held-out demonstrations with the variant's
// dense reward and returns the mean |r̂_t| over their tokens and the
// signal-to-noise ratio of the sequence reward: the mean of Σ_t r̂_t over
// demonstrations divided by its standard deviation.
func (pl *Pipeline) rewardStatistics(s *SFTRun, v Variant) (scale, snr float64, err error) {
	// The statistics are stored beside the SFT run, keyed by what they
	// depend on, so that reopening a notebook does not score again.
	key, err := jsonfile.Hash(struct {
		Reward      reward.Kind
		RefFraction float64
		EvalCount   int
	}{v.DPR.Reward, v.RefFraction, pl.Profile.EvalCount})
	if err != nil {
		return 0, 0, err
	}
	path := filepath.Join(s.Dir, "reward-stats-"+key[:12]+".json")
	var stored struct {
		Scale float64 `json:"mean_abs_reward"`
		SNR   float64 `json:"snr"`
	}
	if err := jsonfile.Read(path, &stored); err == nil {
		return stored.Scale, stored.SNR, nil
	}
	scale, snr, err = pl.scoreRewardStatistics(s, v)
	if err != nil {
		return 0, 0, err
	}
	stored.Scale, stored.SNR = scale, snr
	return scale, snr, jsonfile.Write(path, stored)
}

func (pl *Pipeline) scoreRewardStatistics(s *SFTRun, v Variant) (scale, snr float64, err error) {
	dense, err := pl.denseScorer(s, v.DPR.Reward, v.RefFraction)
	if err != nil {
		return 0, 0, err
	}
	seqs, err := pl.heldOutDemos()
	if err != nil {
		return 0, 0, err
	}
	d, err := dense.Score(seqs, pl.Profile.Decoding.BatchSize)
	if err != nil {
		return 0, 0, err
	}
	tokens := 0
	sums := make([]float64, len(d.Reward))
	for i, row := range d.Reward {
		for _, r := range row {
			scale += math.Abs(float64(r))
			sums[i] += float64(r)
		}
		tokens += len(row)
	}
	scale /= float64(tokens)
	mean, std := meanStd(sums)
	if std == 0 {
		return scale, 0, nil
	}
	return scale, mean / std, nil
}

// meanStd returns the mean and the sample standard deviation of xs.
func meanStd(xs []float64) (mean, std float64) {
	d := Describe(xs)
	return d.Mean, d.Std
}

// GamingResult is the reward-gaming check of one DPR run: over training,
// does the mean Σ_t r̂_t of the samples rise while the verifier's score of
// the same samples falls?
type GamingResult struct {
	Ablation string `json:"ablation"`
	Setting  string `json:"setting"`
	Seed     uint64 `json:"seed"`
	// Reward is the mean Σ_t r̂_t per sampled response at each update, and
	// Verifier the share of those responses the verifier accepts.
	Reward   []float64 `json:"reward"`
	Verifier []float64 `json:"verifier"`
	// RewardSlope and VerifierSlope are least-squares slopes per update.
	RewardSlope   float64 `json:"reward_slope"`
	VerifierSlope float64 `json:"verifier_slope"`
	Flagged       bool    `json:"flagged"`
}

// gamingMinSteps is the fewest updates a run needs for a trend to count.
const gamingMinSteps = 10

// gamingResults checks every distinct DPR run of the ablations.
func gamingResults(ablations []Ablation, outcomes [][][]*Outcome) []GamingResult {
	seen := map[string]bool{}
	var out []GamingResult
	for a, abl := range ablations {
		for k, setting := range abl.Settings {
			for _, o := range outcomes[a][k] {
				if o.DPR == nil || seen[o.Dir] {
					continue
				}
				seen[o.Dir] = true
				g := GamingResult{Ablation: abl.Name, Setting: setting.Label, Seed: o.Seed}
				for _, l := range o.DPR.Log {
					g.Reward = append(g.Reward, l.Reward*l.Length)
					g.Verifier = append(g.Verifier, l.Verifier)
				}
				g.Flagged, g.RewardSlope, g.VerifierSlope = stats.GamingFlag(g.Reward, g.Verifier, gamingMinSteps)
				out = append(out, g)
			}
		}
	}
	return out
}
