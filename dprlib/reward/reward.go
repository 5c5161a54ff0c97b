// Package reward recovers the dense per-token reward that SFT implicitly
// learns, from two checkpoints of one SFT run:
//
//	r̂_t = log π_SFT(y_t | s_t) − log π_ref(y_t | s_t)
//
// where π_SFT is the final model and π_ref an earlier checkpoint. Summed over
// a response, r̂ telescopes to the sequence log-ratio
// log π_SFT(y|x) − log π_ref(y|x).
//
// It also holds the inverse soft-Q reading of a policy's logits (soft value,
// recovered reward, IQ-Learn objective) used to check that SFT is inverse
// soft-Q learning at γ = 1.
package reward

import (
	"fmt"

	"github.com/dprkit/dprkit/dprlib/policy"
)

// Kind selects the per-token reward.
type Kind string

const (
	// LogRatio is r̂_t = log π_SFT(y_t|s_t) − log π_ref(y_t|s_t), the default.
	LogRatio Kind = "log-ratio"
	// SFTOnly is r̂_t = log π_SFT(y_t|s_t): the "baseline removal" variant,
	// which drops the reference term.
	SFTOnly Kind = "sft-only"
)

// ParseKind validates a reward name from a flag or config file.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case LogRatio, SFTOnly:
		return k, nil
	}
	return "", fmt.Errorf("reward %q is unknown: use %q (log π_SFT − log π_ref) or %q (log π_SFT alone)",
		s, LogRatio, SFTOnly)
}

// Dense holds per-token rewards of a set of responses and the log-probabilities
// they came from.
type Dense struct {
	// Reward[i][t] is r̂ of response token t of sequence i.
	Reward [][]float32
	// SFTLogProb and RefLogProb are log π_SFT and log π_ref of the same tokens.
	// RefLogProb is nil for SFTOnly.
	SFTLogProb, RefLogProb [][]float32
}

// Scorer computes dense rewards from a fixed pair of checkpoints.
type Scorer struct {
	kind     Kind
	sft, ref *policy.Model
	scorer   *policy.Scorer
}

// NewScorer returns a dense-reward scorer. ref may be nil only for SFTOnly.
// Both models must share one configuration.
func NewScorer(scorer *policy.Scorer, kind Kind, sft, ref *policy.Model) (*Scorer, error) {
	if sft == nil {
		return nil, fmt.Errorf("the dense reward needs the SFT model π_SFT")
	}
	if kind == LogRatio {
		if ref == nil {
			return nil, fmt.Errorf("the %q reward needs a reference checkpoint π_ref: "+
				"pass an earlier SFT checkpoint, or use the %q reward", LogRatio, SFTOnly)
		}
		if ref.Config != sft.Config {
			return nil, fmt.Errorf("reference model config %+v differs from the SFT model's %+v: "+
				"both must come from one SFT run", ref.Config, sft.Config)
		}
	}
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, err
	}
	return &Scorer{kind: kind, sft: sft, ref: ref, scorer: scorer}, nil
}

// Kind returns the reward the scorer computes.
func (s *Scorer) Kind() Kind { return s.kind }

// Score returns r̂ for every response token of seqs, in batches of up to
// batchSize sequences.
func (s *Scorer) Score(seqs []policy.Sequence, batchSize int) (Dense, error) {
	if batchSize < 1 {
		return Dense{}, fmt.Errorf("batch size %d is invalid: it must be at least 1", batchSize)
	}
	var d Dense
	for lo := 0; lo < len(seqs); lo += batchSize {
		part := seqs[lo:min(lo+batchSize, len(seqs))]
		batch, _, err := policy.SequenceBatch(part, s.sft.Config.Context, 0)
		if err != nil {
			return Dense{}, err
		}
		steps := batch.Length - 1
		if s.kind == SFTOnly {
			sftLP, err := s.scorer.LogProbs(s.sft, batch)
			if err != nil {
				return Dense{}, fmt.Errorf("score under π_SFT: %w", err)
			}
			sftResp := policy.ResponseValues(part, steps, sftLP)
			d.SFTLogProb = append(d.SFTLogProb, sftResp...)
			d.Reward = append(d.Reward, sftResp...)
			continue
		}
		// Both forward passes run in one graph call.
		both, err := s.scorer.LogProbsOf([]*policy.Model{s.sft, s.ref}, batch)
		if err != nil {
			return Dense{}, fmt.Errorf("score under π_SFT and π_ref: %w", err)
		}
		sftResp := policy.ResponseValues(part, steps, both[0])
		d.SFTLogProb = append(d.SFTLogProb, sftResp...)
		refResp := policy.ResponseValues(part, steps, both[1])
		d.RefLogProb = append(d.RefLogProb, refResp...)
		for i := range sftResp {
			d.Reward = append(d.Reward, Difference(sftResp[i], refResp[i]))
		}
	}
	return d, nil
}

// Difference returns r̂_t = sft[t] − ref[t] for every t.
func Difference(sft, ref []float32) []float32 {
	out := make([]float32, len(sft))
	for t := range sft {
		out[t] = sft[t] - ref[t]
	}
	return out
}

// Sum returns Σ_t x[t] in float64.
func Sum(x []float32) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v)
	}
	return s
}
