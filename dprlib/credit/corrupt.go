package credit

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/reward"
)

// CorruptOptions sets the corruption test.
type CorruptOptions struct {
	// Seed drives the choice of the corrupted position and of the replacement.
	Seed uint64 `json:"seed"`
	// IncludeEOS lets the corrupted position be the last response token, which
	// is EOS in a complete response. By default it is never corrupted.
	IncludeEOS bool `json:"include_eos"`
	// MaxOffset k limits the per-offset aggregate to offsets −k … +k. 0 uses
	// every offset that occurs, up to the longest response length − 1.
	MaxOffset int `json:"max_offset"`
	// BatchSize is the number of sequences scored per graph call; 0 selects
	// DefaultBatchSize.
	BatchSize int `json:"batch_size"`
	// CausalTolerance is the largest |Δr̂| accepted at a position before the
	// corrupted one, in nats. 0 (the default) demands exact equality, which a
	// causal model with deterministic kernels gives.
	CausalTolerance float64 `json:"causal_tolerance"`
}

// Validate reports an option that cannot run.
func (o CorruptOptions) Validate() error {
	switch {
	case o.MaxOffset < 0:
		return fmt.Errorf("max offset %d is invalid: use 0 (every offset) or a positive count", o.MaxOffset)
	case o.BatchSize < 0:
		return fmt.Errorf("batch size %d is invalid: use 0 (the default %d) or a positive count",
			o.BatchSize, DefaultBatchSize)
	case o.CausalTolerance < 0 || math.IsNaN(o.CausalTolerance) || math.IsInf(o.CausalTolerance, 0):
		return fmt.Errorf("causal tolerance %g is invalid: use 0 (exact) or a small positive number of nats",
			o.CausalTolerance)
	}
	return nil
}

// Corruption is one correct sequence and a copy with one response token
// replaced.
type Corruption struct {
	Original, Corrupted policy.Sequence
	// Position is the response position t of the replaced token.
	Position int
	// Token is the original token at t, and Replacement the token put there.
	Token, Replacement int32
}

// CorruptionRecord is the outcome of the corruption test on one sequence.
// Response positions count from 0 at the first response token.
type CorruptionRecord struct {
	// Index is the sequence's index in the input.
	Index int `json:"index"`
	// Tokens and PromptLen give the original sequence.
	Tokens    []int32 `json:"tokens"`
	PromptLen int     `json:"prompt_len"`
	// Position is the corrupted response position t.
	Position    int   `json:"position"`
	Token       int32 `json:"token"`
	Replacement int32 `json:"replacement"`
	// Reward and CorruptedReward are r̂ of the original and of the corrupted
	// response, per response position.
	Reward          []float32 `json:"reward"`
	CorruptedReward []float32 `json:"corrupted_reward"`
	// Delta[s] = CorruptedReward[s] − Reward[s].
	Delta []float64 `json:"delta"`
	// DeltaAt is Δr̂_t, the change at the corrupted token.
	DeltaAt float64 `json:"delta_at"`
	// MeanAbsAfter is the mean |Δr̂_s| over the After positions s > t, or 0
	// when there are none.
	MeanAbsAfter float64 `json:"mean_abs_after"`
	After        int     `json:"after"`
	// MaxAbsBefore is the max |Δr̂_s| over s < t; 0 for a causal model.
	MaxAbsBefore float64 `json:"max_abs_before"`
}

// OffsetStat aggregates Δr̂ over every sequence at one offset s − t from the
// corrupted position.
type OffsetStat struct {
	Offset int `json:"offset"`
	// Count is the number of (sequence, position) pairs at this offset; the
	// other fields are 0 when it is 0.
	Count        int     `json:"count"`
	MeanDelta    float64 `json:"mean_delta"`
	MeanAbsDelta float64 `json:"mean_abs_delta"`
	// StdDelta is the sample standard deviation of Δr̂ (denominator
	// Count − 1), 0 below two values.
	StdDelta float64 `json:"std_delta"`
}

// CorruptionSummary holds the scalars of one corruption test, one value per
// run, as the input of an interval across seeds.
type CorruptionSummary struct {
	Sequences int `json:"sequences"`
	// DropShare is the share of sequences with Δr̂_t < 0: the reward fell at
	// the corrupted token.
	DropShare float64 `json:"drop_share"`
	// MeanDeltaAt and MeanAbsDeltaAt average Δr̂_t and |Δr̂_t| over sequences.
	MeanDeltaAt    float64 `json:"mean_delta_at"`
	MeanAbsDeltaAt float64 `json:"mean_abs_delta_at"`
	// WithAfter counts the sequences with at least one position after t.
	// MeanAbsDeltaAfter averages their MeanAbsAfter, each sequence weighing
	// the same whatever its length.
	WithAfter         int     `json:"with_after"`
	MeanAbsDeltaAfter float64 `json:"mean_abs_delta_after"`
	// AtToAfterRatio is mean |Δr̂_t| / mean |Δr̂_{s>t}| over the WithAfter
	// sequences: above 1 when the change concentrates on the corrupted token.
	// It is 0 when no later position changed.
	AtToAfterRatio float64 `json:"at_to_after_ratio"`
	// MaxAbsBefore is the max |Δr̂_s| over every s < t of every sequence.
	MaxAbsBefore float64 `json:"max_abs_before"`
}

// CorruptionResult is the full outcome of Corrupt.
type CorruptionResult struct {
	// Reward is the kind of r̂ scored; CompareCorrupted leaves it empty.
	Reward  reward.Kind        `json:"reward,omitempty"`
	Options CorruptOptions     `json:"options"`
	Summary CorruptionSummary  `json:"summary"`
	Offsets []OffsetStat       `json:"offsets"`
	Records []CorruptionRecord `json:"records"`
}

// Write stores r as indented JSON at path, replacing it atomically.
func (r CorruptionResult) Write(path string) error { return jsonfile.Write(path, r) }

// ReadCorruption reads a CorruptionResult stored by Write.
func ReadCorruption(path string) (CorruptionResult, error) {
	var r CorruptionResult
	err := jsonfile.Read(path, &r)
	return r, err
}

// Corrupt runs the corruption test on correct responses seqs, such as the
// demonstrations of held-out prompts. For each sequence it draws a response
// position t uniformly (never the last token unless opts.IncludeEOS) and a
// replacement uniformly among the tokens of vocab, the response vocabulary,
// that differ from the token at t. It scores the originals and the corrupted
// copies with scorer and compares them with CompareCorrupted. The draws
// depend only on opts.Seed and the input, so a seed gives the same result.
func Corrupt(scorer *reward.Scorer, seqs []policy.Sequence, vocab []int32, opts CorruptOptions) (
	CorruptionResult, error) {
	if scorer == nil {
		return CorruptionResult{}, fmt.Errorf("the corruption test needs a dense-reward scorer: pass a *reward.Scorer")
	}
	corruptions, err := CorruptSequences(seqs, vocab, opts)
	if err != nil {
		return CorruptionResult{}, err
	}
	originals := make([]policy.Sequence, len(corruptions))
	corrupted := make([]policy.Sequence, len(corruptions))
	for i, c := range corruptions {
		originals[i], corrupted[i] = c.Original, c.Corrupted
	}

	// Both sets are scored in the same chunks, so row i of a chunk of
	// originals and row i of the matching chunk of corrupted copies run
	// through one graph of one shape. A difference before t then comes from
	// the model and not from the batching.
	// NOTE: exact equality before t also assumes that the backend's kernels
	// are deterministic for a given shape; set CausalTolerance otherwise.
	batch := batchSizeOrDefault(opts.BatchSize)
	before, err := scorer.Score(originals, batch)
	if err != nil {
		return CorruptionResult{}, fmt.Errorf("score the original sequences: %w", err)
	}
	after, err := scorer.Score(corrupted, batch)
	if err != nil {
		return CorruptionResult{}, fmt.Errorf("score the corrupted sequences: %w", err)
	}
	res, err := CompareCorrupted(corruptions, before, after, opts)
	if err != nil {
		return CorruptionResult{}, err
	}
	res.Reward = scorer.Kind()
	return res, nil
}

// CorruptSequences draws one corruption of each sequence, as Corrupt does,
// without scoring anything. It rejects an empty input, a vocabulary with a
// negative or repeated id, an invalid sequence, a response with no position
// to corrupt and a token that vocab offers no different replacement for.
func CorruptSequences(seqs []policy.Sequence, vocab []int32, opts CorruptOptions) ([]Corruption, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("no sequences to corrupt: pass at least one correct response")
	}
	if len(vocab) == 0 {
		return nil, fmt.Errorf("the response vocabulary is empty: pass the token ids a response may contain")
	}
	seen := make(map[int32]int, len(vocab))
	for i, id := range vocab {
		if id < 0 {
			return nil, fmt.Errorf("vocabulary entry %d is token id %d: ids must be non-negative", i, id)
		}
		if j, ok := seen[id]; ok {
			return nil, fmt.Errorf("vocabulary entries %d and %d are both token id %d: "+
				"list each id once so that replacements are uniform", j, i, id)
		}
		seen[id] = i
	}

	rng := rand.New(rand.NewPCG(opts.Seed, 0xc0ae))
	out := make([]Corruption, len(seqs))
	for i, s := range seqs {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("sequence %d: %w", i, err)
		}
		n := len(s.Response())
		choices := n - 1
		if opts.IncludeEOS {
			choices = n
		}
		if choices < 1 {
			return nil, fmt.Errorf("sequence %d has a 1-token response and so no token to corrupt "+
				"before its EOS: drop it, or set IncludeEOS", i)
		}
		t := rng.IntN(choices)
		token := s.Tokens[s.PromptLen+t]
		others := make([]int32, 0, len(vocab))
		for _, id := range vocab {
			if id != token {
				others = append(others, id)
			}
		}
		if len(others) == 0 {
			return nil, fmt.Errorf("sequence %d: token %d at response position %d is the only token "+
				"of the vocabulary, so no different token can replace it: pass the full response vocabulary",
				i, token, t)
		}
		replacement := others[rng.IntN(len(others))]
		corrupted := policy.Sequence{Tokens: append([]int32(nil), s.Tokens...), PromptLen: s.PromptLen}
		corrupted.Tokens[s.PromptLen+t] = replacement
		out[i] = Corruption{Original: s, Corrupted: corrupted, Position: t, Token: token,
			Replacement: replacement}
	}
	return out, nil
}

// CompareCorrupted computes the corruption test from scores already taken:
// original.Reward[i] and corrupted.Reward[i] are r̂ of corruptions[i].Original
// and corruptions[i].Corrupted. It returns an error naming the sequence when
// the counts or lengths of the scores do not match, and when |Δr̂| before the
// corrupted position exceeds opts.CausalTolerance, which means the reward at
// a token depends on later tokens: the attention mask leaks.
func CompareCorrupted(corruptions []Corruption, original, corrupted reward.Dense, opts CorruptOptions) (
	CorruptionResult, error) {
	if err := opts.Validate(); err != nil {
		return CorruptionResult{}, err
	}
	if len(corruptions) == 0 {
		return CorruptionResult{}, fmt.Errorf("no corruptions to compare: pass at least one")
	}
	if len(original.Reward) != len(corruptions) || len(corrupted.Reward) != len(corruptions) {
		return CorruptionResult{}, fmt.Errorf("%d corruptions but rewards of %d original and %d corrupted "+
			"sequences: score both sets of sequences of the corruptions, in order",
			len(corruptions), len(original.Reward), len(corrupted.Reward))
	}

	records := make([]CorruptionRecord, len(corruptions))
	longest := 0
	for i, c := range corruptions {
		rec, err := compareOne(i, c, original.Reward[i], corrupted.Reward[i], opts.CausalTolerance)
		if err != nil {
			return CorruptionResult{}, err
		}
		records[i] = rec
		longest = max(longest, len(rec.Delta))
	}
	k := opts.MaxOffset
	if k == 0 {
		k = longest - 1
	}
	return CorruptionResult{
		Options: opts,
		Summary: summariseCorruption(records),
		Offsets: aggregateOffsets(records, k),
		Records: records,
	}, nil
}

// compareOne builds the record of corruption i from its two reward rows.
func compareOne(i int, c Corruption, before, after []float32, tolerance float64) (CorruptionRecord, error) {
	n := len(c.Original.Response())
	if len(c.Corrupted.Tokens) != len(c.Original.Tokens) || c.Corrupted.PromptLen != c.Original.PromptLen {
		return CorruptionRecord{}, fmt.Errorf("sequence %d: the corrupted copy has %d tokens and prompt "+
			"length %d, the original %d and %d: a corruption replaces one token and keeps the layout",
			i, len(c.Corrupted.Tokens), c.Corrupted.PromptLen, len(c.Original.Tokens), c.Original.PromptLen)
	}
	if len(before) != n || len(after) != n {
		return CorruptionRecord{}, fmt.Errorf("sequence %d: %d original and %d corrupted rewards for %d "+
			"response tokens: score the sequences of the corruptions", i, len(before), len(after), n)
	}
	t := c.Position
	if t < 0 || t >= n {
		return CorruptionRecord{}, fmt.Errorf("sequence %d: corrupted position %d is outside the response "+
			"positions [0, %d)", i, t, n)
	}

	rec := CorruptionRecord{
		Index: i, Tokens: c.Original.Tokens, PromptLen: c.Original.PromptLen,
		Position: t, Token: c.Token, Replacement: c.Replacement,
		Reward: before, CorruptedReward: after, Delta: make([]float64, n),
	}
	sumAfter := 0.0
	for s := range n {
		// Δr̂_s = r̂_s(corrupted) − r̂_s(original), exact in float64.
		d := float64(after[s]) - float64(before[s])
		if math.IsNaN(d) {
			return CorruptionRecord{}, fmt.Errorf("sequence %d: Δr̂ at response position %d is NaN "+
				"(r̂ %g before and %g after the corruption)", i, s, before[s], after[s])
		}
		rec.Delta[s] = d
		switch {
		case s < t:
			rec.MaxAbsBefore = max(rec.MaxAbsBefore, math.Abs(d))
		case s > t:
			sumAfter += math.Abs(d)
			rec.After++
		}
	}
	if rec.MaxAbsBefore > tolerance {
		return CorruptionRecord{}, fmt.Errorf("sequence %d: |Δr̂| reaches %g before the corrupted response "+
			"position %d, above the causal tolerance %g: the reward of a token depends on later tokens, "+
			"so the attention mask leaks; fix the mask, or raise CausalTolerance if the backend's kernels "+
			"are not deterministic", i, rec.MaxAbsBefore, t, tolerance)
	}
	rec.DeltaAt = rec.Delta[t]
	if rec.After > 0 {
		rec.MeanAbsAfter = sumAfter / float64(rec.After)
	}
	return rec, nil
}

// summariseCorruption computes the per-run scalars over records.
func summariseCorruption(records []CorruptionRecord) CorruptionSummary {
	s := CorruptionSummary{Sequences: len(records)}
	drops := 0
	absAtWithAfter := 0.0
	for _, r := range records {
		if r.DeltaAt < 0 {
			drops++
		}
		s.MeanDeltaAt += r.DeltaAt
		s.MeanAbsDeltaAt += math.Abs(r.DeltaAt)
		s.MaxAbsBefore = max(s.MaxAbsBefore, r.MaxAbsBefore)
		if r.After > 0 {
			s.WithAfter++
			s.MeanAbsDeltaAfter += r.MeanAbsAfter
			absAtWithAfter += math.Abs(r.DeltaAt)
		}
	}
	n := float64(len(records))
	s.DropShare = float64(drops) / n
	s.MeanDeltaAt /= n
	s.MeanAbsDeltaAt /= n
	if s.WithAfter > 0 {
		s.MeanAbsDeltaAfter /= float64(s.WithAfter)
		absAtWithAfter /= float64(s.WithAfter)
	}
	if s.MeanAbsDeltaAfter > 0 {
		s.AtToAfterRatio = absAtWithAfter / s.MeanAbsDeltaAfter
	}
	return s
}

// aggregateOffsets returns the statistics of Δr̂ at offsets −k … +k.
func aggregateOffsets(records []CorruptionRecord, k int) []OffsetStat {
	stats := make([]OffsetStat, 2*k+1)
	m2 := make([]float64, 2*k+1)
	for j := range stats {
		stats[j].Offset = j - k
	}
	for _, r := range records {
		for s, d := range r.Delta {
			offset := s - r.Position
			if offset < -k || offset > k {
				continue
			}
			// Welford's update of the running mean and sum of squared deviations.
			st := &stats[offset+k]
			st.Count++
			diff := d - st.MeanDelta
			st.MeanDelta += diff / float64(st.Count)
			m2[offset+k] += diff * (d - st.MeanDelta)
			st.MeanAbsDelta += (math.Abs(d) - st.MeanAbsDelta) / float64(st.Count)
		}
	}
	for j := range stats {
		if stats[j].Count > 1 {
			stats[j].StdDelta = math.Sqrt(m2[j] / float64(stats[j].Count-1))
		}
	}
	return stats
}
